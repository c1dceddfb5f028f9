"""What a search runs over: a sheet's records as SQL, and the count and pages of a search.

The versions resource owns the records; searches see them through ``RecordSource``: for
(commit or draft, sheet) it answers ``SheetRecords``, a selectable with a ``key`` column
(ascending key order is row order) and a ``data`` column (the row as JSON text, without
``__record_key``, field names lower-case), plus the sheet's top-level fields in schema
order. ``live_records`` builds that selectable over a copy-on-write layer table.

A page is one statement: the compiled criteria in WHERE and SELECT, ordered by key,
with LIMIT and OFFSET, so nothing but the page leaves the database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, FromClause, Table, and_, func, select
from sqlalchemy.exc import DataError

from mock_server.core import errors
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.searches.criteria import Compiled, project, shape_row
from mock_server.resources.searches.json_sql import JsonDialect


@dataclass(frozen=True, slots=True)
class SheetRecords:
    """The live records of one sheet of a commit or a draft (see the module docstring)."""

    rows: FromClause
    fields: tuple[str, ...]


class RecordSource(Protocol):
    def search_records(
        self,
        conn: Connection,
        dataset: DatasetKey,
        *,
        commit_id: str | None,
        draft_number: int | None,
        sheet: str,
    ) -> SheetRecords:
        """The sheet's records; ``ResourceNotExist`` when the commit, draft or sheet is not."""
        ...


def live_records(layers: Table, chain: Sequence[int]) -> FromClause:
    """The live rows of a copy-on-write chain over ``layers`` (snapshot_seq, rkey, data).

    A key's row is that of the highest layer of ``chain`` holding it; a NULL ``data`` there
    deletes the key.
    """
    columns = (layers.c.rkey.label("key"), layers.c.data.label("data"))
    if len(chain) == 1:
        # A sheet with one layer (a first commit): its rows are the live rows.
        only = select(*columns).where(layers.c.snapshot_seq == chain[0], layers.c.data.is_not(None))
        return only.subquery("records")
    inner = layers.alias("newer")
    newest = (
        select(func.max(inner.c.snapshot_seq))
        .where(inner.c.rkey == layers.c.rkey, inner.c.snapshot_seq.in_(list(chain)))
        .scalar_subquery()
    )
    return (
        select(*columns)
        .where(
            and_(
                layers.c.snapshot_seq.in_(list(chain)),
                layers.c.snapshot_seq == newest,
                layers.c.data.is_not(None),
            )
        )
        .subquery("records")
    )


def count_matches(conn: Connection, records: SheetRecords, compiled: Compiled) -> int:
    query = select(func.count()).select_from(records.rows)
    if compiled.where is not None:
        query = query.where(compiled.where)
    return int(_run(conn, query).scalar_one())


def page_matches(
    conn: Connection,
    records: SheetRecords,
    compiled: Compiled,
    dialect: JsonDialect,
    offset: int,
    limit: int,
) -> list[dict[str, Any]]:
    """Rows ``offset`` to ``offset + limit`` of the search, in key order."""
    columns = compiled.columns if compiled.outputs is not None else (records.rows.c.data,)
    query = select(*columns).select_from(records.rows)
    if compiled.where is not None:
        query = query.where(compiled.where)
    query = query.order_by(records.rows.c.key).offset(offset).limit(limit)
    rows = _run(conn, query).all()
    if compiled.outputs is None:
        return [project(json.loads(row[0]), records.fields) for row in rows]
    return [shape_row(compiled, tuple(row), dialect) for row in rows]


def _run(conn: Connection, query: Any) -> Any:
    try:
        return conn.execute(query)
    except DataError as exc:
        # PostgreSQL refuses what Python would raise on too (an overflow, a complex power).
        raise errors.InvalidParams(
            f"The search criteria cannot be evaluated on these records: {exc.orig}"
        ) from exc
