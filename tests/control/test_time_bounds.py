"""The clock stays within what the wire format carries: years 1000 to 9999, UTC."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from mock_server import Settings
from tests.control.conftest import create

OUT_OF_RANGE: list[Any] = [
    {"set": "9999-12-31T23:59:59-01:00"},
    {"set": "0999-12-31T23:59:59Z"},
    {"set": "0500-06-01T00:00:00Z"},
    {"set": "0001-01-01T00:00:00+01:00"},
    {"advance": 1e20},
    {"advance": -1e20},
]


@pytest.mark.parametrize("change", OUT_OF_RANGE)
def test_a_clock_change_past_the_wire_format_is_a_400(client: TestClient, change: Any) -> None:
    client.post("/_mock/clock", json={"set": "2024-01-01T00:00:00Z"})
    answer = client.post("/_mock/clock", json=change)
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    assert client.get("/_mock/clock").json() == {"now": "2024-01-01T00:00:00Z", "frozen": True}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_an_advance_that_is_not_a_number_is_a_400(client: TestClient, literal: str) -> None:
    answer = client.post(
        "/_mock/clock",
        content=f'{{"advance": {literal}}}',
        headers={"Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")


def test_advancing_past_year_9999_is_a_400_and_the_edges_work(client: TestClient) -> None:
    last = client.post("/_mock/clock", json={"set": "9999-12-31T23:59:58Z"}).json()
    assert last["now"] == "9999-12-31T23:59:58Z"
    assert client.post("/_mock/clock", json={"advance": 1}).json()["now"] == "9999-12-31T23:59:59Z"
    assert client.post("/_mock/clock", json={"advance": 1}).status_code == 400
    assert client.get("/_mock/clock").json()["now"] == "9999-12-31T23:59:59Z"
    first = client.post("/_mock/clock", json={"set": "1000-01-01T00:00:00Z"}).json()
    assert first["now"] == "1000-01-01T00:00:00Z"
    assert create(client, "early")["created_at"] == "1000-01-01T00:00:00Z"
    assert client.get("/_mock/state").status_code == 200


@pytest.mark.parametrize(
    "field", [{"created_at": "0001-01-01T00:00:00+01:00"}, {"created_at": "0500-06-01T00:00:00Z"}]
)
def test_a_seed_time_past_the_wire_format_is_a_400(client: TestClient, field: Any) -> None:
    seed = {"datasets": [{"name": "old", "workspace": "w", **field}]}
    answer = client.post("/_mock/seed", json=seed)
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    assert "created_at" in answer.json()["message"]
    bad_option = {"options": {"frozen_time": "10000-01-01T00:00:00"}}
    assert client.post("/_mock/seed", json=bad_option).status_code == 400


def test_freeze_after_set_or_advance_stays_where_the_clock_is(client: TestClient) -> None:
    client.post("/_mock/clock", json={"set": "2024-05-01T08:00:00Z"})
    assert client.post("/_mock/clock", json={"freeze": True}).json() == {
        "now": "2024-05-01T08:00:00Z",
        "frozen": True,
    }
    client.post("/_mock/clock", json={"advance": 60})
    frozen = client.post("/_mock/clock", json={"freeze": True}).json()
    assert frozen == {"now": "2024-05-01T08:01:00Z", "frozen": True}
    # Advancing by 0 is a change like any other (it freezes a running clock).
    client.post("/_mock/clock", json={"unfreeze": True})
    assert client.post("/_mock/clock", json={"advance": 0}).json()["frozen"] is True


def test_a_start_up_time_past_the_wire_format_is_refused() -> None:
    with pytest.raises(ValidationError, match="outside 1000-01-01T00:00:00Z"):
        Settings(frozen_time="0500-01-01T00:00:00Z")
