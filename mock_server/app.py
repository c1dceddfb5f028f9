"""The application factory: nothing binds a database or reads the environment at import."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from mock_server import __version__, control, handlers, routes
from mock_server.clock import Clock, IdFactory, parse_time
from mock_server.db import make_engine
from mock_server.limits import BodySizeLimit
from mock_server.settings import Settings
from mock_server.startup import exit_at_startup
from mock_server.store import DatasetStore

logger = logging.getLogger("mock_server")

DESCRIPTION = """\
A local, stateful mock of the Graviti OpenAPI v2 dataset service.

Every `/v2` call needs an access key in the `X-Token` header (`ACCESSKEY-…` or
`Accesskey-…`). Errors are `{"code", "message"}` JSON. The control plane lives under
`/_mock/`.
"""


def build_store(settings: Settings) -> DatasetStore:
    clock = Clock(parse_time(settings.frozen_time) if settings.frozen_time else None)
    engine = make_engine(
        settings.database,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        max_pages=settings.sqlite_max_pages,
    )
    store = DatasetStore(
        engine, clock=clock, ids=IdFactory(settings.id_seed), strict=settings.strict
    )
    for entry in settings.access_keys:
        key, _, workspace = entry.partition("=")
        store.add_access_key(key, workspace or None)
    return store


def create_app(
    settings: Settings | None = None,
    *,
    store: DatasetStore | None = None,
    seed_in_background: bool = False,
) -> FastAPI:
    """A new app; ``store`` lets a caller share or pre-build the state.

    ``seed_in_background`` is the server process's mode: the app serves as soon as its
    store is open (health answers 200, ready 503) while a thread applies the start-up
    seed, and ready turns 200 once it is in. A start-up failure there ends the process
    (``startup.exit_at_startup``). Otherwise the seed is in before the app serves, as
    ``mock_graviti()`` and the tests want.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        seeding: threading.Thread | None = None
        if seed_in_background:
            try:
                app.state.store = store or build_store(settings)
            except Exception as exc:
                exit_at_startup("cannot open the database", exc)
            seeding = threading.Thread(
                target=_seed_then_ready, args=(app,), name="startup-seed", daemon=True
            )
            seeding.start()
        else:
            app.state.store = store or build_store(settings)
            control.startup(app, app.state.store)
            app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            # A seed still running when the server stops is left to die with the
            # process (its transaction rolls back); closing the store under it would
            # only turn that into a logged error.
            if own_store and (seeding is None or not seeding.is_alive()):
                app.state.store.close()

    app = FastAPIOffline(
        title="graviti-mock",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/_mock/docs-static",
    )
    app.state.settings = settings
    app.state.ready = False
    handlers.install(app)
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes)
    app.include_router(routes.router)
    app.include_router(control.probes)
    if settings.control:
        control.install(app, settings)
    install_openapi(app)
    return app


def _seed_then_ready(app: FastAPI) -> None:
    try:
        control.startup(app, app.state.store)
    except Exception as exc:
        exit_at_startup("the start-up seed cannot be applied", exc)
    app.state.ready = True


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


def app_from_environment() -> FastAPI:
    """The factory uvicorn's workers call: settings come from ``GRAVITI_MOCK_*`` variables."""
    app = create_app(Settings(), seed_in_background=True)
    # The server process: what is loaded by now (FastAPI, pydantic, SQLAlchemy, the
    # routes) lives as long as the process, and a full garbage collection walking it
    # stalls every request in flight for tens of milliseconds. Take it out of sight.
    gc.collect()
    gc.freeze()
    return app
