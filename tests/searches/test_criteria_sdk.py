"""The criteria engine against the SDK: ``df.query``/``df.apply`` online give the rows Python gives.

Each test runs the SDK's own ``DataFrame.query``/``DataFrame.apply`` under
``engine.online()``; the criteria the SDK builds go to the engine (in place of the
service), whose rows the SDK reads back with its own page reader. The expected rows
come from running the same lambda in Python over the SDK's own values of the rows
(``df.to_pylist()``): scalars are plain Python values, arrays a small stand-in with the
SDK's array methods.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import graviti.portex as pt
import pytest
from graviti import DataFrame, engine

from tests.searches.engines import RowTable, searchable

SCHEMA = pt.record(
    {
        "i": pt.int32(),
        "f": pt.float64(),
        "s": pt.string(),
        "b": pt.boolean(),
        "box": pt.record({"x": pt.int32(), "y": pt.float32()}),
        "tags": pt.array(pt.int64()),
        "objs": pt.array(pt.record({"w": pt.int32()})),
        "cat": pt.enum(["cat", "dog", "bird"]),
        "ts": pt.timestamp("ms"),
    }
)


def _row(
    i: int, f: float, s: str, b: bool, x: int, tags: list[int], ws: list[int], cat: str, day: int
) -> dict[str, Any]:
    return {
        "i": i, "f": f, "s": s, "b": b, "box": {"x": x, "y": x / 2},
        "tags": tags, "objs": [{"w": w} for w in ws], "cat": cat,
        "ts": datetime.datetime(2021, 1, day),
    }  # fmt: skip


ROWS = [
    _row(1, 1.1, "a", True, 1, [1, 5], [3], "dog", 1),
    _row(2, 2.5, "b", False, 0, [], [], "cat", 2),
    _row(-4, 0.1, "é", True, 7, [7, 2, 9], [0, 9], "bird", 3),
    _row(3, -3.75, "ab", False, -2, [4], [2, 2], "dog", 4),
    _row(0, 1e20, "", True, 3, [0, 0], [5], "cat", 5),
    _row(10, 7.0, "Zz", False, 10, [10], [1], "bird", 6),
]


class LocalArray:
    """An array field in Python, with the SDK's array operations (element-wise operators)."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def _map(self, func: Callable[[Any], Any]) -> LocalArray:
        return LocalArray([func(local(item)) for item in self.items])

    def __getitem__(self, key: str) -> LocalArray:
        return self._map(lambda item: item[key])

    def __gt__(self, other: Any) -> LocalArray:
        return self._map(lambda item: item > other)

    def __lt__(self, other: Any) -> LocalArray:
        return self._map(lambda item: item < other)

    def __eq__(self, other: Any) -> LocalArray:  # type: ignore[override]
        return self._map(lambda item: item == other)

    def __add__(self, other: Any) -> LocalArray:
        return self._map(lambda item: item + other)

    def any(self) -> bool:
        return any(self.items)

    def all(self) -> bool:
        return all(self.items)

    def size(self) -> int:
        return len(self.items)

    def sum(self) -> Any:
        return sum(self.items)

    def max(self) -> Any:
        return max(self.items) if self.items else NO_VALUE

    def min(self) -> Any:
        return min(self.items) if self.items else NO_VALUE

    def query(self, func: Callable[[Any], Any]) -> LocalArray:
        return LocalArray([item for item in self.items if func(local(item))])


class NoValue:
    """The max or min of an empty array: null on the service, so no comparison holds."""

    def _false(self, _other: Any) -> bool:
        return False

    __eq__ = __lt__ = __le__ = __gt__ = __ge__ = _false


NO_VALUE = NoValue()


class LocalRow(dict[str, Any]):
    def __getitem__(self, key: str) -> Any:
        return local(super().__getitem__(key))


def local(value: Any) -> Any:
    if isinstance(value, dict):
        return LocalRow(value)
    if isinstance(value, list):
        return LocalArray(value)
    return value


def plain(value: Any) -> Any:
    return value.items if isinstance(value, LocalArray) else value


@pytest.fixture
def sent() -> list[Any]:
    return []


@pytest.fixture
def df(rows: RowTable, sent: list[Any]) -> DataFrame:
    return searchable(rows, DataFrame(ROWS, schema=SCHEMA), sent)


QUERIES: dict[str, Callable[[Any], Any]] = {
    "gt": lambda x: x["i"] > 2,
    "and-ne": lambda x: (x["i"] >= 0) & (x["s"] != "b"),
    "or-eq-bool": lambda x: (x["f"] < 1.0) | (x["b"] == False),  # noqa: E712
    "lte-nested": lambda x: x["box"]["x"] <= 1,
    "eq-string-unicode": lambda x: x["s"] == "é",
    "eq-enum": lambda x: x["cat"] == "dog",
    "ne-enum": lambda x: x["cat"] != "bird",
    "gt-timestamp": lambda x: x["ts"] > datetime.datetime(2021, 1, 3),
    "lte-timestamp": lambda x: x["ts"] <= datetime.datetime(2021, 1, 2),
    "field-vs-field": lambda x: x["i"] < x["box"]["x"],
    "add-in-where": lambda x: x["i"] + x["box"]["x"] > 3,
    "mod": lambda x: x["i"] % 3 == 2,
    "pow": lambda x: x["i"] ** 2 >= 9,
    "float-arith-exact": lambda x: x["f"] * 3 == 3.3,
    "sub-mult-float": lambda x: x["f"] * 2 - 1 < 3,
    "big-float": lambda x: x["f"] > 1e19,
    "any": lambda x: (x["tags"] > 4).any(),
    "all-records": lambda x: (x["objs"]["w"] > 1).all(),
    "size": lambda x: x["tags"].size() >= 2,
    "sum": lambda x: x["tags"].sum() > 5,
    "max": lambda x: x["tags"].max() == 9,
    "min": lambda x: x["tags"].min() < 1,
}


@pytest.mark.parametrize("name", QUERIES)
def test_query_gives_the_rows_python_gives(df: DataFrame, sent: list[Any], name: str) -> None:
    func = QUERIES[name]
    expected = [
        row for row, values in zip(df.to_pylist(), ROWS, strict=True) if func(LocalRow(values))
    ]
    with engine.online():
        found = df.query(func)
    assert found.to_pylist() == expected
    assert len(sent) == 1 and "where" in sent[0]


def test_the_criteria_are_those_the_service_is_sent(df: DataFrame, sent: list[Any]) -> None:
    with engine.online():
        df.query(lambda x: (x["i"] > 1) & (x["cat"] == "dog"))
        df.apply(lambda x: x["i"] + 1)
    assert sent == [
        {"where": {"$and": [{"$gt": ["$.i", 1]}, {"$eq": ["$.cat", 1]}]}},
        {"select": [{"apply_result": {"$add": ["$.i", 1]}}]},
    ]


def test_a_query_of_a_query_ands_the_conditions(df: DataFrame, sent: list[Any], rows: RowTable):
    with engine.online():
        first = df.query(lambda x: x["i"] > 0)
        first.search_creator = df.search_creator
        second = first.query(lambda x: x["b"] == True)  # noqa: E712
    expected = [row for row in df.to_pylist() if row["i"] > 0 and row["b"]]
    assert second.to_pylist() == expected
    assert sent[1] == {"where": {"$and": [{"$gt": ["$.i", 0]}, {"$eq": ["$.b", True]}]}}


APPLIES: dict[str, Callable[[Any], Any]] = {
    "add": lambda x: x["i"] + 1,
    "float-mult": lambda x: x["f"] * 3,
    "sub-fields": lambda x: x["i"] - x["box"]["x"],
    "mixed-int-float": lambda x: x["box"]["x"] + x["f"],
    "mod-negative": lambda x: x["i"] % 3,
    "mod-float": lambda x: x["f"] % 2,
    "pow": lambda x: x["i"] ** 2,
    "comparison": lambda x: x["i"] > 2,
    "logical": lambda x: (x["i"] > 0) & (x["b"] == True),  # noqa: E712
    "nested": lambda x: x["box"]["x"] * 2 + 1,
    "filter-numbers": lambda x: x["tags"].query(lambda t: t > 2),
    "filter-records": lambda x: x["objs"].query(lambda o: o["w"] > 1),
    "sum": lambda x: x["tags"].sum(),
    "size": lambda x: x["tags"].size(),
}


@pytest.mark.parametrize("name", APPLIES)
def test_apply_gives_the_values_python_gives(df: DataFrame, sent: list[Any], name: str) -> None:
    func = APPLIES[name]
    with engine.online():
        found = df.apply(func).to_pylist()
    computed = [plain(func(LocalRow(values))) for values in ROWS]
    # The SDK types each row's result as an array: a filter is one, a scalar comes in one.
    expected = [value if isinstance(value, list) else [value] for value in computed]
    assert found == expected
    # Integers stay integers where Python keeps them so (the SDK reads them as int32/int64).
    assert [[type(item) for item in value] for value in found] == [
        [type(item) for item in value] for value in expected
    ]
    assert list(sent[0]) == ["select"]


def test_apply_on_a_query_keeps_the_where(df: DataFrame, sent: list[Any]) -> None:
    with engine.online():
        queried = df.query(lambda x: x["b"] == True)  # noqa: E712
        queried.search_creator = df.search_creator
        found = queried.apply(lambda x: x["i"] * 10).to_pylist()
    assert found == [[row["i"] * 10] for row in ROWS if row["b"]]
    assert sent[1] == {
        "where": {"$eq": ["$.b", True]},
        "select": [{"apply_result": {"$mult": ["$.i", 10]}}],
    }


def test_pages_of_a_long_result_are_read_in_order(rows: RowTable, sent: list[Any]) -> None:
    schema = pt.record({"n": pt.int64()})
    df = searchable(rows, DataFrame([{"n": n} for n in range(300)], schema=schema), sent)
    with engine.online():
        found = df.query(lambda x: x["n"] % 2 == 1)
        applied = df.apply(lambda x: x["n"] * 2)
    assert [row["n"] for row in found.to_pylist()] == list(range(1, 300, 2))
    assert applied.to_pylist() == [[n * 2] for n in range(300)]
