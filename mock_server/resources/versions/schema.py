"""Sheet schemas: the Portex YAML the SDK sends, parsed into field types rows are checked against.

What a row must satisfy: every field the schema names holds null or a value of the
field's type, one the SDK can read back into the type's Arrow array:

- int32: a JSON integer in [-2**31, 2**31 - 1]; int64: one in [-2**63, 2**63 - 1].
- date, time, timestamp, timedelta: an integer in their unit, in the range of the Arrow
  type the SDK reads them as: date is date32 (days, the int32 range); time is time32 for
  the units ``s`` and ``ms`` (int32 range) and time64 for ``us`` and ``ns`` (int64 range),
  and the narrower int32 range for any other unit; timestamp and timedelta are int64.
- float32, float64: a finite number; a float32 float no larger in magnitude than the
  largest float32 (3.4028234663852886e38). An integer must be one the float type holds
  exactly (|n| <= 2**24 for float32, 2**53 for float64), as Arrow converts no other.
- string and binary: a string; boolean: a boolean.
- enum: the index of one of its values (an integer, not a boolean, in [0, len(values)));
  the SDK sends and reads only the index, never the value itself.
- array: a list of the item type; record: an object of its fields.

Types brought in by ``imports`` (``file.Image``, ...) and any dotted name accept any value
without NaN or infinity in it. Field names are lower-cased, as the SDK reads them; keys a
row has beyond the schema are ignored.

Schema text is loaded by ``core.yamltext`` (JSON values only, within a node budget), at
creation and whenever it is read, so a stored schema always renders as JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mock_server.core import errors
from mock_server.core.yamltext import YamlTextError, load_json_values

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# The range of the Arrow type each integer type is read as (see the module docstring).
INTS = {"int32": INT32, "int64": INT64, "date": INT32, "timestamp": INT64, "timedelta": INT64}
TIME_UNITS = {"s": INT32, "ms": INT32, "us": INT64, "ns": INT64}
FLOAT32_MAX = 3.4028234663852886e38
# Per float type: the integers it holds exactly, and the largest magnitude of a float.
FLOATS = {
    "float32": ((-(2**24), 2**24), FLOAT32_MAX),
    "float64": ((-(2**53), 2**53), None),
}
STRINGS = {"string", "binary"}


@dataclass(frozen=True)
class FieldType:
    kind: str  # int, float, string, bool, enum, array, record, any
    name: str = ""  # the Portex type name, for messages
    items: FieldType | None = None
    fields: dict[str, FieldType] = field(default_factory=dict)
    # The smallest and largest integer a value may be (int, float and enum kinds).
    bounds: tuple[int, int] | None = None
    # The largest magnitude of a float value (float32), if any.
    magnitude: float | None = None


@dataclass(frozen=True)
class Schema:
    fields: dict[str, FieldType]
    # Per tuple of row keys, their scalar field types for ``conform_rows`` (filled on use).
    column_kinds: dict[tuple[Any, ...], list[FieldType] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.fields)


class SchemaError(ValueError):
    pass


def _type(node: Any, imported: frozenset[str], where: str) -> FieldType:
    if not isinstance(node, dict):
        raise SchemaError(f"{where}: a type must be a mapping")
    name = node.get("type")
    if not isinstance(name, str):
        raise SchemaError(f"{where}: 'type' must be a type name")
    if name in INTS:
        return FieldType("int", name, bounds=INTS[name])
    if name == "time":
        unit = node.get("unit")
        bounds = TIME_UNITS.get(unit, INT32) if isinstance(unit, str) else INT32
        return FieldType("int", name, bounds=bounds)
    if name in FLOATS:
        exact, magnitude = FLOATS[name]
        return FieldType("float", name, bounds=exact, magnitude=magnitude)
    if name in STRINGS:
        return FieldType("string", name)
    if name == "boolean":
        return FieldType("bool", name)
    if name == "enum":
        values = node.get("values")
        if not isinstance(values, list):
            raise SchemaError(f"{where}: an enum needs a list of 'values'")
        return FieldType("enum", name, bounds=(0, len(values) - 1))
    if name == "array":
        items = _type(node.get("items"), imported, f"{where}.items")
        return FieldType("array", name, items=items)
    if name == "record":
        return FieldType("record", name, fields=_fields(node.get("fields"), imported, where))
    if name in imported or "." in name:
        return FieldType("any", name)
    raise SchemaError(f"{where}: unknown type '{name}'")


def _fields(nodes: Any, imported: frozenset[str], where: str) -> dict[str, FieldType]:
    if not isinstance(nodes, list):
        raise SchemaError(f"{where}: a record needs a list of 'fields'")
    fields: dict[str, FieldType] = {}
    for index, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("name"), str) or not node["name"]:
            raise SchemaError(f"{where}.fields[{index}]: a field needs a 'name'")
        name = node["name"].lower()
        if name in fields or name == "__record_key":
            raise SchemaError(f"{where}: field '{name}' is declared twice or reserved")
        fields[name] = _type(node, imported, f"{where}.{name}")
    return fields


@lru_cache(maxsize=512)
def parse_schema(text: str) -> Schema:
    """The schema in ``text`` (Portex YAML, or JSON); ``InvalidParams`` if it is not one."""
    try:
        document = load_json_values(text)
    except YamlTextError as exc:
        raise errors.InvalidParams(
            f"The schema is not YAML or JSON the mock reads: {exc}."
        ) from None
    try:
        if not isinstance(document, dict) or document.get("type") != "record":
            raise SchemaError("a sheet's schema must be a mapping with 'type: record'")
        imported: set[str] = set()
        for entry in document.get("imports") or []:
            types = entry.get("types") if isinstance(entry, dict) else None
            for item in types or []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    imported.add(item["name"])
        return Schema(_fields(document.get("fields"), frozenset(imported), "schema"))
    except (SchemaError, RecursionError) as exc:
        raise errors.InvalidParams(f"The schema cannot be used: {exc}.") from None


def schema_as(text: str, schema_format: str | None) -> str:
    """The stored schema text, or its JSON rendering when ``schema_format`` is JSON."""
    if schema_format == "JSON":
        try:
            document = load_json_values(text)
        except YamlTextError as exc:
            # Only a schema stored before these rules can fail here: a 400, not a 500.
            raise errors.InvalidParams(f"The schema cannot be rendered as JSON: {exc}.") from None
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    return text


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere in ``value`` (JSON has no way to write them)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True


# The types a JSON value of each plain kind has; a float must also be finite, and a
# number within the kind's ``bounds`` and ``magnitude``.
PLAIN_TYPES: dict[str, frozenset[type]] = {
    "int": frozenset({int}),
    "enum": frozenset({int}),
    "float": frozenset({int, float}),
    "string": frozenset({str}),
    "bool": frozenset({bool}),
}


def _fits_all(values: Sequence[Any], kind: FieldType) -> bool:
    """Whether every one of ``values`` fits ``kind`` (None fits any kind).

    The one check of a value: a row's field is a column of one, a list's items and the
    SDK's rows (column by column) are checked in one pass.
    """
    plain = PLAIN_TYPES.get(kind.kind)
    if plain is None:
        return all(_fits_other(value, kind) for value in values)
    types = set(map(type, values))
    nullable = type(None) in types
    types.discard(type(None))
    if not types <= plain:
        return False
    if float in types:
        floats = values if types == {float} and not nullable else _of(values, float)
        if not all(map(math.isfinite, floats)):
            return False
        limit = kind.magnitude
        if limit is not None and (max(floats) > limit or min(floats) < -limit):
            return False
    if int in types and kind.bounds is not None:
        ints = values if types == {int} and not nullable else _of(values, int)
        low, high = kind.bounds
        return bool(low <= min(ints) and max(ints) <= high)
    return True


def _of(values: Sequence[Any], kind: type) -> list[Any]:
    return [value for value in values if type(value) is kind]


def _fits(value: Any, kind: FieldType) -> bool:
    return _fits_all((value,), kind)


def _fits_other(value: Any, kind: FieldType) -> bool:
    if value is None:
        return True
    if kind.kind == "any":
        return _finite(value)
    if kind.kind == "array":
        assert kind.items is not None
        return isinstance(value, list) and _fits_all(value, kind.items)
    if kind.kind == "record":
        if not isinstance(value, dict):
            return False
        lowered = {str(key).lower(): item for key, item in value.items()}
        return all(_fits(lowered.get(name), sub) for name, sub in kind.fields.items())
    return False


def _lower(value: Any, kind: FieldType) -> Any:
    if kind.kind == "record" and isinstance(value, dict):
        return {
            str(key).lower(): _lower(item, kind.fields.get(str(key).lower(), FieldType("any")))
            for key, item in value.items()
        }
    if kind.kind == "array" and isinstance(value, list) and kind.items is not None:
        return [_lower(item, kind.items) for item in value]
    return value


def conform(row: Any, schema: Schema, where: str) -> dict[str, Any]:
    """The schema's fields of ``row``, lower-cased and checked (``InvalidParams`` if unfit)."""
    if not isinstance(row, dict):
        raise errors.InvalidParams(f"{where} must be a JSON object.")
    kept: dict[str, Any] = {}
    for key, value in row.items():
        name = str(key).lower()
        kind = schema.fields.get(name)
        if kind is None:
            # The SDK sends stray top-level fields by design (per-column updates of nested
            # records): they are ignored, as the service does.
            continue
        if not _fits(value, kind):
            raise errors.InvalidParams(
                f"{where}: the value of '{name}' does not fit its type ({kind.name})."
            )
        if name in kept:
            raise errors.InvalidParams(f"{where}: two keys name the field '{name}'.")
        kept[name] = _lower(value, kind)
    return kept


def drop_unfit(rows: Sequence[dict[str, Any]], schema: Schema) -> None:
    """Take out of stored ``rows``, in place, the values that do not fit their field's type.

    Rows are checked when written, but a schema update may change a field's type since:
    a value of the old type then reads as null, as the value of a field new to the schema
    does. Column by column: a column that fits, the usual case, costs one check.
    """
    for name, kind in schema.fields.items():
        column = [row.get(name) for row in rows]
        if _fits_all(column, kind):
            continue
        for row, value in zip(rows, column, strict=True):
            if not _fits(value, kind):
                del row[name]


# Scalar kinds: a value that fits is stored as it came (``_lower`` leaves it unchanged).
SCALARS = {"int", "float", "string", "bool", "enum"}


def _scalar_kinds(schema: Schema, names: tuple[Any, ...]) -> list[FieldType] | None:
    """Per name, its field type, if every name is a lower-case scalar field; else None."""
    if names in schema.column_kinds:
        return schema.column_kinds[names]
    kinds: list[FieldType] | None = []
    for name in names:
        kind = schema.fields.get(name) if isinstance(name, str) else None
        if kinds is None or kind is None or kind.kind not in SCALARS or name != name.lower():
            kinds = None
        else:
            kinds.append(kind)
    if len(schema.column_kinds) < 64:
        schema.column_kinds[names] = kinds
    return kinds


def conform_rows(rows: Sequence[Any], schema: Schema, what: str = "Row") -> list[dict[str, Any]]:
    """``conform`` of every row (``InvalidParams`` naming the first unfit one).

    Rows that all have the same lower-case scalar fields of the schema (what the SDK
    sends) are checked column by column and kept as they are: ``conform`` would return
    each unchanged.
    """
    if rows and type(rows[0]) is dict:
        names = rows[0].keys()
        kinds = _scalar_kinds(schema, tuple(names))
        if kinds is not None and all(type(row) is dict and row.keys() == names for row in rows):
            fit = all(
                _fits_all([row[name] for row in rows], kind)
                for name, kind in zip(names, kinds, strict=True)
            )
            if fit:
                return list(rows)
    return [conform(row, schema, f"{what} {index}") for index, row in enumerate(rows)]
