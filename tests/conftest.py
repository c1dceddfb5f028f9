"""Fixtures shared by the whole suite: a real server process and an in-process app."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from mock_server import Settings, create_app, mock_graviti
from mock_server.inprocess import InProcessMock
from mock_server.testing import ServerProcess

# pytester drives the pytest plugin from the outside, as a user's project would.
pytest_plugins = ["pytester"]

_keys = itertools.count()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real ``graviti-mock serve`` process on a SQLite file, for the whole session."""
    database = tmp_path_factory.mktemp("server") / "mock.sqlite"
    with ServerProcess(database=f"sqlite:///{database}") as process:
        yield process


@pytest.fixture
def url(server: ServerProcess) -> str:
    """The session server's URL, with its state reset before the test."""
    server.reset()
    return server.url


@pytest.fixture
def access_key() -> str:
    return f"ACCESSKEY-test{next(_keys):06d}"


@pytest.fixture
def other_key() -> str:
    return f"ACCESSKEY-other{next(_keys):06d}"


@pytest.fixture
def app_client() -> Iterator[TestClient]:
    """The app in-process on an in-memory database, for raw HTTP assertions."""
    app = create_app(Settings(database="sqlite://"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database: ``GRAVITI_MOCK_TEST_POSTGRES``, or a throwaway cluster.

    Without either a server on the machine or the variable, the tests that need it are
    skipped, unless ``GRAVITI_MOCK_REQUIRE_POSTGRES=1`` (set by CI) makes that a failure.
    """
    given = os.environ.get("GRAVITI_MOCK_TEST_POSTGRES")
    if given:
        yield _database_of_this_worker(given)
        return
    if not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        message = "no PostgreSQL here: set GRAVITI_MOCK_TEST_POSTGRES or install postgresql"
        if os.environ.get("GRAVITI_MOCK_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's private temporary folder: the postgres user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="graviti-mock-pg."))
    folder.chmod(0o755)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = subprocess.run(
        [str(ROOT / "scripts" / "start-postgres"), str(folder / "cluster")],
        env={**os.environ, "GRAVITI_MOCK_PG_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        pg_ctl = next(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), None) or "pg_ctl"
        command = [str(pg_ctl), "-D", str(folder / "cluster" / "data"), "-m", "immediate", "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist, a database of the worker's own on the given server: tests empty
    their database, and two workers must not empty each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


class MockOnDatabase(InProcessMock):
    """``mock_graviti()`` on a given database: the mock itself always starts one of its own
    in memory."""

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database = database

    def _settings(self) -> Settings:
        return super()._settings().model_copy(update={"database": self.database})


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_mock(request: pytest.FixtureRequest) -> Iterator[InProcessMock]:
    """The app in-process and empty, on SQLite in memory and on PostgreSQL."""
    mock = mock_graviti()
    if request.param == "postgresql":
        mock = MockOnDatabase(request.getfixturevalue("postgres_url"))
    with mock:
        assert mock.backend.db.dialect == request.param
        mock.reset("empty")
        yield mock
