"""A write waiting for another process's lock holds neither the event loop nor the reads.

Another process holds SQLite's write lock (``BEGIN IMMEDIATE``); a create then waits for
it, up to the busy timeout. Meanwhile health, readiness and every read answer at once,
and once the lock is released the create goes through.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mock_server import Settings, create_app, workspace_for_key

KEY = "ACCESSKEY-lockwait00001"
AUTH = {"X-Token": KEY}
BUSY_MS = 8000


def test_reads_and_probes_answer_while_a_write_waits_for_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.sqlite"
    settings = Settings(database=f"sqlite:///{path}", sqlite_busy_timeout_ms=BUSY_MS)
    with TestClient(create_app(settings)) as client:
        assert client.post("/v2/datasets", json={"name": "MNIST"}, headers=AUTH).is_success
        waiting = threading.Event()
        db = client.app.state.backend.db  # type: ignore[attr-defined]
        transaction = db._transaction

        def signalling_transaction(*, write: bool, **kwargs: Any) -> Any:
            # Set just before the write asks SQLite for its lock.
            if write:
                waiting.set()
            return transaction(write=write, **kwargs)

        monkeypatch.setattr(db, "_transaction", signalling_transaction)

        outside = sqlite3.connect(path, isolation_level=None)
        outside.execute("BEGIN IMMEDIATE")
        created: list[Any] = []
        writer = threading.Thread(
            target=lambda: created.append(
                client.post("/v2/datasets", json={"name": "COCO"}, headers=AUTH)
            )
        )
        try:
            writer.start()
            assert waiting.wait(30), "the create never started its write"
            started = time.monotonic()
            assert client.get("/_mock/health").json() == {"status": "ok"}
            assert client.get("/_mock/ready").status_code == 200
            workspace = workspace_for_key(KEY)
            found = client.get(f"/v2/datasets/{workspace}/MNIST", headers=AUTH)
            assert found.status_code == 200
            listing = client.get("/v2/datasets", headers=AUTH).json()
            assert [d["name"] for d in listing["datasets"]] == ["MNIST"]
            assert client.get("/v2/current-user", headers=AUTH).status_code == 200
            assert client.get("/_mock/state").status_code == 200
            elapsed = time.monotonic() - started
            # All of it answered while the create was still waiting for the lock.
            assert writer.is_alive()
            assert elapsed < BUSY_MS / 1000 / 2
        finally:
            outside.execute("ROLLBACK")
            outside.close()
            writer.join(60)
        assert created[0].status_code == 200, created[0].text
        names = [d["name"] for d in client.get("/v2/datasets", headers=AUTH).json()["datasets"]]
        assert names == ["MNIST", "COCO"]
