"""In-process mode: ``mock_graviti()`` answers Graviti hosts from a fresh app, with no socket.

The interception sits in urllib3's connection pool, below its ``Retry`` handling, so
the SDK's own retries (POST on 429/5xx, three times) behave as they do over the wire:
a 503 fault on a create is absorbed by the SDK's retry, a 500 on a GET is raised.
The app runs on an event loop in one background thread (an anyio blocking portal),
called directly through ASGI. Requests to other hosts go out as usual.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager, ContextDecorator
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar, overload
from urllib.parse import unquote, urlsplit

import anyio
import anyio.from_thread
from fastapi import FastAPI
from starlette.types import Message
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.request import SKIP_HEADER, SKIPPABLE_HEADERS

from mock_server.app import create_app
from mock_server.control_client import MockControl
from mock_server.interceptor import DROP_EXTENSION
from mock_server.seeding import Seed, combine, load_seed, parse_seed
from mock_server.settings import Settings

__all__ = ["DEFAULT_HOSTS", "InProcessMock", "mock_graviti"]

DEFAULT_HOSTS = ("https://api.graviti.com", "https://api.graviti.cn")
DEFAULT_PORTS = {"http": 80, "https": 443}

Target = tuple[str, str, int]


def _target(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    return parts.scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme]


# ---------------------------------------------------------------------------- interception

_lock = threading.Lock()
_active: list[InProcessMock] = []
_originals: dict[str, Any] = {}


def _find(target: Target) -> InProcessMock | None:
    with _lock:
        for mock in reversed(_active):
            if target in mock.targets:
                return mock
    return None


def _pool_target(pool: HTTPConnectionPool, url: str) -> Target:
    if url.startswith(("http://", "https://")):
        # A plain-http proxy pool gets absolute URLs: the target is in the URL.
        return _target(url)
    host = (pool.host or "").lower().strip("[]")
    return pool.scheme, host, pool.port or DEFAULT_PORTS[pool.scheme]


def _make_request(
    self: HTTPConnectionPool,
    conn: Any,
    method: str,
    url: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    retries: Any = None,
    *args: Any,
    **kwargs: Any,
) -> Any:
    mock = _find(_pool_target(self, url)) if _active else None
    if mock is None:
        return _originals["_make_request"](
            self, conn, method, url, body, headers, retries, *args, **kwargs
        )
    response = mock.respond(self, method, url, body, headers or {}, **kwargs)
    response.retries = retries
    response._connection = kwargs.get("response_conn")
    response._pool = self
    return response


def _prepare_proxy(self: HTTPSConnectionPool, conn: Any) -> None:
    # A tunnel to a proxy would open a socket; an intercepted host needs none.
    if _find((self.scheme, (self.host or "").lower(), self.port or 443)) is None:
        _originals["_prepare_proxy"](self, conn)


def _install() -> None:
    if not _originals:
        _originals["_make_request"] = HTTPConnectionPool._make_request
        _originals["_prepare_proxy"] = HTTPSConnectionPool._prepare_proxy
        HTTPConnectionPool._make_request = _make_request  # type: ignore[method-assign]
        HTTPSConnectionPool._prepare_proxy = _prepare_proxy  # type: ignore[method-assign]


def _uninstall() -> None:
    if _originals:
        HTTPConnectionPool._make_request = _originals.pop("_make_request")  # type: ignore[method-assign]
        HTTPSConnectionPool._prepare_proxy = _originals.pop("_prepare_proxy")  # type: ignore[method-assign]


# http.client's own checks (HTTPConnection.putheader), so a header it would refuse to
# send is refused here too, with the same ValueError.
_legal_header_name = re.compile(rb"[^:\s][^:\r\n]*").fullmatch
_illegal_header_value = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])").search


def _wire_headers(headers: Mapping[Any, Any]) -> list[tuple[bytes, bytes]]:
    """The header lines urllib3 and http.client would put on the wire, as ASGI pairs.

    A ``str`` is encoded as latin-1, ``bytes`` go as they are, an int as its digits;
    urllib3's ``SKIP_HEADER`` leaves the header out.
    """
    lines: list[tuple[bytes, bytes]] = []
    for name, value in headers.items():
        if isinstance(value, str) and value == SKIP_HEADER:
            if str(name).lower() not in SKIPPABLE_HEADERS:
                allowed = "', '".join(header.title() for header in sorted(SKIPPABLE_HEADERS))
                raise ValueError(f"urllib3.util.SKIP_HEADER only supports '{allowed}'")
            continue
        raw_name = name.encode("ascii") if isinstance(name, str) else bytes(name)
        if not _legal_header_name(raw_name):
            raise ValueError(f"Invalid header name {raw_name!r}")
        if isinstance(value, str):
            raw_value = value.encode("latin-1")
        elif isinstance(value, int):
            raw_value = str(value).encode("ascii")
        else:
            raw_value = bytes(value)
        if _illegal_header_value(raw_value):
            raise ValueError(f"Invalid header value {raw_value!r}")
        lines.append((raw_name.lower(), raw_value))
    return lines


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(
        chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body if chunk
    )


# ---------------------------------------------------------------------------- the mock


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


P = ParamSpec("P")
R = TypeVar("R")


class InProcessMock(MockControl, ContextDecorator):
    """A fresh mock app per ``with`` block (or decorated call), answering ``hosts``.

    It is a :class:`~mock_server.control_client.MockControl` on its first host, so the
    control API is the same as over HTTP: ``seed``, ``requests``, ``fail``, ``delay``,
    ``clock``, ``reset``, ``state``, ``assert_called``.
    """

    def __init__(
        self,
        *,
        hosts: Iterable[str] = DEFAULT_HOSTS,
        seed: Mapping[str, Any] | str | Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.hosts = tuple(url.rstrip("/") for url in hosts)
        if not self.hosts:
            raise ValueError("mock_graviti needs at least one host")
        self.targets = frozenset(_target(url) for url in self.hosts)
        self.settings_template = settings
        self.initial_seed = seed
        super().__init__(self.hosts[0])
        self.app: FastAPI | None = None
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] | None = None
        self._lifespan: AbstractContextManager[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _settings(self) -> Settings:
        base = self.settings_template
        values = base.model_dump() if base is not None else {}
        # Fresh in-memory state each time, and a control plane to drive it.
        values.update(database="sqlite://", control=True)
        return Settings(**values)

    def __enter__(self) -> Self:
        if self.app is not None:
            raise RuntimeError("this mock_graviti() is already active; use a new one to nest")
        settings = self._settings()
        self.token = settings.control_token
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        try:
            app = create_app(settings)
            lifespan: AbstractAsyncContextManager[Any] = app.router.lifespan_context(app)
            self._lifespan = self._portal.wrap_async_context_manager(lifespan)
            self._lifespan.__enter__()
            self._loop = self._portal.call(_running_loop)
            self.app = app
            with _lock:
                _active.append(self)
                _install()
            if self.initial_seed is not None:
                # The seed given here is this mock's start-up state: reset() returns to it.
                initial = self.initial_seed
                if isinstance(initial, Mapping):
                    document = parse_seed(dict(initial))
                else:
                    document = load_seed(initial)
                app.state.store.apply_seed(document)
                earlier: Seed | None = app.state.startup_seed
                if earlier is not None:
                    document = combine(earlier, document)
                app.state.startup_seed = document
        except BaseException:
            self._shutdown()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
            if not _active:
                _uninstall()
        self.close()
        try:
            if self._lifespan is not None and self.app is not None:
                self._lifespan.__exit__(None, None, None)
        finally:
            self.app = None
            self._loop = None
            self._lifespan = None
            if self._portal_cm is not None:
                self._portal_cm.__exit__(None, None, None)
            self._portal_cm = self._portal = None

    def reset(
        self,
        to: str = "seed",
        *,
        seed: Mapping[str, Any] | None = None,
        id_seed: int | None = None,
    ) -> dict[str, Any]:
        """Back to this mock's start-up seed (``to="empty"``: nothing), journal and faults."""
        return super().reset(to, seed=seed, id_seed=id_seed)

    @property
    def store(self) -> Any:
        """The app's :class:`~mock_server.store.DatasetStore`, for direct inspection."""
        if self.app is None:
            raise RuntimeError("mock_graviti() is not active")
        return self.app.state.store

    # -------------------------------------------------------------- transport

    def respond(
        self,
        pool: HTTPConnectionPool,
        method: str,
        url: str,
        body: Any,
        headers: Mapping[str, str],
        **options: Any,
    ) -> HTTPResponse:
        """Answer one request from the app, as urllib3's ``_make_request`` would."""
        if self._loop is None or self.app is None:
            raise http.client.RemoteDisconnected("mock_graviti() has ended")
        scheme, host, port = _pool_target(pool, url)
        parts = urlsplit(url)
        raw_path = parts.path or "/"
        header_list = _wire_headers(headers)
        if not any(name == b"host" for name, _ in header_list):
            default = DEFAULT_PORTS[scheme] == port
            header_list.append((b"host", (host if default else f"{host}:{port}").encode()))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": scheme,
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("latin-1"),
            "query_string": parts.query.encode("latin-1"),
            "root_path": "",
            "headers": header_list,
            "server": (host, port),
            "client": ("127.0.0.1", 0),
            "extensions": {},
        }
        # The portal owns the loop's thread and the app's lifespan; a call goes straight
        # onto its loop, which costs a fraction of a portal task.
        loop = self._loop
        assert loop is not None
        status, response_headers, content = asyncio.run_coroutine_threadsafe(
            self._asgi_call(scope, _body_bytes(body)), loop
        ).result()
        if status is None:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        return HTTPResponse(
            body=io.BytesIO(content),
            headers=HTTPHeaderDict(response_headers),
            status=status,
            version=11,
            version_string="HTTP/1.1",
            reason=reason,
            preload_content=options.get("preload_content", True),
            decode_content=options.get("decode_content", True),
            enforce_content_length=options.get("enforce_content_length", True),
            request_method=method,
            request_url=url,
        )

    async def _asgi_call(
        self, scope: dict[str, Any], body: bytes
    ) -> tuple[int | None, list[tuple[str, str]], bytes]:
        assert self.app is not None
        done = anyio.Event()
        dropped = False
        sent_body = False
        status: int | None = None
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        def drop() -> None:
            nonlocal dropped
            dropped = True

        scope["extensions"] = {DROP_EXTENSION: drop}

        async def receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.extend(
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in message.get("headers", [])
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    done.set()

        try:
            await self.app(scope, receive, send)
        finally:
            done.set()
        if dropped:
            return None, [], b""
        return status, response_headers, b"".join(chunks)


@overload
def mock_graviti(func: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def mock_graviti(
    func: None = None,
    /,
    *,
    hosts: Iterable[str] = DEFAULT_HOSTS,
    seed: Mapping[str, Any] | str | Path | None = None,
    settings: Settings | None = None,
) -> InProcessMock: ...


def mock_graviti(
    func: Callable[P, R] | None = None,
    /,
    *,
    hosts: Iterable[str] = DEFAULT_HOSTS,
    seed: Mapping[str, Any] | str | Path | None = None,
    settings: Settings | None = None,
) -> InProcessMock | Callable[P, R]:
    """Answer every ``requests`` call to ``hosts`` from a fresh in-process mock.

    A context manager (``with mock_graviti() as mock:``) and a decorator
    (``@mock_graviti`` or ``@mock_graviti(seed=...)``); each use starts from fresh
    state. ``seed`` is a seed mapping or a JSON/YAML file; ``settings`` tunes the app
    (``strict``, ``id_seed``, ``frozen_time``, ``journal_size``, ...).
    """
    mock = InProcessMock(hosts=hosts, seed=seed, settings=settings)
    if func is not None:
        return mock(func)
    return mock
