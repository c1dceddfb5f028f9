"""How the server process fails to start: one line on stderr and a non-zero status.

Invariants: a start-up failure never prints a traceback (the reason fits on one line and
names what to change); everything the command line can check is checked in the first
process, before it listens or prints ``graviti-mock serving on``; what only a serving
process can find out (the start-up seed against the database's content) ends that
process with ``STARTUP_FAILURE``, which uvicorn's supervisor does not restart.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from sqlalchemy import Engine

from mock_server.core.errors import GravitiError

# uvicorn's own status for "failed before serving": its supervisor stops instead of
# restarting a worker that exits with it.
STARTUP_FAILURE = 3


class StartupError(Exception):
    """The server cannot start; the message is the one line the user sees."""


def one_line(exc: BaseException) -> str:
    """An exception as one line: the Graviti message, or the type and first line."""
    if isinstance(exc, GravitiError | StartupError):
        text = exc.message if isinstance(exc, GravitiError) else str(exc)
        return text.splitlines()[0] if text else type(exc).__name__
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def exit_at_startup(what: str, exc: BaseException) -> NoReturn:
    """End a serving process that cannot finish starting, from any thread.

    Nothing has been acknowledged yet (ready still answers 503), and a half-applied seed
    is one transaction that the database rolls back, so there is nothing to shut down
    gracefully; ``os._exit`` works from the seeding thread, where ``sys.exit`` would not.
    """
    print(f"graviti-mock: {what}: {one_line(exc)}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(STARTUP_FAILURE)


def check_encoding(engine: Engine) -> None:
    """Refuse a PostgreSQL database that does not store UTF-8.

    Names and aliases are Unicode; a SQL_ASCII database (what ``initdb`` makes when the
    environment has no locale) stores bytes unchecked and fails the first non-ASCII
    comparison, so it is refused at start rather than on some later request.
    """
    if engine.dialect.name != "postgresql":
        return  # SQLite text is always Unicode
    # A bare DB-API connection: SQLAlchemy's own first connect already fails on a
    # SQL_ASCII database (it reads the version string as bytes), with a cryptic error.
    dialect = engine.dialect
    args, kwargs = dialect.create_connect_args(engine.url)
    connection = dialect.connect(*args, **kwargs)
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW server_encoding")
        row = cursor.fetchone()
    finally:
        connection.close()
    value = row[0] if row else ""
    encoding = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    if encoding.upper().replace("-", "") != "UTF8":
        raise StartupError(
            f"the database's encoding is {encoding}, and graviti-mock needs UTF8: create it "
            "with CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0 (or initdb -E UTF8)"
        )
