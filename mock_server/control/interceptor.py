"""A pure ASGI middleware that records requests in the journal and injects faults.

A fault is decided before the operation runs, so an injected 5xx on a create stores
nothing and a retry of it succeeds. With the journal off and no fault set, a request
costs one attribute test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import anyio
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.control.faults import Fault, FaultPlan
from mock_server.control.journal import BODY_LIMIT, Journal, Recorded, masked_headers
from mock_server.core.errors import asgi_error
from mock_server.core.paths import refused_path
from mock_server.resources.objects.storage import xml_error

# Paths that are not calls of the service: never journaled, never faulted.
UNRECORDED_PREFIXES = ("/_mock/", "/docs", "/redoc", "/openapi.json")

# The in-process transport sets this ASGI extension to learn that a fault dropped the call.
DROP_EXTENSION = "graviti_mock.drop"


class OperationIndex:
    """Maps a method and path to the route's ``operation_id``, from the app's own routes."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self._routes: list[tuple[re.Pattern[str], frozenset[str], str]] = []
        for route in _flatten(routes):
            regex = getattr(route, "path_regex", None)
            methods = getattr(route, "methods", None)
            path = getattr(route, "path", "")
            if regex is None or not methods or path.startswith(UNRECORDED_PREFIXES):
                continue
            operation = getattr(route, "operation_id", None) or getattr(route, "name", None)
            if operation:
                self._routes.append((regex, frozenset(methods), operation))

    @property
    def operations(self) -> list[str]:
        """Every operation a call can be journaled and faulted as, sorted."""
        return sorted({operation for _, _, operation in self._routes})

    def match(self, method: str, path: str) -> str | None:
        for regex, methods, operation in self._routes:
            if method in methods and regex.match(path):
                return operation
        return None


def _flatten(routes: list[BaseRoute]) -> list[BaseRoute]:
    # Recent FastAPI keeps an included router as one lazy route holding the original
    # router; the mock includes its routers without an extra prefix, so their routes'
    # own paths are the full paths.
    flat: list[BaseRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            flat.extend(_flatten(list(included.routes)))
        else:
            flat.append(route)
    return flat


class Interceptor:
    """Journal and faults for every call outside the control plane."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        journal: Journal,
        faults: FaultPlan,
        streamed: Callable[[str], bool] | None = None,
    ) -> None:
        self.app = app
        self.journal = journal
        self.faults = faults
        # Paths whose bodies are objects: recorded without their bytes.
        self.streamed = streamed
        self._index: OperationIndex | None = None

    def operation(self, scope: Scope) -> str | None:
        if refused_path(scope):
            # Refused by ExactSegments: the decoded path is not the route it looks like.
            return None
        index = self._index
        if index is None:
            index = self._index = OperationIndex(list(scope["app"].routes))
        return index.match(scope["method"], scope["path"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        journal = self.journal
        if (
            scope["type"] != "http"
            or (not journal.enabled and not self.faults.active)
            or scope["path"].startswith(UNRECORDED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        operation = self.operation(scope)
        # An object's body is neither kept in the journal nor answered for in JSON.
        is_object = self.streamed is not None and self.streamed(scope["path"])
        fault = self.faults.take(operation) if self.faults.active else None
        entry: Recorded | None = None
        chunks: list[bytes] = []

        def finish() -> None:
            # Called before the last byte goes out, so a client that has its answer
            # always finds the call in the journal.
            nonlocal entry
            if entry is not None:
                entry.body = b"".join(chunks)[:BODY_LIMIT]
                entry.duration_ms = (time.perf_counter() - started) * 1000
                journal.add(entry)
                entry = None

        if journal.enabled:
            entry = Recorded(
                seq=journal.next_seq(),
                time=time.time(),
                operation=operation,
                method=scope["method"],
                path=scope["path"],
                query_string=scope.get("query_string", b""),
                headers=masked_headers(scope["headers"]),
                body=b"",
                fault=fault is not None and (fault.status is not None or fault.drop_connection),
            )
            recording = entry
            kept = BODY_LIMIT if is_object else 0

            async def receive_recorded() -> Message:
                nonlocal kept
                message = await receive()
                body = message.get("body")
                if body and kept < BODY_LIMIT:
                    chunks.append(body)
                    kept += len(body)
                return message

            async def send_recorded(message: Message) -> None:
                if message["type"] == "http.response.start":
                    recording.status = message["status"]
                elif message["type"] == "http.response.body" and not message.get("more_body"):
                    finish()
                await send(message)

            inner_receive: Receive = receive_recorded
            inner_send: Send = send_recorded
        else:
            inner_receive, inner_send = receive, send

        try:
            if fault is not None:
                if fault.latency_ms:
                    await anyio.sleep(fault.latency_ms / 1000)
                if fault.drop_connection:
                    await _read_body(inner_receive)
                    finish()
                    await _drop(scope, receive)
                    return
                if fault.status is not None:
                    await _read_body(inner_receive)
                    await _answer(fault, inner_send, xml=is_object)
                    return
            await self.app(scope, inner_receive, inner_send)
        except Exception:
            if entry is not None and entry.status == 0:
                entry.status = 500
            raise
        finally:
            finish()


async def _read_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def _answer(fault: Fault, send: Send, *, xml: bool = False) -> None:
    assert fault.status is not None
    if xml:
        # The object storage's own error format, which the SDK parses for a code.
        body = xml_error(fault.code or "ServiceUnavailable", fault.message or "")
        await send(
            {
                "type": "http.response.start",
                "status": fault.status,
                "headers": [
                    (b"content-type", b"application/xml"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    start, body_message = asgi_error(fault.status, fault.code, fault.message or "")
    await send(start)
    await send(body_message)


async def _drop(scope: Scope, receive: Receive) -> None:
    """Close the connection without an answer, as a crashed upstream would."""
    drop: Callable[[], None] | None = scope.get("extensions", {}).get(DROP_EXTENSION)
    if drop is not None:
        drop()
        return
    # uvicorn's receive is a method of the request cycle, which holds the transport.
    transport: Any = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is None:
        # Another server: returning without an answer makes it close or answer 500.
        return
    transport.close()
    # Wait for the server to see the connection gone, so it does not log a missing answer.
    while (await receive())["type"] != "http.disconnect":
        pass
