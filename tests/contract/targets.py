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
inject faults and move the clock; it is None where the control client is not
available. On a remote server it is used only when ``GRAVITI_MOCK_CONTRACT_CONTROL=1``
says the server is private and has one worker: faults and the clock are global
to every client of a server, and each worker process has its own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import uuid4

import graviti.utility
import requests
from fastapi.testclient import TestClient
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

import client._http
from mock_server import Settings, create_app

REMOTE_URL = os.environ.get("GRAVITI_MOCK_URL", "").rstrip("/")
CONTROL_TOKEN = os.environ.get("GRAVITI_MOCK_CONTROL_TOKEN")
REMOTE_CONTROL = os.environ.get("GRAVITI_MOCK_CONTRACT_CONTROL") == "1"
TARGETS = ("remote",) if REMOTE_URL else ("inprocess", "process")

GRAVITI_URL = "https://api.graviti.com"


class Clock(Protocol):
    def freeze(self, at: str | None = None) -> str: ...

    def advance(self, seconds: float = 0) -> str: ...

    def unfreeze(self) -> str: ...


class Control(Protocol):
    """The part of ``mock_server.control_client.MockControl`` the suite uses."""

    clock: Clock

    def fail(
        self,
        operation: str = ...,
        status: int = ...,
        *,
        code: str | None = ...,
        times: int | None = ...,
    ) -> dict[str, Any]: ...

    def clear_faults(self) -> None: ...


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


# The in-process mode and the control client, where this checkout has them.
mock_graviti = _optional("mock_server", "mock_graviti")
MockControl = _optional("mock_server.control_client", "MockControl")


@dataclass
class Target:
    """A server: its site root, a plain session for raw HTTP, and its control plane."""

    name: str
    url: str
    session: requests.Session
    control: Control | None = None

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


# ------------------------------------------------------------------ in-process
#
# Until ``mock_server.mock_graviti`` exists, the app is reached through a
# transport adapter mounted for GRAVITI_URL on both libraries' sessions. It sits
# above urllib3, so the clients' retries do not apply here; the in-process mode
# proper intercepts below them.


class _AppAdapter(HTTPAdapter):
    """A requests transport that hands each request to the app through a TestClient."""

    def __init__(self, app_client: TestClient) -> None:
        super().__init__()
        self._app_client = app_client

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        answer = self._app_client.request(
            request.method or "GET",
            request.path_url,
            content=request.body,
            headers=dict(request.headers),
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.reason_phrase
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.encoding = answer.encoding
        response.url = request.url or ""
        response.request = request
        return response


@contextmanager
def _app_behind_adapter() -> Iterator[requests.Session]:
    app = create_app(Settings(database="sqlite://"))
    with TestClient(app, raise_server_exceptions=False) as app_client:
        adapter = _AppAdapter(app_client)
        raw = requests.Session()
        sessions = [client._http.get_session(), graviti.utility.get_session(), raw]
        for session in sessions:
            session.mount(GRAVITI_URL, adapter)
        try:
            yield raw
        finally:
            for session in sessions:
                del session.adapters[GRAVITI_URL]
            raw.close()


@contextmanager
def in_process() -> Iterator[Target]:
    """A fresh app answering GRAVITI_URL for every session in the process."""
    if mock_graviti is None:
        with _app_behind_adapter() as session:
            yield Target("inprocess", GRAVITI_URL, session)
        return
    with mock_graviti(hosts=[GRAVITI_URL]) as mock, requests.Session() as session:
        yield Target("inprocess", GRAVITI_URL, session, control=mock)


@contextmanager
def over_http(name: str, url: str) -> Iterator[Target]:
    control = MockControl(url, token=CONTROL_TOKEN) if MockControl is not None else None
    with requests.Session() as session:
        try:
            yield Target(name, url, session, control=control)
        finally:
            if control is not None:
                control.close()
