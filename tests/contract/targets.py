"""The servers the contract suite runs against, behind one small interface.

- ``inprocess``: the app answers requests to ``https://api.graviti.com`` with no
  socket, fresh for each test;
- ``process``: the session's real ``graviti-mock serve`` process on a free port;
- ``remote``: an already running server named by ``GRAVITI_MOCK_URL`` (then the
  only target).

Tests never rely on a reset: every test asks for fresh random access keys, and
each new key gets a workspace of its own, so tests are isolated on a shared
server too (the remote one, or one database under ``pytest -n``).

``Target.control`` is the server's control plane (``MockControl``), used to
inject faults and move the clock. On a remote server the cases that use it run
only when ``GRAVITI_MOCK_CONTRACT_CONTROL=1`` says the server is private and has
one worker: faults and the clock are global to every client of a server, and
each worker process has its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import requests

from mock_server import mock_graviti
from mock_server.control_client import MockControl

REMOTE_URL = os.environ.get("GRAVITI_MOCK_URL", "").rstrip("/")
CONTROL_TOKEN = os.environ.get("GRAVITI_MOCK_CONTROL_TOKEN")
REMOTE_CONTROL = os.environ.get("GRAVITI_MOCK_CONTRACT_CONTROL") == "1"
TARGETS = ("remote",) if REMOTE_URL else ("inprocess", "process")

GRAVITI_URL = "https://api.graviti.com"


@dataclass
class Target:
    """A server: its site root, a plain session for raw HTTP, and its control plane."""

    name: str
    url: str
    session: requests.Session
    control: MockControl

    @staticmethod
    def new_key() -> str:
        return f"ACCESSKEY-{uuid4().hex}"

    def raw(self, method: str, path: str, *, key: str | None, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if key is not None:
            headers["X-Token"] = key
        return self.session.request(
            method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs
        )


@contextmanager
def in_process() -> Iterator[Target]:
    """A fresh app answering GRAVITI_URL below urllib3's retries, with no socket."""
    with mock_graviti(hosts=[GRAVITI_URL]) as mock, requests.Session() as session:
        yield Target("inprocess", GRAVITI_URL, session, control=mock)


@contextmanager
def over_http(name: str, url: str) -> Iterator[Target]:
    control = MockControl(url, token=CONTROL_TOKEN)
    with requests.Session() as session:
        try:
            yield Target(name, url, session, control=control)
        finally:
            control.close()
