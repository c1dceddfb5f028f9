"""Raw HTTP for storage configs, actions and runs: the error cases, and what a refusal
leaves unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mock_server import workspace_for_key

KEY = "ACCESSKEY-actionshttp0001"
OTHER = "ACCESSKEY-actionshttp0002"
AUTH = {"X-Token": KEY}
OTHER_AUTH = {"X-Token": OTHER}
WS = workspace_for_key(KEY)
OTHER_WS = workspace_for_key(OTHER)
CONFIGS = f"/v2/workspaces/{WS}/storage-configs"
ACTIONS = f"/v2/datasets/{WS}/MNIST/actions"


def error(response: Any, status: int, code: str) -> str:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert set(response.json()) == {"code", "message"}
    return str(response.json()["message"])


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    app_client.post(
        "/_mock/seed",
        json={"storage_configs": [{"name": "s3", "workspace": WS, "backend_type": "S3"}]},
    )
    assert app_client.post("/v2/datasets", json={"name": "MNIST"}, headers=AUTH).status_code == 200
    assert app_client.get("/v2/current-workspace", headers=OTHER_AUTH).status_code == 200
    return app_client


def default_config(client: TestClient) -> str:
    return str(client.get(CONFIGS, headers=AUTH).json()["default_storage_config"])


# ---------------------------------------------------------------------------- storage configs


def test_storage_config_listing_pages_and_sorts(client: TestClient) -> None:
    page = client.get(CONFIGS, params={"offset": 1, "limit": 1}, headers=AUTH).json()
    assert [c["name"] for c in page["storage_configs"]] == ["s3"]
    assert (page["offset"], page["record_size"], page["total_count"]) == (1, 1, 2)
    assert page["default_storage_config"] == "default"
    by_name = client.get(CONFIGS, params={"sort": "name:desc"}, headers=AUTH).json()
    assert [c["name"] for c in by_name["storage_configs"]] == ["s3", "default"]
    error(client.get(CONFIGS, params={"sort": "secret"}, headers=AUTH), 400, "InvalidParamsValue")


def test_another_workspaces_storage_configs_are_denied(client: TestClient) -> None:
    other = f"/v2/workspaces/{OTHER_WS}/storage-configs"
    error(client.get(other, headers=AUTH), 403, "AccessDenied")
    error(client.get(f"{other}/default", headers=AUTH), 403, "AccessDenied")
    body = {"deafault_storage_config": "default"}
    error(client.patch(other, json=body, headers=AUTH), 403, "AccessDenied")
    # A workspace that does not exist is denied the same way: nothing is confirmed.
    error(client.get("/v2/workspaces/nobody/storage-configs", headers=AUTH), 403, "AccessDenied")
    error(
        client.patch(CONFIGS, json={"deafault_storage_config": "s3"}, headers=OTHER_AUTH),
        403,
        "AccessDenied",
    )
    assert default_config(client) == "default"


def test_get_an_unknown_storage_config_is_404(client: TestClient) -> None:
    error(client.get(f"{CONFIGS}/nowhere", headers=AUTH), 404, "ResourceNotExist")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"deafault_storage_config": "nowhere"}, 400, "InvalidParamsValue"),
        ({}, 400, "RequestParamsMissing"),
        (
            {"deafault_storage_config": "s3", "default_storage_config": "default"},
            400,
            "InvalidParamsValue",
        ),
        ({"deafault_storage_config": "bad name"}, 400, "InvalidParamsValue"),
        ({"deafault_storage_config": 3}, 400, "InvalidParamsValue"),
    ],
)
def test_a_refused_default_change_changes_nothing(
    client: TestClient, body: object, status: int, code: str
) -> None:
    error(client.patch(CONFIGS, json=body, headers=AUTH), status, code)
    assert default_config(client) == "default"


def test_the_correct_spelling_is_taken_too(client: TestClient) -> None:
    response = client.patch(CONFIGS, json={"default_storage_config": "s3"}, headers=AUTH)
    assert response.json() == {"default_storage_config": "s3"}
    assert default_config(client) == "s3"
    both = {"deafault_storage_config": "default", "default_storage_config": "default"}
    assert client.patch(CONFIGS, json=both, headers=AUTH).status_code == 200
    assert default_config(client) == "default"


# ---------------------------------------------------------------------------- actions


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "a b", "payload": "p"}, "InvalidParamsValue"),
        ({"name": "a", "payload": "nul\x00"}, "InvalidParamsValue"),
        ({"name": "a", "payload": 3}, "InvalidParamsValue"),
        ({"name": "a"}, "RequestParamsMissing"),
        ([], "InvalidParamsValue"),
    ],
)
def test_bad_action_bodies_are_refused(client: TestClient, body: object, code: str) -> None:
    error(client.post(ACTIONS, json=body, headers=AUTH), 400, code)
    assert client.get(ACTIONS, headers=AUTH).json()["total_count"] == 0


def test_a_lone_surrogate_payload_is_refused(client: TestClient) -> None:
    raw = b'{"name": "a", "payload": "\\ud800"}'
    headers = {**AUTH, "Content-Type": "application/json"}
    error(client.post(ACTIONS, content=raw, headers=headers), 400, "InvalidParamsValue")


def test_action_names_conflict_and_unknown_ones_are_404(client: TestClient) -> None:
    assert client.post(ACTIONS, json={"name": "a", "payload": "p"}, headers=AUTH).status_code == 200
    assert client.post(ACTIONS, json={"name": "b", "payload": "p"}, headers=AUTH).status_code == 200
    error(
        client.post(ACTIONS, json={"name": "a", "payload": "q"}, headers=AUTH), 409, "NameConflict"
    )
    error(client.patch(f"{ACTIONS}/b", json={"name": "a"}, headers=AUTH), 409, "NameConflict")
    error(
        client.patch(f"{ACTIONS}/a", json={"state": "PAUSED"}, headers=AUTH),
        400,
        "InvalidParamsValue",
    )
    for path in ("nope", "bad%00name"):
        error(client.get(f"{ACTIONS}/{path}", headers=AUTH), 404, "ResourceNotExist")
        error(client.delete(f"{ACTIONS}/{path}", headers=AUTH), 404, "ResourceNotExist")
    got = client.get(f"{ACTIONS}/a", headers=AUTH).json()
    assert (got["payload"], got["edition"], got["state"]) == ("p", 1, "ENABLED")
    # Setting the same payload again is no change: the edition stays.
    same = client.patch(f"{ACTIONS}/a", json={"payload": "p"}, headers=AUTH).json()
    assert same["edition"] == 1


def test_another_workspace_may_not_touch_actions(client: TestClient) -> None:
    client.post(ACTIONS, json={"name": "a", "payload": "p"}, headers=AUTH)
    error(client.get(ACTIONS, headers=OTHER_AUTH), 403, "AccessDenied")
    error(
        client.post(ACTIONS, json={"name": "x", "payload": "p"}, headers=OTHER_AUTH),
        403,
        "AccessDenied",
    )
    error(client.post(f"{ACTIONS}/a/runs", headers=OTHER_AUTH), 403, "AccessDenied")
    # A public dataset's actions can be read by anyone, still not run.
    client.post(
        "/_mock/seed", json={"datasets": [{"name": "open", "workspace": WS, "is_public": True}]}
    )
    public = f"/v2/datasets/{WS}/open/actions"
    client.post(public, json={"name": "a", "payload": "p"}, headers=AUTH)
    assert client.get(public, headers=OTHER_AUTH).json()["total_count"] == 1
    error(client.post(f"{public}/a/runs", headers=OTHER_AUTH), 403, "AccessDenied")
    error(client.get(f"/v2/datasets/{WS}/missing/actions", headers=AUTH), 404, "ResourceNotExist")


# ---------------------------------------------------------------------------- runs


@pytest.mark.parametrize(
    "raw",
    [
        b'{"arguments": [1, 2]}',
        b'{"arguments": "k=v"}',
        b'{"arguments": {"x": NaN}}',
        b'{"arguments": {"x": "\\udc00"}}',
        b"[]",
        b"{",
    ],
)
def test_bad_run_arguments_are_refused(client: TestClient, raw: bytes) -> None:
    client.post(ACTIONS, json={"name": "a", "payload": "p"}, headers=AUTH)
    headers = {**AUTH, "Content-Type": "application/json"}
    error(client.post(f"{ACTIONS}/a/runs", content=raw, headers=headers), 400, "InvalidParamsValue")
    assert client.get(f"{ACTIONS}/a/runs", headers=AUTH).json()["total_count"] == 0


def test_runs_errors_and_node_logs(client: TestClient) -> None:
    client.post(ACTIONS, json={"name": "a", "payload": "p"}, headers=AUTH)
    error(client.post(f"{ACTIONS}/nope/runs", headers=AUTH), 404, "ResourceNotExist")
    run = client.post(f"{ACTIONS}/a/runs", json={"arguments": {"k": "v"}}, headers=AUTH).json()
    assert run["workflow_id"].startswith("a-")
    for number in ("0", "-1", "x", str(2**40)):
        error(client.get(f"{ACTIONS}/a/runs/{number}", headers=AUTH), 400, "InvalidParamsValue")
    error(client.get(f"{ACTIONS}/a/runs/2", headers=AUTH), 404, "ResourceNotExist")
    error(
        client.get(f"{ACTIONS}/a/runs", params={"sort": "nope"}, headers=AUTH),
        400,
        "InvalidParamsValue",
    )
    newest = client.get(f"{ACTIONS}/a/runs", params={"sort": "number:desc"}, headers=AUTH)
    assert [r["number"] for r in newest.json()["runs"]] == [1]

    detail = client.get(f"{ACTIONS}/a/runs/1", headers=AUTH).json()
    step = detail["nodes"][1]
    logs = client.get(f"{ACTIONS}/a/runs/1/nodes/{step['id']}/logs", headers=AUTH)
    assert logs.headers["content-type"] == "application/json"
    assert logs.json()["node_id"] == step["id"]
    assert 'arguments: {"k":"v"}' in logs.json()["log"]
    assert logs.json()["log"].endswith("SUCCEEDED\n")
    error(client.get(f"{ACTIONS}/a/runs/1/nodes/nope/logs", headers=AUTH), 404, "ResourceNotExist")

    error(client.post(f"{ACTIONS}/a/runs/1/cancel", headers=AUTH), 403, "Forbidden")
    assert client.get(f"{ACTIONS}/a/runs/1", headers=AUTH).json() == detail


def test_the_control_plane_scripts_runs(client: TestClient) -> None:
    client.post(ACTIONS, json={"name": "a", "payload": "p"}, headers=AUTH)
    script = f"/_mock/actions/{WS}/MNIST/a/script"
    error(client.post(script, json={"hold": "SUCCEEDED"}), 400, "InvalidParamsValue")
    error(client.post(script, json={"fail_next": -1}), 400, "InvalidParamsValue")
    error(client.post(f"/_mock/actions/{WS}/MNIST/nope/script", json={}), 404, "ResourceNotExist")
    error(client.post(f"/_mock/actions/{WS}/nope/a/script", json={}), 404, "ResourceNotExist")
    assert client.get(script).json() == {"hold": None, "fail_next": 0}
    assert client.post(script, json={"hold": "PENDING", "fail_next": 1}).json() == {
        "hold": "PENDING",
        "fail_next": 1,
    }
    assert client.post(f"{ACTIONS}/a/runs", headers=AUTH).json()["status"] == "FAILED"
    held = client.post(f"{ACTIONS}/a/runs", headers=AUTH).json()
    assert (held["number"], held["status"]) == (2, "PENDING")
    move = f"/_mock/actions/{WS}/MNIST/a/runs/2"
    error(client.post(move, json={"status": "DONE"}), 400, "InvalidParamsValue")
    error(
        client.post(f"/_mock/actions/{WS}/MNIST/a/runs/9", json={"status": "RUNNING"}),
        404,
        "ResourceNotExist",
    )
    moved = client.post(move, json={"status": "FAILED", "log": "out of memory"}).json()
    assert (moved["status"], moved["nodes"][1]["phase"]) == ("FAILED", "FAILED")
    log = client.get(f"{ACTIONS}/a/runs/2/nodes/{moved['nodes'][1]['id']}/logs", headers=AUTH)
    assert "out of memory\n" in log.json()["log"]


def test_snapshots_and_reset_cover_actions(client: TestClient) -> None:
    client.post(ACTIONS, json={"name": "a", "payload": "p"}, headers=AUTH)
    client.post(f"{ACTIONS}/a/runs", headers=AUTH)
    assert client.post("/_mock/snapshots/one").status_code == 200
    client.post(f"{ACTIONS}/a/runs", headers=AUTH)
    client.post(f"/_mock/actions/{WS}/MNIST/a/script", json={"hold": "RUNNING"})
    assert client.post("/_mock/snapshots/one/restore").status_code == 200
    assert client.get(f"{ACTIONS}/a/runs", headers=AUTH).json()["total_count"] == 1
    assert client.get(f"/_mock/actions/{WS}/MNIST/a/script").json()["hold"] is None
    # Deleting the dataset takes its actions and runs along.
    client.delete(f"/v2/datasets/{WS}/MNIST", headers=AUTH)
    client.post("/v2/datasets", json={"name": "MNIST"}, headers=AUTH)
    assert client.get(ACTIONS, headers=AUTH).json()["total_count"] == 0
    client.post("/_mock/reset")
    assert client.get("/_mock/state").json()["actions"] == []
