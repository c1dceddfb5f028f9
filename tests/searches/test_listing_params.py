"""A search listing's ``draft_number`` filter is a draft number written in plain digits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

AUTH = {"X-Token": "ACCESSKEY-draftfilter01"}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("draft_number=1", 200),
        ("", 200),
        ("draft_number=0.0", 400),
        ("draft_number=1e0", 400),
        ("draft_number=-1", 400),
        ("draft_number=0", 400),
        ("draft_number=2147483648", 400),
    ],
)
def test_the_draft_number_filter(app_client: TestClient, query: str, status: int) -> None:
    ws = app_client.get("/v2/current-workspace", headers=AUTH).json()["name"]
    app_client.post("/v2/datasets", json={"name": "N"}, headers=AUTH)
    answer = app_client.get(f"/v2/datasets/{ws}/N/searches?{query}", headers=AUTH)
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["code"] == "InvalidParamsValue"
    else:
        assert answer.json()["searches"] == []
