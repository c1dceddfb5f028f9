"""The benchmark: graviti-mock against a minimal FastAPI reference measured in the same run.

Run from the repository root: ``python -m bench.run`` (a few minutes) or
``python -m bench.run --quick`` (a smoke check of every step, under a minute).
Load comes from ``wrk`` (Debian package ``wrk``) on 127.0.0.1 only; every loop is bounded
in count and time. The results are printed as markdown tables.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import insert, select

from bench.common import ChildServer, child_env
from mock_server import Settings
from mock_server.app import build_backend
from mock_server.resources.datasets.tables import DATASET
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.versions.tables import BRANCH
from mock_server.testing import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
JOURNAL_SIZE = 1000  # the server's default journal_size
LUA = Path(__file__).resolve().parent / "load.lua"


# ---------------------------------------------------------------------------- servers


class ReferenceServer(ChildServer):
    """``python -m bench.reference`` in a child process, ready to answer."""

    def __init__(self) -> None:
        super().__init__("bench.reference", "reference")

    def __enter__(self) -> ReferenceServer:
        super().__enter__()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{self.url}/v2/datasets", timeout=1).ok:
                    return self
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("the reference was not ready within 30 s")


def start_mock(database: str) -> ServerProcess:
    return ServerProcess(database=database, env=child_env()).start()


# ---------------------------------------------------------------------------- load


@dataclass
class Load:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    status_errors: int
    socket_errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    url: str,
    mode: str,
    token: str,
    *,
    path: str = "/",
    prefix: str = "d",
    connections: int = 1,
    seconds: float = 5.0,
) -> Load:
    """One bounded wrk run (one thread, ``connections`` keep-alive connections)."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        mode,
        token,
        path,
        prefix,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            raw = json.loads(line.removeprefix("RESULT "))
            return Load(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                max_ms=raw["max_us"] / 1000,
                status_errors=raw["status_errors"],
                socket_errors=raw["socket_errors"],
            )
    raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


class Client:
    """A keep-alive HTTP/1.1 connection with as little client overhead as the stdlib allows."""

    def __init__(self, url: str, token: str | None = None) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        self.address = (parts.hostname, parts.port)
        self.connection = http.client.HTTPConnection(*self.address, timeout=30)
        self.headers = {"X-Token": token} if token else {}

    def reconnect(self) -> None:
        """A new connection: the server closes one left idle past its keep-alive timeout."""
        self.connection.close()
        self.connection = http.client.HTTPConnection(*self.address, timeout=30)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else None

    def timed(self, method: str, path: str, body: Any = None) -> float:
        """Milliseconds for one call, which must succeed."""
        start = time.perf_counter()
        status, payload = self.call(method, path, body)
        elapsed = (time.perf_counter() - start) * 1000
        if status != 200:
            raise RuntimeError(f"{method} {path} answered {status}: {payload}")
        return elapsed

    def close(self) -> None:
        self.connection.close()


def new_key(label: str) -> str:
    return f"ACCESSKEY-{label}{uuid.uuid4().hex[:12]}"


def provision(url: str, token: str, names: int, prefix: str = "ds") -> str:
    """Create ``names`` datasets for ``token``; returns its workspace."""
    client = Client(url, token)
    try:
        status, workspace = client.call("GET", "/v2/current-workspace")
        assert status == 200, workspace
        for i in range(names):
            status, created = client.call("POST", "/v2/datasets", {"name": f"{prefix}-{i}"})
            assert status == 200, created
        return str(workspace["name"])
    finally:
        client.close()


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[Load, Load], bool]


@dataclass
class Row:
    call: str
    connections: int
    mock: Load
    reference: Load
    target: Target | None

    @property
    def ratio(self) -> float:
        return self.mock.rate / self.reference.rate if self.reference.rate else 0.0


@dataclass
class Report:
    machine: dict[str, str]
    rows: list[Row] = field(default_factory=list)
    measures: list[tuple[str, str, str, str]] = field(default_factory=list)

    def measure(self, what: str, value: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "NOT met")
        self.measures.append((what, value, target, verdict))
        print(f"  {what}: {value}" + (f"  [{target}: {verdict}]" if target else ""), flush=True)

    def markdown(self) -> str:
        lines = [
            "Machine: " + ", ".join(f"{k} {v}" for k, v in self.machine.items()),
            "",
            "| call | conc | graviti-mock req/s | p50 ms | p99 ms | reference req/s | p50 ms "
            "| p99 ms | ratio | target |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in self.rows:
            m, r = row.mock, row.reference
            verdict = ""
            if row.target is not None:
                ok = row.target.check(m, r)
                verdict = f"{row.target.text}: {'met' if ok else 'NOT met'}"
            errors = m.status_errors + m.socket_errors
            note = f" ({errors} errors)" if errors else ""
            lines.append(
                f"| {row.call} | {row.connections} | {m.rate:,.0f}{note} | {m.p50_ms:.2f} "
                f"| {m.p99_ms:.2f} | {r.rate:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
                f"| {row.ratio:.2f} | {verdict} |"
            )
        lines += ["", "| measure | value | target | verdict |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.measures]
        return "\n".join(lines)


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "load average at start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "CPU": model,
        "Python": platform.python_version(),
        "wrk": "1 thread",
    }


def ratio_at_least(limit: float) -> Target:
    return Target(f"ratio >= {limit}", lambda m, r: r.rate > 0 and m.rate / r.rate >= limit)


CREATE_TARGET = Target(
    ">= 1,000/s, p99 < 25 ms",
    lambda m, _r: m.rate >= 1000 and m.p99_ms < 25 and not m.status_errors,
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------------------- steps


def bench_calls(report: Report, mock_url: str, ref_url: str, seconds: float, rounds: int) -> None:
    """The table: four calls at concurrency 1 and 16, against the reference.

    Each cell runs ``rounds`` times, the reference and the mock back to back, and keeps
    each one's best round: other work on the machine only ever slows a round down.
    """
    get_key, list_key, create_key, pair_key = (new_key(x) for x in ("get", "list", "mk", "pair"))
    workspace = provision(mock_url, get_key, 1, prefix="bench-get")
    provision(mock_url, list_key, 200)
    provision(mock_url, create_key, 0)
    provision(mock_url, pair_key, 0)
    get_path = f"/v2/datasets/{workspace}/bench-get-0"
    list_path = "/v2/datasets?offset=0&limit=128"
    # Warm both servers up (imports, caches, the allocator) before measuring.
    for url in (ref_url, mock_url):
        wrk(url, "get", get_key, path=get_path, connections=4, seconds=1)
        wrk(url, "get", list_key, path=list_path, connections=4, seconds=1)
    plan: list[tuple[str, str, str, str, dict[int, Target | None]]] = [
        (
            "get one dataset",
            "get",
            get_key,
            get_path,
            {1: ratio_at_least(0.7), 16: ratio_at_least(0.65)},
        ),
        (
            "list, limit 128",
            "get",
            list_key,
            list_path,
            {1: ratio_at_least(1.0), 16: ratio_at_least(1.0)},
        ),
        ("create", "create", create_key, "/", {1: None, 16: CREATE_TARGET}),
        ("create then delete", "pair", pair_key, "/", {1: None, 16: None}),
    ]
    for call, mode, key, path, targets in plan:
        for connections in (1, 16):
            loads: dict[str, list[Load]] = {ref_url: [], mock_url: []}
            for _ in range(rounds):
                prefix = f"c{connections}-{uuid.uuid4().hex[:6]}"
                for url, runs in loads.items():
                    runs.append(
                        wrk(
                            url,
                            mode,
                            key,
                            path=path,
                            prefix=prefix,
                            connections=connections,
                            seconds=seconds,
                        )
                    )
            reference = max(loads[ref_url], key=lambda load: load.rate)
            mock = max(loads[mock_url], key=lambda load: load.rate)
            row = Row(call, connections, mock, reference, targets[connections])
            report.rows.append(row)
            print(
                f"  {call:<20} c{connections:<3} mock {mock.rate:8,.0f}/s p99 {mock.p99_ms:6.2f} ms"
                f"  reference {reference.rate:8,.0f}/s  ratio {row.ratio:.2f}"
                + (f"  non-2xx {mock.status_errors}" if mock.status_errors else ""),
                flush=True,
            )


def bench_reset(report: Report, server: ServerProcess, rounds: int) -> None:
    """Per-test reset: POST /_mock/reset after a test's worth of state."""
    client = Client(server.url)
    own: list[float] = []
    for i in range(rounds):
        key = new_key("reset")
        provision(server.url, key, 3, prefix=f"r{i}")
        own.append(client.timed("POST", "/_mock/reset"))
    client.close()
    fixture: list[float] = []
    for _ in range(max(5, rounds // 5)):
        start = time.perf_counter()
        server.reset()
        fixture.append((time.perf_counter() - start) * 1000)
    p50 = statistics.median(own)
    report.measure(
        "per-test reset, POST /_mock/reset round trip (p50 / p99)",
        f"{p50:.2f} / {pct(own, 0.99):.2f} ms",
        "< 2 ms",
        p50 < 2,
    )
    report.measure(
        "per-test reset through ServerProcess.reset() (new connection each, p50)",
        f"{statistics.median(fixture):.2f} ms",
    )


def bench_start(report: Report, rounds: int, workdir: Path) -> None:
    """Session-fixture start: ServerProcess start to ready, on a new SQLite file."""
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        server = start_mock(f"sqlite:///{workdir / f'start-{i}.sqlite'}")
        times.append(time.perf_counter() - start)
        server.stop()
    report.measure(
        "session-fixture start (ServerProcess start to ready, median)",
        f"{statistics.median(times) * 1000:.0f} ms",
    )


def bench_sdk(report: Report, url: str, calls: int) -> None:
    """Per-call cost through the real SDK over HTTP, and in process when available."""
    from graviti.openapi import create_dataset, get_dataset, list_datasets

    def run(label: str, key: str, base: str) -> None:
        created = create_dataset(key, base, "sdk-warm")
        workspace = created["workspace"]
        timings: dict[str, list[float]] = {"create": [], "get": [], "list": []}
        for i in range(calls):
            start = time.perf_counter()
            create_dataset(key, base, f"sdk-{i}")
            timings["create"].append(time.perf_counter() - start)
            start = time.perf_counter()
            get_dataset(key, base, workspace, f"sdk-{i}")
            timings["get"].append(time.perf_counter() - start)
            start = time.perf_counter()
            list_datasets(key, base, limit=128)
            timings["list"].append(time.perf_counter() - start)
        value = ", ".join(
            f"{name} {statistics.median(values) * 1000:.2f}" for name, values in timings.items()
        )
        report.measure(f"SDK per call, {label} (median ms)", value)

    run("graviti.openapi over HTTP", new_key("sdk"), url)
    try:
        from mock_server.inprocess import mock_graviti
    except ImportError:
        report.measure("SDK per call, in process (mock_graviti)", "not available in this build")
        return
    try:
        with mock_graviti():
            run("in process via mock_graviti()", new_key("inproc"), "https://api.graviti.com")
    except Exception as exc:  # a hook for a colleague's module: report, do not fail the run
        report.measure("SDK per call, in process (mock_graviti)", f"failed: {exc!r}")


def populate(database: str, key: str, count: int, prefix: str) -> str:
    """Store ``count`` datasets for ``key`` straight into the database, as another process."""
    backend = build_backend(Settings(database=database))
    engine = backend.db.engine
    try:
        caller = backend.get(IdentityStore).add_access_key(key)
        now = backend.clock.stamp()
        with engine.begin() as conn:
            for start in range(0, count, 10_000):
                rows = [
                    {
                        "id": uuid.uuid4().hex,
                        "workspace": caller.workspace,
                        "name": f"{prefix}-{i}",
                        "alias": "",
                        "default_branch": "main",
                        "commit_id": None,
                        "cover_url": "",
                        "creator": caller.user,
                        "created_at": now,
                        "updated_at": now,
                        "is_public": False,
                        "storage_config": "default",
                        "backend_type": "OSS",
                    }
                    for i in range(start, min(count, start + 10_000))
                ]
                conn.execute(insert(DATASET), rows)
            seqs = conn.execute(
                select(DATASET.c.seq).where(DATASET.c.workspace == caller.workspace)
            ).scalars()
            conn.execute(insert(BRANCH), [{"dataset_seq": s, "name": "main"} for s in seqs])
        with engine.connect() as conn:
            # Measure a database that holds the rows, not one still digesting a bulk load.
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return caller.workspace
    finally:
        backend.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_large(
    report: Report,
    server: ServerProcess,
    database: str,
    rows: int,
    seconds: float,
    rounds: int,
    empty_create: Load | None,
) -> None:
    """100,000 datasets: list near the end, creates, and the memory of the worker."""
    key = new_key("big")
    start = time.perf_counter()
    workspace = populate(database, key, rows, "big")
    print(f"  stored {rows:,} datasets in {time.perf_counter() - start:.1f} s", flush=True)
    client = Client(server.url, key)
    offset = rows - 128
    path = f"/v2/datasets?offset={offset}&limit=128"
    status, page = client.call("GET", path)
    assert status == 200 and page["total_count"] == rows and page["record_size"] == 128, page
    assert page["datasets"][-1]["name"] == f"big-{rows - 1}", page["datasets"][-1]
    warm = [client.timed("GET", path) for _ in range(50)]
    after_write = []
    for i in range(10):
        client.timed("POST", "/v2/datasets", {"name": f"late-{i}"})
        after_write.append(client.timed("GET", path))
    foreign = []
    writer = build_backend(Settings(database=database))
    try:
        for i in range(5):
            # A write by another process.
            writer.get(IdentityStore).add_access_key(new_key(f"x{i}"))
            foreign.append(client.timed("GET", path))
    finally:
        writer.close()
    report.measure(
        f"list near the end of {rows:,} datasets (offset {offset:,}, round trip p50)",
        f"{statistics.median(warm):.2f} ms",
        "< 5 ms",
        statistics.median(warm) < 5,
    )
    report.measure(
        "  same, first list after a create by the same worker (p50)",
        f"{statistics.median(after_write):.2f} ms",
        "< 5 ms",
        statistics.median(after_write) < 5,
    )
    report.measure(
        "  same, first list after a write by another process (p50)",
        f"{statistics.median(foreign):.2f} ms",
    )
    big_create = max(
        (
            wrk(
                server.url,
                "create",
                key,
                prefix=f"big-{uuid.uuid4().hex[:6]}",
                connections=16,
                seconds=seconds,
            )
            for _ in range(rounds)
        ),
        key=lambda load: load.rate,
    )
    value = f"{big_create.rate:,.0f}/s, p99 {big_create.p99_ms:.1f} ms"
    if empty_create is not None:
        value += f" ({big_create.rate / empty_create.rate:.2f} x the empty database's)"
    report.measure(
        f"create at {rows:,} rows, concurrency 16",
        value,
        ">= 1,000/s, p99 < 25 ms",
        big_create.rate >= 1000 and big_create.p99_ms < 25,
    )
    client.reconnect()
    # Touch everything once (a full listing, many single gets) before reading the memory.
    status, page = client.call("GET", "/v2/datasets?offset=0&limit=1000")
    total = page["total_count"]
    for offset in range(0, total, 1000):
        status, page = client.call("GET", f"/v2/datasets?offset={offset}&limit=1000")
        assert status == 200
    for i in range(0, rows, max(1, rows // 5000)):
        status, _ = client.call("GET", f"/v2/datasets/{workspace}/big-{i}")
        assert status == 200
    # Fill the request journal with the largest entries it keeps: 64 KiB of request body
    # each (a create with an unknown field, which the service ignores).
    padding = "x" * 64 * 1024
    for i in range(JOURNAL_SIZE):
        status, _ = client.call("POST", "/v2/datasets", {"name": f"pad-{i}", "pad": padding})
        assert status == 200
    client.close()
    assert server.process is not None
    memory = rss_mb(server.process.pid)
    report.measure(
        f"resident memory of the worker with {total:,} datasets, after serving them "
        f"and a journal of {JOURNAL_SIZE:,} creates with 64 KiB bodies",
        f"{memory:.0f} MB",
        "< 200 MB",
        memory < 200,
    )


def bench_durability(report: Report, workdir: Path, seconds: float) -> None:
    """SIGKILL the server under 16 concurrent creators; every acknowledged create survives."""
    database = f"sqlite:///{workdir / 'kill.sqlite'}"
    server = start_mock(database)
    key = new_key("kill")
    provision(server.url, key, 0)
    acknowledged: list[str] = []
    stop = threading.Event()
    counter = itertools.count()

    def creator() -> None:
        client = Client(server.url, key)
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            name = f"k-{next(counter)}"
            try:
                status, _ = client.call("POST", "/v2/datasets", {"name": name})
            except (OSError, http.client.HTTPException):
                return
            if status == 200:
                acknowledged.append(name)

    threads = [threading.Thread(target=creator) for _ in range(16)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(30)
    server.kill()
    acked = set(acknowledged)
    restarted = start_mock(database)
    try:
        client = Client(restarted.url, key)
        stored: set[str] = set()
        offset = 0
        while True:
            status, page = client.call("GET", f"/v2/datasets?offset={offset}&limit=1000")
            assert status == 200, page
            stored.update(d["name"] for d in page["datasets"])
            offset += page["record_size"]
            if not page["record_size"]:
                break
        client.close()
    finally:
        restarted.stop()
    lost = acked - stored
    report.measure(
        "acknowledged creates lost on SIGKILL under 16 concurrent creators",
        f"{len(lost)} of {len(acked):,}",
        "0",
        not lost and bool(acked),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke check: short runs")
    parser.add_argument("--rows", type=int, help="datasets for the large-database steps")
    parser.add_argument("--seconds", type=float, help="seconds per load run")
    parser.add_argument("--output", type=Path, help="also write the markdown tables here")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is needed (Debian: apt-get install wrk)")
    seconds = args.seconds or (1.0 if args.quick else 2.0)
    call_rounds = 1 if args.quick else 3
    rows = args.rows or (10_000 if args.quick else 100_000)
    rounds = 20 if args.quick else 200
    report = Report(machine())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="graviti-bench-") as tmp:
        workdir = Path(tmp)
        database = f"sqlite:///{workdir / 'bench.sqlite'}"
        print("calls against the reference:", flush=True)
        with ReferenceServer() as reference:
            server = start_mock(database)
            try:
                bench_calls(report, server.url, reference.url, seconds, call_rounds)
            finally:
                server.stop()
        print("fixtures and SDK:", flush=True)
        bench_start(report, 3 if args.quick else 5, workdir)
        server = start_mock(f"sqlite:///{workdir / 'fixture.sqlite'}")
        try:
            bench_reset(report, server, rounds)
            bench_sdk(report, server.url, 20 if args.quick else 100)
        finally:
            server.stop()
        print(f"{rows:,} datasets:", flush=True)
        server = start_mock(database)
        try:
            creates = [r.mock for r in report.rows if r.call == "create" and r.connections == 16]
            empty = creates[0] if creates else None
            bench_large(report, server, database, rows, seconds, call_rounds, empty)
        finally:
            server.stop()
        print("durability:", flush=True)
        bench_durability(report, workdir, 1.0 if args.quick else 2.0)
    print(f"\n(run took {time.monotonic() - started:.0f} s)\n")
    text = report.markdown()
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
