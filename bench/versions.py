"""Benchmark of the version store: what a big sheet costs against a small one, in one run.

    python -m bench.versions [--records 1000000] [--commit-rows 100000] [--part all]
                             [--postgres URL]

Prints, each as a ratio big/small (1.0 means "independent of the sheet's size"): opening
a draft and committing it on a sheet of N records vs one of 10; reading the last page vs
the first page of the N-record sheet (index warm, as after the first read); and the rows
and bytes a commit changing one record adds, and the resident memory of the process.
The big sheet is loaded through the store's own layer writes, in 2048-row batches.

Then, over HTTPS, the real SDK's ``dataset.commit`` of a new sheet of 100,000 rows
(``dataset["train"] = DataFrame(rows)``) against ``graviti-mock serve`` and against
``bench.discard``, a server that answers the same calls with fixed JSON and drops the
bodies; back to back, best of three rounds each, as a ratio mock/discard. In the same
rounds it runs against two floors (``bench.stripped``): the mock with the rows' INSERT
taken out (every batch still parsed, looked up and checked in its write transaction),
and the mock whose add-rows endpoints only parse the body; each is printed as a ratio to
the discard server too, to show what the target leaves for checking and storing. The
calls the SDK made (method, path and body size) are checked to be the same against all.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import ChildServer, tls_files
from mock_server.app import build_backend
from mock_server.resources import RESOURCES
from mock_server.resources.datasets.models import DatasetCreate
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.versions import layers
from mock_server.resources.versions.models import CommitCreate, DraftCreate, SheetCreate
from mock_server.resources.versions.store import VersionStore
from mock_server.resources.versions.tables import RECORD
from mock_server.settings import Settings
from mock_server.state import StateAdmin
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-benchversions01"
ROOT = Path(__file__).resolve().parent.parent
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
    def __init__(self, database: str) -> None:
        """``database``: a SQLite file's URL, or a PostgreSQL database (emptied first)."""
        self.backend = build_backend(Settings(database=database))
        if self.backend.db.dialect != "sqlite":
            StateAdmin(self.backend, RESOURCES).reset()
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
        """The database file's size; on PostgreSQL, the record table's (with its index)."""
        engine = self.backend.db.engine
        with engine.connect() as conn:
            if self.backend.db.dialect != "sqlite":
                size = conn.exec_driver_sql("SELECT pg_total_relation_size('sheet_record')")
                return int(size.scalar_one())
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return Path(str(engine.url.database)).stat().st_size


def store_figures(records: int, database: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(database or f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        print(f"store figures on {bench.backend.db.dialect}")
        started = time.perf_counter()
        big = bench.dataset("big", records)
        small = bench.dataset("small", 10)
        print(f"loaded {records} records in {time.perf_counter() - started:.1f} s")

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
        last = timed(page(records - 128), 20)
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


# ---------------------------------------------------------------- the SDK's commit, over HTTPS

Call = tuple[str, str, int]


def commit_rows(count: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "label": i % 10, "score": i / 7, "name": f"record-{i:06d}", "tag": "abc"[i % 3]}
        for i in range(count)
    ]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far, all threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sdk_commit(
    url: str, pid: int, name: str, rows: list[dict[str, Any]]
) -> tuple[float, float, list[Call]]:
    """Seconds the SDK's ``dataset.commit`` takes for a new sheet of ``rows``, the CPU
    seconds the server ``pid`` spent meanwhile, and the calls the SDK made."""
    import graviti
    from graviti.utility.requests import get_session

    workspace = graviti.Workspace(KEY, url)
    dataset = workspace.datasets.create(name)
    dataset["train"] = graviti.DataFrame(rows)
    calls: list[Call] = []

    def record(response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        path = request.path_url.replace(f"/{workspace.name}/", "/{ws}/")
        path = re.sub("/[0-9a-f]{32}(?=/|$)", "/{id}", path)
        calls.append((request.method, path, len(request.body or b"")))

    hooks = get_session().hooks["response"]
    hooks.append(record)
    try:
        cpu, started = cpu_seconds(pid), time.perf_counter()
        dataset.commit("bench", quiet=True)
        return time.perf_counter() - started, cpu_seconds(pid) - cpu, calls
    finally:
        hooks.remove(record)


STRIPPED = ("store", "rows")


def commit_figures(count: int, rounds: int) -> dict[str, float]:
    from graviti.utility.requests import get_session

    # The SDK logs the new head at INFO, reading its sheets to do so; those calls are part
    # of its commit and stay (a filter runs after the record is made), only the text goes.
    logging.getLogger("graviti.manager.dataset").addFilter(lambda record: False)
    rows = commit_rows(count)
    with tempfile.TemporaryDirectory(prefix="bench-commit-") as temp:
        folder = Path(temp)
        ca, cert, key = tls_files(folder)
        tls = ["--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]

        def mock_server(name: str, *strip: str) -> ServerProcess:
            database = f"sqlite:///{folder / name}.sqlite"
            if not strip:
                return ServerProcess(database=database, args=tls, verify=str(ca))
            argv = [sys.executable, "-m", "bench.stripped", *strip, "serve", "--port", "0"]
            argv += ["--database", database, *tls]
            return ServerProcess(argv=argv, verify=str(ca), cwd=ROOT)

        servers: dict[str, Any] = {
            "mock": mock_server("mock"),
            **{f"no {part}": mock_server(part, part) for part in STRIPPED},
            "discard": ChildServer("bench.discard", "discard", *tls),
        }
        times: dict[str, list[float]] = {name: [] for name in servers}
        cpu: dict[str, list[float]] = {name: [] for name in servers}
        with contextlib.ExitStack() as stack:
            for server in servers.values():
                stack.enter_context(server)
            for index in range(rounds):
                calls: dict[str, list[Call]] = {}
                for name, server in servers.items():
                    assert server.process is not None
                    took, used, calls[name] = sdk_commit(
                        server.url, server.process.pid, f"commit-{index}", rows
                    )
                    times[name].append(took)
                    cpu[name].append(used)
                if any(made != calls["discard"] for made in calls.values()):
                    raise RuntimeError(f"the SDK's calls differ between the servers: {calls}")
                shown = ", ".join(
                    f"{name} {times[name][-1]:.2f} s (server CPU {cpu[name][-1]:.2f} s)"
                    for name in servers
                )
                print(f"  round {index + 1}: {shown}, {len(calls['mock'])} calls", flush=True)
            get_session().close()
    best = {name: min(taken) for name, taken in times.items()}
    ratio = best["mock"] / best["discard"]
    verdict = "met" if ratio <= 1.3 else "NOT met"
    print(
        f"dataset.commit of {count:,} rows: mock {best['mock']:.2f} s,"
        f" discard {best['discard']:.2f} s, mock/discard = {ratio:.2f} (target <= 1.3:"
        f" {verdict}); server CPU per commit (least): mock {min(cpu['mock']):.2f} s,"
        f" discard {min(cpu['discard']):.2f} s"
    )
    floors = {part: best[f"no {part}"] / best["discard"] for part in STRIPPED}
    print(
        f"  floors (bench/stripped.py, /discard): rows checked, not stored"
        f" {floors['store']:.2f}; rows parsed, not checked or stored {floors['rows']:.2f}"
    )
    return {
        "mock_s": best["mock"],
        "discard_s": best["discard"],
        "ratio": ratio,
        "mock_cpu_s": min(cpu["mock"]),
        "discard_cpu_s": min(cpu["discard"]),
        "no_store_ratio": floors["store"],
        "no_rows_ratio": floors["rows"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--commit-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--part", choices=("all", "store", "commit"), default="all")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="the store figures on this PostgreSQL database (EMPTIED first) instead of SQLite",
    )
    args = parser.parse_args()
    if args.part in ("all", "store"):
        store_figures(args.records, args.postgres)
    if args.part in ("all", "commit"):
        commit_figures(args.commit_rows, args.rounds)


if __name__ == "__main__":
    main()
