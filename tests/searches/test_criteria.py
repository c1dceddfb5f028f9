"""The criteria engine on hand-written criteria: nulls, types, strings, select shapes, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert, select
from sqlalchemy.pool import StaticPool

from mock_server.core import errors
from mock_server.resources.searches.criteria import compile_criteria
from mock_server.resources.searches.json_sql import dialect_for
from mock_server.resources.searches.records import live_records
from tests.searches.engines import ROWS, RowTable

MIXED: list[dict[str, Any]] = [
    {"n": 1, "s": "a", "v": None, "t": [1, "x", None]},
    {"n": None, "s": "B", "v": "1", "t": []},
    {"n": 2.5, "s": "é", "v": 3, "t": [{"k": 1}]},
    {"s": "ab", "v": True, "t": "not an array"},
]


def keys(found: list[dict[str, Any]]) -> list[Any]:
    return [row["s"] for row in found]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"$eq": ["$.n", None]}, ["B", "ab"]),
        ({"$ne": ["$.n", None]}, ["a", "é"]),
        ({"$ne": ["$.n", 1]}, ["B", "é", "ab"]),
        ({"$gt": ["$.n", 0]}, ["a", "é"]),
        # A string is never a number: "1" > 0 is false, not an error.
        ({"$gt": ["$.v", 0]}, ["é"]),
        ({"$eq": ["$.v", "1"]}, ["B"]),
        ({"$eq": ["$.v", True]}, ["ab"]),
        ({"$lt": ["$.s", "b"]}, ["a", "B", "ab"]),
        ({"$gte": ["$.s", "ab"]}, ["é", "ab"]),
        ({"$eq": ["$.n", "$.v"]}, []),
        ({"$not": [{"$gt": ["$.n", 1]}]}, ["a", "B", "ab"]),
        (
            {"$or": [{"$eq": ["$.s", "a"]}, {"$eq": ["$.s", "ab"]}, {"$eq": ["$.n", 2.5]}]},
            ["a", "é", "ab"],
        ),
        ({"$any_match": ["$.t", {"$eq": ["$.", "x"]}]}, ["a"]),
        ({"$any_match": ["$.t", {"$eq": ["$.", None]}]}, ["a"]),
        ({"$any_match": ["$.t", {"$eq": ["$.k", 1]}]}, ["é"]),
        # An empty array, and a value that is not one, have no elements at all.
        ({"$all_match": ["$.t", {"$gt": ["$.", 0]}]}, ["B", "ab"]),
        ({"$eq": [{"$size": ["$.t"]}, None]}, ["ab"]),
        ({"$gt": [{"$add": ["$.n", "$.v"]}, 5]}, ["é"]),
        ({"$eq": [{"$div": ["$.n", 0]}, None]}, ["a", "B", "é", "ab"]),
    ],
)
def test_where(rows: RowTable, where: Any, expected: list[str]) -> None:
    rows.load(MIXED, ("n", "s", "v", "t"))
    assert keys(rows.search({"where": where})) == expected
    assert rows.count({"where": where}) == len(expected)


def test_rows_are_served_through_the_schema(rows: RowTable) -> None:
    rows.load(MIXED, ("s", "n", "new"))
    assert rows.search({}, offset=2, limit=5) == [
        {"s": "é", "n": 2.5, "new": None},
        {"s": "ab", "n": None, "new": None},
    ]


def test_select_shapes_rows(rows: RowTable) -> None:
    rows.load([{"a": {"b": 1, "c": [1, 2]}, "s": "x"}])
    found = rows.search(
        {
            "select": [
                "$.a.b",
                "$.S",
                {"d.e": {"$mult": ["$.a.b", 3]}},
                {"d.f": {"$filter": ["$.a.c", {"$gt": ["$.", 1]}]}},
                {"g": "$.a"},
                {"h": {"$eq": ["$.s", "x"]}},
                {"apply_result": "$.a.c"},
                {"lit": "text"},
            ]
        }
    )
    assert found == [
        {
            "a": {"b": 1},
            "s": "x",
            "d": {"e": 3, "f": [2]},
            "g": {"b": 1, "c": [1, 2]},
            "h": True,
            "apply_result": [[1, 2]],
            "lit": "text",
        }
    ]


@pytest.mark.parametrize(
    ("criteria", "named"),
    [
        ({"where": {"$regex": ["$.s", "a"]}}, "'$regex'"),
        ({"where": {"$in": ["$.s", ["a"]]}}, "'$in'"),
        ({"select": [{"x": {"$concat": ["$.s", "$.s"]}}]}, "'$concat'"),
        ({"where": {"$gt": ["$.n"]}}, "'$gt' takes 2 arguments"),
        ({"where": {"$gt": "$.n"}}, "'$gt' must be a list"),
        ({"where": {"$gt": ["$.s", None]}}, "cannot order null"),
        ({"where": {"$lt": ["a", 1]}}, "cannot order a string and a number"),
        ({"where": {"$add": ["a", 1]}}, "'$add' needs numbers"),
        ({"where": {"$and": [1, 2]}}, "'$and' needs booleans"),
        ({"where": {"$gt": ["$.", 1]}}, "outside of an array operator"),
        ({"where": {"$any_match": [1, True]}}, "must be an array"),
        ({"where": {"$eq": ["$..a", 1]}}, "not a valid path"),
        ({"where": {"$gt": ["$.n", 1], "$lt": ["$.n", 3]}}, "is not an expression"),
        ({"where": [1]}, "is not an expression"),
        ({"order_by": ["$.n"]}, "'order_by'"),
        ({"select": "$.n"}, "'select' must be a list"),
        ({"select": ["$.a", "$.a.b"]}, "conflicts"),
        ({"select": [3]}, "invalid column"),
        ([], "must be a JSON object"),
    ],
)
def test_refused_criteria_name_what_is_wrong(criteria: Any, named: str) -> None:
    with pytest.raises(errors.InvalidParams) as raised:
        compile_criteria(criteria, dialect_for("sqlite"), ROWS.c.data)
    assert named in raised.value.message
    assert raised.value.status_code == 400 and raised.value.code == "InvalidParamsValue"


def test_expressions_that_would_grow_without_bound_are_refused() -> None:
    node: Any = "$.n"
    for _ in range(20):
        node = {"$mod": [node, node]}
    with pytest.raises(errors.InvalidParams, match="too large"):
        compile_criteria({"where": {"$gt": [node, 1]}}, dialect_for("sqlite"), ROWS.c.data)


def test_live_records_of_a_layer_chain() -> None:
    """Each key's row is its newest layer's; a NULL row there deletes the key."""
    metadata = MetaData()
    layers = Table(
        "layer_rows",
        metadata,
        Column("snapshot_seq", Integer, primary_key=True),
        Column("rkey", Integer, primary_key=True),
        Column("data", Text, nullable=True),
    )
    engine = create_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(layers),
            [
                {"snapshot_seq": 1, "rkey": 1, "data": '{"v": "1 in layer 1"}'},
                {"snapshot_seq": 1, "rkey": 2, "data": '{"v": "2 in layer 1"}'},
                {"snapshot_seq": 1, "rkey": 3, "data": '{"v": "3 in layer 1"}'},
                {"snapshot_seq": 2, "rkey": 2, "data": '{"v": "2 in layer 2"}'},
                {"snapshot_seq": 2, "rkey": 3, "data": None},
                {"snapshot_seq": 2, "rkey": 4, "data": '{"v": "4 in layer 2"}'},
                {"snapshot_seq": 3, "rkey": 1, "data": '{"v": "1 in a sibling"}'},
            ],
        )
        records = live_records(layers, [2, 1])
        found = conn.execute(select(records).order_by(records.c.key)).all()
    assert [(key, data) for key, data in found] == [
        (1, '{"v": "1 in layer 1"}'),
        (2, '{"v": "2 in layer 2"}'),
        (4, '{"v": "4 in layer 2"}'),
    ]
