"""Paging through a search's records: every match once, in record order, from any offset.

A commit's search pages from bookmarks into its matches (kept while the commit's records
cannot change); a draft's pages afresh every call. These tests page through searches
over real versioned sheets with the SDK's own functions, in several page sizes and from
scattered offsets, in orders that reach the bookmarks cold (a deep page first) and warm
(after the count, after a first pass), and across a new commit that moves, deletes and
adds matches. SQLite (bookmarks kept) and PostgreSQL (no read cache: no bookmarks kept)
must answer the same.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import graviti
import graviti.openapi as api
import graviti.portex as pt
import pytest
from graviti import DataFrame

from mock_server.inprocess import InProcessMock

KEY = "ACCESSKEY-pager000000000000"
URL = "https://api.graviti.com"
RECORDS = 1000
SCHEMA = pt.record({"n": pt.int64(), "name": pt.string()})

Rule = Callable[[int], bool]
# (where, which n match): every third, a sparse one, and no condition at all.
SEARCHES: dict[str, tuple[dict[str, Any] | None, Rule]] = {
    "thirds": ({"$eq": [{"$mod": ["$.n", 3]}, 1]}, lambda n: n % 3 == 1),
    "sparse": ({"$eq": [{"$mod": ["$.n", 97]}, 5]}, lambda n: n % 97 == 5),
    "all": (None, lambda n: True),
}
SIZES = (1, 7, 64, 65, 128, 1000)
# Page sizes to page through whole searches with (a size of 1 is in the scattered reads).
THROUGH = (9, 64, 65, 128, 1000)


@pytest.fixture
def mock(empty_mock: InProcessMock) -> Iterator[InProcessMock]:
    """A dataset DS whose sheet ``train`` holds n = 0 .. RECORDS - 1, committed once."""
    mock = empty_mock
    dataset = graviti.Workspace(KEY).datasets.create("DS")
    dataset["train"] = DataFrame([{"n": n, "name": f"r{n}"} for n in range(RECORDS)], schema=SCHEMA)
    dataset.commit("first")
    yield mock


def ws() -> str:
    return str(api.get_current_workspace(KEY, URL)["name"])


def head() -> str:
    return str(api.get_branch(KEY, URL, ws(), "DS", branch="main")["commit_id"])


def search(where: dict[str, Any] | None, **bound: Any) -> str:
    criteria = {} if where is None else {"where": where}
    bound = bound or {"commit_id": head()}
    made = api.create_search_history(
        KEY, URL, ws(), "DS", sheet="train", criteria=criteria, **bound
    )
    return str(made["id"])


def page(search_id: str, offset: int, limit: int) -> list[dict[str, Any]]:
    found = api.list_search_records(
        KEY, URL, ws(), "DS", search_id=search_id, offset=offset, limit=limit
    )
    return list(found["records"])


def page_through(search_id: str, size: int) -> list[dict[str, Any]]:
    """Every page from offset 0 until a short one, as a client walks a search."""
    rows: list[dict[str, Any]] = []
    while True:
        found = page(search_id, len(rows), size)
        rows.extend(found)
        if len(found) < size:
            return rows


def count(search_id: str) -> int:
    return api.get_search_record_count(KEY, URL, ws(), "DS", search_id=search_id)


def rows_of(numbers: list[int]) -> list[dict[str, Any]]:
    return [{"n": n, "name": f"r{n}"} for n in numbers]


def expected(rule: Rule) -> list[dict[str, Any]]:
    return rows_of([n for n in range(RECORDS) if rule(n)])


@pytest.mark.parametrize("name", SEARCHES)
def test_paging_through_gives_every_match_once_in_order(mock: InProcessMock, name: str) -> None:
    where, rule = SEARCHES[name]
    want = expected(rule)
    search_id = search(where)
    for size in THROUGH:
        assert page_through(search_id, size) == want, size
    assert count(search_id) == len(want)
    # Again, now that the count walked every match: the same pages.
    for size in THROUGH:
        assert page_through(search_id, size) == want, size


@pytest.mark.parametrize("name", SEARCHES)
@pytest.mark.parametrize("first", ["deep page", "count", "first page"])
def test_pages_at_scattered_offsets(mock: InProcessMock, name: str, first: str) -> None:
    where, rule = SEARCHES[name]
    want = expected(rule)
    search_id = search(where)
    if first == "deep page":
        assert page(search_id, len(want) - 3, 128) == want[-3:]
    elif first == "count":
        assert count(search_id) == len(want)
    else:
        assert page(search_id, 0, 5) == want[:5]
    picks = random.Random(f"{name} {first}")
    edges = [0, 1, 63, 64, 65, 127, 128, 129, len(want) - 1, len(want), len(want) + 1, 5000]
    offsets = edges + [picks.randrange(len(want) + 10) for _ in range(40)]
    picks.shuffle(offsets)
    for offset in offsets:
        size = picks.choice(SIZES)
        assert page(search_id, offset, size) == want[offset : offset + size], (offset, size)
    assert count(search_id) == len(want)


def keys_of(commit_id: str) -> dict[int, str]:
    """n -> record key of the commit's sheet."""
    found = api.list_commit_records(
        KEY, URL, ws(), "DS", commit_id=commit_id, sheet="train", limit=1000
    )
    return {row["n"]: row["__record_key"] for row in found["records"]}


@pytest.mark.parametrize("name", ["thirds", "sparse"])
def test_a_new_commit_pages_its_own_matches(mock: InProcessMock, name: str) -> None:
    where, rule = SEARCHES[name]
    first = head()
    old_want = expected(rule)
    old_search = search(where)
    # Bookmarks into the first commit's matches, all the way to its end.
    assert count(old_search) == len(old_want)
    assert page(old_search, len(old_want) - 2, 10) == old_want[-2:]

    draft = api.create_draft(KEY, URL, ws(), "DS", title="change")["number"]
    keys = keys_of(first)
    matching = [n for n in range(RECORDS) if rule(n)]
    # Matches stop matching, others start to, some go, new rows come at the end.
    moved_out = matching[::3]
    moved_in = [n for n in range(RECORDS) if not rule(n)][::40]
    gone = matching[1::4]
    changes = [{"__record_key": keys[n], "n": n + 1000000} for n in moved_out]
    changes += [{"__record_key": keys[n], "n": next(m for m in range(n, n + 200) if rule(m))}
                for n in moved_in]  # fmt: skip
    api.update_records(KEY, URL, ws(), "DS", draft_number=draft, sheet="train", records=changes)
    api.delete_records(
        KEY, URL, ws(), "DS", draft_number=draft, sheet="train",
        record_keys=[keys[n] for n in gone],
    )  # fmt: skip
    added = [n for n in range(RECORDS, RECORDS + 300) if rule(n)][:40] + [RECORDS + 1, 7]
    api.add_records(KEY, URL, ws(), "DS", draft_number=draft, sheet="train", records=rows_of(added))
    current: list[dict[str, Any]] = []
    changed = {change["__record_key"]: change["n"] for change in changes}
    for n in range(RECORDS):
        if n in gone:
            continue
        value = changed.get(keys[n], n)
        current.append({"n": value, "name": f"r{n}"})
    current.extend(rows_of(added))
    new_want = [row for row in current if rule(row["n"])]

    # The draft's search follows the draft, also when it changes between two reads.
    draft_search = search(where, draft_number=draft)
    assert page_through(draft_search, 64) == new_want
    assert count(draft_search) == len(new_want)
    late = rows_of([matching[0] + 3 * 97])
    api.add_records(KEY, URL, ws(), "DS", draft_number=draft, sheet="train", records=late)
    new_want += late
    assert page(draft_search, len(new_want) - 1, 128) == late
    assert page_through(draft_search, 7) == new_want
    assert count(draft_search) == len(new_want)
    api.commit_draft(KEY, URL, ws(), "DS", draft_number=draft, title="second")
    second = head()
    assert second != first

    new_search = search(where)
    for size in THROUGH:
        assert page_through(new_search, size) == new_want, size
    picks = random.Random(name)
    for _ in range(30):
        offset, size = picks.randrange(len(new_want) + 5), picks.choice(SIZES)
        assert page(new_search, offset, size) == new_want[offset : offset + size]
    assert count(new_search) == len(new_want)
    # The first commit's search still answers the first commit's matches.
    for size in THROUGH:
        assert page_through(old_search, size) == old_want, size
    assert count(old_search) == len(old_want)
    assert search(where, commit_id=first) != old_search
    assert page_through(search(where, commit_id=first), 128) == old_want
