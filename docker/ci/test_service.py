"""Smoke tests of a running mock, reached by URL (GRAVITI_MOCK_URL), with the real SDK.

The compose consumer runs these until the project's contract tests exist:
    GRAVITI_MOCK_TESTS=docker/ci/test_service.py docker compose --profile test run --rm consumer
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests
from graviti import openapi
from graviti.exception import NameConflictError, ResourceNotExistError

URL = os.environ.get("GRAVITI_MOCK_URL", "http://127.0.0.1:8000").rstrip("/")


@pytest.fixture
def key() -> str:
    return f"ACCESSKEY-compose-{uuid.uuid4().hex}"


@pytest.fixture
def workspace(key: str) -> str:
    name: str = openapi.get_current_workspace(key, URL)["name"]
    return name


def test_probes() -> None:
    assert requests.get(f"{URL}/_mock/health", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{URL}/_mock/ready", timeout=5).status_code == 200


def test_dataset_lifecycle(key: str, workspace: str) -> None:
    created = openapi.create_dataset(key, URL, "compose-smoke", alias="before")
    assert created["workspace"] == workspace
    assert openapi.get_dataset(key, URL, workspace, "compose-smoke") == created

    updated = openapi.update_dataset(key, URL, workspace, "compose-smoke", alias="after")
    assert updated["alias"] == "after"
    page = openapi.list_datasets(key, URL)
    assert [d["name"] for d in page["datasets"]] == ["compose-smoke"]
    assert page["total_count"] == 1

    openapi.delete_dataset(key, URL, workspace, "compose-smoke")
    with pytest.raises(ResourceNotExistError):
        openapi.get_dataset(key, URL, workspace, "compose-smoke")


def test_name_conflict(key: str) -> None:
    openapi.create_dataset(key, URL, "twice")
    with pytest.raises(NameConflictError) as raised:
        openapi.create_dataset(key, URL, "twice")
    assert raised.value.response.json()["code"] == "NameConflict"


def test_unknown_route_is_graviti_json() -> None:
    response = requests.get(f"{URL}/v2/no-such-thing", timeout=5)
    assert response.status_code == 404
    assert set(response.json()) >= {"code", "message"}
