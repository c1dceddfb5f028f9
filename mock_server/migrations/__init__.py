"""Schema versions: every database is brought to the current schema before it is served.

Alembic owns the schema of the shipped resources (``versions/``). A database written by
release 0.1.0, which created its tables without Alembic, is recognised and adopted as
revision ``0001``. A database from a newer release, or a file that is not a database
this server can read, is refused at start with ``SchemaError`` saying what to do;
it never gets as far as a request.

Migrations run in one transaction holding the database's write lock (SQLite's
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so several workers starting at once on
one database migrate it once. Tables of a registered resource that no migration
creates yet are created as declared, after the migrations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

# Alembic narrates every step at INFO, some of it on import: a start-up says one line
# (what is wrong), or nothing.
logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import Connection, Engine, MetaData, inspect  # noqa: E402
from sqlalchemy.exc import DatabaseError, OperationalError  # noqa: E402

from mock_server.core.resource import Resource  # noqa: E402

HERE = Path(__file__).parent
BASELINE = "0001"
# A lock id of our own for PostgreSQL's advisory locks ("graviti" in ASCII, shortened).
PG_LOCK = 0x677261766974
# Alembic's ``op`` and ``context`` are process globals: mocks started at once in several
# threads (in-process mode) migrate one at a time.
_MIGRATING = threading.Lock()


class SchemaError(RuntimeError):
    """The database cannot be served: the message says why and what to do."""


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    heads = ScriptDirectory(str(HERE)).get_heads()
    assert len(heads) == 1, heads
    return heads[0]


def prepare_schema(engine: Engine, resources: Sequence[Resource]) -> None:
    """Bring ``engine``'s database to the current schema, or raise ``SchemaError``."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with _MIGRATING, engine.connect() as conn:
            conn.info["write"] = True
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK})")
                _migrate(conn, where)
                tables = [table for resource in resources for table in resource.tables]
                MetaData().create_all(conn, tables=tables, checkfirst=True)
    except SchemaError:
        raise
    except (DatabaseError, OperationalError) as exc:
        raise SchemaError(
            f"cannot open the database {where}: {exc.orig}. Point --database at a "
            "graviti-mock database, or at a new file to start empty."
        ) from None


def _migrate(conn: Connection, where: str) -> None:
    current = MigrationContext.configure(conn).get_current_revision()
    script = ScriptDirectory(str(HERE))
    if current is None and inspect(conn).has_table("dataset"):
        # Written by release 0.1.0, before schema versions: its tables are the baseline.
        command.stamp(_config(conn), BASELINE)
    elif current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(
            f"the database {where} has schema version {current}, which this graviti-mock "
            f"does not know (it knows up to {head()}): it was written by a newer release. "
            "Serve it with that release, or start this one on a new database file."
        )
    command.upgrade(_config(conn), "head")
