"""Rows come back from the record store exactly as they were sent, on SQLite and PostgreSQL.

Appended rows go to the database as one JSON array that the database splits into
records; updated rows go one by one. Both must keep every value as the JSON it was:
strings with any characters, integers at the 64-bit edges, extreme floats, nested values.
"""

from __future__ import annotations

from typing import Any

import requests

from mock_server.inprocess import InProcessMock

KEY = "ACCESSKEY-storedtext00000001"
URL = "https://api.graviti.com"
AUTH = {"X-Token": KEY}
SCHEMA = (
    "type: record\nfields:\n"
    "- name: s\n  type: string\n"
    "- name: n\n  type: int64\n"
    "- name: x\n  type: float64\n"
    "- name: tags\n  type: array\n  items:\n    type: string\n"
    "- name: box\n  type: record\n  fields:\n  - name: w\n    type: float64\n"
    "  - name: note\n    type: string\n"
)
ROWS: list[dict[str, Any]] = [
    {"s": 'quote " backslash \\ slash / tab \t nl \n', "n": 2**63 - 1, "x": 5e-324},
    {"s": "é 中文 🚀 \u2028 \u0000 \u0001 \u007f", "n": -(2**63), "x": 1.7976931348623157e308},
    {"s": "", "n": 0, "x": -0.0, "tags": ["a", "é", ""], "box": {"w": 0.1, "note": "ü"}},
    {"s": None, "n": None, "x": None, "tags": None, "box": None},
    {"s": "x" * 5000, "n": -1, "x": 1e-7, "tags": [], "box": {"w": 2**53 - 1}},
]


def call(method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, URL + path, json=body, headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def stored(base: str, path: str) -> list[dict[str, Any]]:
    page = call("GET", f"{base}{path}?limit=100")["data"]
    return [{k: v for k, v in row.items() if k != "__record_key"} for row in page]


def full(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in ("s", "n", "x", "tags", "box")}


def same(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    """Equal, and with the same types and signs (0.0 == -0.0 == 0 in Python)."""
    return repr(got) == repr(expected)


def test_appended_and_updated_rows_read_back_as_sent(empty_mock: InProcessMock) -> None:
    assert empty_mock.active
    workspace = call("POST", "/v2/datasets", {"name": "T"})["workspace"]
    base = f"/v2/datasets/{workspace}/T"
    call("POST", f"{base}/drafts", {"title": "t"})
    call("POST", f"{base}/drafts/1/sheets", {"name": "s", "schema": SCHEMA, "_avro_schema": ""})
    call("POST", f"{base}/drafts/1/sheets/s/data", {"data": ROWS})
    call("POST", f"{base}/drafts/1/sheets/s/data", {"data": ROWS[::-1]})
    expected = [full(row) for row in ROWS + ROWS[::-1]]
    assert same(stored(base, "/drafts/1/sheets/s/data"), expected)
    commit = call("POST", f"{base}/commits", {"draft_number": 1, "title": "c"})["commit_id"]
    assert same(stored(base, f"/commits/{commit}/sheets/s/data"), expected)
    # Updates merge fields into rows; they are stored one by one.
    call("POST", f"{base}/drafts", {"title": "u"})
    keys = [row["__record_key"] for row in call("GET", f"{base}/drafts/2/sheets/s/data")["data"]]
    changes = [
        {"__record_key": key, "s": row["s"], "n": row["n"]}
        for key, row in zip(keys[:5], ROWS, strict=True)
    ]
    call("PATCH", f"{base}/drafts/2/sheets/s/data", {"data": changes[::-1]})
    assert same(stored(base, "/drafts/2/sheets/s/data"), expected)
