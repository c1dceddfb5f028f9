"""A NUL character is refused wherever text would reach the database, on SQLite and on
PostgreSQL alike (PostgreSQL text cannot hold one): a Graviti 404 or 400, never a 500, and
nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from mock_server import Settings, create_app
from mock_server.app import build_backend
from mock_server.core import errors

KEY = "ACCESSKEY-nulcharacter01"
AUTH = {"X-Token": KEY}
SCHEMA = "type: record\nfields: [{name: a, type: string}]\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    database = "sqlite://"
    if request.param == "postgresql":
        database = request.getfixturevalue("postgres_url")
    app = create_app(Settings(database=database))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.post("/_mock/reset", json={"to": "empty"})
        client.post("/v2/datasets", json={"name": "N"}, headers=AUTH)
        client.post(base(client) + "/drafts", json={"title": "open"}, headers=AUTH)
        sheet = {"name": "s", "schema": SCHEMA}
        client.post(base(client) + "/drafts/1/sheets", json=sheet, headers=AUTH)
        yield client


def base(client: TestClient) -> str:
    ws = client.get("/v2/current-workspace", headers=AUTH).json()["name"]
    return f"/v2/datasets/{ws}/N"


PATHS = [
    "/branches/a%00",
    "/tags/a%00",
    "/revisions/a%00",
    "/drafts/1/sheets/a%00",
    "/commits/a%00/sheets",
    "/searches/a%00",
    "/drafts/1/sheets/s%00/data",
]
QUERIES = [
    "/commits?revision=a%00",
    "/drafts?branch=a%00",
    "/drafts/1/sheets/s/data?columns=a%00",
    "/searches?sheet=a%00",
]
BODIES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/drafts", {"title": "a\x00b"}),
    ("POST", "/drafts", {"title": "t", "description": "\x00"}),
    ("PATCH", "/drafts/1", {"title": "t\x00"}),
    ("POST", "/drafts/1/sheets", {"name": "x", "schema": SCHEMA, "_avro_schema": "\x00"}),
    ("PATCH", "/drafts/1/sheets/s/schema", {"_schema": SCHEMA, "_arrow_schema": "\x00"}),
    ("POST", "/commits", {"draft_number": 1, "title": "c\x00"}),
    ("POST", "/branches", {"name": "b", "revision": "main\x00"}),
]


@pytest.mark.parametrize("path", PATHS)
def test_a_nul_in_a_path_names_nothing(client: TestClient, path: str) -> None:
    before = client.get("/_mock/state").json()
    for method in ("GET", "DELETE"):
        answer = client.request(method, base(client) + path, headers=AUTH)
        assert (answer.status_code, answer.json()["code"]) == (404, "ResourceNotExist")
    assert client.get("/_mock/state").json() == before


@pytest.mark.parametrize("path", QUERIES)
def test_a_nul_in_a_query_is_refused(client: TestClient, path: str) -> None:
    answer = client.get(base(client) + path, headers=AUTH)
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    assert "NUL" in answer.json()["message"]


@pytest.mark.parametrize(("method", "path", "body"), BODIES)
def test_a_nul_in_free_text_is_refused_and_changes_nothing(
    client: TestClient, method: str, path: str, body: dict[str, Any]
) -> None:
    before = client.get("/_mock/state").json()
    answer = client.request(method, base(client) + path, json=body, headers=AUTH)
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue"), answer.text
    assert "NUL" in answer.json()["message"]
    assert client.get("/_mock/state").json() == before


def test_a_nul_inside_a_row_value_is_data(client: TestClient) -> None:
    rows = {"data": [{"a": "x\x00y"}]}
    assert client.post(base(client) + "/drafts/1/sheets/s/data", json=rows, headers=AUTH).is_success
    page = client.get(base(client) + "/drafts/1/sheets/s/data", headers=AUTH).json()
    assert [row["a"] for row in page["data"]] == ["x\x00y"]


@pytest.mark.parametrize(
    "seed",
    [
        {"datasets": [{"name": "A", "workspace": "w", "cover_url": "x\x00"}]},
        {"datasets": [{"name": "A", "workspace": "w", "drafts": [{"number": 1, "title": "\x00"}]}]},
        {"datasets": [{"name": "A", "workspace": "w", "creator": "\x00"}]},
    ],
)
def test_a_nul_in_a_seed_text_is_refused(client: TestClient, seed: dict[str, Any]) -> None:
    before = client.get("/_mock/state").json()
    answer = client.post("/_mock/seed", json=seed)
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    assert "NUL" in answer.json()["message"]
    assert client.get("/_mock/state").json() == before


def test_postgresql_refusing_a_nul_is_a_refused_call(postgres_url: str) -> None:
    """Text no rule caught that PostgreSQL cannot store: a 400 whose write rolled back."""
    backend = build_backend(Settings(database=postgres_url))
    try:
        with pytest.raises(errors.InvalidParams, match="NUL"), backend.db.write() as conn:
            conn.execute(text("SELECT CAST(:value AS text)"), {"value": "a\x00b"})
    finally:
        backend.close()
