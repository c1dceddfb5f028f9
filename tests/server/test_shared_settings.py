"""What a seed or a reset sets holds on every worker: strict mode lives in the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-shared000000001"
STRICT_SEED = {
    "options": {"strict": True},
    "users": [{"name": "alice", "workspace": "acme", "access_keys": [KEY]}],
}


@pytest.fixture
def two_apps(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps on one SQLite file: two workers, each with its own process state."""
    settings = Settings(database=f"sqlite:///{tmp_path / 'shared.sqlite'}")
    with ExitStack() as stack:
        first = stack.enter_context(TestClient(create_app(settings)))
        second = stack.enter_context(TestClient(create_app(settings)))
        yield first, second


def test_a_seed_making_the_server_strict_holds_on_the_other_worker(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    first, second = two_apps
    assert first.post("/_mock/seed", json=STRICT_SEED).status_code == 200
    answer = second.get("/v2/current-user", headers={"X-Token": "ACCESSKEY-newcomer0001"})
    assert answer.status_code == 401
    assert second.get("/v2/current-user", headers={"X-Token": KEY}).status_code == 200
    assert second.get("/_mock/state").json()["options"]["strict"] is True
    # A reset on the second puts strictness back as started, for the first too.
    assert second.post("/_mock/reset").status_code == 200
    assert first.get("/v2/current-user", headers={"X-Token": "ACCESSKEY-newcomer0001"}).is_success


def test_a_restart_forgets_a_strictness_set_at_run_time(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'kept.sqlite'}"
    with ServerProcess(database=database) as server:
        assert requests.post(f"{server.url}/_mock/seed", json=STRICT_SEED, timeout=30).ok
    with ServerProcess(database=database) as server:
        state = requests.get(f"{server.url}/_mock/state", timeout=30).json()
        assert state["options"]["strict"] is False
        late = {"X-Token": "ACCESSKEY-late000001"}
        assert requests.get(f"{server.url}/v2/current-user", headers=late, timeout=30).ok
        assert state["users"][0]["access_keys"] == [KEY]


def test_strict_seed_on_two_worker_processes(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'workers.sqlite'}"
    with ServerProcess(database=database, args=["--workers", "2"]) as server:
        assert requests.post(f"{server.url}/_mock/seed", json=STRICT_SEED, timeout=30).ok
        statuses = []
        for index in range(24):
            # A new connection each time, so the calls spread over both workers.
            answer = requests.get(
                f"{server.url}/v2/current-user",
                headers={"X-Token": f"ACCESSKEY-spread{index:06d}", "Connection": "close"},
                timeout=30,
            )
            statuses.append(answer.status_code)
        assert statuses == [401] * 24
