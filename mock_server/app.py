"""The application factory: nothing binds a database or reads the environment at import.

The app is built from the resource registry: each resource's router is mounted, its
store added to the backend, its seed sections to the seed format and its tables to
reset and snapshots.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Connection

from mock_server import __version__, control
from mock_server.core import errors, handlers
from mock_server.core.backend import Backend
from mock_server.core.clock import Clock, IdFactory, parse_time
from mock_server.core.database import Database, make_engine
from mock_server.core.limits import BodySizeLimit
from mock_server.core.paths import ExactSegments
from mock_server.core.resolved import ROUTE_STATE
from mock_server.core.resource import Resource
from mock_server.migrations import prepare_schema
from mock_server.resources import RESOURCES
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.objects.area import ObjectArea, objects_folder
from mock_server.resources.objects.store import ObjectStore
from mock_server.settings import Settings
from mock_server.startup import exit_at_startup
from mock_server.state import StateAdmin

logger = logging.getLogger("mock_server")

DESCRIPTION = """\
A local, stateful mock of the Graviti OpenAPI v2 dataset service.

Every `/v2` call needs an access key in the `X-Token` header (`ACCESSKEY-…` or
`Accesskey-…`). Errors are `{"code", "message"}` JSON. The control plane lives under
`/_mock/`.
"""


def build_backend(
    settings: Settings, resources: Sequence[Resource] = RESOURCES, *, cache: bool = True
) -> Backend:
    """The state behind an app: the database (schema brought up to date) and the stores.

    ``cache=False`` reads through to the database on every call, as on PostgreSQL.
    """
    clock = Clock(parse_time(settings.frozen_time) if settings.frozen_time else None)
    engine = make_engine(
        settings.database,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        max_pages=settings.sqlite_max_pages,
    )
    prepare_schema(engine, resources)
    backend = Backend(
        Database(engine, cache=cache),
        clock=clock,
        ids=IdFactory(settings.id_seed),
        strict=settings.strict,
        stores=[resource.store for resource in resources if resource.store is not None],
    )
    # Only when there is something to write: a read-only database still serves reads.
    if settings.access_keys:
        with backend.db.write(None) as conn:
            register_access_keys(backend, settings, conn)
    configure_objects(backend, settings)
    return backend


def register_access_keys(backend: Backend, settings: Settings, conn: Connection) -> None:
    """The ``--access-keys`` entries, in the caller's transaction."""
    identity = backend.get(IdentityStore)
    for entry in settings.access_keys:
        key, _, workspace = entry.partition("=")
        identity.add_access_key_in(conn, key, workspace or None)


def configure_objects(backend: Backend, settings: Settings) -> None:
    """Open the object area the settings name (when the objects resource is served)."""
    try:
        objects = backend.get(ObjectStore)
    except LookupError:
        return
    folder, temporary = objects_folder(settings.database, settings.objects_dir)
    objects.configure(
        ObjectArea(folder, temporary=temporary),
        public_url=settings.public_url,
        max_object_bytes=settings.max_object_bytes,
    )


def streamed_paths(resources: Sequence[Resource]) -> Callable[[str], bool] | None:
    """Whether a path's body streams (see ``Resource.streamed``); None if none does."""
    tests = [resource.streamed for resource in resources if resource.streamed is not None]
    if not tests:
        return None
    return lambda path: any(test(path) for test in tests)


def create_app(
    settings: Settings | None = None,
    *,
    backend: Backend | None = None,
    resources: Sequence[Resource] = RESOURCES,
    seed_in_background: bool = False,
) -> FastAPI:
    """A new app; ``backend`` lets a caller share or pre-build the state.

    ``seed_in_background`` is the server process's mode: the app serves as soon as its
    backend is open (health answers 200, ready 503) while a thread applies the start-up
    seed, and ready turns 200 once it is in. A start-up failure there ends the process
    (``startup.exit_at_startup``). Otherwise the seed is in before the app serves, as
    ``mock_graviti()`` and the tests want.
    """
    settings = settings or Settings()
    resources = tuple(resources)
    if backend is not None:
        # Given from outside: usable (seeded, inspected) before the app's lifespan starts.
        app_state: dict[str, Any] = {
            "backend": backend,
            "admin": StateAdmin(backend, resources),
        }
    else:
        app_state = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_backend = backend is None
        seeding: threading.Thread | None = None
        try:
            state = backend or build_backend(settings, resources)
        except Exception as exc:
            if not seed_in_background:
                raise
            exit_at_startup("cannot open the database", exc)
        app.state.backend = state
        app.state.admin = app_state.get("admin") or StateAdmin(state, resources)
        if seed_in_background:
            seeding = threading.Thread(
                target=_seed_then_ready, args=(app,), name="startup-seed", daemon=True
            )
            seeding.start()
        else:
            control.startup(app)
            app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            # A seed still running when the server stops is left to die with the
            # process (its transaction rolls back); closing the backend under it would
            # only turn that into a logged error.
            if own_backend and (seeding is None or not seeding.is_alive()):
                state.close()

    app = FastAPIOffline(
        title="graviti-mock",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/_mock/docs-static",
        # A trailing slash names no route: a JSON 404, not an empty 307 to elsewhere.
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.ready = False
    for name, value in app_state.items():
        setattr(app.state, name, value)
    handlers.install(app)
    # Innermost: an unexpected error is answered and logged here, once.
    app.add_middleware(handlers.UnexpectedErrors)
    app.add_middleware(
        BodySizeLimit,
        max_body_bytes=settings.max_body_bytes,
        max_control_body_bytes=settings.max_control_body_bytes,
        exempt=streamed_paths(resources),
    )
    app.add_middleware(ExactSegments)
    # Any call may find the database busy, read-only or full (503), or hit a bug (500).
    common = errors.error_responses(errors.GravitiError, errors.ServiceUnavailable)
    # Including a router builds route state too: one app at a time (see ROUTE_STATE).
    with ROUTE_STATE:
        for resource in resources:
            if resource.router is not None:
                app.include_router(resource.router, responses=common)
        app.include_router(control.probes)
        if settings.control:
            control.install(app, settings, resources)
        install_openapi(app)
        build_route_state(app)
    return app


def _seed_then_ready(app: FastAPI) -> None:
    try:
        control.startup(app)
    except Exception as exc:
        exit_at_startup("the start-up seed cannot be applied", exc)
    app.state.ready = True


def build_route_state(app: FastAPI) -> None:
    """Build the state of the routes a path outside every resource reaches (the control
    plane's), under ``ROUTE_STATE``; resource routers finish theirs on first use."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/_mock/no-such-route",
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    with ROUTE_STATE:
        for route in app.router.routes:
            route.matches(scope)


def install_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document without FastAPI's 422: bad input is a Graviti 400 here."""
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = default_openapi()
            for methods in schema.get("paths", {}).values():
                for operation in methods.values():
                    operation.get("responses", {}).pop("422", None)
            schemas = schema.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# How long a thread may hold the GIL while another waits for it. Python's 5 ms default
# lets a worker thread running a write hold back the event loop, and every request on
# it, for 5 ms at a time; the loop's turns are short, so it gets the GIL back sooner.
SWITCH_INTERVAL = 0.0005


def app_from_environment() -> FastAPI:
    """The factory uvicorn's workers call: settings come from ``GRAVITI_MOCK_*`` variables."""
    app = create_app(Settings(), seed_in_background=True)
    # The server process: what is loaded by now (FastAPI, pydantic, SQLAlchemy, the
    # routes) lives as long as the process, and a full garbage collection walking it
    # stalls every request in flight for tens of milliseconds. Take it out of sight.
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)
    return app
