"""A route that solves its dependency tree from a plan made once, not walked per request.

FastAPI walks a route's dependency tree on every call: for each node it recomputes cache
keys and scope flags and validates four kinds of parameters, empty or not. Every route
here shares the same few dependencies (the caller, the stores, the dataset reference),
so that walk was more than half the time of a cached read. ``ResolvedRoute`` flattens the
tree when the route is built into a list of steps in FastAPI's own order, and per request
runs just those steps, with FastAPI's own validators:

- a node's sub-dependencies run before it, each call at most once per request
  (``use_cache``), a node whose sub-dependency failed validation is not called, and an
  exception a dependency raises ends the request, so errors come out in the same order;
- parameters are validated with ``request_params_to_args`` and the JSON body with
  ``request_body_to_args``, so a bad value gives the same ``RequestValidationError``;
- an endpoint that returns a Response is answered with it; anything else is serialized
  through the route's response model, as FastAPI does.

A route whose tree uses anything else (generator dependencies, security scopes,
cookies, form bodies, background tasks, a ``Response`` parameter, streaming endpoints)
keeps FastAPI's handler, and so does every request while ``app.dependency_overrides``
holds an entry: there is one way to solve a tree, FastAPI's, and this is its plan.
"""

from __future__ import annotations

import email.message
import functools
import inspect
import json
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import fastapi.routing
from fastapi._compat import Undefined
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.params import Form
from fastapi.routing import APIRoute, APIRouter, serialize_response
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from mock_server.core.database import WouldWait, on_event_loop
from mock_server.core.routing import parse_json

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
E = TypeVar("E", bound=Callable[..., Any])
Source = Callable[[Request], Mapping[str, Any]]

_SOURCES: tuple[tuple[str, Source], ...] = (
    ("path_params", lambda request: request.path_params),
    ("query_params", lambda request: request.query_params),
    ("header_params", lambda request: request.headers),
)


@dataclass(frozen=True, slots=True)
class Step:
    """One node of the tree: where its arguments come from, and how it is called."""

    call: Callable[..., Any]
    is_async: bool
    subs: tuple[tuple[str | None, int], ...]  # (argument name, index of the step)
    params: tuple[tuple[list[Any], Source], ...]  # (fields, where their values are)
    body_fields: list[Any]
    request_names: tuple[str, ...]  # the arguments that take the Request itself


class Unsupported(Exception):
    """The tree uses something the plan does not cover: FastAPI's handler serves it."""


def _is_async(call: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(call):
        return True
    dunder = getattr(call, "__call__", None)  # noqa: B004
    return not inspect.isroutine(call) and inspect.iscoroutinefunction(dunder)


def _plain(dependant: Dependant) -> None:
    if dependant.call is None:
        raise Unsupported("no call")
    if inspect.isgeneratorfunction(dependant.call) or inspect.isasyncgenfunction(dependant.call):
        raise Unsupported("generator")
    if dependant.cookie_params or any(
        isinstance(field.field_info, Form) for field in dependant.body_params
    ):
        raise Unsupported("cookies or form")
    if (
        dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or dependant.parent_oauth_scopes
        or getattr(dependant, "concurrency", None) is not None
    ):
        raise Unsupported("a parameter kind the plan does not cover")


def compile_steps(root: Dependant) -> list[Step]:
    """The tree in FastAPI's solving order; the last step is the endpoint."""
    steps: list[Step] = []
    cached: dict[Any, int] = {}

    def visit(dependant: Dependant) -> int:
        _plain(dependant)
        subs = tuple((sub.name, visit(sub)) for sub in dependant.dependencies)
        assert dependant.call is not None
        key = dependant.call
        if dependant.use_cache and key in cached and dependant is not root:
            return cached[key]
        params = tuple(
            (fields, source) for kind, source in _SOURCES if (fields := getattr(dependant, kind))
        )
        steps.append(
            Step(
                call=dependant.call,
                is_async=_is_async(dependant.call),
                subs=subs,
                params=params,
                body_fields=list(dependant.body_params),
                request_names=tuple(
                    name
                    for name in (dependant.request_param_name, dependant.http_connection_param_name)
                    if name
                ),
            )
        )
        index = len(steps) - 1
        if dependant.use_cache and dependant is not root:
            cached[key] = index
        return index

    visit(root)
    return steps


_FAILED = object()


async def solve(
    steps: list[Step], request: Request, body: Any, embed_body_fields: bool
) -> tuple[dict[str, Any], list[Any]]:
    """Run every step but the last; the endpoint's arguments, and the validation errors."""
    results: list[Any] = [_FAILED] * len(steps)
    errors: list[Any] = []
    last = len(steps) - 1
    for index, step in enumerate(steps):
        values: dict[str, Any] = {}
        failed = False
        for name, sub in step.subs:
            value = results[sub]
            if value is _FAILED:
                failed = True
            elif name is not None:
                values[name] = value
        for fields, source in step.params:
            found, problems = request_params_to_args(fields, source(request))
            values.update(found)
            if problems:
                errors.extend(problems)
                failed = True
        if step.body_fields:
            found, problems = await request_body_to_args(
                body_fields=step.body_fields,
                received_body=body,
                embed_body_fields=embed_body_fields,
            )
            values.update(found)
            if problems:
                errors.extend(problems)
                failed = True
        for name in step.request_names:
            values[name] = request
        if index == last:
            return values, errors
        if failed:
            continue
        if step.is_async:
            results[index] = await step.call(**values)
        else:
            results[index] = await run_in_threadpool(step.call, **values)
    raise AssertionError("a plan ends with its endpoint")


async def read_json_body(request: Request) -> Any:
    """The body as FastAPI's handler reads it for a JSON body field (strict content type)."""
    try:
        body_bytes = await request.body()
        if not body_bytes:
            return Undefined
        content_type = request.headers.get("content-type")
        if content_type:
            message = email.message.Message()
            message["content-type"] = content_type
            subtype = message.get_content_subtype()
            if message.get_content_maintype() == "application" and (
                subtype == "json" or subtype.endswith("+json")
            ):
                return parse_json(body_bytes, unicode_only=True)
        return body_bytes
    except json.JSONDecodeError as exc:
        problem = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([problem], body=exc.doc) from exc
    except HTTPException:
        raise
    except Exception as exc:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


class ResolvedRoute(APIRoute):
    """An ``APIRoute`` served from a plan of its dependency tree (see the module)."""

    # Whether the last handler built for this route runs a plan (False: FastAPI's own).
    planned = False

    def get_route_handler(self) -> Handler:
        fallback = super().get_route_handler()
        route: Any = self
        # An included router's route is served through its include context, whose
        # dependant adds the include's dependencies.
        context_var = getattr(fastapi.routing, "_effective_route_context_var", None)
        context = context_var.get() if context_var is not None else None
        if context is not None and getattr(context, "original_route", None) is self:
            route = context
        try:
            call = route.dependant.call
            if inspect.isasyncgenfunction(call) or inspect.isgeneratorfunction(call):
                raise Unsupported("streaming endpoint")
            if getattr(route.strict_content_type, "value", route.strict_content_type) is not True:
                raise Unsupported("a body without a content type read as JSON")
            steps = compile_steps(route.dependant)
        except Unsupported:
            self.planned = False
            return fallback
        self.planned = True
        return _planned_handler(route, steps, fallback)


def _lane(request: Request) -> anyio.CapacityLimiter:
    """The app's lane for blocking endpoints: one at a time, in order of arrival.

    Blocking endpoints are the ones that write, and the database takes one write at a
    time anyway. Queued here (first come, first served) rather than as threads all
    blocked on the database's lock, they keep the event loop's share of the GIL and
    their order: a burst of writes finishes in arrival order, not in the order the OS
    happens to wake threads.
    """
    state = request.app.state
    lane: anyio.CapacityLimiter | None = getattr(state, "blocking_lane", None)
    if lane is None:
        lane = state.blocking_lane = anyio.CapacityLimiter(1)
    return lane


def in_thread(endpoint: E) -> E:
    """Mark a blocking endpoint that does more than database work (files): never on the loop."""
    endpoint.__dict__["graviti_mock_in_thread"] = True
    return endpoint


async def run_blocking(
    request: Request, call: Callable[[], Any], *, in_thread: bool = False
) -> Any:
    """A blocking endpoint's answer: on the event loop if its write need not wait, else in the lane.

    While the lane is busy, a call queues behind it, so calls are answered in order.
    """
    lane = _lane(request)
    backend = getattr(request.app.state, "backend", None)  # an app of the mock's, or not
    on_loop = backend is not None and backend.db.writes_on_loop
    if on_loop and not in_thread and lane.borrowed_tokens == 0:
        try:
            with on_event_loop():
                return call()
        except WouldWait:
            pass
    return await anyio.to_thread.run_sync(call, limiter=lane)


def _planned_handler(route: Any, steps: list[Step], fallback: Handler) -> Handler:
    endpoint: Callable[..., Any] = steps[-1].call
    in_thread = bool(getattr(endpoint, "graviti_mock_in_thread", False))
    endpoint_is_async = steps[-1].is_async
    has_body = route.body_field is not None
    embed = bool(getattr(route, "_embed_body_fields", False))
    overrides = route.dependency_overrides_provider
    status_code = route.status_code

    async def handler(request: Request) -> Response:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            return await fallback(request)
        body = await read_json_body(request) if has_body else Undefined
        values, errors = await solve(steps, request, body, embed)
        if errors:
            raise RequestValidationError(errors, body=None if body is Undefined else body)
        if endpoint_is_async:
            raw = await endpoint(**values)
        else:
            raw = await run_blocking(
                request, functools.partial(endpoint, **values), in_thread=in_thread
            )
        if isinstance(raw, Response):
            return raw
        return await _serialized(route, raw, endpoint_is_async, status_code)

    return handler


async def _serialized(
    route: Any, raw: Any, is_coroutine: bool, status_code: int | None
) -> Response:
    content = await serialize_response(
        field=route.response_field,
        response_content=raw,
        include=route.response_model_include,
        exclude=route.response_model_exclude,
        by_alias=route.response_model_by_alias,
        exclude_unset=route.response_model_exclude_unset,
        exclude_defaults=route.response_model_exclude_defaults,
        exclude_none=route.response_model_exclude_none,
        is_coroutine=is_coroutine,
        dump_json=route.response_field is not None,
    )
    if route.response_field is None:
        content = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status_code=status_code or 200, media_type="application/json")


class ResourceRouter(APIRouter):
    """A resource's router: ``ResolvedRoute`` routes, and a path that cannot be its own
    is turned away by its prefix before any route is tried.

    FastAPI keeps an included router whole and tries its routes one by one for every
    request that reaches it, so a call under ``/_mock`` tried every ``/v2`` route first.
    The guard compares the path with the literal part of the router's prefix (up to
    its first parameter); for a router included under a further prefix it would be
    wrong, so only routers included as they are use this class.
    """

    def __init__(self, *, prefix: str = "", **options: Any) -> None:
        super().__init__(prefix=prefix, route_class=ResolvedRoute, **options)
        self.literal_prefix = prefix.split("{", 1)[0]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("type") == "http" and not get_route_path(scope).startswith(
            self.literal_prefix
        ):
            return Match.NONE, {}
        with ROUTE_STATE:
            return super().matches(scope)


# FastAPI builds a route's state on its first match, inside ``warnings.catch_warnings()``,
# which swaps the process's warning filters and is not thread-safe: two apps of one
# process (in-process mocks in two threads) building at once could see a warning that
# one of them silences turned into an error by the other's restored filters (a 500
# under ``-W error``). Route state is built under this lock only: at an app's creation
# (``mock_server.app.build_route_state``) and in resource routers' matches.
ROUTE_STATE = threading.RLock()


__all__ = ["ROUTE_STATE", "ResolvedRoute", "ResourceRouter", "in_thread", "run_blocking"]
