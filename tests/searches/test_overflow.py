"""Arithmetic that overflows, on SQLite and PostgreSQL: a Graviti 400, never a 500.

SQLite computes an infinity where PostgreSQL refuses the arithmetic; JSON carries
neither, so either way the records call answers 400 ``InvalidParamsValue``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.core import errors
from tests.searches.engines import RowTable

KEY = "ACCESSKEY-" + "ab" * 16
SCHEMA = "type: record\nfields: [{name: f, type: float64}]\n"
UNEVALUABLE = "The search criteria cannot be evaluated on these records: "


class Sheet:
    """Dataset ``DS`` with sheet ``s`` holding ``{"f": 1e308}``: a commit and a draft on it."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        workspace = self.call("GET", "/v2/current-workspace")["name"]
        self.base = f"/v2/datasets/{workspace}/DS"
        self.call("POST", "/v2/datasets", {"name": "DS", "with_draft": True})
        self.call("POST", f"{self.base}/drafts/1/sheets", {"name": "s", "schema": SCHEMA})
        self.call("POST", f"{self.base}/drafts/1/sheets/s/records", {"records": [{"f": 1e308}]})
        self.commit_id = self.call(
            "POST", f"{self.base}/commits", {"draft_number": 1, "title": "t"}
        )["commit_id"]
        # A draft on the commit: its search reads the draft's layers, not the commit's.
        self.draft = self.call("POST", f"{self.base}/drafts", {"title": "d"})["number"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.request(method, path, body)
        assert response.status_code == 200, response.text
        return response.json()

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = body if body is None or isinstance(body, str) else json.dumps(body)
        headers = {"X-Token": KEY, "Content-Type": "application/json"}
        return self.client.request(method, path, content=data, headers=headers)

    def bound(self, on: str) -> dict[str, Any]:
        return {"commit_id": self.commit_id} if on == "commit" else {"draft_number": self.draft}


@pytest.fixture(params=["sqlite", "postgresql"])
def sheet(request: pytest.FixtureRequest) -> Iterator[Sheet]:
    """The app on each database, emptied (``empty_mock`` is in-memory SQLite whatever its
    parameter says, and PostgreSQL refuses the arithmetic where SQLite does not)."""
    database = "sqlite://"
    if request.param == "postgresql":
        database = request.getfixturevalue("postgres_url")
    app = create_app(Settings(database=database))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert app.state.backend.db.dialect == request.param
        assert client.post("/_mock/reset").status_code == 200
        yield Sheet(client)


@pytest.mark.parametrize("on", ["draft", "commit"])
@pytest.mark.parametrize(
    "item",
    [
        {"m": {"$mult": ["$.f", 10]}},
        {"m": {"$pow": [10, 400]}},
        {"apply_result": {"$mult": ["$.f", 10]}},
    ],
    ids=["mult", "pow", "apply"],
)
def test_a_selected_overflow_answers_400_on_the_records_call(
    sheet: Sheet, on: str, item: dict[str, Any]
) -> None:
    body = {"sheet": "s", **sheet.bound(on), "criteria": {"select": [item]}}
    search = sheet.call("POST", f"{sheet.base}/searches", body)
    answered = sheet.request("GET", f"{sheet.base}/searches/{search['id']}/records")
    assert answered.status_code == 400
    assert answered.headers["content-type"] == "application/json"
    error = answered.json()
    assert set(error) == {"code", "message"} and error["code"] == "InvalidParamsValue"
    assert error["message"].startswith(UNEVALUABLE)
    # The count does not evaluate `select`; the search stays readable.
    counted = sheet.request("GET", f"{sheet.base}/searches/{search['id']}/record-count")
    assert counted.status_code == 200 and counted.text == "1"


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400", str(2**63)])
def test_a_number_literal_json_or_sqlite_cannot_hold_is_refused_at_create(
    sheet: Sheet, literal: str
) -> None:
    # The literal as a client may write it: json.dumps would not write 1e400.
    criteria = {"where": {"$gt": ["$.f", "N"]}, "select": [{"m": "N"}]}
    body = {"sheet": "s", "draft_number": sheet.draft, "criteria": criteria}
    raw = json.dumps(body).replace('"N"', literal)
    refused = sheet.request("POST", f"{sheet.base}/searches", raw)
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "InvalidParamsValue"
    assert "is out of range" in refused.json()["message"]
    assert sheet.call("GET", f"{sheet.base}/searches")["total_count"] == 0


ROW = {"f": 1e308, "a": [1e308, 1e308, 0.5]}


@pytest.mark.parametrize(
    "node",
    [
        {"$add": ["$.f", "$.f"]},
        {"$div": ["$.f", 1e-10]},
        {"$mod": ["$.f", 1e-300]},
        {"$pow": [0, -1]},
        {"$sum": ["$.a"]},
    ],
    ids=["add", "div", "mod", "pow-zero", "sum"],
)
def test_no_selected_value_is_infinite(rows: RowTable, node: dict[str, Any]) -> None:
    rows.load([ROW])
    with pytest.raises(errors.InvalidParams, match="cannot be evaluated on these records"):
        rows.search({"select": [{"m": node}]})


def test_a_division_by_zero_is_null_on_both_databases(rows: RowTable) -> None:
    rows.load([ROW])
    criteria = {"select": [{"d": {"$div": ["$.f", 0]}}, {"r": {"$mod": ["$.f", 0]}}]}
    assert rows.search(criteria) == [{"d": None, "r": None}]


def test_an_integer_sum_past_64_bits_is_never_a_500(rows: RowTable) -> None:
    # SQLite's sum() refuses it on the row it reaches, here past the first fetched rows.
    big = [2**62] * 3
    rows.load([{"a": [1]}] * 300 + [{"a": big}])
    criteria: dict[str, Any] = {"where": {"$gt": [{"$sum": ["$.a"]}, 0]}}
    selected: dict[str, Any] = {"select": [{"s": {"$sum": ["$.a"]}}]}
    if rows.dialect.name == "sqlite":
        with pytest.raises(errors.InvalidParams, match="integer overflow"):
            rows.count(criteria)
        with pytest.raises(errors.InvalidParams, match="integer overflow"):
            rows.search(selected, offset=200, limit=200)
    else:
        assert rows.count(criteria) == 301
        assert rows.search(selected, offset=300, limit=1) == [{"s": sum(big)}]
