"""Benchmark of searches: a search over a big committed sheet against reading the same sheet.

    python -m bench.searches [--records 1000000]

Loads one sheet of N records (as ``bench.versions`` does: the store's own layer writes,
in 2048-row batches), commits it, and calls the stores as the endpoints do (no HTTP).
Every figure is printed in ms and as a ratio to the reference measured in the same
run: reading a 128-record page of the sheet without criteria (the records endpoint's
operation, first page, key index warm). For a broad criterion (every other record)
and a selective one (one record in a thousand): creating a search; its record count,
cold (read cache emptied) and again; the page near the end of its matches (offset =
matches - 128) right after the count; its first page cold and again; the page near the
end cold (asked first) and again; and the mean of reading every page in turn from a
cold start (``--no-page-through`` skips that).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.versions import Bench, timed
from mock_server.resources.searches.models import SearchCreate
from mock_server.resources.searches.store import SearchStore

PAGE = 128
# (label, criteria, which values of n (0 .. N-1) match)
CRITERIA: list[tuple[str, dict[str, Any], Callable[[int], bool]]] = [
    ("broad, n % 2 = 0", {"where": {"$eq": [{"$mod": ["$.n", 2]}, 0]}}, lambda n: n % 2 == 0),
    (
        "selective, n % 1000 = 7",
        {"where": {"$eq": [{"$mod": ["$.n", 1000]}, 7]}},
        lambda n: n % 1000 == 7,
    ),
]


def once(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


class SearchRun:
    """The figures of one criterion, each printed against the reference page."""

    def __init__(
        self,
        bench: Bench,
        searches: SearchStore,
        sheet: tuple[Any, str],
        expected: int,
        reference: float,
    ) -> None:
        self.bench = bench
        self.searches = searches
        self.big, self.head = sheet
        self.expected = expected
        self.reference = reference
        self.search_id = ""

    def show(self, what: str, seconds: float) -> None:
        ratio = seconds / self.reference
        print(f"  {what:<46} {seconds * 1000:10.2f} ms {ratio:10.1f} x")

    def create(self, criteria: dict[str, Any]) -> None:
        body = SearchCreate(sheet="s", criteria=criteria, commit_id=self.head)
        made = self.searches.create_search_history(self.bench.caller, self.big, body)
        self.search_id = str(made["id"])

    def count(self) -> None:
        found = self.searches.get_search_record_count(self.big, self.search_id)
        assert found == self.expected, found

    def page(self, offset: int) -> Callable[[], Any]:
        def read() -> Any:
            return self.searches.list_search_records(self.big, self.search_id, [], offset, PAGE)

        return read

    def measure(self, criteria: dict[str, Any], *, page_through: bool) -> None:
        db = self.bench.backend.db
        last = max(self.expected - PAGE, 0)
        self.show("create", min(once(lambda: self.create(criteria)) for _ in range(5)))
        db.forget()  # cold: nothing cached, as after a restart
        self.show("record count, cold", once(self.count))
        self.show("record count, again", timed(self.count, 5))
        self.show(f"page at offset {last}, after the count", once(self.page(last)))
        db.forget()
        self.show("first page, cold", once(self.page(0)))
        self.show("first page, again", timed(self.page(0), 5))
        db.forget()
        self.show(f"page at offset {last}, cold", once(self.page(last)))
        self.show(f"page at offset {last}, again", timed(self.page(last), 5))
        if page_through:
            db.forget()
            pages = range(0, self.expected, PAGE)
            total = sum(once(self.page(offset)) for offset in pages)
            self.show(f"each of {len(pages)} pages in turn, mean", total / len(pages))
        assert len(self.page(last)()) == min(PAGE, self.expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--no-page-through", action="store_true", help="skip reading every page in turn"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        searches = bench.backend.get(SearchStore)
        started = time.perf_counter()
        big = bench.dataset("big", args.records)
        print(f"loaded {args.records} records in {time.perf_counter() - started:.1f} s")
        head = bench.versions.get_branch(big, "main").commit_id
        assert head is not None

        def sheet_page(offset: int) -> Callable[[], Any]:
            return lambda: bench.versions.list_commit_records(
                big, head, "s", columns=None, separator="|", sort=[], offset=offset, limit=PAGE
            )

        sheet_page(0)()  # builds the snapshot's key index once
        reference = timed(sheet_page(0), 20)
        print(f"reference: a page of {PAGE} records without criteria {reference * 1000:.2f} ms")

        for label, criteria, matches in CRITERIA:
            expected = sum(1 for n in range(args.records) if matches(n))
            print(f"search {label} ({expected} matches):")
            run = SearchRun(bench, searches, (big, head), expected, reference)
            run.measure(criteria, page_through=not args.no_page_through)
        bench.backend.close()


if __name__ == "__main__":
    main()
