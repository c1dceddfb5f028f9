"""The read cache (SQLite and PostgreSQL): it never serves what a write, by anyone, changed."""

from __future__ import annotations

import random
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import event, update

from mock_server import Settings
from mock_server.app import build_backend
from mock_server.core import cache as cache_module
from mock_server.core import errors
from mock_server.core.backend import Backend
from mock_server.core.stamps import PostgresStamps
from mock_server.resources import RESOURCES
from mock_server.resources.datasets.models import DatasetCreate, DatasetUpdate
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.datasets.tables import DATASET
from mock_server.resources.identity.models import Caller
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.storage_configs.models import StorageConfigSeed
from mock_server.resources.storage_configs.store import StorageConfigStore
from mock_server.state import StateAdmin
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-cache0000001"


class Mock:
    """A backend and the stores the tests call."""

    def __init__(self, url: str, *, seed: int = 1, cache: bool = True) -> None:
        settings = Settings(database=url, frozen_time="2024-05-06T07:08:09Z", id_seed=seed)
        self.backend: Backend = build_backend(settings, cache=cache)
        self.identity = self.backend.get(IdentityStore)
        self.datasets = self.backend.get(DatasetStore)
        self.admin = StateAdmin(self.backend, RESOURCES)

    def close(self) -> None:
        self.backend.close()

    def quiet(self, reads: Callable[[], None]) -> list[str]:
        """The SQL ``reads`` run a second time in a row, from a try during which nobody
        wrote to the database (on PostgreSQL the stamp is server-wide: parallel tests
        write to it)."""
        statements = self.record_statements()
        for _ in range(50):
            before = self.backend.db.stamp()
            reads()  # refills what a write by anyone emptied
            statements.clear()
            reads()
            if self.backend.db.stamp() == before:
                return statements
        raise AssertionError("the database never stayed unwritten through the reads")

    def record_statements(self) -> list[str]:
        """The SQL the engine runs from now on (the stamp's own connection is not in it)."""
        statements: list[str] = []
        event.listen(
            self.backend.db.engine,
            "before_cursor_execute",
            lambda conn, cursor, sql, *args: statements.append(sql),
        )
        return statements

    def names(self, caller: Caller, offset: int = 0, limit: int = 1000) -> list[str]:
        return [item.name for item in self.datasets.list_datasets(caller, offset, limit).datasets]


@pytest.fixture
def sqlite_database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cache.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, sqlite_database: str) -> str:
    """A database file, or the suite's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return sqlite_database
    url: str = request.getfixturevalue("postgres_url")
    mock = Mock(url)
    try:
        mock.admin.reset()
    finally:
        mock.close()
    return url


@pytest.fixture
def two_mocks(database: str) -> Iterator[tuple[Mock, Mock]]:
    first, second = Mock(database, seed=1), Mock(database, seed=2)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _same_caller(mocks: tuple[Mock, Mock]) -> Caller:
    """The caller of ``KEY``, the same to both backends."""
    caller = mocks[0].identity.authenticate(KEY)
    assert mocks[1].identity.authenticate(KEY) == caller
    return caller


def test_reads_are_cached_unless_asked_not_to(database: str) -> None:
    cached, uncached = Mock(database), Mock(database, cache=False)
    try:
        assert cached.backend.db.caching
        assert not uncached.backend.db.caching
    finally:
        cached.close()
        uncached.close()


def test_a_repeated_read_asks_the_database_nothing_but_its_stamp(database: str) -> None:
    mock = Mock(database)
    try:
        caller = mock.identity.authenticate(KEY)
        mock.datasets.create_dataset(caller, DatasetCreate(name="a"))
        statements = mock.record_statements()
        first = mock.datasets.get_dataset(caller, caller.workspace, "a")
        first_listing = mock.names(caller)
        assert statements

        def reads() -> None:
            assert mock.datasets.get_dataset(caller, caller.workspace, "a") == first
            assert mock.names(caller) == first_listing == ["a"]

        assert mock.quiet(reads) == []
    finally:
        mock.close()


def test_a_write_forgets_only_what_it_changed(database: str) -> None:
    """Without writes by anyone else, a write empties only the entries of its tags."""
    mock = Mock(database)
    try:
        caller = mock.identity.authenticate(KEY)
        ws = caller.workspace
        for name in ("a", "b"):
            mock.datasets.create_dataset(caller, DatasetCreate(name=name))
            mock.datasets.get_dataset(caller, ws, name)
        statements = mock.record_statements()
        # A write, then a read of what it did not touch. On PostgreSQL a parallel test's
        # write to the server also empties the cache: try until one round is undisturbed.
        for attempt in range(50):
            mock.datasets.get_dataset(caller, ws, "b")
            mock.datasets.update_dataset(caller, ws, "a", DatasetUpdate(alias=f"new{attempt}"))
            statements.clear()
            assert mock.datasets.get_dataset(caller, ws, "b").alias == ""
            if not statements:
                break
        assert statements == []
        assert mock.datasets.get_dataset(caller, ws, "a").alias == f"new{attempt}"
        assert statements
    finally:
        mock.close()


def test_writes_by_another_connection_are_seen_by_the_next_read(
    two_mocks: tuple[Mock, Mock],
) -> None:
    reader, writer = two_mocks
    caller = _same_caller(two_mocks)
    ws = caller.workspace
    writer.datasets.create_dataset(caller, DatasetCreate(name="a"))
    # Fill the reader's cache: the dataset, the listing's index and a page.
    assert reader.datasets.get_dataset(caller, ws, "a").alias == ""
    assert reader.names(caller) == ["a"]

    writer.datasets.update_dataset(caller, ws, "a", DatasetUpdate(alias="changed"))
    assert reader.datasets.get_dataset(caller, ws, "a").alias == "changed"
    writer.datasets.create_dataset(caller, DatasetCreate(name="b"))
    assert reader.names(caller) == ["a", "b"]
    writer.datasets.update_dataset(caller, ws, "a", DatasetUpdate(name="c"))
    assert reader.names(caller) == ["c", "b"]
    with pytest.raises(errors.DatasetNotFound):
        reader.datasets.get_dataset(caller, ws, "a")
    writer.datasets.delete_dataset(caller, ws, "b")
    assert reader.datasets.list_datasets(caller, 0, 128).total_count == 1
    with pytest.raises(errors.DatasetNotFound):
        reader.datasets.get_dataset(caller, ws, "b")
    writer.admin.reset()
    listing = reader.datasets.list_datasets(caller, 0, 128)
    assert (listing.datasets, listing.total_count) == ([], 0)


def test_a_key_removed_by_another_connection_is_no_longer_known(
    two_mocks: tuple[Mock, Mock],
) -> None:
    reader, writer = two_mocks
    reader.backend.strict = True
    reader.identity.add_access_key(KEY)
    assert reader.identity.authenticate(KEY).key == KEY
    writer.admin.reset()
    with pytest.raises(errors.Unauthorized):
        reader.identity.authenticate(KEY)


def test_writes_on_the_same_connection_around_the_operations_are_seen(database: str) -> None:
    mock = Mock(database)
    try:
        caller = mock.identity.authenticate(KEY)
        ws = caller.workspace
        mock.datasets.create_dataset(caller, DatasetCreate(name="a"))
        assert mock.datasets.get_dataset(caller, ws, "a").is_public is False
        assert mock.names(caller) == ["a"]
        # Straight SQL in a write that names no tags, as an administration task might.
        with mock.backend.db.write() as conn:
            conn.execute(update(DATASET).values(is_public=True, alias="sql"))
        assert mock.datasets.get_dataset(caller, ws, "a").is_public is True
        assert mock.datasets.list_datasets(caller, 0, 10).datasets[0].alias == "sql"
        # A new default storage config is used by the next create.
        with mock.backend.db.write() as conn:
            seed = StorageConfigSeed(name="s3", workspace=ws, backend_type="S3", default=True)
            mock.backend.get(StorageConfigStore).put(conn, seed)
        created = mock.datasets.create_dataset(caller, DatasetCreate(name="b"))
        assert (created.storage_config, created.backend_type) == ("s3", "S3")
    finally:
        mock.close()


def _add_config(mock: Mock, workspace: str, name: str, backend_type: str) -> None:
    with mock.backend.db.write() as conn:
        seed = StorageConfigSeed(name=name, workspace=workspace, backend_type=backend_type)
        mock.backend.get(StorageConfigStore).put(conn, seed)


def test_a_create_finds_the_storage_config_in_the_cache_until_it_changes(database: str) -> None:
    mock = Mock(database)
    configs = mock.backend.get(StorageConfigStore)
    try:
        caller = mock.identity.authenticate(KEY)
        ws = caller.workspace
        _add_config(mock, ws, "s3", "S3")
        mock.datasets.create_dataset(caller, DatasetCreate(name="a"))
        statements = mock.record_statements()
        # On PostgreSQL a parallel test's write to the server empties the cache: try until
        # one create finds it undisturbed.
        for attempt in range(50):
            statements.clear()
            mock.datasets.create_dataset(caller, DatasetCreate(name=f"b{attempt}"))
            if not any("FROM storage_config" in sql for sql in statements):
                break
        assert not any("FROM storage_config" in sql for sql in statements), statements
        # Its own change of the default names the workspace's configs: the next create
        # reads the new one.
        configs.update_storage_configs(caller, ws, "s3")
        created = mock.datasets.create_dataset(caller, DatasetCreate(name="c"))
        assert (created.storage_config, created.backend_type) == ("s3", "S3")
        with pytest.raises(errors.InvalidParams):
            mock.datasets.create_dataset(caller, DatasetCreate(name="d", storage_config="az"))
        _add_config(mock, ws, "az", "AZURE")
        created = mock.datasets.create_dataset(caller, DatasetCreate(name="d", storage_config="az"))
        assert created.backend_type == "AZURE"
    finally:
        mock.close()


def test_a_default_config_changed_by_another_connection_is_used_by_the_next_create(
    two_mocks: tuple[Mock, Mock],
) -> None:
    first, second = two_mocks
    caller = _same_caller(two_mocks)
    ws = caller.workspace
    assert first.datasets.create_dataset(caller, DatasetCreate(name="a")).backend_type == "OSS"
    _add_config(second, ws, "azure", "AZURE")
    second.backend.get(StorageConfigStore).update_storage_configs(caller, ws, "azure")
    created = first.datasets.create_dataset(caller, DatasetCreate(name="b"))
    assert (created.storage_config, created.backend_type) == ("azure", "AZURE")


def test_a_server_process_sees_a_write_by_another_process(database: str) -> None:
    with ServerProcess(database=database) as server:
        session = requests.Session()
        session.headers["X-Token"] = KEY
        workspace = session.get(f"{server.url}/v2/current-workspace", timeout=10).json()["name"]
        assert session.post(f"{server.url}/v2/datasets", json={"name": "a"}, timeout=10).ok
        url = f"{server.url}/v2/datasets/{workspace}/a"
        assert session.get(url, timeout=10).status_code == 200
        assert session.get(f"{server.url}/v2/datasets", timeout=10).json()["total_count"] == 1
        other = Mock(database)
        try:
            caller = other.identity.authenticate(KEY)
            other.datasets.delete_dataset(caller, workspace, "a")
            other.datasets.create_dataset(caller, DatasetCreate(name="b"))
        finally:
            other.close()
        assert session.get(url, timeout=10).status_code == 404
        listing = session.get(f"{server.url}/v2/datasets", timeout=10).json()
        assert [item["name"] for item in listing["datasets"]] == ["b"]


def run_script(mock: Mock, steps: int, seed: int) -> list[Any]:
    """Random operations; everything the stores answer, errors included."""
    rng = random.Random(seed)
    callers = [mock.identity.authenticate(f"ACCESSKEY-script{index:06d}") for index in range(2)]
    datasets = mock.datasets
    answers: list[Any] = []
    for _ in range(steps):
        caller = rng.choice(callers)
        name = f"d{rng.randrange(40)}"
        workspace = rng.choice(callers).workspace
        operation = rng.choice(["create", "create", "get", "list", "list", "update", "delete"])
        try:
            if operation == "create":
                answer: Any = datasets.create_dataset(
                    caller, DatasetCreate(name=name, with_draft=rng.random() < 0.2)
                )
            elif operation == "get":
                answer = datasets.get_dataset(caller, workspace, name)
            elif operation == "list":
                offset, limit = rng.randrange(45), rng.choice([1, 3, 10, 128])
                answer = datasets.list_datasets(caller, offset, limit)
            elif operation == "update":
                change = rng.choice(
                    [{"name": f"d{rng.randrange(40)}"}, {"alias": "x"}, {"default_branch": "dev"}]
                )
                answer = datasets.update_dataset(caller, workspace, name, DatasetUpdate(**change))
            else:
                datasets.delete_dataset(caller, workspace, name)
                answer = None
        except errors.GravitiError as error:
            answer = (type(error).__name__, error.message)
        answers.append((operation, answer))
    return answers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cached_reads_answer_as_uncached_ones(database: str, seed: int) -> None:
    answers = []
    for cache in (True, False):
        mock = Mock(database, cache=cache)
        try:
            mock.admin.reset()
            answers.append(run_script(mock, 400, seed))
        finally:
            mock.close()
    assert answers[0] == answers[1]


def test_listings_stay_right_through_creates_and_deletes_in_memory() -> None:
    mock = Mock("sqlite://")
    try:
        caller = mock.identity.authenticate(KEY)
        expected: list[str] = []
        rng = random.Random(7)
        for step in range(300):
            if expected and rng.random() < 0.4:
                victim = rng.choice(expected)
                mock.datasets.delete_dataset(caller, caller.workspace, victim)
                expected.remove(victim)
            else:
                mock.datasets.create_dataset(caller, DatasetCreate(name=f"n{step}"))
                expected.append(f"n{step}")
            offset, limit = rng.randrange(len(expected) + 2), rng.choice([1, 5, 128])
            page = mock.datasets.list_datasets(caller, offset, limit)
            assert page.total_count == len(expected)
            assert [item.name for item in page.datasets] == expected[offset : offset + limit]
    finally:
        mock.close()


def test_the_cache_stays_within_its_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_WEIGHT", 10)
    monkeypatch.setattr(cache_module, "MAX_INDEXES", 2)
    mock = Mock("sqlite://")
    try:
        callers = [mock.identity.authenticate(f"ACCESSKEY-bounds{i:06d}") for i in range(4)]
        for index in range(30):
            caller = callers[index % 4]
            mock.datasets.create_dataset(caller, DatasetCreate(name=f"n{index}"))
            mock.datasets.get_dataset(caller, caller.workspace, f"n{index}")
            mock.datasets.list_datasets(caller, index // 4, 3)
            # A page weighs its items: at most 10 in all, whatever the entries.
            assert mock.backend.db.cache.weight <= 10
            assert len(mock.backend.db.cache) <= 10
            assert mock.backend.db.cache.index_count <= 2
        assert mock.names(callers[0], 6, 5) == ["n24", "n28"]
    finally:
        mock.close()


def test_the_wal_is_checkpointed_in_the_background(sqlite_database: str) -> None:
    path = Path(sqlite_database.removeprefix("sqlite:///"))
    mock = Mock(sqlite_database)
    checkpointer = mock.backend.db.checkpointer
    try:
        assert checkpointer is not None and checkpointer.running
        caller = mock.identity.authenticate(KEY)
        time.sleep(0.3)
        before = path.stat().st_size
        # Far fewer pages than SQLite's own automatic checkpoint waits for: only the
        # background checkpoint copies them into the database file.
        for index in range(300):
            mock.datasets.create_dataset(caller, DatasetCreate(name=f"n{index}"))
        deadline = time.monotonic() + 10
        while path.stat().st_size == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before
    finally:
        mock.close()
    assert not checkpointer.running


def test_a_listing_page_weighs_its_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large pages fill the bound sooner than single entries: memory, not count, is bounded."""
    monkeypatch.setattr(cache_module, "MAX_WEIGHT", 300)
    mock = Mock("sqlite://")
    try:
        caller = mock.identity.authenticate(KEY)
        for index in range(300):
            mock.datasets.create_dataset(caller, DatasetCreate(name=f"n{index:03d}"))
        cache = mock.backend.db.cache
        mock.datasets.list_datasets(caller, 0, 128)
        assert cache.weight >= 129
        mock.datasets.list_datasets(caller, 128, 128)
        # A third page of 44 would pass 300: the cache starts over rather than grow.
        mock.datasets.list_datasets(caller, 256, 128)
        assert cache.weight <= 300
        page = mock.datasets.list_datasets(caller, 256, 128)
        assert [item.name for item in page.datasets] == [f"n{i:03d}" for i in range(256, 300)]
    finally:
        mock.close()


@pytest.mark.parametrize(
    ("before", "after", "own", "only_own"),
    [
        # Our write took the next id and nothing else ended.
        ("100:100:", "101:101:", 100, True),
        ("90:100:90,95", "90:101:90,95", 100, True),
        # Ids handed out between the first snapshot and ours, still running.
        ("100:100:", "100:104:100,101,102", 103, True),
        # One of them ended (committed or rolled back): its changes may be visible.
        ("100:100:", "100:104:100,102", 103, False),
        # A transaction running before ended meanwhile.
        ("90:100:90,95", "95:101:95", 100, False),
        # A later transaction ended before our second snapshot.
        ("100:100:", "102:102:", 100, False),
        # No id known for the write (it failed before its end).
        ("100:100:", "101:101:", None, False),
        # Too many ids handed out meanwhile to check one by one.
        ("100:100:", "5000:5001:", 5000, False),
    ],
)
def test_a_postgresql_write_is_told_apart_from_others(
    before: str, after: str, own: int | None, only_own: bool
) -> None:
    stamps = PostgresStamps(types.SimpleNamespace(), None)
    assert stamps.only_own((before, 0), (after, 0), own) is only_own
