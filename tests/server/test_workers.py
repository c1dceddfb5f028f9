"""Several workers on one database: no 500, no lost write, one winner per contested name."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_server.testing import ServerProcess

WORKERS = 2
THREADS = 12
CONTESTED = [f"contested-{index}" for index in range(4)]
KEY = "ACCESSKEY-workers00001"


@pytest.fixture(params=["sqlite", "postgres"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def two_workers(shared_database: str) -> Iterator[ServerProcess]:
    with ServerProcess(database=shared_database, args=["--workers", str(WORKERS)]) as server:
        server.reset()
        yield server


def test_concurrent_creates_and_renames(two_workers: ServerProcess) -> None:
    base = f"{two_workers.url}/v2/datasets"
    statuses: Counter[int] = Counter()
    created: dict[str, list[str]] = {name: [] for name in CONTESTED}
    renamed: dict[str, list[str]] = {f"renamed-{name}": [] for name in CONTESTED}
    acknowledged: set[str] = set()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    workspace = requests.get(
        f"{two_workers.url}/v2/current-workspace", headers={"X-Token": KEY}, timeout=10
    ).json()["name"]

    def run(thread: int) -> None:
        session = requests.Session()
        session.headers["X-Token"] = KEY
        barrier.wait()
        for round_ in range(15):
            own = f"t{thread}-r{round_}"
            answer = session.post(base, json={"name": own}, timeout=30)
            with lock:
                statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    acknowledged.add(own)
            contested = CONTESTED[round_ % len(CONTESTED)]
            answer = session.post(base, json={"name": contested}, timeout=30)
            with lock:
                statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    created[contested].append(own)
            target = f"renamed-{contested}"
            answer = session.patch(f"{base}/{workspace}/{own}", json={"name": target}, timeout=30)
            with lock:
                statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    renamed[target].append(own)
                    acknowledged.discard(own)
                    acknowledged.add(target)
        session.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(statuses) <= {200, 409}, statuses
    for name in CONTESTED:
        assert len(created[name]) == 1, (name, created[name])
    for target, winners in renamed.items():
        assert len(winners) == 1, (target, winners)

    stored: set[str] = set()
    page = requests.get(base, params={"limit": 1000}, headers={"X-Token": KEY}, timeout=30).json()
    stored.update(item["name"] for item in page["datasets"])
    assert page["total_count"] == len(stored)
    assert acknowledged <= stored
    assert set(CONTESTED) <= stored
    assert len(stored) == THREADS * 15 + len(CONTESTED)
    # Both workers really served.
    assert two_workers.output.count("Started server process") == WORKERS
