"""Engines for the supported databases: SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from mock_server import models  # noqa: F401  (registers the tables on SQLModel.metadata)

# Under WAL, synchronous=NORMAL keeps every committed transaction across a crash or a
# SIGKILL of the process (only a power loss can roll back the last ones); the busy
# timeout lets several workers share one file without "database is locked" errors.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
DEFAULT_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(
    url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, max_pages: int | None = None
) -> Engine:
    """An engine for ``url``, with the settings the mock's guarantees depend on.

    SQLite only: ``busy_timeout_ms`` is how long a write waits for another writer's lock
    (then the call answers 503); ``max_pages`` caps the file's size in pages, after which
    writes fail as on a full disk.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)

    in_memory = parsed.database in (None, "", ":memory:")
    # Statement parameters hold access keys: keep them out of error messages and logs.
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}, "hide_parameters": True}
    if in_memory:
        # One shared connection, or every checkout would see a different empty database.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            if in_memory and "journal_mode" in pragma:
                continue
            cursor.execute(pragma)
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if max_pages is not None:
            cursor.execute(f"PRAGMA max_page_count={int(max_pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so two workers never deadlock upgrading
        # read locks; readers get a WAL snapshot.
        mode = "BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN"
        connection.exec_driver_sql(mode)

    return engine


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
