"""Fixtures of the in-process tests: proof that no socket is opened."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

SocketEvents = list[tuple[str, tuple[Any, ...]]]

# An audit hook cannot be removed, so it is installed once and only records while armed.
_armed = threading.Event()
_socket_events: SocketEvents = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _armed.is_set() and event in ("socket.connect", "socket.getaddrinfo", "socket.bind"):
        _socket_events.append((event, args))


sys.addaudithook(_audit)


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[SocketEvents]:
    """Fail any connection attempt, and record every socket event the test causes."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    _socket_events.clear()
    _armed.set()
    try:
        yield _socket_events
    finally:
        _armed.clear()
