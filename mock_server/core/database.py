"""The database: engines for SQLite (the embedded default) and PostgreSQL, and the unit of work.

``Database`` owns one connection per process for writes (and cached reads), used under a
lock, and, on a file or a server, a second connection for plain reads under a lock of
its own. Every operation of every resource runs in ``read()`` or ``write()``; a database
that is busy, read-only or full becomes a 503 with nothing changed. Reads can go through
``cached()``, the generic read cache (``mock_server.core.cache``), valid while a cheap
change stamp says nobody else has written: SQLite's ``data_version``, PostgreSQL's
transaction snapshot.

A write may wait for another process's lock (up to the busy timeout): such a write runs
in a worker thread (``on_event_loop`` tries it on the loop first, where it may not
wait), so the event loop goes on, and a read never queues behind a waiting write:
while a write holds the write connection, ``cached()`` and
``ordered_index()`` read the last committed state through the read connection instead,
bypassing the cache (under WAL a reader never waits for a writer).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from mock_server.core import errors
from mock_server.core.cache import ReadCache, Stamp
from mock_server.core.errors import DATABASE_UNAVAILABLE as UNAVAILABLE
from mock_server.core.stamps import ChangeStamps, PostgresStamps, SqliteStamps

T = TypeVar("T")
# What psycopg says of a parameter holding a NUL, which PostgreSQL text cannot store.
NUL_REFUSED = "cannot contain NUL"

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
        # read locks; readers get a WAL snapshot. Sent to the driver as it is: SQLAlchemy
        # has nothing to add to a BEGIN (its execute costs ten times the statement).
        raw = connection.connection.driver_connection
        if not connection.info.get("write"):
            _driver_begin(raw, "BEGIN")
        elif connection.info.get("no_wait"):
            # On the event loop: take the lock now or not at all (see ``on_event_loop``).
            raw.execute("PRAGMA busy_timeout=0")
            try:
                _driver_begin(raw, "BEGIN IMMEDIATE")
            finally:
                raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        else:
            _driver_begin(raw, "BEGIN IMMEDIATE")

    return engine


def _driver_begin(raw: sqlite3.Connection, statement: str) -> None:
    try:
        raw.execute(statement)
    except sqlite3.Error as exc:
        # Wrapped as SQLAlchemy wraps it (a busy lock is its OperationalError): callers
        # tell errors apart by SQLAlchemy's classes.
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


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

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

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


# Set while a blocking endpoint runs on the event loop (see ``on_event_loop``).
_no_wait: ContextVar[bool] = ContextVar("graviti_mock_no_wait", default=False)


class WouldWait(Exception):
    """A write tried on the event loop would wait for a lock; nothing was changed."""


@contextmanager
def on_event_loop() -> Iterator[None]:
    """Run a blocking operation on the event loop, as long as it never waits for a lock.

    A write waits only when another thread or process holds the database's lock; most of
    the time it does not, and running it where it is (no hop to a worker thread and
    back) is a third of a create's cost. Inside this block the first ``write()`` raises
    ``WouldWait`` instead of waiting, before anything was written: the caller then runs
    the whole operation again in a worker thread, where waiting is harmless. Operations
    do nothing but validate and read before their first write, so running one again is
    safe.
    """
    token = _no_wait.set(True)
    try:
        yield
    finally:
        _no_wait.reset(token)


def _remembered(
    cache: ReadCache,
    key: Hashable,
    tags: tuple[str, ...],
    make: Callable[[], T],
    weigh: Callable[[T], int] | None,
) -> T:
    """``make()``'s result, from ``cache`` under ``key``, or made and kept there."""
    hit, value = cache.get(key)
    if hit:
        return value  # type: ignore[no-any-return]
    value = make()
    cache.put(key, tags, value, weigh(value) if weigh is not None else 1)
    return value


class Database:
    """The unit of work of every operation; see the module docstring."""

    def __init__(self, engine: Engine, *, cache: bool = True) -> None:
        self.engine = engine
        self._lock = threading.RLock()
        self._conn = engine.connect()
        # In memory there is one connection and no other writer: nothing waits there.
        shared = is_sqlite(engine) and engine.url.database in (None, "", ":memory:")
        self._read_lock = threading.RLock() if not shared else self._lock
        self._reader = engine.connect() if not shared else self._conn
        # The change stamp (None: no cache), from a connection of its own on PostgreSQL.
        self._stamp_conn: Any = None
        self._stamps: ChangeStamps | None = None
        raw = self._conn.connection.driver_connection
        if cache and is_sqlite(engine) and isinstance(raw, sqlite3.Connection):
            self._stamps = SqliteStamps(raw)
        elif cache and engine.dialect.name == "postgresql":
            self._stamp_conn = engine.raw_connection()
            self._stamp_conn.detach()
            self._stamps = PostgresStamps(self._stamp_conn, engine.dialect.dbapi)
        self.cache = ReadCache()
        path = sqlite_file(engine)
        self.checkpointer = Checkpointer(path).start() if path else None

    @property
    def caching(self) -> bool:
        """Whether reads are cached (a change stamp is known); else every read asks."""
        return self._stamps is not None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        with self._lock, self._read_lock:
            if self._reader is not self._conn:
                self._reader.close()
            self._conn.close()
            if self._stamp_conn is not None:
                self._stamp_conn.close()
            self.engine.dispose()

    def stamp(self) -> Stamp | None:
        """The database's change stamp now (None: no cache); it moves when anyone writes."""
        return self._stamps.read() if self._stamps is not None else None

    def _fresh_cache(self) -> ReadCache | None:
        """The cache, emptied first if anyone wrote since it was filled; None: no cache."""
        stamp = self.stamp()
        if stamp is None:
            return None
        cache = self.cache
        if stamp != cache.stamp:
            cache.clear()
            cache.stamp = stamp
        return cache

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read of the last committed state; it never waits for a write."""
        with self._read_lock, self._transaction(write=False, conn=self._reader) as conn:
            yield conn

    def _uncontended(self) -> bool:
        """Take the write connection's lock if no write holds it; False: read elsewhere."""
        if self._lock.acquire(blocking=False):
            return True
        if self._reader is self._conn:
            self._lock.acquire()
            return True
        return False

    @property
    def writes_on_loop(self) -> bool:
        """Whether a write may be tried on the event loop (``on_event_loop``): SQLite only."""
        return is_sqlite(self.engine)

    @contextmanager
    def write(self, tags: Iterable[str] | None = None) -> Iterator[Connection]:
        """A write transaction; afterwards the cache forgets what ``tags`` name (default: all).

        Under ``on_event_loop`` the first write of the call must not wait: if another
        thread holds the write connection or another process holds SQLite's lock, it
        raises ``WouldWait`` having changed nothing.
        """
        no_wait = _no_wait.get()
        if no_wait:
            if not self.writes_on_loop or not self._lock.acquire(blocking=False):
                raise WouldWait
        else:
            self._lock.acquire()
        try:
            cache = self._fresh_cache()
            own: object = None
            try:
                with self._transaction(write=True, no_wait=no_wait) as conn:
                    # The lock is taken: the rest of the call may wait like any other.
                    _no_wait.set(False)
                    yield conn
                    if cache is not None and self._stamps is not None:
                        own = self._stamps.own(conn)
            finally:
                if cache is not None:
                    self._after_write(cache, tags, own)
        finally:
            self._lock.release()

    def _after_write(self, cache: ReadCache, tags: Iterable[str] | None, own: object) -> None:
        before = cache.stamp
        after = self.stamp()
        if (
            tags is None
            or before is None
            or after is None
            or self._stamps is None
            or not self._stamps.only_own(before, after, own)
        ):
            # Another connection committed meanwhile: nothing remembered can be trusted.
            cache.clear()
            cache.stamp = after
            return
        cache.invalidate(tags)
        cache.stamp = after

    def cached(
        self,
        key: Hashable,
        tags: tuple[str, ...],
        load: Callable[[Connection], T],
        weigh: Callable[[T], int] | None = None,
    ) -> T:
        """``load``'s result, from the cache when nothing it depends on changed since.

        ``weigh`` tells what a result weighs in the cache's bound (default one).
        """
        if not self._uncontended():
            with self.read() as conn:
                return load(conn)
        try:

            def read() -> T:
                with self._transaction(write=False) as conn:
                    return load(conn)

            cache = self._fresh_cache()
            return read() if cache is None else _remembered(cache, key, tags, read, weigh)
        finally:
            self._lock.release()

    def cached_in(
        self,
        conn: Connection,
        key: Hashable,
        tags: tuple[str, ...],
        load: Callable[[Connection], T],
    ) -> T:
        """``cached`` for a read inside this thread's own write, on its connection ``conn``.

        The cache answers only while nobody, the write itself included, has changed
        anything since it was filled (the stamp read now, inside the transaction, is the
        cache's); otherwise ``load`` reads in the write's transaction and nothing is kept.
        """
        cache = self.cache if self._stamps is not None else None
        if cache is None or cache.stamp is None or self.stamp() != cache.stamp:
            return load(conn)
        return _remembered(cache, key, tags, lambda: load(conn), None)

    def ordered_index(
        self, key: Hashable, load: Callable[[Connection], Iterable[int]]
    ) -> Sequence[int]:
        """A listing's sorted members (see ``ReadCache``), loaded on first use."""
        if not self._uncontended():
            with self.read() as conn:
                return list(load(conn))
        try:
            cache = self._fresh_cache()
            members = cache.index(key) if cache is not None else None
            if members is not None:
                return members
            with self._transaction(write=False) as conn:
                loaded = load(conn)
                return cache.put_index(key, loaded) if cache is not None else list(loaded)
        finally:
            self._lock.release()

    def peek_index(self, key: Hashable) -> Sequence[int] | None:
        """An ordered index if it is cached and current; None otherwise (nothing is loaded)."""
        with self._lock:
            cache = self._fresh_cache()
            return cache.index(key) if cache is not None else None

    def keep(self, key: Hashable, make: Callable[[bool], T]) -> T:
        """A value kept in the cache under ``key`` while the cache is current, made on first use.

        For values that only gather facts about data that never changes (see
        ``core.bookmarks``); nothing is read. ``make(True)`` makes the value kept;
        without a cache, or while a write holds it, ``make(False)`` makes one for the call.
        """
        if not self._uncontended():
            return make(False)
        try:
            cache = self._fresh_cache()
            if cache is None:
                return make(False)
            hit, value = cache.get(key)
            if not hit:
                value = make(True)
                cache.put(key, (), value)
            return value  # type: ignore[no-any-return]
        finally:
            self._lock.release()

    def index_changed(
        self, key: Hashable, *, added: Sequence[int] = (), removed: Sequence[int] = ()
    ) -> None:
        """Keep an ordered index in step with a write that just committed."""
        with self._lock:
            self.cache.index_added(key, added)
            for member in removed:
                self.cache.index_removed(key, member)

    def forget(self) -> None:
        """Drop everything cached: for changes made around the operations."""
        with self._lock:
            self.cache.clear()
            self.cache.stamp = None

    @contextmanager
    def _transaction(
        self, *, write: bool, conn: Connection | None = None, no_wait: bool = False
    ) -> Iterator[Connection]:
        conn = conn if conn is not None else self._conn
        conn.info["write"] = write
        conn.info["no_wait"] = no_wait
        begun = False
        try:
            with conn.begin():
                begun = True
                yield conn
        except OperationalError as exc:
            if no_wait and not begun:
                raise WouldWait from exc
            logger.warning("database error: %s", exc.orig)
            raise errors.ServiceUnavailable(UNAVAILABLE) from exc
        except DataError as exc:
            # Text the requests' rules let through but PostgreSQL cannot hold (a NUL, in a
            # seed's free text say): a refused call, rolled back, not a failure.
            if NUL_REFUSED in str(exc.orig):
                raise errors.InvalidParams(
                    "Text cannot hold a NUL character: the database stores none."
                ) from exc
            raise
