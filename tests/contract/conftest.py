"""Pairings of the contract suite: {our client, the SDK} x {the targets of ``targets.py``}."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.testing import ServerProcess
from tests.contract.clients import CLIENTS, Client
from tests.contract.targets import REMOTE_URL, TARGETS, Target, in_process, over_http


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
        server: ServerProcess = request.getfixturevalue("server")
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
