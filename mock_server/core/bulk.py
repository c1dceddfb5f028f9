"""Statements without SQLAlchemy's per-call work, and bulk reads and inserts.

``execute_fixed`` runs a statement that takes no parameters from its SQL text, compiled
once per dialect; ``insert_rows`` hands rows to the driver's ``executemany`` as they are,
from a statement compiled once per dialect, and ``insert_row`` one row, giving back its
key; ``append_json_rows`` hands the database one JSON array that it splits into rows
itself, and ``int_column`` reads a column of integers back as one such array.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    CursorResult,
    Dialect,
    Executable,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
)

from mock_server.core.routing import parse_json


@lru_cache(maxsize=256)
def _fixed_sql(dialect: Dialect, statement: Executable) -> str:
    return str(statement.compile(dialect=dialect))  # type: ignore[attr-defined]


def execute_fixed(conn: Connection, statement: Executable) -> CursorResult[Any]:
    """Run ``statement`` (no parameters; kept by the caller, so that its SQL text is
    compiled once per dialect and found again by identity)."""
    return conn.exec_driver_sql(_fixed_sql(conn.dialect, statement))


@lru_cache(maxsize=64)
def _insert_sql(
    dialect: Dialect, table: Table, columns: tuple[str, ...], returning: bool
) -> tuple[str, tuple[str, ...] | None]:
    """An INSERT of ``columns`` (with RETURNING of the key if asked) and, for a dialect
    with positional parameters, the order its values go in."""
    statement = insert(table)
    if returning:
        statement = statement.returning(*table.primary_key.columns)
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    return compiled.string, tuple(compiled.positiontup or ()) if compiled.positional else None


def insert_rows(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (values of ``columns``, in table order) in one executemany.

    The statement is compiled once per dialect and the values go to the driver as they
    are, without SQLAlchemy's per-row parameter handling: for columns whose values need
    no conversion (integers, text).
    """
    if not rows:
        return
    sql, order = _insert_sql(conn.dialect, table, columns, False)
    if order is None:
        conn.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])
    elif order == columns:
        conn.exec_driver_sql(sql, list(rows))
    else:
        raise ValueError(f"insert_rows: name the columns of {table.name} in table order")


def insert_row(conn: Connection, table: Table, row: Mapping[str, Any]) -> Any:
    """INSERT one row (values that need no conversion) and return its primary key.

    Like ``insert_rows``: compiled once per dialect and columns, the values handed to the
    driver as they are; the key comes back as the driver's last row id (SQLite) or by
    RETURNING (PostgreSQL).
    """
    # The driver's last row id where it has one (SQLite): a result to read costs more.
    returning = not getattr(conn.dialect, "postfetch_lastrowid", False)
    sql, order = _insert_sql(conn.dialect, table, tuple(row), returning)
    params = tuple(row[name] for name in order) if order is not None else dict(row)
    result = conn.exec_driver_sql(sql, params)
    return result.scalar_one() if returning else result.lastrowid


def append_json_rows(
    conn: Connection,
    table: Table,
    fixed: Mapping[str, Any],
    key: str,
    first: int,
    column: str,
    array: str,
) -> None:
    """INSERT a row per element of the JSON array ``array`` (text), in one statement.

    Each row holds its element's JSON text in ``column``, ``first``, ``first + 1``, ...
    in ``key`` and ``fixed``'s values in the other columns. The database splits the
    array (SQLite's ``json_each``, PostgreSQL's ``json_array_elements``, both keeping
    each element's text as sent): nothing is done row by row here.
    """
    given = bindparam("array", array, type_=Text)
    position: ColumnElement[Any]
    text: ColumnElement[Any]
    if conn.dialect.name == "postgresql":
        elements = (
            func.json_array_elements(cast(given, JSON))
            .table_valued("value", with_ordinality="position")
            .render_derived()
        )
        position = elements.c.position - 1
        text = cast(elements.c.value, Text)
    else:
        elements = func.json_each(given).table_valued("key", "value")
        position, text = elements.c.key, elements.c.value
    values = [literal(value) for value in fixed.values()]
    rows = select(*values, literal(first) + position, text).select_from(elements)
    conn.execute(insert(table).from_select([*fixed, key, column], rows))


def int_column(conn: Connection, statement: Select[Any]) -> array[int]:
    """The integers of ``statement``'s one column, ascending, read as one value.

    The database folds the column into a JSON array (SQLite's ``json_group_array``,
    PostgreSQL's ``json_agg``) that is parsed in one step: a hundred thousand members are
    one row to fetch instead of a hundred thousand (about five times faster). For the
    ordered indexes of listings, which hold distinct integers.
    """
    column = statement.subquery().c[0]
    aggregate: ColumnElement[Any]
    if conn.dialect.name == "postgresql":
        aggregate = cast(func.json_agg(column), Text)
    else:
        aggregate = func.json_group_array(column)
    text = conn.execute(select(aggregate)).scalar()
    members: list[int] = parse_json(text) if text else []
    # Aggregates keep no promised order: sorted here (in one pass when they did keep it).
    members.sort()
    return array("q", members)
