"""Benchmark of the version store: what a big sheet costs against a small one, in one run.

    python -m bench.versions [--records 1000000]

Prints, each as a ratio big/small (1.0 means "independent of the sheet's size"): opening
a draft and committing it on a sheet of N records vs one of 10; reading the last page vs
the first page of the N-record sheet (index warm, as after the first read); and the rows
and bytes a commit changing one record adds, and the resident memory of the process.
The big sheet is loaded through the store's own layer writes, in 2048-row batches.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from mock_server.app import build_backend
from mock_server.resources.datasets.models import DatasetCreate
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.versions import layers
from mock_server.resources.versions.models import CommitCreate, DraftCreate, SheetCreate
from mock_server.resources.versions.store import VersionStore
from mock_server.resources.versions.tables import RECORD
from mock_server.settings import Settings

KEY = "ACCESSKEY-benchversions01"
SCHEMA = "type: record\nfields:\n- name: name\n  type: string\n- name: n\n  type: int64\n"
BATCH = 2048


def timed(call: Callable[[], Any], repeat: int = 5) -> float:
    """The best of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


class Bench:
    def __init__(self, path: Path) -> None:
        self.backend = build_backend(Settings(database=f"sqlite:///{path}"))
        self.path = path
        identity = self.backend.get(IdentityStore)
        identity.add_access_key(KEY)
        self.caller = identity.authenticate(KEY)
        self.datasets = self.backend.get(DatasetStore)
        self.versions = self.backend.get(VersionStore)

    def dataset(self, name: str, records: int) -> Any:
        self.datasets.create_dataset(self.caller, DatasetCreate(name=name))
        found = self.datasets.find(self.caller, self.caller.workspace, name, write=True)
        self.versions.create_draft(self.caller, found, DraftCreate(title="load"))
        self.versions.create_sheet(
            found,
            1,
            SheetCreate.model_validate({"name": "s", "schema": SCHEMA, "_avro_schema": ""}),
        )
        for start in range(0, records, BATCH):
            count = min(BATCH, records - start)
            with self.backend.db.write(("bench",)) as conn:
                view = self.versions.draft_sheet(conn, found, 1, "s", write=True)
                layers.add_rows(
                    conn,
                    view.snapshot,
                    [{"name": f"r{start + i}", "n": start + i} for i in range(count)],
                )
        self.versions.commit_draft(self.caller, found, CommitCreate(draft_number=1, title="load"))
        return found

    def open_and_commit(self, found: Any) -> tuple[float, float]:
        """Seconds to open a draft, and to commit it with one record changed."""
        start = time.perf_counter()
        draft = self.versions.create_draft(self.caller, found, DraftCreate(title="d"))
        opened = time.perf_counter() - start
        self.versions.update_records(
            found, draft.number, "s", [{"__record_key": layers.format_key(1), "n": -1}]
        )
        start = time.perf_counter()
        self.versions.commit_draft(
            self.caller, found, CommitCreate(draft_number=draft.number, title="c")
        )
        return opened, time.perf_counter() - start

    def record_rows(self) -> int:
        with self.backend.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(RECORD)).scalar() or 0)

    def file_bytes(self) -> int:
        with self.backend.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return self.path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(Path(folder) / "bench.sqlite")
        started = time.perf_counter()
        big = bench.dataset("big", args.records)
        small = bench.dataset("small", 10)
        print(f"loaded {args.records} records in {time.perf_counter() - started:.1f} s")

        big_times = [bench.open_and_commit(big) for _ in range(5)]
        small_times = [bench.open_and_commit(small) for _ in range(5)]
        open_ratio = min(t[0] for t in big_times) / min(t[0] for t in small_times)
        commit_ratio = min(t[1] for t in big_times) / min(t[1] for t in small_times)
        print(f"open a draft:      big/small = {open_ratio:.2f}")
        print(f"commit a draft:    big/small = {commit_ratio:.2f}")

        head = bench.versions.get_branch(big, "main").commit_id
        assert head is not None

        def page(offset: int) -> Callable[[], Any]:
            return lambda: bench.versions.list_commit_records(
                big, head, "s", columns=None, separator="|", sort=[], offset=offset, limit=128
            )

        page(0)()  # builds the snapshot's key index once
        first = timed(page(0), 20)
        last = timed(page(args.records - 128), 20)
        print(f"last page / first page = {last / first:.2f} ({first * 1000:.2f} ms first page)")

        rows_before, bytes_before = bench.record_rows(), bench.file_bytes()
        bench.open_and_commit(big)
        rows_after, bytes_after = bench.record_rows(), bench.file_bytes()
        print(
            f"a commit changing one record: {rows_after - rows_before} record row(s), "
            f"{bytes_after - bytes_before} bytes of file growth"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak resident memory: {rss / 1024:.0f} MiB")
        bench.backend.close()


if __name__ == "__main__":
    main()
