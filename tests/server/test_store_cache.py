"""The SQLite fast path: its caches never serve what another writer has changed."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from mock_server import errors
from mock_server.clock import Clock, IdFactory, parse_time
from mock_server.models import BackendType, DatasetCreate, DatasetUpdate
from mock_server.store import Caller, DatasetStore
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-cache0000001"


def make_store(url: str, *, seed: int = 1) -> DatasetStore:
    return DatasetStore.from_url(
        url, clock=Clock(parse_time("2024-05-06T07:08:09Z")), ids=IdFactory(seed)
    )


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cache.sqlite'}"


@pytest.fixture
def two_stores(database: str) -> Iterator[tuple[DatasetStore, DatasetStore]]:
    first, second = make_store(database, seed=1), make_store(database, seed=2)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def names(store: DatasetStore, caller: Caller, offset: int = 0, limit: int = 1000) -> list[str]:
    return [item["name"] for item in store.list_datasets(caller, offset, limit)[0]]


def test_the_sqlite_store_takes_the_fast_path(two_stores: tuple[DatasetStore, ...]) -> None:
    assert all(store._raw is not None for store in two_stores)


def test_writes_by_another_store_are_seen_by_the_next_read(
    two_stores: tuple[DatasetStore, DatasetStore],
) -> None:
    reader, writer = two_stores
    caller = reader.authenticate(KEY)
    assert writer.authenticate(KEY) == caller
    writer.create_dataset(caller, DatasetCreate(name="a"))
    # Fill the reader's caches: the dataset, the listing, a rendered page.
    assert reader.get_dataset(caller, caller.workspace, "a")["alias"] == ""
    assert names(reader, caller) == ["a"]

    writer.update_dataset(caller, caller.workspace, "a", DatasetUpdate(alias="changed"))
    assert reader.get_dataset(caller, caller.workspace, "a")["alias"] == "changed"
    writer.create_dataset(caller, DatasetCreate(name="b"))
    assert names(reader, caller) == ["a", "b"]
    writer.update_dataset(caller, caller.workspace, "a", DatasetUpdate(name="c"))
    assert names(reader, caller) == ["c", "b"]
    with pytest.raises(errors.DatasetNotFound):
        reader.get_dataset(caller, caller.workspace, "a")
    writer.delete_dataset(caller, caller.workspace, "b")
    assert reader.list_datasets(caller, 0, 128)[1] == 1
    with pytest.raises(errors.DatasetNotFound):
        reader.get_dataset(caller, caller.workspace, "b")
    writer.reset()
    assert reader.list_datasets(caller, 0, 128) == ([], 0)


def test_a_key_removed_by_another_store_is_no_longer_known(
    two_stores: tuple[DatasetStore, DatasetStore],
) -> None:
    reader, writer = two_stores
    reader.strict = True
    reader.add_access_key(KEY)
    assert reader.authenticate(KEY).key == KEY
    writer.reset()
    with pytest.raises(errors.Unauthorized):
        reader.authenticate(KEY)


def test_writes_on_the_same_connection_outside_the_fast_path_are_seen(database: str) -> None:
    store = make_store(database)
    try:
        caller = store.authenticate(KEY)
        store.create_dataset(caller, DatasetCreate(name="a"))
        assert store.get_dataset(caller, caller.workspace, "a")["is_public"] is False
        assert names(store, caller) == ["a"]
        # Straight SQL on the store's own connection, as an administration method might.
        with store._tx(write=True) as conn:
            conn.execute(text("UPDATE dataset SET is_public = 1, alias = 'sql'"))
        assert store.get_dataset(caller, caller.workspace, "a")["is_public"] is True
        assert store.list_datasets(caller, 0, 10)[0][0]["alias"] == "sql"
        # A new default storage config is used by the next create.
        store.add_storage_config(caller.workspace, "s3", BackendType.S3, default=True)
        created = store.create_dataset(caller, DatasetCreate(name="b"))
        assert (created["storage_config"], created["backend_type"]) == ("s3", "S3")
    finally:
        store.close()


def test_a_server_process_sees_a_write_by_another_process(database: str) -> None:
    with ServerProcess(database=database) as server:
        session = requests.Session()
        session.headers["X-Token"] = KEY
        workspace = session.get(f"{server.url}/v2/current-workspace", timeout=10).json()["name"]
        assert session.post(f"{server.url}/v2/datasets", json={"name": "a"}, timeout=10).ok
        url = f"{server.url}/v2/datasets/{workspace}/a"
        assert session.get(url, timeout=10).status_code == 200
        assert session.get(f"{server.url}/v2/datasets", timeout=10).json()["total_count"] == 1
        other = make_store(database)
        try:
            caller = other.authenticate(KEY)
            other.delete_dataset(caller, workspace, "a")
            other.create_dataset(caller, DatasetCreate(name="b"))
        finally:
            other.close()
        assert session.get(url, timeout=10).status_code == 404
        listing = session.get(f"{server.url}/v2/datasets", timeout=10).json()
        assert [item["name"] for item in listing["datasets"]] == ["b"]


def run_script(store: DatasetStore, steps: int, seed: int) -> list[Any]:
    """Random operations; everything the store answers, errors included."""
    rng = random.Random(seed)
    callers = [store.authenticate(f"ACCESSKEY-script{index:06d}") for index in range(2)]
    answers: list[Any] = []
    for _ in range(steps):
        caller = rng.choice(callers)
        name = f"d{rng.randrange(40)}"
        workspace = rng.choice(callers).workspace
        operation = rng.choice(["create", "create", "get", "list", "list", "update", "delete"])
        try:
            if operation == "create":
                answer: Any = store.create_dataset(
                    caller, DatasetCreate(name=name, with_draft=rng.random() < 0.2)
                )
            elif operation == "get":
                answer = store.get_dataset(caller, workspace, name)
            elif operation == "list":
                offset, limit = rng.randrange(45), rng.choice([1, 3, 10, 128])
                answer = store.list_datasets(caller, offset, limit)
            elif operation == "update":
                change = rng.choice(
                    [{"name": f"d{rng.randrange(40)}"}, {"alias": "x"}, {"default_branch": "dev"}]
                )
                answer = store.update_dataset(caller, workspace, name, DatasetUpdate(**change))
            else:
                store.delete_dataset(caller, workspace, name)
                answer = None
        except errors.GravitiError as error:
            answer = (type(error).__name__, error.message)
        answers.append((operation, answer))
    return answers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_path_answers_as_the_dialect_neutral_path(tmp_path: Path, seed: int) -> None:
    fast = make_store(f"sqlite:///{tmp_path / 'fast.sqlite'}")
    neutral = make_store(f"sqlite:///{tmp_path / 'neutral.sqlite'}")
    neutral._raw = None  # as on PostgreSQL: SQLAlchemy Core, no cache
    try:
        assert run_script(fast, 400, seed) == run_script(neutral, 400, seed)
    finally:
        fast.close()
        neutral.close()


def test_listings_stay_right_through_creates_and_deletes_in_memory() -> None:
    store = make_store("sqlite://")
    try:
        caller = store.authenticate(KEY)
        expected: list[str] = []
        rng = random.Random(7)
        for step in range(300):
            if expected and rng.random() < 0.4:
                victim = rng.choice(expected)
                store.delete_dataset(caller, caller.workspace, victim)
                expected.remove(victim)
            else:
                store.create_dataset(caller, DatasetCreate(name=f"n{step}"))
                expected.append(f"n{step}")
            offset, limit = rng.randrange(len(expected) + 2), rng.choice([1, 5, 128])
            page, total = store.list_datasets(caller, offset, limit)
            assert total == len(expected)
            assert [item["name"] for item in page] == expected[offset : offset + limit]
    finally:
        store.close()


def test_the_caches_stay_within_their_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server import store as store_module

    monkeypatch.setattr(store_module, "MAX_CACHED_DATASETS", 10)
    monkeypatch.setattr(store_module, "MAX_CACHED_PAGE_BYTES", 2000)
    store = make_store("sqlite://")
    try:
        caller = store.authenticate(KEY)
        for index in range(30):
            store.create_dataset(caller, DatasetCreate(name=f"n{index}"))
            store.get_dataset(caller, caller.workspace, f"n{index}")
            store.list_datasets(caller, index, 3)
        assert len(store._cache.datasets) <= 10
        assert store._cache.page_bytes <= 2000
        assert names(store, caller, 28, 5) == ["n28", "n29"]
    finally:
        store.close()


def test_the_wal_is_checkpointed_in_the_background(database: str) -> None:
    path = Path(database.removeprefix("sqlite:///"))
    store = make_store(database)
    try:
        assert store._checkpointer is not None
        caller = store.authenticate(KEY)
        time.sleep(0.3)
        before = path.stat().st_size
        # Far fewer pages than SQLite's own automatic checkpoint waits for: only the
        # background checkpoint copies them into the database file.
        for index in range(300):
            store.create_dataset(caller, DatasetCreate(name=f"n{index}"))
        deadline = time.monotonic() + 10
        while path.stat().st_size == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before
    finally:
        store.close()
    assert not store._checkpointer._thread.is_alive()
