"""mock_graviti() with async code: the mock covers the whole await, and nothing escapes.

A decorated coroutine function runs its entire body inside its own fresh mock; ``async
with mock_graviti()`` works as ``with`` does; each asyncio task is answered by its own
block. What the decorator cannot cover is refused when decorating, so no SDK call ever
runs outside the mock it was written for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

import anyio
import graviti
import pytest

from mock_server import mock_graviti
from mock_server.inprocess import InProcessMock
from tests.inprocess.conftest import SocketEvents

KEY = "ACCESSKEY-async000000000001"

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_decorated_coroutine_runs_inside_the_mock(no_sockets: SocketEvents) -> None:
    @mock_graviti
    async def create(name: str) -> list[str]:
        # Control goes back to the loop before the SDK call, as real async code does.
        await anyio.sleep(0)
        workspace = graviti.Workspace(KEY)
        workspace.datasets.create(name)
        await anyio.sleep(0)
        return [dataset.name for dataset in workspace.datasets.list()]

    assert await create("first") == ["first"]
    assert await create("second") == ["second"]  # a fresh mock for each call
    assert no_sockets == []


@mock_graviti(seed={"datasets": [{"name": "seeded", "workspace": "w"}]})
async def test_a_decorated_async_test(no_sockets: SocketEvents) -> None:
    await anyio.sleep(0)
    assert graviti.Workspace(KEY).datasets.create("MNIST").name == "MNIST"
    assert no_sockets == []


async def test_async_with(no_sockets: SocketEvents) -> None:
    async with mock_graviti() as mock:
        assert isinstance(mock, InProcessMock)
        await anyio.sleep(0)
        graviti.Workspace(KEY).datasets.create("MNIST")
        # A worker thread started by asyncio.to_thread carries the task's block.
        listed = await asyncio.to_thread(lambda: list(graviti.Workspace(KEY).datasets.list()))
        assert [dataset.name for dataset in listed] == ["MNIST"]
        mock.assert_called("create_dataset", times=1)
    assert no_sockets == []


async def test_each_task_is_answered_by_its_own_block(no_sockets: SocketEvents) -> None:
    entered = {name: anyio.Event() for name in ("a", "b")}
    seen: dict[str, list[str]] = {}

    async def task(name: str, other: str) -> None:
        async with mock_graviti() as mock:
            entered[name].set()
            await entered[other].wait()  # both blocks are active from here on
            graviti.Workspace(KEY).datasets.create(name)
            await anyio.sleep(0)
            seen[name] = [dataset["name"] for dataset in mock.state()["datasets"]]

    async with anyio.create_task_group() as group:
        group.start_soon(task, "a", "b")
        group.start_soon(task, "b", "a")
    assert seen == {"a": ["a"], "b": ["b"]}
    assert no_sockets == []


def test_an_async_generator_is_refused_when_decorated() -> None:
    async def stream() -> AsyncIterator[int]:
        yield 1

    with pytest.raises(TypeError, match="async generator"):
        mock_graviti(stream)
    with pytest.raises(TypeError, match="async generator"):
        mock_graviti(seed={})(stream)


def test_a_generator_is_refused_when_decorated() -> None:
    def numbers() -> Iterator[int]:
        yield 1

    with pytest.raises(TypeError, match="generator"):
        mock_graviti(numbers)


def test_a_class_is_refused_when_decorated() -> None:
    class Suite:
        def test_it(self) -> None:
            pass

    with pytest.raises(TypeError, match="class"):
        mock_graviti(Suite)


def test_a_coroutine_from_a_plain_function_is_refused_when_called(
    no_sockets: SocketEvents,
) -> None:
    async def create() -> None:
        graviti.Workspace(KEY).datasets.create("escaped")

    # Not a coroutine function, so it is decorated as a plain one; what it returns would
    # run after the mock ended, so the call is refused and the coroutine never runs.
    def hidden() -> Coroutine[Any, Any, None]:
        return create()

    decorated = mock_graviti(hidden)
    with pytest.raises(TypeError, match="returned a coroutine"):
        asyncio.run(decorated())
    assert no_sockets == []


async def test_the_inprocess_fixture_answers_an_async_test(
    graviti_inprocess: InProcessMock, graviti_mock_access_key: str, no_sockets: SocketEvents
) -> None:
    await anyio.sleep(0)
    workspace = graviti.Workspace(graviti_mock_access_key)
    assert workspace.datasets.create("MNIST").name == "MNIST"
    graviti_inprocess.assert_called("create_dataset", times=1)
    assert no_sockets == []
