"""What a search runs over: a sheet's records as SQL, and the count and pages of a search.

The versions resource owns the records; searches see them through ``RecordSource``: for
(commit or draft, sheet) it answers ``SheetRecords``, a selectable with a ``key`` column
(ascending key order is row order) and a ``data`` column (the row as JSON text, without
``__record_key``, field names lower-case), plus the sheet's top-level fields in schema
order. ``live_records`` builds that selectable over a copy-on-write layer table.

A page is one statement: the compiled criteria in WHERE and SELECT, ordered by key,
with LIMIT and OFFSET, so nothing but the page leaves the database. Over records that
never change (``stable``), pages start from bookmarks (``core.bookmarks``): the key
where a known position of the matches is, so a page near the end of a big search is a
range read rather than an OFFSET scan over every match before it. The count walks the
matches' keys once, bookmarking along them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, FromClause, Table, and_, func, select
from sqlalchemy.exc import DataError, OperationalError

from mock_server.core.bookmarks import STRIDE, Bookmarks
from mock_server.core.routing import parse_json
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.searches.criteria import Compiled, project, shape_row
from mock_server.resources.searches.expressions import unevaluable
from mock_server.resources.searches.json_sql import JsonDialect


@dataclass(frozen=True, slots=True)
class SheetRecords:
    """The live records of one sheet of a commit or a draft (see the module docstring)."""

    rows: FromClause
    fields: tuple[str, ...]
    # Names these records if they never change (a commit's sheet); None if they may.
    stable: Hashable | None = None


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


def _conditions(
    records: SheetRecords, compiled: Compiled, from_key: int | None, to_key: int | None = None
) -> list[Any]:
    """The search's condition, on the keys from ``from_key`` to ``to_key`` (None: no bound)."""
    conditions: list[Any] = [] if compiled.where is None else [compiled.where]
    if from_key is not None:
        conditions.append(records.rows.c.key >= from_key)
    if to_key is not None:
        conditions.append(records.rows.c.key <= to_key)
    return conditions


def _walk(
    conn: Connection,
    records: SheetRecords,
    compiled: Compiled,
    marks: Bookmarks,
    start: tuple[int, int | None],
    count: int | None,
) -> tuple[int, int | None]:
    """Read the keys of ``count`` matches (None: all) from bookmark ``start``, bookmarking.

    Answers how many there were and the last one.
    """
    position, from_key = start
    key = records.rows.c.key
    query = select(key).select_from(records.rows).where(*_conditions(records, compiled, from_key))
    query = query.order_by(key)
    if count is not None:
        query = query.limit(count)
    with _evaluating():
        seen, last = marks.walk(position, conn.execute(query).scalars())
    if count is None or seen < count:
        marks.reached_end(position + seen, last)
    return seen, last


def count_matches(
    conn: Connection, records: SheetRecords, compiled: Compiled, marks: Bookmarks
) -> int:
    if marks.total is None:
        position, from_key = marks.last()
        if marks.kept:
            # One walk to the end: every page after it starts near a bookmark.
            _walk(conn, records, compiled, marks, (position, from_key), None)
        else:
            query = select(func.count()).select_from(records.rows)
            query = query.where(*_conditions(records, compiled, from_key))
            with _evaluating():
                matched = int(conn.execute(query).scalar_one())
            marks.reached_end(position + matched, None)
    assert marks.total is not None
    return marks.total


def page_matches(
    conn: Connection,
    records: SheetRecords,
    compiled: Compiled,
    dialect: JsonDialect,
    page: tuple[int, int],
    marks: Bookmarks,
) -> list[dict[str, Any]]:
    """Matches ``offset`` to ``offset + limit`` (``page``) of the search, in key order.

    Read from the nearest bookmark before ``offset`` up to the nearest one after the
    page; kept bookmarks are first walked forward to ``offset`` when it is a stride or
    more away. One more row than the page is read, to bookmark where the next page starts.
    """
    offset, limit = page
    if marks.total is not None and offset >= marks.total:
        return []
    position, from_key = marks.before(offset)
    skip = offset - position
    if marks.kept and skip >= STRIDE:
        seen, last = _walk(conn, records, compiled, marks, (position, from_key), skip + 1)
        if seen <= skip:
            return []
        position, from_key = offset, last
    key = records.rows.c.key
    columns = compiled.columns if compiled.outputs is not None else (records.rows.c.data,)
    query = select(key, *columns).select_from(records.rows)
    end = offset + limit if marks.total is None else min(offset + limit, marks.total - 1)
    to_key = marks.after(end)
    query = query.where(*_conditions(records, compiled, from_key, to_key)).order_by(key)
    with _evaluating():
        rows = conn.execute(query.offset(offset - position).limit(limit + 1)).all()
    if rows:
        marks.mark(offset, rows[0][0])
    if len(rows) > limit:
        marks.mark(offset + limit, rows[limit][0])
    elif rows or offset == position:
        marks.reached_end(offset + len(rows), rows[-1][0] if rows else None)
    rows = rows[:limit]
    if compiled.outputs is None:
        return [project(parse_json(row[1]), records.fields) for row in rows]
    return [shape_row(compiled, tuple(row)[1:], dialect) for row in rows]


@contextmanager
def _evaluating() -> Iterator[None]:
    """Errors of the criteria on these records as ``InvalidParams``, raised while the
    statement runs or while its rows are read (SQLite evaluates a row as it is fetched)."""
    try:
        yield
    except DataError as exc:
        # PostgreSQL refuses what Python would raise on too (an overflow, a complex power).
        raise unevaluable(exc.orig) from exc
    except OperationalError as exc:
        # SQLite's sum() of integers beyond 64 bits (its other arithmetic turns to doubles).
        if str(exc.orig) == "integer overflow":
            raise unevaluable(exc.orig) from exc
        raise
