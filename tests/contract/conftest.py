"""Pairings of the contract suite: {our client, the SDK} x {the targets of ``targets.py``}."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from mock_server.control_client import MockControl
from mock_server.testing import ServerProcess
from tests.contract.clients import CLIENTS, Client
from tests.contract.targets import (
    REMOTE_CONTROL,
    REMOTE_URL,
    TARGETS,
    Target,
    in_process,
    over_http,
)

TEST_DATABASE = os.environ.get("GRAVITI_MOCK_TEST_DATABASE", "")


def pytest_report_header() -> str:
    if REMOTE_URL:
        where = f"remote ({REMOTE_URL})"
    else:
        database = make_url(TEST_DATABASE).render_as_string() if TEST_DATABASE else "SQLite file"
        where = f"inprocess, process (on {database})"
    return f"contract targets: {where}"


@pytest.fixture(scope="session")
def contract_server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """The real server: the session's own, or one on GRAVITI_MOCK_TEST_DATABASE.

    The contract tests never reset it, so under ``pytest -n`` the workers' servers
    may share one PostgreSQL database.
    """
    if not TEST_DATABASE:
        yield request.getfixturevalue("server")
        return
    with ServerProcess(database=TEST_DATABASE) as process:
        yield process


@pytest.fixture(params=list(CLIENTS))
def api(request: pytest.FixtureRequest) -> Iterator[Client]:
    """One client library, recording the status of every response it receives."""
    with CLIENTS[request.param]().recording() as recorded:
        yield recorded


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "inprocess":
        with in_process() as inprocess:
            yield inprocess
    elif request.param == "process":
        server: ServerProcess = request.getfixturevalue("contract_server")
        with over_http("process", server.url) as process:
            yield process
    else:
        with over_http("remote", REMOTE_URL) as remote:
            yield remote


@pytest.fixture
def url(target: Target) -> str:
    return target.url


@pytest.fixture
def access_key(target: Target) -> str:
    """A fresh random key: a workspace of its own, so no test sees another's datasets."""
    return target.new_key()


@pytest.fixture
def other_key(target: Target) -> str:
    return target.new_key()


@pytest.fixture
def control(target: Target) -> Iterator[MockControl]:
    """The target's control plane; faults a test did not consume are cleared after it."""
    if target.name == "remote" and not REMOTE_CONTROL:
        pytest.skip(
            "faults and the clock of a remote server reach every client and only one worker; "
            "GRAVITI_MOCK_CONTRACT_CONTROL=1 runs them against a private single-worker server"
        )
    yield target.control
    # On a shared server, a leftover fault would hit the next test.
    target.control.clear_faults()
