"""Change stamps: how the read cache learns that someone else wrote to the database.

A stamp is read before every cached use (``Database``); if it moved since the cache was
filled, the cache starts over. After a write of its own, ``only_own`` tells whether the
write was all that happened, so that the cache forgets only the write's tags.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection

from mock_server.core import errors
from mock_server.core.cache import Stamp
from mock_server.core.errors import DATABASE_UNAVAILABLE


class ChangeStamps:
    """A database's change stamp: read before every cached use, compared after a write."""

    def read(self) -> Stamp:
        raise NotImplementedError

    def own(self, conn: Connection) -> object:
        """In a write transaction, before its commit: what ``only_own`` needs to know it."""
        return None

    def only_own(self, before: Stamp, after: Stamp, own: object) -> bool:
        """Whether nobody but the write ``own`` committed between ``before`` and ``after``."""
        raise NotImplementedError


class SqliteStamps(ChangeStamps):
    """``PRAGMA data_version`` moves when another connection commits; the connection's
    ``total_changes`` when it writes itself."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def read(self) -> Stamp:
        try:
            return self.raw.execute("PRAGMA data_version").fetchone()[0], self.raw.total_changes
        except sqlite3.Error as exc:
            raise errors.ServiceUnavailable(DATABASE_UNAVAILABLE) from exc

    def only_own(self, before: Stamp, after: Stamp, own: object) -> bool:
        return before[0] == after[0]


class PostgresStamps(ChangeStamps):
    """The server's transaction snapshot, ``xmin:xmax:in-progress ids``.

    Any commit or rollback of a transaction that wrote, in any database of the server,
    moves it (the transaction leaves the in-progress list, or ``xmax`` passes it);
    read-only transactions leave it alone. While it stays put, every committed row is
    what it was. It is read in autocommit on a connection of its own: one round trip.
    After a write, ``only_own`` tells from the two snapshots and the write's own id
    whether any other transaction ended meanwhile.
    """

    # Ids handed out meanwhile that are checked one by one; beyond, the cache starts over.
    MAX_GAP = 1000

    def __init__(self, raw: Any, dbapi: Any) -> None:
        self.raw = raw
        self.dbapi = dbapi
        raw.autocommit = True

    def read(self) -> Stamp:
        try:
            with self.raw.cursor() as cursor:
                cursor.execute("SELECT txid_current_snapshot()::text")
                return cursor.fetchone()[0], 0
        except self.dbapi.Error as exc:
            raise errors.ServiceUnavailable(DATABASE_UNAVAILABLE) from exc

    def own(self, conn: Connection) -> object:
        return conn.exec_driver_sql("SELECT txid_current()").scalar_one()

    def only_own(self, before: Stamp, after: Stamp, own: object) -> bool:
        if not isinstance(own, int):
            return False
        _, xmax0, running0 = _snapshot(before[0])
        _, xmax1, running1 = _snapshot(after[0])
        # Nothing after the write ended, nothing running before ended, and every id
        # handed out between the first snapshot and the write is still running.
        return (
            xmax1 == own + 1
            and own - xmax0 <= self.MAX_GAP
            and running0 <= running1
            and all(xid in running1 for xid in range(xmax0, own))
        )


def _snapshot(text: object) -> tuple[int, int, set[int]]:
    xmin, xmax, running = str(text).split(":")
    return int(xmin), int(xmax), {int(xid) for xid in running.split(",") if xid}
