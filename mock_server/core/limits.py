"""A pure ASGI middleware that refuses request bodies over a size limit without reading them whole.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read;
a chunked or undeclared body is counted as it streams in, and refused at the first chunk
that crosses the limit. Either way the client gets a Graviti 413 with ``Connection: close``,
the application sees a disconnect, and nothing it sends afterwards reaches the client.

Paths under ``control_prefix`` (the ``/_mock/`` control plane) have a limit of their own,
``max_control_body_bytes``: a seed is the whole state, and the control plane must take
back what ``GET /_mock/state`` exports, however large the API's own limit is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mock_server.core import errors

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        *,
        max_control_body_bytes: int | None = None,
        control_prefix: str = "/_mock/",
        exempt: Callable[[str], bool] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_control_body_bytes = max_control_body_bytes or max_body_bytes
        self.control_prefix = control_prefix
        # Paths whose bodies the route bounds itself (streamed uploads with their own limit).
        self.exempt = exempt

    def limit(self, scope: Scope) -> int:
        if str(scope.get("path", "")).startswith(self.control_prefix):
            return self.max_control_body_bytes
        return self.max_body_bytes

    def too_large(self, limit: int) -> tuple[Message, Message]:
        error = errors.PayloadTooLarge(
            f"The request body is larger than the limit of {limit} bytes."
        )
        return errors.asgi_error(
            error.status_code, error.code, error.message, [(b"connection", b"close")]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exempt is not None and self.exempt(scope["path"])):
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        length = declared_length(scope)
        if length is not None and length > limit:
            for message in self.too_large(limit):
                await send(message)
            return

        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        for reply in self.too_large(limit):
                            await send(reply)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)
