"""The control plane takes back what it exports: its body limit is its own, larger one."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from mock_server import Settings, create_app

KEY = "ACCESSKEY-export0000001"


def test_an_export_over_the_api_limit_seeds_back() -> None:
    with TestClient(create_app(Settings(database="sqlite://"))) as client:
        # A state whose export is over the API's 1 MiB: long workspace descriptions
        # (free text) and a few hundred datasets.
        seed = {
            "workspaces": [
                {"name": f"team-{index}", "description": "d" * 300_000} for index in range(4)
            ],
            "datasets": [
                {"name": f"dataset-{index:05d}", "workspace": "team-0", "alias": "x" * 40}
                for index in range(300)
            ],
        }
        assert client.post("/_mock/seed", json=seed).json()["datasets"] == 300
        exported = client.get("/_mock/state").content
        assert len(exported) > 1_048_576
        answer = client.post(
            "/_mock/seed?replace=true",
            content=exported,
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 200, answer.text[:200]
        assert client.get("/_mock/state").content == exported
        # The service's own routes keep the service's limit.
        too_big = client.post(
            "/v2/datasets",
            content=json.dumps({"name": "a", "alias": "x" * 1_100_000}),
            headers={"Content-Type": "application/json", "X-Token": KEY},
        )
        assert (too_big.status_code, too_big.json()["code"]) == (413, "PayloadTooLarge")


def test_the_control_limit_is_a_setting_of_its_own() -> None:
    settings = Settings(database="sqlite://", max_control_body_bytes=4096)
    with TestClient(create_app(settings)) as client:
        body = json.dumps({"datasets": [{"name": "a", "workspace": "w", "alias": "x" * 5000}]})
        answer = client.post("/_mock/seed", content=body)
        assert (answer.status_code, answer.json()["code"]) == (413, "PayloadTooLarge")
        assert "4096" in answer.json()["message"]
        assert client.get("/_mock/state").json()["datasets"] == []
