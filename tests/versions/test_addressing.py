"""What a call may name inside a sheet: record keys, and nested columns to pick or sort by."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.versions.test_http_errors import Api, with_sheet

NESTED = """type: record
fields:
- name: a
  type: int64
- name: box
  type: record
  fields:
  - name: x
    type: float64
  - name: inner
    type: record
    fields:
    - name: z
      type: string
- name: tags
  type: array
  items:
    type: string
- name: objs
  type: array
  items:
    type: record
    fields:
    - name: c
      type: int64
"""
ROWS = [
    {"a": 2, "box": {"x": 1.5, "inner": {"z": "q"}}, "tags": ["t"], "objs": [{"c": 1}]},
    {"a": 1, "box": {"x": 0.5, "inner": {"z": "p"}}, "tags": [], "objs": []},
]


@pytest.fixture
def api(app_client: TestClient) -> Api:
    """Dataset X with open draft 1: sheet ``n`` (nested fields) with two rows."""
    return with_sheet(app_client, "n", NESTED, ROWS)


def refused(api: Api, method: str, path: str, body: object, status: int, code: str) -> str:
    before = api.state()
    response = api.call(method, path, body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert api.state() == before
    return str(response.json()["message"])


@pytest.mark.parametrize("key", ["1", "01", "0000000000000000001", "+1", " 000000000000000001"])
def test_a_key_string_that_is_not_a_key_names_no_record(api: Api, key: str) -> None:
    path = "/drafts/1/sheets/n/data"
    update = {"data": [{"__record_key": key, "a": 9}]}
    assert "No record with key" in refused(api, "PATCH", path, update, 404, "ResourceNotExist")
    refused(api, "DELETE", path, {"record_keys": [key]}, 404, "ResourceNotExist")
    records = "/drafts/1/sheets/n/records"
    refused(api, "DELETE", records, {"record_keys": [key]}, 404, "ResourceNotExist")


def test_a_key_that_is_not_a_string_is_refused(api: Api) -> None:
    update = {"data": [{"__record_key": 1, "a": 9}]}
    refused(api, "PATCH", "/drafts/1/sheets/n/data", update, 400, "InvalidParamsValue")


def test_the_full_key_still_names_its_record(api: Api) -> None:
    key = api.ok("GET", "/drafts/1/sheets/n/data")["data"][1]["__record_key"]
    assert key == "000000000000000002"
    api.ok("PATCH", "/drafts/1/sheets/n/data", {"data": [{"__record_key": key, "a": 7}]})
    assert api.ok("GET", "/drafts/1/sheets/n/data", columns="a")["data"][1]["a"] == 7


@pytest.mark.parametrize(
    ("columns", "picked"),
    [
        ("box.x", {"box": {"x": 1.5}}),
        ("box.inner.z", {"box": {"inner": {"z": "q"}}}),
        ("a|tags", {"a": 2, "tags": ["t"]}),
    ],
)
def test_nested_columns_through_records_are_picked(
    api: Api, columns: str, picked: dict[str, object]
) -> None:
    row = api.ok("GET", "/drafts/1/sheets/n/data", columns=columns)["data"][0]
    assert row == {"__record_key": "000000000000000001", **picked}


@pytest.mark.parametrize("column", ["box.nope", "a.x", "tags.x", "objs.c", "box.x.z", "box..x"])
def test_a_path_below_a_field_that_has_no_such_field_is_refused(api: Api, column: str) -> None:
    for envelope in ("data", "records"):
        response = api.call("GET", f"/drafts/1/sheets/n/{envelope}", columns=column)
        assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")
        assert column in response.json()["message"]


def test_sorting_by_a_nested_scalar_and_not_by_a_record_or_list(api: Api) -> None:
    page = api.ok("GET", "/drafts/1/sheets/n/records", sort="box.inner.z", columns="a")
    assert [row["a"] for row in page["records"]] == [1, 2]
    for column in ("box", "tags", "objs.c", "box.nope"):
        response = api.call("GET", "/drafts/1/sheets/n/records", sort=column)
        assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")
