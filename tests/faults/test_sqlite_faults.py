"""A busy, read-only or full SQLite database: a clean Graviti 503, and reads keep working."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-faults00000001"
HEADERS = {"X-Token": KEY}
UNAVAILABLE = "The database is unavailable (busy, read-only or full); nothing was changed."


def create(url: str, name: str, **fields: Any) -> requests.Response:
    return requests.post(f"{url}/v2/datasets", headers=HEADERS, json={"name": name, **fields})


def names(url: str) -> list[str]:
    listing = requests.get(f"{url}/v2/datasets", headers=HEADERS, params={"limit": 1000})
    assert listing.status_code == 200, listing.text
    return [dataset["name"] for dataset in listing.json()["datasets"]]


def assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": None, "message": UNAVAILABLE}


def assert_clean_log(server: ServerProcess) -> None:
    assert "Traceback" not in server.output
    assert "unexpected error" not in server.output


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    """A database file holding the key and two datasets, written by a server now stopped."""
    path = tmp_path / "mock.sqlite"
    with ServerProcess(database=f"sqlite:///{path}") as server:
        for name in ("a", "b"):
            assert create(server.url, name).status_code == 200
    yield path


def test_busy_database_answers_503_and_serves_reads(database: Path) -> None:
    env = {"GRAVITI_MOCK_SQLITE_BUSY_TIMEOUT_MS": "200"}
    with ServerProcess(database=f"sqlite:///{database}", env=env) as server:
        workspace = requests.get(f"{server.url}/v2/current-workspace", headers=HEADERS).json()
        # Another process takes the write lock and holds it past the busy timeout.
        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            assert_unavailable(create(server.url, "c"))
            # It waited for the lock for the configured 200 ms, not the default 10 s.
            assert 0.2 <= time.monotonic() - started < 5
            target = f"{server.url}/v2/datasets/{workspace['name']}/a"
            assert_unavailable(requests.patch(target, headers=HEADERS, json={"alias": "x"}))
            assert_unavailable(requests.delete(target, headers=HEADERS))
            # Readers are not blocked by a writer under WAL.
            assert requests.get(target, headers=HEADERS).json()["alias"] == ""
            assert names(server.url) == ["a", "b"]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # The lock is gone: the same connection writes again.
        assert create(server.url, "c").status_code == 200
        assert names(server.url) == ["a", "b", "c"]
    assert_clean_log(server)


def test_read_only_database_answers_503_and_serves_reads(database: Path) -> None:
    # SQLite opens a file it may not write read-only; mode=ro does the same for root,
    # whom file permissions do not stop.
    url = f"sqlite:///file:{database}?mode=ro&uri=true"
    with ServerProcess(database=url) as server:
        assert names(server.url) == ["a", "b"]
        assert_unavailable(create(server.url, "c"))
        # A key never seen before cannot be recorded either.
        other = requests.get(
            f"{server.url}/v2/datasets", headers={"X-Token": "ACCESSKEY-newcomer0001"}
        )
        assert_unavailable(other)
        assert names(server.url) == ["a", "b"]
        assert requests.get(f"{server.url}/_mock/health").status_code == 200
    assert_clean_log(server)


def page_count(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.close()
    return int(pages)


def test_full_database_answers_503_and_serves_reads(database: Path) -> None:
    env = {"GRAVITI_MOCK_SQLITE_MAX_PAGES": str(page_count(database) + 2)}
    with ServerProcess(database=f"sqlite:///{database}", env=env) as server:
        stored = ["a", "b"]
        alias = "x" * 256
        for number in range(1000):
            response = create(server.url, f"filler-{number}", alias=alias)
            if response.status_code != 200:
                break
            stored.append(f"filler-{number}")
        assert_unavailable(response)
        assert len(stored) > 2  # the cap left room for a few before it was reached
        assert names(server.url) == stored
        workspace = requests.get(f"{server.url}/v2/current-workspace", headers=HEADERS).json()
        fetched = requests.get(f"{server.url}/v2/datasets/{workspace['name']}/a", headers=HEADERS)
        assert fetched.status_code == 200
        # Deleting the fillers frees whole pages, and writes work again.
        for name in stored[2:]:
            target = f"{server.url}/v2/datasets/{workspace['name']}/{name}"
            assert requests.delete(target, headers=HEADERS).status_code == 200
        assert create(server.url, "after", alias=alias).status_code == 200
        assert names(server.url) == ["a", "b", "after"]
    assert_clean_log(server)
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
