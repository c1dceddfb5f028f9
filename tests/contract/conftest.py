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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Against a shared remote server, leave out the cases that drive its control plane.

    Faults and the clock reach every client of a server and only the worker that takes
    the call; ``GRAVITI_MOCK_CONTRACT_CONTROL=1`` keeps them for a private single-worker
    server. Elsewhere (in-process, the suite's own server) they always run.
    """
    if not REMOTE_URL or REMOTE_CONTROL:
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        uses_control = "control" in getattr(item, "fixturenames", ())
        (left_out if uses_control and "tests/contract" in item.nodeid else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


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
    yield target.control
    # On a shared server, a leftover fault would hit the next test.
    target.control.clear_faults()
