"""Figures for the test-double toolkit: server start, reset per test, in-process calls/s.

Run ``python -m bench.plugin_bench`` (or ``python bench/plugin_bench.py``); ``main()``
prints one line per figure and returns them, so another bench script can call it.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KEY = "ACCESSKEY-bench000000000001"


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def server_start(repeat: int = 3) -> list[float]:
    from mock_server.testing import ServerProcess

    samples = []
    for _ in range(repeat):
        server = ServerProcess()
        started = time.perf_counter()
        server.start()
        samples.append(time.perf_counter() - started)
        server.stop()
    return samples


def reset_over_http(repeat: int = 200) -> dict[str, list[float]]:
    from graviti.openapi import create_dataset

    from mock_server.control_client import MockControl
    from mock_server.plugin import GravitiMock
    from mock_server.testing import ServerProcess

    with ServerProcess() as server:
        control = MockControl(server.url)
        handle = GravitiMock(server.url, access_key=KEY, workspace="bench")
        control.reset()
        empty = _timed(control.reset, repeat)
        fixture = _timed(handle.reset, repeat)

        def reset_after_ten_creates() -> None:
            for index in range(10):
                create_dataset(KEY, server.url, f"d{index}")
            started = time.perf_counter()
            handle.reset()
            dirty.append(time.perf_counter() - started)

        dirty: list[float] = []
        for _ in range(max(10, repeat // 10)):
            reset_after_ten_creates()
    return {"empty": empty, "fixture": fixture, "after 10 creates": dirty}


def reset_in_store(repeat: int = 1000) -> list[float]:
    from mock_server import Settings
    from mock_server.app import build_backend
    from mock_server.resources import RESOURCES
    from mock_server.resources.identity.store import IdentityStore
    from mock_server.state import StateAdmin

    backend = build_backend(Settings(database="sqlite://"))
    backend.get(IdentityStore).add_access_key(KEY)
    samples = _timed(StateAdmin(backend, RESOURCES).reset, repeat)
    backend.close()
    return samples


def inprocess(calls: int = 500) -> dict[str, float]:
    import graviti
    from graviti.openapi import create_dataset, get_dataset, list_datasets

    from mock_server import mock_graviti

    figures: dict[str, float] = {}
    enter = _timed(lambda: mock_graviti().__enter__().__exit__(None, None, None), 10)
    figures["enter+exit ms"] = statistics.median(enter) * 1000
    with mock_graviti():
        workspace = graviti.Workspace(KEY)
        url, name = workspace.url, workspace.name
        create_dataset(KEY, url, "MNIST")
        for label, call in (
            ("get_dataset", lambda: get_dataset(KEY, url, name, "MNIST")),
            ("list_datasets", lambda: list_datasets(KEY, url)),
        ):
            for _ in range(50):
                call()
            started = time.perf_counter()
            for _ in range(calls):
                call()
            figures[f"{label} calls/s"] = calls / (time.perf_counter() - started)
        counter = iter(range(10**9))
        started = time.perf_counter()
        for _ in range(calls):
            create_dataset(KEY, url, f"c{next(counter)}")
        figures["create_dataset calls/s"] = calls / (time.perf_counter() - started)
    return figures


def main() -> dict[str, object]:
    figures: dict[str, object] = {}
    start = server_start()
    figures["server start"] = start
    print(f"session server start (spawn to ready): {_ms(start)}")
    store = reset_in_store()
    figures["store reset"] = store
    print(f"StateAdmin.reset(), in-memory SQLite: {_ms(store)}")
    for label, samples in reset_over_http().items():
        figures[f"http reset {label}"] = samples
        print(f"POST /_mock/reset over HTTP ({label}): {_ms(samples)}")
    for label, value in inprocess().items():
        figures[f"inprocess {label}"] = value
        print(f"mock_graviti() with the real SDK, {label}: {value:.1f}")
    return figures


if __name__ == "__main__":
    main()
