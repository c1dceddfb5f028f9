"""A schema update keeps the rows, read through the new schema: a value the new type does
not hold reads as null, as a new field's does, everywhere a row is read."""

from __future__ import annotations

from typing import Any

import graviti
import pytest
import requests
from fastapi.testclient import TestClient

from mock_server import mock_graviti
from tests.versions.test_http_errors import Api, with_sheet

BEFORE = """type: record
fields:
- {name: a, type: int64}
- {name: n, type: int64}
- {name: box, type: record, fields: [{name: x, type: float64}]}
"""
RETYPED = """type: record
fields:
- {name: a, type: string}
- {name: n, type: int64}
"""
READDED = RETYPED + "- {name: box, type: int64}\n"


@pytest.fixture
def api(app_client: TestClient) -> Api:
    """Dataset X, open draft 1, sheet ``s`` of BEFORE with two rows."""
    rows = [{"a": 1, "n": 10, "box": {"x": 1.5}}, {"a": 2, "n": 20, "box": None}]
    return with_sheet(app_client, "s", BEFORE, rows)


def data(api: Api, path: str = "/drafts/1/sheets/s/data", **params: Any) -> list[Any]:
    return [
        {k: v for k, v in row.items() if k != "__record_key"}
        for row in api.ok("GET", path, **params)["data"]
    ]


def update_schema(api: Api, schema: str) -> None:
    body = {"_schema": schema, "_avro_schema": "{}"}
    api.ok("PATCH", "/drafts/1/sheets/s/schema", body)


def test_a_retyped_field_reads_null_until_written(api: Api) -> None:
    update_schema(api, RETYPED)
    assert data(api) == [{"a": None, "n": 10}, {"a": None, "n": 20}]
    # A merge into an old row does not bring the old value back; a new value shows.
    api.ok(
        "PATCH",
        "/drafts/1/sheets/s/data",
        {"data": [{"__record_key": "000000000000000001", "n": 11}]},
    )
    api.ok("POST", "/drafts/1/sheets/s/data", {"data": [{"a": "three", "n": 30}]})
    assert data(api) == [{"a": None, "n": 11}, {"a": None, "n": 20}, {"a": "three", "n": 30}]
    assert data(api, order_by="a:desc", columns="a|n") == [
        {"a": "three", "n": 30},
        {"a": None, "n": 11},
        {"a": None, "n": 20},
    ]


def test_a_field_removed_and_added_back_as_another_type_reads_null(api: Api) -> None:
    update_schema(api, RETYPED)
    update_schema(api, READDED)
    assert [row["box"] for row in data(api)] == [None, None]
    api.ok("POST", "/commits", {"draft_number": 1, "title": "c"})
    head = api.ok("GET", "")["commit_id"]
    assert [row["box"] for row in data(api, f"/commits/{head}/sheets/s/data")] == [None, None]


def test_the_exported_state_seeds_back_after_a_retype(api: Api) -> None:
    update_schema(api, RETYPED)
    exported = api.state()
    records = exported["versions"][0]["drafts"][0]["sheets"][0]["records"]
    assert [record.get("a") for record in records] == [None, None]
    api.client.post("/_mock/reset", json={"to": "empty"})
    seeded = api.client.post("/_mock/seed", json=exported)
    assert seeded.status_code == 200, seeded.text
    assert data(api) == [{"a": None, "n": 10}, {"a": None, "n": 20}]


def test_the_sdk_reads_a_commit_made_after_a_retype() -> None:
    key = "ACCESSKEY-schemaupdates01"
    with mock_graviti():
        session = requests.Session()
        session.headers["X-Token"] = key
        root = "https://api.graviti.com/v2"
        ws = session.get(f"{root}/current-workspace").json()["name"]
        base = f"{root}/datasets/{ws}/Retyped"
        session.post(f"{root}/datasets", json={"name": "Retyped"}).raise_for_status()
        session.post(f"{base}/drafts", json={"title": "one"}).raise_for_status()
        sheet = {"name": "s", "schema": BEFORE, "_avro_schema": "{}"}
        session.post(f"{base}/drafts/1/sheets", json=sheet).raise_for_status()
        rows = {"data": [{"a": 1, "n": 10, "box": {"x": 1.5}}]}
        session.post(f"{base}/drafts/1/sheets/s/data", json=rows).raise_for_status()
        retyped = {"_schema": READDED, "_avro_schema": "{}"}
        session.patch(f"{base}/drafts/1/sheets/s/schema", json=retyped).raise_for_status()
        session.post(f"{base}/commits", json={"draft_number": 1, "title": "c"}).raise_for_status()

        dataset = graviti.Workspace(key).datasets.get("Retyped")
        assert dataset["s"].to_pylist() == [{"a": None, "n": 10, "box": None}]
