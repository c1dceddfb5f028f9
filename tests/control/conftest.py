"""Factories for control plane tests: an app with chosen settings, driven in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mock_server import Settings, create_app

EXAMPLE_SEED = Path(__file__).resolve().parents[2] / "examples" / "seed.yaml"
KEY = "ACCESSKEY-control0000001"
AUTH = {"X-Token": KEY}

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """``make_client(**settings)``: a started app on an in-memory database."""
    with ExitStack() as stack:

        def make(**settings: Any) -> TestClient:
            settings.setdefault("database", "sqlite://")
            app = create_app(Settings(**settings))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def create(client: TestClient, name: str, **body: Any) -> Any:
    response = client.post("/v2/datasets", json={"name": name, **body}, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def listing(client: TestClient, key: str = KEY) -> list[str]:
    response = client.get("/v2/datasets", headers={"X-Token": key})
    assert response.status_code == 200, response.text
    return [dataset["name"] for dataset in response.json()["datasets"]]
