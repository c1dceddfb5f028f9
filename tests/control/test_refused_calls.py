"""A control call that is refused changes nothing: database, journal, faults, clock, ids."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mock_server.core.clock import IdFactory
from tests.control.conftest import AUTH, KEY, MakeClient, create, listing

FROZEN = "2030-01-02T03:04:05Z"


def _everything(client: TestClient) -> dict[str, Any]:
    """All a control call could change, as seen from outside (a running clock's time
    moves by itself: only a frozen one's is compared)."""
    clock = client.get("/_mock/clock").json()
    if not clock["frozen"]:
        clock.pop("now")
    return {
        "state": client.get("/_mock/state").json(),
        "journal": [entry["seq"] for entry in client.get("/_mock/requests").json()["requests"]],
        "faults": client.get("/_mock/faults").json(),
        "clock": clock,
    }


@pytest.fixture
def busy(client: TestClient) -> TestClient:
    """A server with a dataset, a journal entry, a fault, a frozen clock and seeded ids."""
    create(client, "MNIST")
    assert client.post("/_mock/faults", json={"operation": "get_dataset", "status": 500}).is_success
    assert client.post("/_mock/clock", json={"set": FROZEN}).is_success
    assert client.post("/_mock/ids", json={"seed": 5}).is_success
    return client


REFUSED_RESETS = [
    pytest.param(
        {"seed": {"datasets": [{"name": "d", "workspace": "w", "storage_config": "nope"}]}},
        400,
        id="unknown-storage-config",
    ),
    pytest.param(
        {"seed": {"users": [{"name": "bad", "workspace": "w", "access_keys": ["nokey"]}]}},
        400,
        id="malformed-key",
    ),
    pytest.param({"seed": {"datasets": [{"name": "bad name", "workspace": "w"}]}}, 400, id="model"),
]


@pytest.mark.parametrize(("body", "status"), REFUSED_RESETS)
def test_a_refused_reset_changes_nothing(
    busy: TestClient, body: dict[str, Any], status: int
) -> None:
    before = _everything(busy)
    answer = busy.post("/_mock/reset", json={"id_seed": 9, **body})
    assert answer.status_code == status, answer.text
    assert _everything(busy) == before
    # The id sequence goes on where it was: the next dataset gets seed 5's first id.
    assert create(busy, "next")["id"] == IdFactory(5).new()


def test_a_reset_whose_access_key_conflicts_changes_nothing(make_client: MakeClient) -> None:
    # KEY is registered to workspace 'acme' at start; a seed giving it to another user
    # conflicts with that registration inside the reset.
    client = make_client(access_keys=[f"{KEY}=acme"])
    create(client, "MNIST")
    before = _everything(client)
    seed = {"users": [{"name": "mallory", "workspace": "evil", "access_keys": [KEY]}]}
    answer = client.post("/_mock/reset?to=seed", json={"seed": seed})
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "NameConflict"
    assert _everything(client) == before
    assert listing(client) == ["MNIST"]


def test_a_successful_reset_still_does_everything(busy: TestClient) -> None:
    seed = {"datasets": [{"name": "fresh", "workspace": "w"}]}
    answer = busy.post("/_mock/reset", json={"id_seed": 9, "seed": seed})
    assert answer.status_code == 200, answer.text
    assert busy.get("/_mock/faults").json() == {"faults": []}
    assert busy.get("/_mock/clock").json()["frozen"] is False
    names = [d["name"] for d in busy.get("/_mock/state").json()["datasets"]]
    assert names == ["fresh"]


def test_a_refused_seed_keeps_the_id_sequence(busy: TestClient) -> None:
    bad = {
        "options": {"id_seed": 77, "strict": True, "frozen_time": "2040-01-01T00:00:00Z"},
        "datasets": [{"name": "d", "workspace": "w", "storage_config": "nope"}],
    }
    before = _everything(busy)
    assert busy.post("/_mock/seed", json=bad).status_code == 400
    assert _everything(busy) == before
    assert create(busy, "next")["id"] == IdFactory(5).new()
    # Strictness was not switched on: a new key still works.
    assert busy.get("/v2/current-user", headers={"X-Token": "ACCESSKEY-brandnew0001"}).is_success


def test_a_refused_reset_in_strict_mode_keeps_keys_working(make_client: MakeClient) -> None:
    client = make_client(access_keys=[KEY], strict=True)
    assert client.get("/v2/current-user", headers=AUTH).is_success
    bad = {"seed": {"datasets": [{"name": "d", "workspace": "w", "storage_config": "nope"}]}}
    assert client.post("/_mock/reset?to=seed", json=bad).status_code == 400
    assert client.get("/v2/current-user", headers=AUTH).is_success
