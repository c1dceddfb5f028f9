"""A pure ASGI middleware that keeps every path segment an exact name: no encoded slashes,
and no NUL in the path or the query.

Starlette routes on the decoded path, where ``ws%2Fname`` has become ``ws/name``: one
segment would reach a route as two (``DELETE /v2/datasets/ws%2Fname`` would delete
``ws/name``, ``GET /v2%2Fdatasets`` would list). No name of the service holds a ``/``, so
a request whose raw path encodes one in any segment names no route: it is answered a
Graviti 404 ``NotFound`` before any route, control-plane one included, sees it.

No name holds a NUL either (``%00``), and PostgreSQL cannot even be asked about one: a
path that encodes one names no resource (404 ``ResourceNotExist``), a query that does is
a 400 ``InvalidParamsValue``, on every database alike.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.core import errors


def _raw_path(scope: Scope) -> bytes:
    raw = scope.get("raw_path")
    return b"" if raw is None else bytes(raw).split(b"?", 1)[0].lower()


def refused_path(scope: Scope) -> bool:
    """Whether the raw path encodes a ``/`` or a NUL inside a segment: refused here, so
    the decoded path is not the route it looks like."""
    path = _raw_path(scope)
    return b"%2f" in path or b"%00" in path


def _refusal(scope: Scope) -> errors.GravitiError | None:
    path = _raw_path(scope)
    if b"%2f" in path:
        shown = bytes(scope["raw_path"]).split(b"?", 1)[0].decode("latin-1")
        return errors.RouteNotFound(
            f"graviti-mock has no route {scope['method']} {shown}: a path segment "
            "cannot hold a '/'."
        )
    if b"%00" in path:
        return errors.ResourceNotExist("No resource has a name holding a NUL character (%00).")
    if b"%00" in scope.get("query_string", b""):
        return errors.InvalidParams("A query parameter cannot hold a NUL character (%00).")
    return None


class ExactSegments:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = _refusal(scope) if scope["type"] == "http" else None
        if error is None:
            await self.app(scope, receive, send)
            return
        # The body is left unread; the server discards it with the connection's next use.
        for message in errors.asgi_error(error.status_code, error.code, error.message):
            await send(message)
