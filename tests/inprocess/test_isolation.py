"""Several mock_graviti() blocks at once: nested, one per thread, and threads without one.

The innermost active block of the calling thread (of the calling context, so of the
asyncio task too) answers a request; a thread with no block of its own is answered by
the most recently entered block still active, of any thread. Whatever block answers the
SDK, each mock's own control calls (faults, journal, clock, reset) reach that mock only.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import TypeVar

import graviti
import pytest
from graviti.exception import InternalServerError

from mock_server import mock_graviti
from mock_server.inprocess import InProcessMock
from tests.inprocess.conftest import SocketEvents

KEY = "ACCESSKEY-isolation0000001"
T = TypeVar("T")


def names(mock: InProcessMock) -> list[str]:
    return [dataset["name"] for dataset in mock.state()["datasets"]]


def in_thread(function: Callable[[], T]) -> T:
    """Run ``function`` in a new thread (with no block of its own) and return its result."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(function())
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    if errors:
        raise errors[0]
    return results[0]


def test_nested_blocks_each_control_their_own_mock(no_sockets: SocketEvents) -> None:
    with mock_graviti() as outer:
        graviti.Workspace(KEY).datasets.create("outer-1")
        with mock_graviti() as inner:
            workspace = graviti.Workspace(KEY)
            outer.fail("get_dataset", status=500, times=1)
            outer.clock.set("2020-01-01T00:00:00Z")
            workspace.datasets.create("inner-1")
            # The fault and the frozen clock are the outer mock's: the inner one answers.
            assert workspace.datasets.get("inner-1").name == "inner-1"
            assert not inner.clock.frozen
            assert [f["operation"] for f in outer.faults] == ["get_dataset"]
            assert inner.faults == []
            assert [c.operation for c in outer.requests] == [
                "get_current_workspace",
                "create_dataset",
            ]
            assert [c.operation for c in inner.requests] == [
                "get_current_workspace",
                "create_dataset",
                "get_dataset",
            ]
        # Back in the outer block: its fault is pending, its clock frozen.
        workspace = graviti.Workspace(KEY)
        with pytest.raises(InternalServerError):
            workspace.datasets.get("outer-1")
        assert outer.clock.now() == "2020-01-01T00:00:00Z"
        with mock_graviti() as inner:
            graviti.Workspace(KEY).datasets.create("inner-2")
            outer.reset(to="empty")
            assert names(inner) == ["inner-2"]
            assert inner.requests != []
        assert names(outer) == []
        assert outer.requests == []
    assert no_sockets == []


def test_one_block_per_thread_answers_only_its_own_thread(no_sockets: SocketEvents) -> None:
    both_inside = threading.Barrier(2, timeout=30)
    both_done = threading.Barrier(2, timeout=30)
    seen: dict[str, tuple[list[str], list[str | None]]] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with mock_graviti() as mock:
                both_inside.wait()  # both mocks are active from here on
                workspace = graviti.Workspace(KEY)
                for i in range(3):
                    workspace.datasets.create(f"{name}-{i}")
                both_done.wait()
                seen[name] = (names(mock), [c.operation for c in mock.requests])
        except BaseException as error:
            errors.append(error)
            both_inside.abort()
            both_done.abort()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for name in ("a", "b"):
        datasets, operations = seen[name]
        assert datasets == [f"{name}-{i}" for i in range(3)]
        assert operations == ["get_current_workspace"] + ["create_dataset"] * 3
    assert no_sockets == []


def test_a_thread_without_a_block_falls_back_to_the_latest_block(
    no_sockets: SocketEvents,
) -> None:
    other_inside = threading.Event()
    release = threading.Event()
    holder: list[InProcessMock] = []

    def other_block() -> None:
        with mock_graviti() as mock:
            holder.append(mock)
            other_inside.set()
            release.wait(timeout=60)

    with mock_graviti() as mine:
        other = threading.Thread(target=other_block)
        other.start()
        try:
            assert other_inside.wait(timeout=30)
            (latest,) = holder

            def create(name: str) -> Callable[[], str]:
                return lambda: graviti.Workspace(KEY).datasets.create(name).name

            # This thread's own block answers this thread, though another was entered since.
            create("own")()
            # A plain thread has no block: the most recently entered one answers it.
            in_thread(create("plain-thread"))
            # A thread that runs in a copy of this context carries this thread's block.
            context = contextvars.copy_context()
            in_thread(lambda: context.run(create("copied-context")))
            assert names(mine) == ["own", "copied-context"]
            assert names(latest) == ["plain-thread"]
        finally:
            release.set()
            other.join(timeout=60)
    assert no_sockets == []


def test_after_its_block_a_mock_refuses_control_calls(no_sockets: SocketEvents) -> None:
    with mock_graviti() as outer:
        with mock_graviti() as inner:
            pass
        # Another block is active for the same host: the call must not land there.
        with pytest.raises(RuntimeError, match="not active"):
            inner.fail("get_dataset")
        assert outer.faults == []
    with pytest.raises(RuntimeError, match="not active"):
        outer.requests  # noqa: B018 - the property is the call
    assert no_sockets == []
