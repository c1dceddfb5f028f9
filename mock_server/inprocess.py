"""In-process mode: ``mock_graviti()`` answers Graviti hosts from a fresh app, with no socket.

The hosts answered are the API hosts and the object storage hosts beside them (the
permissions name ``oss.<host>`` and ``s3.<host>`` for OSS and S3 datasets, and
``<host>/blob/...`` for AZURE ones), so file uploads and downloads stay in the process.

The interception sits in urllib3's connection pool, below its ``Retry`` handling, so
the SDK's own retries (POST on 429/5xx, three times) behave as they do over the wire:
a 503 fault on a create is absorbed by the SDK's retry, a 500 on a GET is raised.
The app runs on an event loop in one background thread (an anyio blocking portal),
called directly through ASGI. Requests to other hosts go out as usual.

Several blocks may be active at once (nested, one per thread, one per asyncio task):

- the innermost active block of the calling context (its thread, or its task) that
  serves the host answers; a context with no active block of its own is answered by
  the most recently entered active block of any thread;
- a mock's control calls (``fail``, ``requests``, ``clock``, ``reset``...) go straight
  to its own app, never through that choice, and fail once its block has ended;
- each call of a decorated function runs in a mock of its own, a coroutine function's
  for its whole await; what would run after the call returns (a generator, a class, a
  returned coroutine) is refused, so no call meant for the mock reaches the service.
"""

from __future__ import annotations

import asyncio
import functools
import http.client
import inspect
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar, cast, overload
from urllib.parse import unquote, urlsplit

import anyio
import anyio.from_thread
import requests
from fastapi import FastAPI
from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from mock_server import asgi_call, interception
from mock_server.app import create_app
from mock_server.control.interceptor import DROP_EXTENSION
from mock_server.control_client import MockControl
from mock_server.portex import ensure_portex
from mock_server.resources.objects.store import storage_hosts
from mock_server.seeding import Seed, combine, load_seed, parse_seed
from mock_server.settings import Settings

__all__ = ["DEFAULT_HOSTS", "InProcessMock", "mock_graviti"]

DEFAULT_HOSTS = ("https://api.graviti.com", "https://api.graviti.cn")


# ---------------------------------------------------------------------------- the mock


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


P = ParamSpec("P")
R = TypeVar("R")


class _OwnMockAdapter(HTTPAdapter):
    """Sends a mock's control calls straight to its own app.

    They never go through the interception, which picks a block by the caller's
    context: ``outer.fail(...)`` inside a nested block must reach the outer mock.
    """

    def __init__(self, mock: InProcessMock) -> None:
        super().__init__()
        self.mock = mock

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = request.url or ""
        try:
            raw = self.mock.respond(
                interception.target(url),
                request.method or "GET",
                url,
                request.body,
                request.headers,
                preload_content=False,
                decode_content=False,
            )
        except http.client.RemoteDisconnected as error:
            raise requests.ConnectionError(error, request=request) from error
        return self.build_response(request, raw)


def _refuse_deferred(function: Callable[..., Any]) -> None:
    """Refuse what a decorator cannot keep inside the mock: its body would run later."""
    name = getattr(function, "__qualname__", repr(function))
    if inspect.isclass(function):
        raise TypeError(
            f"mock_graviti cannot decorate the class {name}: decorate its functions, "
            "or use the graviti_inprocess fixture"
        )
    for kind, test in (
        ("an async generator", inspect.isasyncgenfunction),
        ("a generator", inspect.isgeneratorfunction),
    ):
        if test(function):
            raise TypeError(
                f"mock_graviti cannot decorate {kind} function ({name}): its body runs "
                "after the call returns, outside the mock; use `with mock_graviti():` "
                "(or `async with`) inside it"
            )


class InProcessMock(MockControl):
    """A fresh mock app per ``with`` block (or decorated call), answering ``hosts``.

    It is a :class:`~mock_server.control_client.MockControl` on its first host, so the
    control API is the same as over HTTP: ``seed``, ``requests``, ``fail``, ``delay``,
    ``clock``, ``reset``, ``state``, ``assert_called``. Those calls always reach this
    mock, whichever block answers the SDK. Used as a decorator, every call of the
    function runs in a mock of its own, and this object controls the one of the call
    running in the caller's context (else the latest call still running).
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
        # The API hosts and the object storage hosts its permissions name (OSS and S3 put
        # their bucket in front of the host: oss.api.graviti.com, s3.api.graviti.com).
        served = [*self.hosts]
        if settings is not None and settings.public_url:
            served.append(settings.public_url)
        self.targets = frozenset(
            interception.target(url) for host in served for url in storage_hosts(host)
        )
        self.settings_template = settings
        self.initial_seed = seed
        super().__init__(self.hosts[0])
        self.app: FastAPI | None = None
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] | None = None
        self._lifespan: AbstractContextManager[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Set under _lock: _in_use from entry to the end of the exit, _serving while the
        # interception may pick this mock.
        self._in_use = False
        self._serving = False
        # Used as a decorator: the mocks of the calls running now, oldest first; a
        # call's mock points back at the decorator's handle.
        self._calls: list[InProcessMock] = []
        self._decorator: InProcessMock | None = None
        # Response bodies handed out and perhaps never read to the end.
        self._pipes: weakref.WeakSet[asgi_call.BodyPipe] = weakref.WeakSet()

    @property
    def active(self) -> bool:
        """True between the start and the end of this mock's block."""
        return self._serving

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            # Nothing from the environment (a proxy, .netrc): the call goes to the app.
            session.trust_env = False
            adapter = _OwnMockAdapter(self)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session = session
        return self._session

    def _live(self) -> InProcessMock:
        """The running mock this object controls: itself, or the mock of a decorated call."""
        if self._serving:
            return self
        for mock in reversed(interception.entered.get()):
            if mock._decorator is self and mock.active:
                return mock
        with interception.lock:
            if self._calls:
                return self._calls[-1]
        raise RuntimeError(
            "mock_graviti() is not active: use its control calls inside its with block "
            "or decorated function"
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        live = self._live()
        if live is not self:
            return live._call(method, path, **kwargs)
        return super()._call(method, path, **kwargs)

    def _settings(self) -> Settings:
        base = self.settings_template
        values = base.model_dump() if base is not None else {}
        # Fresh in-memory state each time, and a control plane to drive it.
        values.update(database="sqlite://", control=True)
        return Settings(**values)

    def __enter__(self) -> Self:
        with interception.lock:
            if self._in_use:
                raise RuntimeError("this mock_graviti() is already active; use a new one to nest")
            self._in_use = True
        try:
            self._start()
        except BaseException:
            self._shutdown()
            raise
        return self

    async def __aenter__(self) -> Self:
        # Started on the caller's own thread, as ``with`` does: the block belongs to the
        # caller's context (its task), and SDK calls block the loop anyway.
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def _start(self) -> None:
        # The SDK's file types come from a git clone on the client side; make it local.
        ensure_portex()
        settings = self._settings()
        self.token = settings.control_token
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        app = create_app(settings)
        lifespan: AbstractAsyncContextManager[Any] = app.router.lifespan_context(app)
        self._lifespan = self._portal.wrap_async_context_manager(lifespan)
        self._lifespan.__enter__()
        self._loop = self._portal.call(_running_loop)
        self.app = app
        if self.initial_seed is not None:
            # The seed given here is this mock's start-up state: reset() returns to it.
            initial = self.initial_seed
            if isinstance(initial, Mapping):
                document = parse_seed(dict(initial))
            else:
                document = load_seed(initial)
            app.state.admin.apply_seed(document)
            earlier: Seed | None = app.state.startup_seed
            if earlier is not None:
                document = combine(earlier, document)
            app.state.startup_seed = document
        with interception.lock:
            interception.active.append(self)
            self._serving = True
            if self._decorator is not None:
                self._decorator._calls.append(self)
            interception.install()
        interception.entered.set((*interception.entered.get(), self))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        with interception.lock:
            self._serving = False
            if self in interception.active:
                interception.active.remove(self)
            if self._decorator is not None and self in self._decorator._calls:
                self._decorator._calls.remove(self)
            if not interception.active:
                interception.uninstall()
        # Left in the context it was entered in (a block left from another context
        # stays listed there, inactive, until that context ends).
        interception.entered.set(
            tuple(mock for mock in interception.entered.get() if mock is not self)
        )
        self.close()
        for pipe in list(self._pipes):
            pipe.abandon()  # an app still handing over a body nobody reads may finish
        try:
            if self._lifespan is not None and self.app is not None:
                self._lifespan.__exit__(None, None, None)
        finally:
            self.app = None
            self._loop = None
            self._lifespan = None
            try:
                if self._portal_cm is not None:
                    self._portal_cm.__exit__(None, None, None)
            finally:
                self._portal_cm = self._portal = None
                with interception.lock:
                    self._in_use = False

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        """Decorate ``func``: each call runs in a fresh mock of its own, made like this one.

        A coroutine function keeps its mock for the whole await. Generator functions and
        classes are refused, and so is a call that returns a coroutine or a generator:
        their code would run after the mock has ended.
        """
        _refuse_deferred(func)
        if inspect.iscoroutinefunction(func):
            coroutine_function = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def run_coroutine(*args: P.args, **kwargs: P.kwargs) -> Any:
                async with self._new_call():
                    return await coroutine_function(*args, **kwargs)

            return cast(Callable[P, R], run_coroutine)

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with self._new_call():
                result = func(*args, **kwargs)
            if inspect.iscoroutine(result) or inspect.isgenerator(result):
                result.close()  # never started: it made no call, and gives no warning
                raise TypeError(
                    f"{getattr(func, '__qualname__', func)!r} returned a "
                    f"{type(result).__name__}, which would run after its mock_graviti() "
                    "ended; decorate the async def (or generator's caller) itself"
                )
            if inspect.isasyncgen(result):
                raise TypeError(
                    f"{getattr(func, '__qualname__', func)!r} returned an async generator, "
                    "which would run after its mock_graviti() ended"
                )
            return result

        return run

    def _new_call(self) -> InProcessMock:
        mock = InProcessMock(
            hosts=self.hosts, seed=self.initial_seed, settings=self.settings_template
        )
        mock._decorator = self
        return mock

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
    def backend(self) -> Any:
        """The app's :class:`~mock_server.core.backend.Backend`, for direct inspection."""
        app = self._live().app
        if app is None:
            raise RuntimeError("mock_graviti() is not active")
        return app.state.backend

    # -------------------------------------------------------------- transport

    def respond(
        self,
        target: interception.Target,
        method: str,
        url: str,
        body: Any,
        headers: Mapping[Any, Any],
        **options: Any,
    ) -> HTTPResponse:
        """Answer one request to ``target`` from the app, as urllib3's ``_make_request`` would."""
        if self._loop is None or self.app is None:
            raise http.client.RemoteDisconnected("mock_graviti() has ended")
        scheme, host, port = target
        parts = urlsplit(url)
        raw_path = parts.path or "/"
        header_list = interception.wire_headers(headers)
        if not any(name == b"host" for name, _ in header_list):
            default = interception.DEFAULT_PORTS[scheme] == port
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
        # onto its loop, which costs a fraction of a portal task. Bodies stream both ways.
        loop = self._loop
        assert loop is not None
        scope["extensions"] = {DROP_EXTENSION: _dropped}
        pipe = asgi_call.BodyPipe()
        self._pipes.add(pipe)
        answered = asgi_call.call(loop, self.app, scope, body, pipe)
        if answered is None:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        status, response_headers, content = answered
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        return HTTPResponse(
            body=content,
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


def _dropped() -> None:
    """A fault dropped the call: the app ends without an answer, which says as much."""


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

    A context manager (``with`` or ``async with mock_graviti() as mock:``) and a
    decorator of plain and ``async def`` functions (``@mock_graviti`` or
    ``@mock_graviti(seed=...)``); each block and each decorated call starts from fresh
    state. ``seed`` is a seed mapping or a JSON/YAML file; ``settings`` tunes the app
    (``strict``, ``id_seed``, ``frozen_time``, ``journal_size``, ...).
    """
    mock = InProcessMock(hosts=hosts, seed=seed, settings=settings)
    if func is not None:
        return mock(func)
    return mock
