"""An ``APIRoute`` that calls its endpoint without FastAPI's per-request machinery when it can.

FastAPI resolves an endpoint's parameters through a general dependency solver that
costs more than everything else the mock does for a GET. ``FastRoute`` looks at the
endpoint's signature once and, for the parameter kinds it knows (path strings, bounded
integer queries, a pydantic JSON body, and dependencies it is given a resolver for),
resolves them directly. Whatever it cannot settle on its own (a missing or malformed
value, an unexpected content type) it hands to FastAPI's own handler for the route,
so error answers are FastAPI's and the OpenAPI document is untouched.

Validation comes before dependencies, as in FastAPI: a request the fast path answers
is one FastAPI would have answered the same way. Not covered, and so left to FastAPI:
routes with ``dependencies=``, and any request while the app has
``dependency_overrides``. Dependencies given to ``include_router`` are not seen at all:
include a router of fast routes without them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Annotated, Any, ClassVar, get_args, get_origin, get_type_hints

import annotated_types
from fastapi.params import Depends, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

_FALLBACK: Any = object()

Resolver = Callable[[Request], Any]


def _path_getter(name: str) -> Resolver:
    def get(request: Request) -> Any:
        return request.path_params[name]

    return get


def _int_query_getter(name: str, default: int, low: int, high: int) -> Resolver:
    def get(request: Request) -> Any:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        # Plain decimal digits only; anything else (signs, spaces, 1e3) is FastAPI's call.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
            return _FALLBACK
        value = int(raw)
        return value if low <= value <= high else _FALLBACK

    return get


def _bounds(metadata: list[Any]) -> tuple[int, int] | None:
    low, high = -(2**63), 2**63 - 1
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, annotated_types.Le):
            high = int(item.le)  # type: ignore[call-overload]
        else:
            return None
    return low, high


class FastRoute(APIRoute):
    """Subclass it with ``resolvers`` for the dependencies its endpoints use."""

    resolvers: ClassVar[Mapping[Callable[..., Any], Resolver]] = {}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        standard = super().get_route_handler()
        plan = self._plan()
        if plan is None:
            return standard
        checks, dependencies, body = plan
        endpoint: Callable[..., Awaitable[Response]] = self.endpoint

        async def handler(request: Request) -> Response:
            if getattr(request.app, "dependency_overrides", None):
                return await standard(request)
            values: dict[str, Any] = {}
            for name, check in checks:
                value = check(request)
                if value is _FALLBACK:
                    return await standard(request)
                values[name] = value
            if body is not None:
                name, model = body
                content_type = request.headers.get("content-type", "")
                if content_type.partition(";")[0].strip().lower() != "application/json":
                    return await standard(request)
                try:
                    raw = await request.body()
                except Exception as exc:
                    _replay(request, exc)
                    return await standard(request)
                try:
                    values[name] = model.model_validate_json(raw)
                except ValidationError:
                    return await standard(request)
            for name, resolve in dependencies:
                values[name] = resolve(request)
            return await endpoint(**values)

        return handler

    def _plan(
        self,
    ) -> tuple[list[tuple[str, Resolver]], list[tuple[str, Resolver]], Any] | None:
        """How to get each parameter, or None if one is of a kind the fast path skips."""
        if not inspect.iscoroutinefunction(self.endpoint) or self.dependencies:
            return None
        hints = get_type_hints(self.endpoint, include_extras=True)
        checks: list[tuple[str, Resolver]] = []
        dependencies: list[tuple[str, Resolver]] = []
        body: tuple[str, type[BaseModel]] | None = None
        for name, parameter in inspect.signature(self.endpoint).parameters.items():
            hint = hints.get(name)
            base, extras = hint, ()
            if get_origin(hint) is Annotated:
                base, *rest = get_args(hint)
                extras = tuple(rest)
            marker = extras[0] if len(extras) == 1 else None
            if isinstance(marker, Depends) and marker.dependency in self.resolvers:
                dependencies.append((name, self.resolvers[marker.dependency]))
            elif isinstance(marker, Query) and base is int and isinstance(parameter.default, int):
                bounds = _bounds(marker.metadata)
                if bounds is None or marker.alias not in (None, name):
                    return None
                checks.append((name, _int_query_getter(name, parameter.default, *bounds)))
            elif not extras and base is str and name in self.param_convertors:
                checks.append((name, _path_getter(name)))
            elif not extras and isinstance(base, type) and issubclass(base, BaseModel):
                if body is not None:
                    return None
                body = (name, base)
            else:
                return None
        return checks, dependencies, body


def _replay(request: Request, exc: Exception) -> None:
    """Make the next read of the body fail as this one did, for FastAPI to report."""

    async def receive() -> Message:
        raise exc

    request._receive = receive
