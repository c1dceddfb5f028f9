"""Expressions of search criteria compiled to SQL: paths, literals and operators.

An expression is a literal (number, string, boolean, null), a path (``"$.a.b"``: a field
of the row; inside ``$filter``, ``$any_match`` and ``$all_match`` a field of the array's
element, ``"$."`` being the element itself), or ``{"$op": [arguments]}`` with one of
the operators in ``OPERATORS``; anything else is ``InvalidParams`` naming it.

Semantics are Python's where the SDK's lambdas would have them: comparisons and
arithmetic on numbers, strings compared by code point, ``==``/``!=`` null-safe. A value
of the wrong type (a string where a number is wanted, a missing field) reads as null,
and a comparison with null is false, alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from sqlalchemy import (
    FromClause,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
)

from mock_server.core import errors
from mock_server.resources.searches.json_sql import SQL, JsonDialect, Place

COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")
LOGICAL = ("$and", "$or", "$not")
ARITHMETIC = ("$add", "$sub", "$mult", "$div", "$mod", "$pow")
ARRAYS = ("$any_match", "$all_match", "$filter", "$size", "$sum", "$max", "$min")
OPERATORS = COMPARISONS + LOGICAL + ARITHMETIC + ARRAYS
MAX_DEPTH = 64
MAX_SIZE = 10_000


class Kind(Enum):
    JSON = "json"
    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    NULL = "null"


@dataclass(frozen=True, slots=True)
class Value:
    """A compiled expression: a JSON place, or a SQL value of a known kind."""

    kind: Kind
    sql: SQL | None = None
    place: Place | None = None
    # A number already inexact (double precision) on PostgreSQL.
    exact: bool = True
    # A JSON value known to be an array (a $filter's).
    array: bool = False
    # How many expressions the SQL holds (some operators repeat their operands).
    size: int = 1


def bad(message: str) -> errors.InvalidParams:
    return errors.InvalidParams(f"Invalid search criteria: {message}")


def unevaluable(reason: object) -> errors.InvalidParams:
    """Criteria that compiled but that the records at hand make fail (an overflow)."""
    return errors.InvalidParams(
        f"The search criteria cannot be evaluated on these records: {reason}"
    )


def parse_path(text: str) -> tuple[str, ...]:
    """``$.a.b`` as its lower-cased names; ``$.`` (the element itself) as ()."""
    if text == "$.":
        return ()
    names = text[2:].split(".")
    if not all(names) or any('"' in name or "\\" in name for name in names):
        raise bad(f"'{text}' is not a valid path.")
    return tuple(name.lower() for name in names)


class Compiler:
    """Compiles expressions for one dialect over one JSON row column."""

    def __init__(self, dialect: JsonDialect, row: SQL) -> None:
        self.dialect = dialect
        self.row = dialect.root(row)

    # ------------------------------------------------------------------ expressions

    def expr(self, node: Any, scope: Place | None, depth: int = 0) -> Value:
        """``scope``: the array element paths refer to, or None at the row's level."""
        if depth > MAX_DEPTH:
            raise bad(f"expressions nest deeper than {MAX_DEPTH}.")
        if node is None:
            return Value(Kind.NULL, sql=null())
        if isinstance(node, bool):
            return Value(Kind.BOOLEAN, sql=true() if node else false())
        if isinstance(node, int | float):
            # JSON cannot answer NaN or infinity (the body parser takes them, and 1e400 reads
            # as infinity), and SQLite cannot bind an integer beyond 64 bits.
            fits = math.isfinite(node) if isinstance(node, float) else -(2**63) <= node < 2**63
            if not fits:
                text = json.dumps(node)
                raise bad(
                    f"the number {text if len(text) <= 40 else text[:37] + '...'} is out of range."
                )
            return Value(Kind.NUMBER, sql=self.dialect.number(node))
        if isinstance(node, str):
            if node.startswith("$."):
                return self.path(node, scope)
            return Value(Kind.STRING, sql=literal(node))
        if isinstance(node, dict) and len(node) == 1:
            ((name, args),) = node.items()
            handler = _HANDLERS.get(name)
            if handler is None:
                raise bad(f"operator '{name}' is not supported.")
            if not isinstance(args, list):
                raise bad(f"the arguments of '{name}' must be a list.")
            value = handler(self, name, args, scope, depth + 1)
            if value.size > MAX_SIZE:
                raise bad(f"the expression is too large (over {MAX_SIZE} operations).")
            return value
        raise bad(f"{json.dumps(node)[:80]} is not an expression.")

    def path(self, text: str, scope: Place | None) -> Value:
        names = parse_path(text)
        place = scope if scope is not None else self.row
        if not names and scope is None:
            raise bad("'$.' names an array element, outside of an array operator.")
        for name in names:
            place = place.field(name)
        return Value(Kind.JSON, place=place)

    # ------------------------------------------------------------------ coercions

    def as_number(self, value: Value, op: str) -> Value:
        if value.kind is Kind.NUMBER:
            return value
        if value.kind is Kind.JSON and not value.array:
            assert value.place is not None
            return Value(Kind.NUMBER, sql=value.place.number())
        raise bad(f"'{op}' needs numbers, not a {value.kind.value}.")

    def as_boolean(self, value: Value, op: str) -> SQL:
        if value.kind is Kind.BOOLEAN:
            assert value.sql is not None
            return value.sql
        if value.kind is Kind.JSON and not value.array:
            assert value.place is not None
            return value.place.boolean()
        raise bad(f"'{op}' needs booleans, not a {value.kind.value}.")

    def as_string(self, value: Value) -> SQL:
        if value.kind is Kind.STRING:
            assert value.sql is not None
            return value.sql
        assert value.place is not None
        return value.place.text()

    # ------------------------------------------------------------------ operators

    def compare(self, op: str, args: list[Any], scope: Place | None, depth: int) -> Value:
        left, right = (self.expr(arg, scope, depth) for arg in _arity(op, args, 2))
        return replace(self._compare(op, left, right), size=1 + left.size + right.size)

    def _compare(self, op: str, left: Value, right: Value) -> Value:
        if Kind.NULL in (left.kind, right.kind):
            if op not in ("$eq", "$ne"):
                raise bad(f"'{op}' cannot order null.")
            other = right if left.kind is Kind.NULL else left
            missing = self.is_null(other)
            return _boolean(missing if op == "$eq" else not_(missing))
        kinds = {left.kind, right.kind} - {Kind.JSON}
        if len(kinds) > 1:
            if op in ("$eq", "$ne"):
                return _boolean(false() if op == "$eq" else true())
            raise bad(f"'{op}' cannot order a {left.kind.value} and a {right.kind.value}.")
        if not kinds:
            return _boolean(self.compare_json(op, left, right))
        kind = kinds.pop()
        if kind is Kind.NUMBER:
            a, b = self.as_number(left, op), self.as_number(right, op)
            exact = a.exact and b.exact
            assert a.sql is not None and b.sql is not None
            sa, sb = (a.sql, b.sql) if exact else (self._inexact(a), self._inexact(b))
            return _boolean(_COMPARE[op](sa, sb))
        if kind is Kind.STRING:
            sa, sb = (self.dialect.text_order(self.as_string(v)) for v in (left, right))
            return _boolean(_COMPARE[op](sa, sb))
        return _boolean(_COMPARE[op](self.as_boolean(left, op), self.as_boolean(right, op)))

    def _inexact(self, value: Value) -> SQL:
        assert value.sql is not None
        return self.dialect.inexact(value.sql) if value.exact else value.sql

    def compare_json(self, op: str, left: Value, right: Value) -> SQL:
        """Two places, types known only per row: numbers, strings or booleans alike."""
        a, b = left.place, right.place
        assert a is not None and b is not None
        compare = _COMPARE[op]
        both = {kind: and_(a.is_type(kind), b.is_type(kind)) for kind in _SCALARS}
        by_type = or_(
            and_(both["number"], compare(a.number(), b.number())),
            and_(
                both["string"],
                compare(self.dialect.text_order(a.text()), self.dialect.text_order(b.text())),
            ),
            and_(both["boolean"], compare(a.boolean(), b.boolean())),
        )
        if op == "$eq":
            return or_(by_type, and_(a.is_null(), b.is_null()))
        if op == "$ne":
            same = or_(
                and_(both["number"], a.number() == b.number()),
                and_(both["string"], a.text() == b.text()),
                and_(both["boolean"], a.boolean() == b.boolean()),
                and_(a.is_null(), b.is_null()),
            )
            return not_(same)
        return by_type

    def is_null(self, value: Value) -> SQL:
        if value.kind is Kind.JSON:
            assert value.place is not None
            return value.place.is_null()
        if value.kind is Kind.NULL:
            return true()
        assert value.sql is not None
        return value.sql.is_(None)

    def logical(self, op: str, args: list[Any], scope: Place | None, depth: int) -> Value:
        if op == "$not":
            (arg,) = _arity(op, args, 1)
            value = self.expr(arg, scope, depth)
            return _boolean(not_(known(self.as_boolean(value, op))), 1 + value.size)
        if len(args) < 2:
            raise bad(f"'{op}' needs at least two arguments.")
        values = [self.expr(arg, scope, depth) for arg in args]
        parts = [self.as_boolean(value, op) for value in values]
        size = 1 + sum(value.size for value in values)
        return _boolean(and_(*parts) if op == "$and" else or_(*parts), size)

    def arithmetic(self, op: str, args: list[Any], scope: Place | None, depth: int) -> Value:
        left, right = (self.as_number(self.expr(a, scope, depth), op) for a in _arity(op, args, 2))
        assert left.sql is not None and right.sql is not None
        sql = self.dialect.arithmetic(op, left.sql, right.sql)
        size = 1 + (4 if op == "$mod" else 1) * (left.size + right.size)
        return Value(Kind.NUMBER, sql=sql, exact=self.dialect.name == "sqlite", size=size)

    def array_place(self, op: str, arg: Any, scope: Place | None, depth: int) -> Value:
        value = self.expr(arg, scope, depth)
        if value.kind is not Kind.JSON:
            raise bad(f"the first argument of '{op}' must be an array, not a {value.kind.value}.")
        return value

    def _predicate(
        self, op: str, args: list[Any], scope: Place | None, depth: int
    ) -> tuple[FromClause, Place, SQL, int]:
        array, predicate = _arity(op, args, 2)
        found = self.array_place(op, array, scope, depth)
        assert found.place is not None
        table, element = found.place.elements()
        holds = self.expr(predicate, element, depth)
        size = 1 + found.size + holds.size
        return table, element, known(self.as_boolean(holds, op)), size

    def match(self, op: str, args: list[Any], scope: Place | None, depth: int) -> Value:
        table, _, holds, size = self._predicate(op, args, scope, depth)
        if op == "$any_match":
            return _boolean(exists(select(literal(1)).select_from(table).where(holds)), size)
        unmet = exists(select(literal(1)).select_from(table).where(not_(holds)))
        return _boolean(not_(unmet), size)

    def filter(self, op: str, args: list[Any], scope: Place | None, depth: int) -> Value:
        table, element, holds, size = self._predicate(op, args, scope, depth)
        place = self.dialect.array_of(table, element, holds)
        return Value(Kind.JSON, place=place, array=True, size=size)

    def aggregate(self, op: str, args: list[Any], scope: Place | None, depth: int) -> Value:
        (array,) = _arity(op, args, 1)
        found = self.array_place(op, array, scope, depth)
        assert found.place is not None
        size = 1 + found.size
        if op == "$size":
            return Value(Kind.NUMBER, sql=found.place.length(), size=size)
        table, element = found.place.elements()
        function = _AGGREGATES[op]
        query = select(function(element.number())).select_from(table).scalar_subquery()
        if op == "$sum":
            # Python's sum() of an empty array is 0; max() and min() of one have no value.
            summed = func.coalesce(query, self.dialect.number(0))
            return Value(Kind.NUMBER, sql=summed, size=size)
        return Value(Kind.NUMBER, sql=query, size=size)

    # ------------------------------------------------------------------ select


def _arity(op: str, args: list[Any], count: int) -> list[Any]:
    if len(args) != count:
        raise bad(f"'{op}' takes {count} argument{'s' if count > 1 else ''}, not {len(args)}.")
    return args


def _boolean(sql: SQL, size: int = 1) -> Value:
    return Value(Kind.BOOLEAN, sql=sql, size=size)


def known(sql: SQL) -> SQL:
    """A condition with null read as false (a predicate on a value of the wrong type)."""
    return func.coalesce(sql, false())


_SCALARS = ("number", "string", "boolean")

_COMPARE: dict[str, Callable[[SQL, SQL], SQL]] = {
    "$eq": lambda a, b: a.is_not_distinct_from(b),
    "$ne": lambda a, b: a.is_distinct_from(b),
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}


_AGGREGATES: dict[str, Callable[[SQL], SQL]] = {
    "$sum": func.sum,
    "$max": func.max,
    "$min": func.min,
}

_Handler = Callable[[Compiler, str, list[Any], Place | None, int], Value]
_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(COMPARISONS, Compiler.compare),
    **dict.fromkeys(LOGICAL, Compiler.logical),
    **dict.fromkeys(ARITHMETIC, Compiler.arithmetic),
    "$any_match": Compiler.match,
    "$all_match": Compiler.match,
    "$filter": Compiler.filter,
    "$size": Compiler.aggregate,
    "$sum": Compiler.aggregate,
    "$max": Compiler.aggregate,
    "$min": Compiler.aggregate,
}
