"""Raw HTTP: a row holds only values the SDK reads back (ranges, float32, enum indexes), and a
schema is YAML that loads as JSON values within a size budget."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

KEY = "ACCESSKEY-valueranges001"
AUTH = {"X-Token": KEY}
FLOAT32_MAX = 3.4028234663852886e38

# One column per type; every row below names one of them.
SCHEMA = """\
type: record
fields:
- {name: i32, type: int32}
- {name: i64, type: int64}
- {name: day, type: date}
- {name: sec, type: time, unit: s}
- {name: nano, type: time, unit: ns}
- {name: ts, type: timestamp, unit: ms}
- {name: gap, type: timedelta, unit: ns}
- {name: f32, type: float32}
- {name: f64, type: float64}
- {name: e, type: enum, values: [x, y, z]}
- {name: e32, type: array, items: {type: int32}}
"""


class Sheet:
    """Sheet ``t`` (``SCHEMA``) of draft 1 of dataset X."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        client.post("/v2/datasets", json={"name": "X"}, headers=AUTH)
        ws = client.get("/v2/current-workspace", headers=AUTH).json()["name"]
        drafts = client.post(f"/v2/datasets/{ws}/X/drafts", json={"title": "one"}, headers=AUTH)
        assert drafts.status_code == 200, drafts.text
        self.base = f"/v2/datasets/{ws}/X/drafts/1/sheets"
        created = self.call("POST", "", {"name": "t", "schema": SCHEMA, "_avro_schema": "{}"})
        assert created.status_code == 200, created.text

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return self.client.request(
            method, self.base + path, json=body, params=params or None, headers=AUTH
        )

    def count(self, name: str = "t") -> int:
        detail = self.call("GET", f"/{name}", with_record_count=True)
        assert detail.status_code == 200, detail.text
        return int(detail.json()["record_count"])

    def add(self, rows: list[dict[str, Any]]) -> None:
        response = self.call("POST", "/t/data", {"data": rows})
        assert response.status_code == 200, response.text

    def refused(self, method: str, path: str, body: Any, name: str | None = "t") -> str:
        """Asserts the call is a Graviti 400 InvalidParamsValue that left the rows of sheet
        ``name`` as they were."""
        before = self.count(name) if name else None
        response = self.call(method, path, body)
        assert response.status_code == 400, response.text
        answer = response.json()
        assert set(answer) == {"code", "message"}
        assert answer["code"] == "InvalidParamsValue"
        if name:
            assert self.count(name) == before
        return str(answer["message"])


@pytest.fixture
def sheet(app_client: TestClient) -> Sheet:
    return Sheet(app_client)


EDGES = [
    ("i32", -(2**31), 2**31 - 1, [-(2**31) - 1, 2**31]),
    ("i64", -(2**63), 2**63 - 1, [-(2**63) - 1, 2**63, 10**30]),
    ("day", -(2**31), 2**31 - 1, [-(2**31) - 1, 2**31]),  # date32
    ("sec", -(2**31), 2**31 - 1, [-(2**31) - 1, 2**31]),  # time32 for s and ms
    ("nano", -(2**63), 2**63 - 1, [-(2**63) - 1, 2**63]),  # time64 for us and ns
    ("ts", -(2**63), 2**63 - 1, [-(2**63) - 1, 2**63, -(10**20)]),
    ("gap", -(2**63), 2**63 - 1, [-(2**63) - 1, 2**63]),
    ("f32", -(2**24), 2**24, [2**24 + 1, -(2**24) - 1]),  # integers float32 holds exactly
    ("f64", -(2**53), 2**53, [2**53 + 1]),
    ("e", 0, 2, [-1, 3]),
    ("f32", -FLOAT32_MAX, FLOAT32_MAX, [1e308, -1e308, 3.5e38]),
]


@pytest.mark.parametrize(("column", "low", "high", "outside"), EDGES)
def test_a_value_is_kept_up_to_the_edges_of_its_type_and_refused_past_them(
    sheet: Sheet, column: str, low: Any, high: Any, outside: list[Any]
) -> None:
    sheet.add([{column: low}, {column: high}])
    stored = sheet.call("GET", "/t/data").json()["data"]
    assert [row.get(column) for row in stored] == [low, high]
    for value in outside:
        # Alone, after a value that fits (the column-wise check), and after a null.
        for rows in ([{column: value}], [{column: high}, {column: value}]):
            message = sheet.refused("POST", "/t/data", {"data": rows})
            assert f"the value of '{column}' does not fit" in message
        sheet.refused("POST", "/t/data", {"data": [{column: None, "i32": 1}, {column: value}]})


def test_an_item_of_a_list_is_held_to_its_range(sheet: Sheet) -> None:
    sheet.add([{"e32": [2**31 - 1, None, -(2**31)]}])
    sheet.refused("POST", "/t/data", {"data": [{"e32": [1, 2**31]}]})


def test_an_update_is_held_to_the_range_too(sheet: Sheet) -> None:
    sheet.add([{"i32": 1}])
    key = sheet.call("GET", "/t/data").json()["data"][0]["__record_key"]
    sheet.refused("PATCH", "/t/data", {"data": [{"__record_key": key, "i32": 2**31}]})
    assert sheet.call("GET", "/t/data").json()["data"][0]["i32"] == 1


@pytest.mark.parametrize("value", ["y", "x", True, 1.0, [1]])
def test_an_enum_takes_its_index_never_its_value(sheet: Sheet, value: Any) -> None:
    message = sheet.refused("POST", "/t/data", {"data": [{"e": 0}, {"e": value}]})
    assert message == "Row 1: the value of 'e' does not fit its type (enum)."
    sheet.add([{"e": 1}, {"e": None}])
    assert [row["e"] for row in sheet.call("GET", "/t/data").json()["data"]] == [1, None]


def test_float32_takes_its_largest_finite_value(sheet: Sheet) -> None:
    sheet.add([{"f32": FLOAT32_MAX, "f64": 1e308}, {"f32": -FLOAT32_MAX, "f64": -1e308}])
    sheet.refused("POST", "/t/data", {"data": [{"f32": 1.5}, {"f32": None}, {"f32": 1e39}]})


DATED = "type: record\nfields:\n- name: e\n  type: enum\n  values: [2024-01-01, b]\n"


def test_a_schema_with_dates_renders_as_json(sheet: Sheet) -> None:
    assert sheet.call("POST", "", {"name": "d", "schema": DATED}).status_code == 200
    response = sheet.call("GET", "/d", schema_format="JSON")
    assert response.status_code == 200, response.text
    assert json.loads(response.json()["schema"]) == {
        "type": "record",
        "fields": [{"name": "e", "type": "enum", "values": ["2024-01-01", "b"]}],
    }
    # The stored text is kept as it came.
    assert sheet.call("GET", "/d").json()["schema"] == DATED


def laughs(levels: int) -> str:
    lines = ["type: record", "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    lines.append("fields:\n- {name: a, type: int32}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        (laughs(7), "larger than 100000 nodes once its aliases are expanded"),
        ("type: record\nfields: &f\n- {name: a, type: array, items: *f}\n", "larger than"),
        ("type: record\nfields: []\nx: !!binary aGk=\n", "the tag !!binary"),
        ("type: record\nfields: []\nx: !!set {a}\n", "the tag !!set"),
        ("type: record\nfields: []\nx: !!omap [a: 1]\n", "the tag !!omap"),
        ("type: record\nfields: []\nx: .nan\n", "JSON has no NaN or infinity"),
        ("type: record\nfields: []\nx: !!python/tuple [1]\n", "constructor"),
    ],
)
def test_a_schema_that_is_no_json_is_refused(sheet: Sheet, schema: str, problem: str) -> None:
    message = sheet.refused("POST", "", {"name": "b", "schema": schema}, name=None)
    assert message.startswith("The schema is not YAML or JSON the mock reads: ")
    assert problem in message
    assert sheet.call("GET", "/b").status_code == 404
    # A schema update is refused alike, and leaves the schema as it was.
    sheet.refused("PATCH", "/t/schema", {"_schema": schema})
    assert sheet.call("GET", "/t").json()["schema"] == SCHEMA


def test_a_schema_with_a_few_aliases_is_taken(sheet: Sheet) -> None:
    schema = (
        "type: record\nfields:\n"
        "- {name: a, type: array, items: &item {type: int32}}\n"
        "- {name: b, type: array, items: *item}\n"
        "- {name: c, type: record, fields: &pair [{name: x, type: int32}]}\n"
        "- {name: d, type: record, fields: *pair}\n"
    )
    assert sheet.call("POST", "", {"name": "a", "schema": schema}).status_code == 200
    rendered = json.loads(sheet.call("GET", "/a", schema_format="JSON").json()["schema"])
    assert rendered["fields"][1]["items"] == {"type": "int32"}
    added = sheet.call("POST", "/a/data", {"data": [{"b": [1], "d": {"x": 2}}]})
    assert added.status_code == 200, added.text
    sheet.refused("POST", "/a/data", {"data": [{"b": [2**31]}]}, name="a")


def test_two_keys_naming_one_field_are_refused(sheet: Sheet) -> None:
    sheet.add([{"i64": 1}])
    message = sheet.refused("POST", "/t/data", {"data": [{"i64": 7, "I64": 8}]})
    assert "two keys name the field 'i64'" in message
