"""Writes tried on the event loop (``on_event_loop``): they never wait, and never half-happen.

A blocking endpoint first runs where it is, on the event loop; its first write raises
``WouldWait`` instead of waiting for a lock held by another thread or process, having
changed nothing, and the endpoint then runs again in a worker thread. These tests hold
the locks for real (a thread inside a write, another SQLite connection inside
``BEGIN IMMEDIATE``) and check both paths, at the database and through the app.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mock_server import Settings, create_app, workspace_for_key
from mock_server.app import build_backend
from mock_server.core.backend import Backend
from mock_server.core.database import WouldWait, on_event_loop
from mock_server.resources.datasets.models import DatasetCreate
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.datasets.tables import DATASET
from mock_server.resources.identity.store import IdentityStore

KEY = "ACCESSKEY-onloop000001"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "loop.sqlite"


@pytest.fixture
def backend(path: Path) -> Iterator[Backend]:
    backend = build_backend(Settings(database=f"sqlite:///{path}"))
    try:
        yield backend
    finally:
        backend.close()


def names(backend: Backend) -> list[str]:
    with backend.db.read() as conn:
        return list(conn.execute(select(DATASET.c.name).order_by(DATASET.c.seq)).scalars())


def create(backend: Backend, name: str) -> None:
    caller = backend.get(IdentityStore).authenticate(KEY)
    backend.get(DatasetStore).create_dataset(caller, DatasetCreate(name=name))


def test_an_uncontended_write_goes_through_on_the_loop(backend: Backend) -> None:
    create(backend, "first")
    with on_event_loop():
        create(backend, "second")
        # After the first write the call may wait like any other: this one goes through.
        create(backend, "third")
    assert names(backend) == ["first", "second", "third"]


def test_a_write_held_by_another_thread_would_wait(backend: Backend) -> None:
    create(backend, "first")
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with backend.db.write(()):
            inside.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(30)
        with on_event_loop(), pytest.raises(WouldWait):
            create(backend, "second")
    finally:
        release.set()
        holder.join(30)
    assert names(backend) == ["first"]
    create(backend, "second")
    assert names(backend) == ["first", "second"]


def test_a_write_locked_by_another_process_would_wait_at_once(backend: Backend, path: Path) -> None:
    create(backend, "first")
    outside = sqlite3.connect(path, isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    try:
        with on_event_loop(), pytest.raises(WouldWait):
            create(backend, "second")
    finally:
        outside.execute("ROLLBACK")
        outside.close()
    # The busy timeout is back for writes off the loop, and nothing half-happened.
    assert names(backend) == ["first"]
    create(backend, "second")
    assert names(backend) == ["first", "second"]


def test_databases_without_writes_on_the_loop_refuse_them(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's writes always run in a worker thread: on the loop they would wait."""
    create(backend, "first")
    monkeypatch.setattr(type(backend.db), "writes_on_loop", property(lambda _db: False))
    with on_event_loop(), pytest.raises(WouldWait):
        create(backend, "second")
    assert names(backend) == ["first"]


def test_the_app_answers_a_locked_create_once_from_a_worker_thread(path: Path) -> None:
    settings = Settings(database=f"sqlite:///{path}", sqlite_busy_timeout_ms=20_000)
    auth = {"X-Token": KEY}
    with TestClient(create_app(settings)) as client:
        assert client.post("/v2/datasets", json={"name": "first"}, headers=auth).is_success
        outside = sqlite3.connect(path, isolation_level=None)
        outside.execute("BEGIN IMMEDIATE")
        answers: list[int] = []
        creator = threading.Thread(
            target=lambda: answers.append(
                client.post("/v2/datasets", json={"name": "second"}, headers=auth).status_code
            )
        )
        try:
            creator.start()
            # The create tried on the loop, found the lock taken and went to a worker
            # thread to wait: the loop still answers.
            listing = client.get("/v2/datasets", headers=auth).json()
            assert [d["name"] for d in listing["datasets"]] == ["first"]
        finally:
            outside.execute("ROLLBACK")
            outside.close()
            creator.join(60)
        assert answers == [200]
        workspace = workspace_for_key(KEY)
        assert client.get(f"/v2/datasets/{workspace}/second", headers=auth).status_code == 200
        listing = client.get("/v2/datasets", headers=auth).json()
        assert [d["name"] for d in listing["datasets"]] == ["first", "second"]
