"""Sorted record pages: every record once, in the asked order, page after page, and the
order follows every change of a draft (it is kept in the read cache between pages)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.versions.test_http_errors import AUTH, SCHEMA, Api

ROWS = 300


def sort_value(row: dict[str, Any]) -> tuple[int, Any]:
    # The mock's order for mixed values: nulls first, then numbers, then strings.
    value = row["n"]
    return (0, 0) if value is None else (1, value)


def sorted_pages(api: Api, path: str, size: int, **query: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    total = len(api.ok("GET", path, limit=1000)["data"])
    for offset in range(0, ROWS + size, size):
        page = api.ok("GET", path, offset=offset, limit=size, **query)
        rows.extend(page["data"])
        assert page["total_count"] == total
    return rows


def expected(rows: dict[str, dict[str, Any]], descending: bool) -> list[dict[str, Any]]:
    """By n (desc or asc), ties by name descending, then by key."""
    ordered = sorted(rows.items(), key=lambda item: item[0])
    ordered.sort(key=lambda item: item[1]["name"], reverse=True)
    ordered.sort(key=lambda item: sort_value(item[1]), reverse=descending)
    return [{"__record_key": key, **row} for key, row in ordered]


@pytest.mark.parametrize("size", [7, 128])
def test_sorted_pages_follow_every_change_of_a_draft(app_client: TestClient, size: int) -> None:
    app_client.post("/v2/datasets", json={"name": "X"}, headers=AUTH)
    api = Api(app_client)
    rng = random.Random(size)
    api.ok("POST", "/drafts", {"title": "one"})
    api.ok("POST", "/drafts/1/sheets", {"name": "s", "schema": SCHEMA, "_avro_schema": "{}"})
    sent = [{"name": rng.choice("abc"), "n": rng.choice([None, *range(20)])} for _ in range(ROWS)]
    api.ok("POST", "/drafts/1/sheets/s/data", {"data": sent})
    path = "/drafts/1/sheets/s/data"
    stored = {row.pop("__record_key"): row for row in api.ok("GET", path, limit=1000)["data"]}
    for step in range(3):
        for descending in (True, False):
            order = "n:desc|name:desc" if descending else "n|name:desc"
            got = sorted_pages(api, path, size, order_by=order)
            assert got == expected(stored, descending), (step, descending)
        # Change the draft: the next sorted pages must show it.
        changed = rng.sample(sorted(stored), 20)
        values = {key: rng.randrange(-5, 30) for key in changed[:10]}
        api.ok("PATCH", path, {"data": [{"__record_key": k, "n": v} for k, v in values.items()]})
        for key, value in values.items():
            stored[key]["n"] = value
        api.ok("DELETE", path, {"record_keys": changed[10:]})
        for key in changed[10:]:
            del stored[key]
    # A commit's sorted pages, from the same draft.
    commit = api.ok("POST", "/commits", {"draft_number": 1, "title": "c"})["commit_id"]
    got = sorted_pages(api, f"/commits/{commit}/sheets/s/data", size, order_by="n:desc|name:desc")
    assert got == expected(stored, True)
