"""Seeded ids restarted on a kept database: a stored id is skipped, never a false 409 or 500."""

from __future__ import annotations

import re
import time
from pathlib import Path

from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.core.clock import IdFactory

KEYS = [f"ACCESSKEY-seededids{index:03d}" for index in range(10)]


def test_a_restarted_id_sequence_skips_stored_ids(tmp_path: Path) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path / 'ids.sqlite'}", id_seed=5)
    key = {"X-Token": KEYS[0]}
    with TestClient(create_app(settings)) as client:
        before = {
            client.post("/v2/datasets", json={"name": f"a{i}"}, headers=key).json()["id"]
            for i in range(3)
        }

    # The same id seed again: its first ids went to the workspace, the user and a0..a2.
    with TestClient(create_app(settings)) as client:
        after = []
        for i in range(5):
            created = client.post("/v2/datasets", json={"name": f"b{i}"}, headers=key)
            assert created.status_code == 200, created.text
            after.append(created.json()["id"])
        assert len(set(after)) == 5
        assert not before & set(after)
        taken = client.post("/v2/datasets", json={"name": "a0"}, headers=key)
        assert (taken.status_code, taken.json()["code"]) == (409, "NameConflict")
        assert client.get("/v2/datasets", headers=key).json()["total_count"] == 8


def test_every_generated_id_skips_taken_ones_after_a_reseed(tmp_path: Path) -> None:
    """New workspaces and users too, after a restart and after ``POST /_mock/ids``."""
    settings = Settings(database=f"sqlite:///{tmp_path / 'ids.sqlite'}", id_seed=7)
    with TestClient(create_app(settings)) as client:
        for key in KEYS[:5]:
            assert client.get("/v2/current-workspace", headers={"X-Token": key}).status_code == 200
    with TestClient(create_app(settings)) as client:
        for key in KEYS[5:8]:
            assert client.get("/v2/current-workspace", headers={"X-Token": key}).status_code == 200
        assert client.post("/_mock/ids", json={"seed": 7}).status_code == 200
        for key in KEYS[8:]:
            answer = client.get("/v2/current-user", headers={"X-Token": key})
            assert answer.status_code == 200, answer.text
        state = client.get("/_mock/state").json()
    for kind in ("workspaces", "users"):
        ids = [item["id"] for item in state[kind]]
        assert len(ids) == len(set(ids)) == 10


def test_default_ids_are_time_ordered_hex_and_do_not_repeat() -> None:
    factory = IdFactory()
    before = time.time_ns() // 1_000_000
    ids = [factory.new() for _ in range(20_000)]
    after = time.time_ns() // 1_000_000
    assert all(re.fullmatch("[0-9a-f]{32}", new) for new in ids)
    assert len(set(ids)) == len(ids)
    stamps = [int(new[:12], 16) for new in ids]
    assert before <= min(stamps) and max(stamps) <= after
    # Within one millisecond the rest is random: not every id of a millisecond is alike.
    assert len({new[12:] for new in ids}) == len(ids)
