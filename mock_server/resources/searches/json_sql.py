"""JSON access in SQL, for SQLite and PostgreSQL: what the criteria compiler builds on.

A ``Place`` is a JSON value inside a row (the row itself, a field of it, an element of
one of its arrays). It answers its JSON type, and its value as a number, a string or a
boolean, each NULL when the value has another type (so that a comparison of a string
field with a number is false on both databases rather than an error on one). ``out`` is
its JSON text, exactly as stored, for answers.

SQLite reads JSON text with ``json_extract``/``json_type``/``->``; PostgreSQL casts the
text column to ``jsonb`` and uses ``->``, ``jsonb_typeof`` and casts. Numbers read from
rows are exact on PostgreSQL (``numeric``) and SQLite's own integers or doubles there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    FromClause,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by

SQL = ColumnElement[Any]
# SQLite's json_type names, by JSON type.
_SQLITE_TYPES = {
    "number": ("integer", "real"),
    "string": ("text",),
    "boolean": ("true", "false"),
    "array": ("array",),
    "object": ("object",),
    "null": ("null",),
}


def _quoted(name: str) -> str:
    return '"' + name + '"'


class Place:
    """A JSON value inside a row; see the module docstring."""

    def typeof(self) -> SQL:
        raise NotImplementedError

    def is_type(self, kind: str) -> SQL:
        raise NotImplementedError

    def number(self) -> SQL:
        raise NotImplementedError

    def text(self) -> SQL:
        raise NotImplementedError

    def boolean(self) -> SQL:
        raise NotImplementedError

    def is_null(self) -> SQL:
        """Whether the value is JSON null or missing."""
        raise NotImplementedError

    def out(self) -> SQL:
        raise NotImplementedError

    def field(self, name: str) -> Place:
        raise NotImplementedError

    def elements(self) -> tuple[FromClause, Place]:
        """The array's elements as a table (none unless it is an array), and one element."""
        raise NotImplementedError

    def length(self) -> SQL:
        raise NotImplementedError


# ---------------------------------------------------------------------------- SQLite


class SqlitePlace(Place):
    """The value at JSON path ``path`` of the JSON text ``doc``."""

    def __init__(self, doc: SQL, path: str) -> None:
        self.doc = doc
        self.path = path

    def typeof(self) -> SQL:
        return func.json_type(self.doc, self.path)

    def is_type(self, kind: str) -> SQL:
        return self.typeof().in_(_SQLITE_TYPES[kind])

    def _value(self) -> SQL:
        return func.json_extract(self.doc, self.path)

    def number(self) -> SQL:
        return case((self.is_type("number"), self._value()))

    def text(self) -> SQL:
        return case((self.is_type("string"), self._value()))

    def boolean(self) -> SQL:
        kind = self.typeof()
        return case((kind == "true", true()), (kind == "false", false()))

    def is_null(self) -> SQL:
        return self._value().is_(None)

    def out(self) -> SQL:
        return self.doc.op("->", return_type=String)(self.path)

    def field(self, name: str) -> Place:
        return SqlitePlace(self.doc, f"{self.path}.{_quoted(name)}")

    def elements(self) -> tuple[FromClause, Place]:
        array = case((self.is_type("array"), self.out()), else_=literal("[]"))
        table = func.json_each(array).table_valued("type", "value", "fullkey", name="e")
        return table, SqliteElement(array, table)

    def length(self) -> SQL:
        return case((self.is_type("array"), func.json_array_length(self.doc, self.path)))


class SqliteElement(Place):
    """One element of ``json_each(array)``: read from its columns, without parsing again."""

    def __init__(self, array: SQL, table: FromClause) -> None:
        self.array = array
        self.table = table

    def typeof(self) -> SQL:
        return self.table.c.type

    def is_type(self, kind: str) -> SQL:
        return self.typeof().in_(_SQLITE_TYPES[kind])

    def number(self) -> SQL:
        return case((self.is_type("number"), self.table.c.value))

    def text(self) -> SQL:
        return case((self.is_type("string"), self.table.c.value))

    def boolean(self) -> SQL:
        kind = self.typeof()
        return case((kind == "true", true()), (kind == "false", false()))

    def is_null(self) -> SQL:
        return self.typeof() == "null"

    def out(self) -> SQL:
        # The element's own text: json_each's value column rounds doubles to 15 digits.
        return self.array.op("->", return_type=String)(self.table.c.fullkey)

    def field(self, name: str) -> Place:
        return SqlitePlace(case((self.is_type("object"), self.table.c.value)), f"$.{_quoted(name)}")

    def elements(self) -> tuple[FromClause, Place]:
        return SqlitePlace(self.out(), "$").elements()

    def length(self) -> SQL:
        return case((self.is_type("array"), func.json_array_length(self.table.c.value)))


# ---------------------------------------------------------------------------- PostgreSQL

_EMPTY_ARRAY: SQL = literal_column("'[]'::jsonb")
_WHOLE: SQL = literal_column("'{}'::text[]")


class PostgresPlace(Place):
    """A ``jsonb`` expression."""

    def __init__(self, value: SQL) -> None:
        self.value = value

    def typeof(self) -> SQL:
        return func.jsonb_typeof(self.value)

    def is_type(self, kind: str) -> SQL:
        return self.typeof() == kind

    def number(self) -> SQL:
        return case((self.is_type("number"), cast(self.value, Numeric)))

    def text(self) -> SQL:
        unquoted = self.value.op("#>>", return_type=Text)(_WHOLE)
        return case((self.is_type("string"), unquoted))

    def boolean(self) -> SQL:
        return case((self.is_type("boolean"), cast(self.value, Boolean)))

    def is_null(self) -> SQL:
        return func.coalesce(self.typeof(), "null") == "null"

    def out(self) -> SQL:
        return cast(self.value, Text)

    def field(self, name: str) -> Place:
        return PostgresPlace(self.value.op("->", return_type=JSONB)(literal(name, Text)))

    def elements(self) -> tuple[FromClause, Place]:
        array = case((self.is_type("array"), self.value), else_=_EMPTY_ARRAY)
        table = func.jsonb_array_elements(array).table_valued(
            "value", with_ordinality="ordinality", name="e"
        )
        return table, PostgresPlace(type_coerce(table.c.value, JSONB))

    def length(self) -> SQL:
        return case((self.is_type("array"), func.jsonb_array_length(self.value)))


# ---------------------------------------------------------------------------- dialects


class JsonDialect:
    """What differs between the databases beyond reading JSON: literals, arithmetic, arrays."""

    name: str

    def root(self, column: SQL) -> Place:
        raise NotImplementedError

    def number(self, value: int | float) -> SQL:
        raise NotImplementedError

    def arithmetic(self, op: str, left: SQL, right: SQL) -> SQL:
        raise NotImplementedError

    def inexact(self, value: SQL) -> SQL:
        """A number as double precision, to compare with the result of arithmetic."""
        return value

    def text_order(self, value: SQL) -> SQL:
        """A string as compared: by code point, as Python compares."""
        return value

    def array_of(self, table: FromClause, element: Place, where: SQL) -> Place:
        """The elements of ``table`` for which ``where`` holds, in order, as a JSON array."""
        raise NotImplementedError

    def float_out(self, value: SQL) -> SQL:
        """The result of arithmetic as JSON text (integral doubles as integers)."""
        return value

    def decode_number(self, value: Any) -> Any:
        return value


class SqliteJson(JsonDialect):
    name = "sqlite"

    def root(self, column: SQL) -> Place:
        return SqlitePlace(column, "$")

    def number(self, value: int | float) -> SQL:
        return literal(value)

    def arithmetic(self, op: str, left: SQL, right: SQL) -> SQL:
        if op == "$div":
            return (left * 1.0) / func.nullif(right, 0)
        if op == "$mod":
            # Python's modulo takes the divisor's sign, as floor division does; SQLite's %
            # truncates, and is exact only on integers.
            divisor = func.nullif(right, 0)
            integers = and_(func.typeof(left) == "integer", func.typeof(right) == "integer")
            # -ceil(-x), not floor(x): SQLAlchemy replaces SQLite's floor() with Python's,
            # whose integers overflow SQLite's.
            floored = left - right * -func.ceil(-(left * 1.0 / divisor))
            return case((integers, ((left % divisor) + divisor) % divisor), else_=floored)
        if op == "$pow":
            return func.pow(left, right)
        return _BASIC[op](left, right)

    def array_of(self, table: FromClause, element: Place, where: SQL) -> Place:
        items = select(func.json_group_array(element.out())).select_from(table).where(where)
        return SqlitePlace(items.scalar_subquery(), "$")


class PostgresJson(JsonDialect):
    """Arithmetic in double precision, as Python computes with floats."""

    name = "postgresql"

    def root(self, column: SQL) -> Place:
        return PostgresPlace(cast(column, JSONB))

    def number(self, value: int | float) -> SQL:
        return cast(literal(repr(value), Text), Numeric)

    def arithmetic(self, op: str, left: SQL, right: SQL) -> SQL:
        a, b = cast(left, Float), cast(right, Float)
        if op == "$div":
            return a / func.nullif(b, 0)
        if op == "$mod":
            # Python's modulo takes the divisor's sign, as floor division does.
            return a - b * func.floor(a / func.nullif(b, 0))
        if op == "$pow":
            return func.power(a, b)
        return _BASIC[op](a, b)

    def inexact(self, value: SQL) -> SQL:
        return cast(value, Float)

    def text_order(self, value: SQL) -> SQL:
        return value.collate("C")

    def array_of(self, table: FromClause, element: Place, where: SQL) -> Place:
        assert isinstance(element, PostgresPlace)
        items = func.jsonb_agg(aggregate_order_by(element.value, table.c.ordinality))
        query = select(func.coalesce(items, _EMPTY_ARRAY)).select_from(table).where(where)
        return PostgresPlace(query.scalar_subquery())

    def float_out(self, value: SQL) -> SQL:
        return cast(func.to_jsonb(value), Text)

    def decode_number(self, value: Any) -> Any:
        # numeric comes back as Decimal: an integer when it has no fraction digits.
        if value is None or isinstance(value, int | float):
            return value
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)


_BASIC: dict[str, Callable[[SQL, SQL], SQL]] = {
    "$add": lambda a, b: a + b,
    "$sub": lambda a, b: a - b,
    "$mult": lambda a, b: a * b,
}

DIALECTS: dict[str, JsonDialect] = {"sqlite": SqliteJson(), "postgresql": PostgresJson()}


def dialect_for(name: str) -> JsonDialect:
    return DIALECTS[name]


__all__ = ["DIALECTS", "SQL", "JsonDialect", "Place", "dialect_for"]
