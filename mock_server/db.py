"""Engines for the supported databases: SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
import threading
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
    # Checkpoints (the only step that waits for fsync under synchronous=NORMAL) are the
    # Checkpointer's job, off the request path; this one is a backstop if it falls behind.
    f"PRAGMA wal_autocheckpoint={10 * 1000}",
)
DEFAULT_BUSY_TIMEOUT_MS = 10_000

logger = logging.getLogger("mock_server.db")


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


def sqlite_file(engine: Engine) -> str | None:
    """The path of a SQLite engine's database file; None for memory or other databases."""
    if not is_sqlite(engine):
        return None
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return database


class Checkpointer:
    """A thread that checkpoints a SQLite WAL in the background, every ``interval`` seconds.

    A checkpoint copies committed pages from the WAL into the database file and fsyncs
    it. Left to SQLite's automatic checkpoint, that fsync lands on whichever request
    commits the 1000th page, stalling every request behind it for milliseconds. Here
    it runs on its own connection while requests go on (a PASSIVE checkpoint never
    blocks a reader or a writer), and the GIL is free while SQLite works.
    """

    def __init__(self, path: str, *, interval: float = 0.1) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            logger.warning("no background checkpoints: %s", exc)
            return
        try:
            conn.execute("PRAGMA busy_timeout=1000")
            while not self._stop.wait(self.interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    # Busy, read-only or full: SQLite's own checkpoint is the backstop.
                    logger.debug("checkpoint skipped: %s", exc)
        finally:
            conn.close()


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
