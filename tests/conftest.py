"""Fixtures shared by the whole suite: a real server process and an in-process app."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.testing import ServerProcess

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
