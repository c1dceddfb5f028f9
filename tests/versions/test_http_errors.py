"""Raw HTTP: the error pairs of the version endpoints; a refused call writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

KEY = "ACCESSKEY-versionshttp0001"
AUTH = {"X-Token": KEY}
SCHEMA = "type: record\nfields:\n- name: name\n  type: string\n- name: n\n  type: int64\n"


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ws = client.get("/v2/current-workspace", headers=AUTH).json()["name"]
        self.base = f"/v2/datasets/{self.ws}/X"

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return self.client.request(
            method, self.base + path, json=body, params=params or None, headers=AUTH
        )

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.call(method, path, body, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self) -> Any:
        return self.client.get("/_mock/state").json()

    def add_rows_refused(self, sheet: str, rows: str) -> str:
        """POST ``rows`` (JSON text: Python's encoder writes no NaN) to a sheet of draft 2;
        asserts a 400 InvalidParamsValue that changed nothing, and answers its message."""
        before = self.state()
        response = self.client.post(
            f"{self.base}/drafts/2/sheets/{sheet}/data",
            content='{"data": ' + rows + "}",
            headers={**AUTH, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "InvalidParamsValue"
        assert self.state() == before
        return str(response.json()["message"])


def with_sheet(app_client: TestClient, sheet: str, schema: str, rows: list[Any]) -> Api:
    """Dataset X with open draft 1 holding ``sheet`` of ``schema`` with ``rows``."""
    app_client.post("/v2/datasets", json={"name": "X"}, headers=AUTH)
    api = Api(app_client)
    api.ok("POST", "/drafts", {"title": "one"})
    api.ok("POST", "/drafts/1/sheets", {"name": sheet, "schema": schema, "_avro_schema": "{}"})
    api.ok("POST", f"/drafts/1/sheets/{sheet}/data", {"data": rows})
    return api


def with_history(app_client: TestClient) -> Api:
    """Dataset X with one commit (sheet ``s``: two rows), branch ``main`` and open draft 2."""
    app_client.post("/v2/datasets", json={"name": "X"}, headers=AUTH)
    api = Api(app_client)
    api.ok("POST", "/drafts", {"title": "one"})
    api.ok("POST", "/drafts/1/sheets", {"name": "s", "schema": SCHEMA, "_avro_schema": "{}"})
    api.ok(
        "POST", "/drafts/1/sheets/s/data", {"data": [{"name": "a", "n": 1}, {"name": "b", "n": 2}]}
    )
    api.ok("POST", "/commits", {"draft_number": 1, "title": "c1"})
    api.ok("POST", "/drafts", {"title": "two"})
    return api


@pytest.fixture
def api(app_client: TestClient) -> Api:
    return with_history(app_client)


def keys(api: Api, path: str = "/drafts/2/sheets/s/data") -> list[str]:
    return [row["__record_key"] for row in api.ok("GET", path)["data"]]


def test_rows_keys_and_envelopes(api: Api) -> None:
    commit = api.ok("GET", "/revisions/main")["commit_id"]
    page = api.ok("GET", f"/commits/{commit}/sheets/s/data")
    assert page == {
        "data": [
            {"__record_key": "000000000000000001", "name": "a", "n": 1},
            {"__record_key": "000000000000000002", "name": "b", "n": 2},
        ],
        "offset": 0,
        "record_size": 2,
        "total_count": 2,
    }
    records = api.ok("GET", f"/commits/{commit}/sheets/s/records", columns="n", sort="n:desc")
    assert records["records"] == [
        {"__record_key": "000000000000000002", "n": 2},
        {"__record_key": "000000000000000001", "n": 1},
    ]
    # The draft starts from the commit, keys included; an update merges, extra fields are ignored.
    api.ok(
        "PATCH",
        "/drafts/2/sheets/s/data",
        {"data": [{"__record_key": keys(api)[0], "N": 5, "x": 1}]},
    )
    assert api.ok("GET", "/drafts/2/sheets/s/data")["data"][0] == {
        "__record_key": "000000000000000001",
        "name": "a",
        "n": 5,
    }
    sheet = api.ok("GET", "/drafts/2/sheets/s", with_record_count="True")
    assert (sheet["record_count"], sheet["schema"]) == (2, SCHEMA)


def test_empty_branch_has_parseable_fields(app_client: TestClient) -> None:
    app_client.post("/v2/datasets", json={"name": "X"}, headers=AUTH)
    api = Api(app_client)
    created_at = api.ok("GET", "")["created_at"]
    assert api.ok("GET", "/branches/main") == {
        "name": "main",
        "commit_id": None,
        "parent_commit_id": None,
        "title": "",
        "description": "",
        "committer": "",
        "committed_at": created_at,
    }
    assert api.ok("GET", "/revisions/main")["type"] == "BRANCH"
    assert api.ok("GET", "/commits", revision="main")["commits"] == []


ERRORS = [
    # (method, path, body, status, code)
    ("POST", "/drafts/9/sheets/s/data", {"data": [{"name": "z"}]}, 404, "ResourceNotExist"),
    ("POST", "/drafts/2/sheets/nope/data", {"data": [{"name": "z"}]}, 404, "ResourceNotExist"),
    ("POST", "/drafts/1/sheets/s/data", {"data": [{"name": "z"}]}, 403, "Forbidden"),
    ("POST", "/drafts/2/sheets/s/data", {"data": [{"name": 5}]}, 400, "InvalidParamsValue"),
    (
        "POST",
        "/drafts/2/sheets/s/data",
        {"data": [{"name": "ok"}, "not a row"]},
        400,
        "InvalidParamsValue",
    ),
    (
        "PATCH",
        "/drafts/2/sheets/s/data",
        {"data": [{"__record_key": "000000000000000009", "n": 1}]},
        404,
        "ResourceNotExist",
    ),
    (
        "PATCH",
        "/drafts/2/sheets/s/data",
        {"data": [{"__record_key": None, "n": 1}]},
        400,
        "InvalidParamsValue",
    ),
    (
        "DELETE",
        "/drafts/2/sheets/s/data",
        {"record_keys": ["000000000000000001", "000000000000000042"]},
        404,
        "ResourceNotExist",
    ),
    (
        "POST",
        "/drafts/2/sheets",
        {"name": "s", "schema": SCHEMA, "_avro_schema": ""},
        409,
        "NameConflict",
    ),
    (
        "POST",
        "/drafts/2/sheets",
        {"name": "t", "schema": "type: [", "_avro_schema": ""},
        400,
        "InvalidParamsValue",
    ),
    (
        "POST",
        "/drafts/2/sheets",
        {
            "name": "t",
            "schema": "type: record\nfields:\n- name: a\n  type: nonsense\n",
            "_avro_schema": "",
        },
        400,
        "InvalidParamsValue",
    ),
    (
        "PATCH",
        "/drafts/2/sheets/s/schema",
        {"_schema": "fields: 3", "_avro_schema": ""},
        400,
        "InvalidParamsValue",
    ),
    ("DELETE", "/drafts/2/sheets/nope", None, 404, "ResourceNotExist"),
    ("DELETE", "/drafts/1/sheets/s", None, 403, "Forbidden"),
    ("POST", "/branches", {"name": "main", "revision": "main"}, 409, "NameConflict"),
    ("POST", "/tags", {"name": "main", "revision": "main"}, 409, "NameConflict"),
    ("POST", "/branches", {"name": "dev", "revision": "nope"}, 404, "ResourceNotExist"),
    ("DELETE", "/branches/main", None, 403, "Forbidden"),
    ("DELETE", "/branches/nope", None, 404, "ResourceNotExist"),
    ("DELETE", "/tags/nope", None, 404, "ResourceNotExist"),
    ("GET", "/tags/nope", None, 404, "ResourceNotExist"),
    ("GET", "/revisions/nope", None, 404, "ResourceNotExist"),
    ("GET", "/commits/0123456789abcdef0123456789abcdef", None, 404, "ResourceNotExist"),
    ("POST", "/commits", {"draft_number": 1, "title": "again"}, 403, "Forbidden"),
    ("POST", "/commits", {"draft_number": 7, "title": "none"}, 404, "ResourceNotExist"),
    ("POST", "/drafts", {"title": "t", "branch": "nope"}, 404, "ResourceNotExist"),
    ("PATCH", "/drafts/1", {"title": "late"}, 403, "Forbidden"),
    ("PATCH", "/drafts/2", {"state": "COMMITTED"}, 400, "InvalidParamsValue"),
    ("GET", "/drafts", None, 200, None),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), ERRORS)
def test_refused_calls_answer_the_pair_and_change_nothing(
    api: Api, method: str, path: str, body: Any, status: int, code: str | None
) -> None:
    before = api.state()
    response = api.call(method, path, body)
    assert response.status_code == status, response.text
    if code is not None:
        assert set(response.json()) == {"code", "message"}
        assert response.json()["code"] == code
        assert api.state() == before


def test_a_draft_on_a_moved_branch_is_not_committed(api: Api) -> None:
    api.ok("POST", "/drafts", {"title": "three"})
    api.ok("POST", "/commits", {"draft_number": 2, "title": "c2"})
    before = api.state()
    response = api.call("POST", "/commits", {"draft_number": 3, "title": "c3"})
    assert (response.status_code, response.json()["code"]) == (409, "NameConflict")
    assert api.state() == before


def test_commit_moves_the_dataset_head_only_on_the_default_branch(api: Api) -> None:
    head = api.ok("GET", "")["commit_id"]
    api.ok("POST", "/branches", {"name": "dev", "revision": head})
    api.ok("POST", "/drafts", {"title": "dev work", "branch": "dev"})
    moved = api.ok("POST", "/commits", {"draft_number": 3, "title": "on dev"})
    assert api.ok("GET", "")["commit_id"] == head
    assert api.ok("GET", "/branches/dev")["commit_id"] == moved["commit_id"]
    committed = api.ok("POST", "/commits", {"draft_number": 2, "title": "on main"})
    assert api.ok("GET", "")["commit_id"] == committed["commit_id"]
    assert committed["parent_commit_id"] == head


def test_state_export_round_trips_history(api: Api) -> None:
    exported = api.state()
    assert exported["versions"][0]["commits"][0]["sheets"][0]["records"][1] == {
        "__record_key": "000000000000000002",
        "name": "b",
        "n": 2,
    }
    response = api.client.post("/_mock/seed?replace=true", json=exported)
    assert response.status_code == 200, response.text
    assert api.state() == exported
    assert keys(api) == ["000000000000000001", "000000000000000002"]


FLOATS = "type: record\nfields:\n- name: x\n  type: float64\n- name: n\n  type: int64\n"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_float_is_refused_and_changes_nothing(api: Api, bad: str) -> None:
    api.ok("POST", "/drafts/2/sheets", {"name": "f", "schema": FLOATS, "_avro_schema": "{}"})
    # Rows of one shape (checked column by column) and of mixed shapes (row by row).
    for rows in (
        f'[{{"x": 1.5, "n": 1}}, {{"x": {bad}, "n": 2}}]',
        f'[{{"x": 1.5}}, {{"n": 2, "x": {bad}}}]',
    ):
        assert "Row 1" in api.add_rows_refused("f", rows)


def test_rows_of_one_shape_are_checked_each_and_stored_as_sent(api: Api) -> None:
    api.ok("POST", "/drafts/2/sheets", {"name": "f", "schema": FLOATS, "_avro_schema": "{}"})
    before = api.state()
    rows: list[dict[str, Any]] = [{"x": i / 7, "n": i} for i in range(50)]
    rows[37] = {"x": 1.0, "n": 2.5}
    response = api.call("POST", "/drafts/2/sheets/f/data", {"data": rows})
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("Row 37:")
    assert api.state() == before
    # Integers at the int64 edges, nulls, ints in a float field; names are lower-cased.
    rows[37] = {"x": None, "n": 2**63 - 1}
    rows[38] = {"x": 3, "n": -(2**63)}
    rows[39] = {"X": 0.5, "N": None}
    api.ok("POST", "/drafts/2/sheets/f/data", {"data": rows})
    stored = api.ok("GET", "/drafts/2/sheets/f/data", limit=100)["data"]
    assert [{k: v for k, v in row.items() if k != "__record_key"} for row in stored] == [
        {"x": row.get("x", row.get("X")), "n": row.get("n", row.get("N"))} for row in rows
    ]


KINDS = (
    "type: record\nfields:\n- name: x\n  type: float64\n- name: n\n  type: int64\n"
    "- name: flags\n  type: array\n  items:\n    type: boolean\n"
    "- name: xs\n  type: array\n  items:\n    type: float64\n"
)


@pytest.mark.parametrize(
    ("rows", "bad_row"),
    [
        # Checked column by column (one shape): a boolean is not an int64.
        ('[{"x": 1.5, "n": 1}, {"x": 2.5, "n": true}]', 1),
        # A float column with nulls and a NaN among them.
        ('[{"x": null, "n": 1}, {"x": 2.5, "n": 2}, {"x": NaN, "n": 3}]', 2),
        # A string in a float column, after ints.
        ('[{"x": 1, "n": 1}, {"x": "2", "n": 2}]', 1),
        # The items of a list: an int among booleans, an infinity among floats.
        ('[{"flags": [true, false]}, {"flags": [true, 1]}]', 1),
        ('[{"xs": [1.5, 2]}, {"xs": [null, 1.0, -Infinity]}]', 1),
        # A list where a list of floats is due.
        ('[{"xs": [1.5]}, {"xs": 1.5}]', 1),
        # Not an object at all.
        ('[{"n": 1}, "n"]', 1),
        ("[[1]]", 0),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_by_row(api: Api, rows: str, bad_row: int) -> None:
    api.ok("POST", "/drafts/2/sheets", {"name": "k", "schema": KINDS, "_avro_schema": "{}"})
    message = api.add_rows_refused("k", rows)
    assert message.split()[:2] == ["Row", f"{bad_row}:"] or (
        message == f"Row {bad_row} must be a JSON object."
    )


def test_values_of_every_kind_are_kept_as_sent(api: Api) -> None:
    api.ok("POST", "/drafts/2/sheets", {"name": "k", "schema": KINDS, "_avro_schema": "{}"})
    rows = [
        {"x": 1, "n": 2**63 - 1, "flags": [True, False], "xs": [1, 2.5, None]},
        {"x": None, "n": None, "flags": [], "xs": None},
        {"x": -0.0, "n": -5, "flags": None, "xs": [1e300]},
    ]
    api.ok("POST", "/drafts/2/sheets/k/data", {"data": rows})
    stored = api.ok("GET", "/drafts/2/sheets/k/data")["data"]
    assert [{k: v for k, v in row.items() if k != "__record_key"} for row in stored] == rows


def test_a_lone_surrogate_in_a_row_is_refused(api: Api) -> None:
    # Valid JSON to Python's parser, but no text a database keeps: a 400, not a 500.
    message = api.add_rows_refused("s", '[{"name": "a", "n": 1}, {"name": "b\\ud800", "n": 2}]')
    assert message == "The request body is not valid JSON."
