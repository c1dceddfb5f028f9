"""Search criteria: the SDK's ``where`` and ``select`` JSON, compiled to SQL over JSON rows.

A criteria object is ``{"where": <expr>?, "select": [<item>, ...]?}`` (expressions: see
``expressions``). A select item is a path (answered under its own name) or
``{"name": <expr>}`` (a dotted name nests). The SDK's ``df.apply`` selects
``apply_result``, which it reads as an array: its value is wrapped in a one-element
array unless it is one already (a ``$filter``).

Invariants:
* ``compile_criteria`` checks everything before anything is stored or run; any key,
  operator, path or argument shape it does not know is ``InvalidParams`` naming it.
* Evaluation happens in the database: ``where`` is a condition and each select item a
  column of one statement over the sheet's rows; only a page of answers leaves it.
* The same criteria give the same rows and values on SQLite and PostgreSQL.
* No answered value is NaN or infinite: a select item that overflows is ``InvalidParams``
  on the records call (SQLite computes an infinity where PostgreSQL refuses the
  arithmetic, and JSON can carry neither).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import literal_column

from mock_server.resources.searches.expressions import (
    Compiler,
    Kind,
    Value,
    bad,
    known,
    parse_path,
    unevaluable,
)
from mock_server.resources.searches.json_sql import SQL, JsonDialect

APPLY_KEY = "apply_result"


@dataclass(frozen=True, slots=True)
class Output:
    """One select item: where its value goes in an answered row, and how to read it."""

    path: tuple[str, ...]
    value: Value
    wrap: bool


@dataclass(frozen=True, slots=True)
class Compiled:
    where: SQL | None
    outputs: tuple[Output, ...] | None = None
    columns: tuple[SQL, ...] = field(default=())


def output(compiler: Compiler, item: Any) -> Output:
    if isinstance(item, str) and item.startswith("$."):
        names = parse_path(item)
        if not names:
            raise bad("'$.' names an array element, outside of an array operator.")
        return Output(names, compiler.path(item, None), wrap=False)
    if isinstance(item, dict) and len(item) == 1:
        ((name, node),) = item.items()
        names = tuple(name.lower().split("."))
        if not all(names):
            raise bad(f"'{name}' is not a valid column name.")
        value = compiler.expr(node, None)
        return Output(names, value, wrap=name == APPLY_KEY and not value.array)
    raise bad(f"invalid column {json.dumps(item)[:80]} in 'select'.")


def column(compiler: Compiler, output: Output) -> SQL:
    value = output.value
    if value.kind is Kind.JSON:
        assert value.place is not None
        return value.place.out()
    assert value.sql is not None
    if value.kind is Kind.NUMBER and not value.exact:
        return compiler.dialect.float_out(value.sql)
    return value.sql


def compile_criteria(criteria: Any, dialect: JsonDialect, row: SQL) -> Compiled:
    """``criteria`` as SQL over the JSON text column ``row``; ``InvalidParams`` if unfit."""
    if not isinstance(criteria, dict):
        raise bad("criteria must be a JSON object.")
    unknown = set(criteria) - {"where", "select"}
    if unknown:
        raise bad(f"'{sorted(unknown)[0]}' is not supported (only 'where' and 'select').")
    compiler = Compiler(dialect, row)
    where = None
    if criteria.get("where") is not None:
        where = known(compiler.as_boolean(compiler.expr(criteria["where"], None), "where"))
    select_items = criteria.get("select")
    if not select_items:
        if select_items is not None and not isinstance(select_items, list):
            raise bad("'select' must be a list.")
        return Compiled(where)
    if not isinstance(select_items, list):
        raise bad("'select' must be a list.")
    outputs = tuple(output(compiler, item) for item in select_items)
    _check_names(outputs)
    return Compiled(where, outputs, tuple(column(compiler, output) for output in outputs))


def check_criteria(criteria: Any, dialect: JsonDialect) -> None:
    """``InvalidParams`` unless ``criteria`` compiles (over any row)."""
    compile_criteria(criteria, dialect, literal_column("data"))


def _check_names(outputs: tuple[Output, ...]) -> None:
    """No column may be another's or inside another's (as the SDK's schema would reject)."""
    paths = [output.path for output in outputs]
    for index, path in enumerate(paths):
        for other in paths[index + 1 :]:
            shortest = min(len(path), len(other))
            if path[:shortest] == other[:shortest]:
                raise bad(f"column '{'.'.join(other)}' conflicts with another one.")


def shape_row(compiled: Compiled, values: tuple[Any, ...], dialect: JsonDialect) -> dict[str, Any]:
    """One answered row from the values of ``compiled.columns``."""
    assert compiled.outputs is not None
    row: dict[str, Any] = {}
    for output, raw in zip(compiled.outputs, values, strict=True):
        value = decode(output.value, raw, dialect)
        # Numbers are the only values computed here; JSON values are stored ones, finite.
        if isinstance(value, float) and not math.isfinite(value):
            raise unevaluable(f"'{'.'.join(output.path)}' is out of range ({value}).")
        target = row
        for name in output.path[:-1]:
            target = target.setdefault(name, {})
        target[output.path[-1]] = [value] if output.wrap else value
    return row


def decode(value: Value, raw: Any, dialect: JsonDialect) -> Any:
    if raw is None:
        return None
    if value.kind is Kind.JSON:
        return json.loads(raw)
    if value.kind is Kind.BOOLEAN:
        return bool(raw)
    if value.kind is Kind.NUMBER:
        if not value.exact and isinstance(raw, str):
            return _double(json.loads(raw))
        return dialect.decode_number(raw)
    return raw


def _double(number: Any) -> Any:
    # A double printed without a fraction reads as an int: keep those an int64 can hold.
    if isinstance(number, int) and not -(2**53) <= number <= 2**53:
        return float(number)
    return number


def project(row: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A stored row served through the schema: its fields in order, missing ones null."""
    return {name: row.get(name) for name in fields}
