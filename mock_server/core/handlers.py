"""Exception handlers: whatever goes wrong, the client gets Graviti ``{"code", "message"}`` JSON.

An unexpected exception is answered and logged by ``UnexpectedErrors``, a middleware just
outside the routes, and goes no further: Starlette's outermost error middleware would
re-raise it after answering, and the server would log the same traceback a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.core import errors
from mock_server.core.names import RULES

logger = logging.getLogger("mock_server")


def error_response(
    error: errors.GravitiError, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        error.encode(),
        status_code=error.status_code,
        media_type="application/json",
        headers=headers,
    )


async def on_graviti_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.GravitiError)
    return error_response(exc)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_error(exc: RequestValidationError) -> errors.GravitiError:
    """Map FastAPI's validation errors onto the two Graviti 400s."""
    problems = list(exc.errors())
    missing = [p for p in problems if p.get("type") == "missing"]
    if missing:
        names = ", ".join(f"'{_where(tuple(p.get('loc', ())))}'" for p in missing)
        return errors.ParamsMissing(f"Missing required parameter {names}.")
    first = problems[0] if problems else {}
    where = _where(tuple(first.get("loc", ())))
    kind = first.get("type")
    if kind == "json_invalid":
        return errors.InvalidParams("The request body is not valid JSON.")
    if where == "body" and kind in ("model_attributes_type", "dict_type"):
        return errors.InvalidParams("The request body must be a JSON object.")
    if kind == "string_pattern_mismatch" and where in RULES:
        return errors.InvalidParams(f"Invalid value for '{where}': {RULES[where]}")
    return errors.InvalidParams(f"Invalid value for '{where}': {first.get('msg', 'invalid')}.")


async def on_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(validation_error(exc))


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    what = f"{request.method} {request.url.path}"
    error: errors.GravitiError
    if exc.status_code == 404:
        error = errors.RouteNotFound(f"graviti-mock has no route {what}.")
    elif exc.status_code == 405:
        error = errors.MethodNotAllowed(f"graviti-mock does not implement {what}.")
    elif exc.status_code == 400:
        # Starlette's own 400: a body that could not be decoded at all.
        error = errors.InvalidParams("The request body is not valid JSON.")
    else:
        try:
            phrase = HTTPStatus(exc.status_code).phrase
        except ValueError:
            phrase = ""
        return Response(
            errors.encode_error(phrase.title().replace(" ", "") or "Error", str(exc.detail)),
            status_code=exc.status_code,
            media_type="application/json",
            headers=exc.headers,
        )
    headers = {"Allow": _allowed_methods(request)} if exc.status_code == 405 else None
    return error_response(error, headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
            allowed.append(method)
    return ", ".join(allowed)


INTERNAL = "Internal server error; see the mock's log."


async def on_unexpected(request: Request, exc: Exception) -> Response:
    # Only reached for an error raised outside UnexpectedErrors (in a middleware).
    logger.exception("unexpected error in %s %s", request.method, request.url.path)
    return error_response(errors.GravitiError(INTERNAL))


class UnexpectedErrors:
    """Answer a 500 for any exception the routes let out, log it once, and swallow it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unexpected error in %s %s", scope["method"], scope["path"])
            if started:
                # Half an answer is out: nothing to add; the server closes the connection.
                return
            error = errors.GravitiError(INTERNAL)
            for message in errors.asgi_error(error.status_code, error.code, error.message):
                await send(message)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.GravitiError, on_graviti_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)
