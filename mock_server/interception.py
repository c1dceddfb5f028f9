"""The interception below the SDK: urllib3's connection pools answered by in-process mocks.

``install()`` patches ``HTTPConnectionPool._make_request`` (below urllib3's ``Retry``, so
the SDK's own retries behave as over the wire) and ``HTTPSConnectionPool._prepare_proxy``
once while any mock is active; ``uninstall()`` puts them back. ``find`` picks the mock
that answers a target for the calling context: the innermost active block of the
caller's thread or task that serves the host, else the most recently entered active
block of any thread, else none (the call goes out as usual).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.request import SKIP_HEADER, SKIPPABLE_HEADERS

if TYPE_CHECKING:
    from mock_server.inprocess import InProcessMock

DEFAULT_PORTS = {"http": 80, "https": 443}

Target = tuple[str, str, int]


def target(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    return parts.scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme]


lock = threading.Lock()
# Every active mock, oldest first: the fallback for a thread with no block of its own.
active: list[InProcessMock] = []
# The blocks entered in the calling context, innermost last. A context variable rather
# than a thread-local: each asyncio task gets its own, and asyncio.to_thread (or
# contextvars.copy_context().run) carries a block into a worker thread. An entry may
# outlive its block (left from another context), so only active mocks count.
entered: ContextVar[tuple[InProcessMock, ...]] = ContextVar("graviti_mock_entered", default=())
_originals: dict[str, Any] = {}


def find(target: Target) -> InProcessMock | None:
    """The mock that answers ``target`` for the caller, or None to let the call out.

    The caller's own blocks decide when it has any (the innermost one for the host);
    otherwise the most recently entered active block of any thread answers.
    """
    own = [mock for mock in entered.get() if mock.active]
    if own:
        candidates = own
    else:
        with lock:
            candidates = list(active)
    for mock in reversed(candidates):
        if target in mock.targets:
            return mock
    return None


def _pool_target(pool: HTTPConnectionPool, url: str) -> Target:
    if url.startswith(("http://", "https://")):
        # A plain-http proxy pool gets absolute URLs: the target is in the URL.
        return target(url)
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
    mock = find(_pool_target(self, url)) if active else None
    if mock is None:
        return _originals["_make_request"](
            self, conn, method, url, body, headers, retries, *args, **kwargs
        )
    response = mock.respond(_pool_target(self, url), method, url, body, headers or {}, **kwargs)
    response.retries = retries
    response._connection = kwargs.get("response_conn")
    response._pool = self
    return response


def _prepare_proxy(self: HTTPSConnectionPool, conn: Any) -> None:
    # A tunnel to a proxy would open a socket; an intercepted host needs none.
    if find((self.scheme, (self.host or "").lower(), self.port or 443)) is None:
        _originals["_prepare_proxy"](self, conn)


def install() -> None:
    if not _originals:
        _originals["_make_request"] = HTTPConnectionPool._make_request
        _originals["_prepare_proxy"] = HTTPSConnectionPool._prepare_proxy
        HTTPConnectionPool._make_request = _make_request  # type: ignore[method-assign]
        HTTPSConnectionPool._prepare_proxy = _prepare_proxy  # type: ignore[method-assign]


def uninstall() -> None:
    if _originals:
        HTTPConnectionPool._make_request = _originals.pop("_make_request")  # type: ignore[method-assign]
        HTTPSConnectionPool._prepare_proxy = _originals.pop("_prepare_proxy")  # type: ignore[method-assign]


# http.client's own checks (HTTPConnection.putheader), so a header it would refuse to
# send is refused here too, with the same ValueError.
_legal_header_name = re.compile(rb"[^:\s][^:\r\n]*").fullmatch
_illegal_header_value = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])").search


def wire_headers(headers: Mapping[Any, Any]) -> list[tuple[bytes, bytes]]:
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
