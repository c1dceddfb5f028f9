"""The control plane's guard, probes, reset and OpenAPI document, over raw HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from tests.control.conftest import AUTH, KEY, MakeClient, create, listing


def test_health_and_ready_answer_when_started(client: TestClient) -> None:
    assert client.get("/_mock/health").json() == {"status": "ok"}
    assert client.get("/_mock/ready").json() == {"status": "ready"}


def test_ready_is_503_until_start_up_has_run() -> None:
    # Without the lifespan (no ``with``), start-up seeding has not happened.
    client = TestClient(create_app(Settings(database="sqlite://")))
    response = client.get("/_mock/ready")
    assert response.status_code == 503
    assert response.json() == {"code": None, "message": "Start-up is not finished."}


def test_reset_empties_the_state_journal_and_faults(client: TestClient) -> None:
    create(client, "MNIST")
    client.post("/_mock/faults", json={"operation": "get_dataset", "status": 500})
    answer = client.post("/_mock/reset")
    assert answer.json() == {"status": "reset", "to": "empty", "seeded": None}
    assert client.get("/_mock/requests").json()["requests"] == []
    assert client.get("/_mock/faults").json() == {"faults": []}
    assert listing(client) == []


def test_reset_can_seed_in_the_same_call(client: TestClient) -> None:
    body = {"seed": {"users": [{"name": "u", "workspace": "w", "access_keys": [KEY]}]}}
    answer = client.post("/_mock/reset", json=body).json()
    assert answer["seeded"]["access_keys"] == 1
    assert client.get("/v2/current-workspace", headers=AUTH).json()["name"] == "w"


def test_token_guards_the_control_plane_but_not_the_probes(make_client: MakeClient) -> None:
    client = make_client(control_token="s3cret")
    for headers in ({}, {"X-Mock-Token": "wrong"}):
        response = client.post("/_mock/reset", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "Unauthorized"
        assert client.get("/_mock/requests", headers=headers).status_code == 401
    assert client.post("/_mock/reset", headers={"X-Mock-Token": "s3cret"}).status_code == 200
    assert client.get("/_mock/health").status_code == 200
    assert client.get("/_mock/ready").status_code == 200


def test_control_off_leaves_only_the_probes(make_client: MakeClient) -> None:
    client = make_client(control=False)
    response = client.post("/_mock/reset")
    assert response.status_code == 404
    assert response.json() == {
        "code": "NotFound",
        "message": "graviti-mock has no route POST /_mock/reset.",
    }
    assert client.get("/_mock/requests").status_code == 404
    assert client.get("/_mock/ready").status_code == 200
    # The service itself still works, with nothing recording it.
    create(client, "MNIST")
    assert listing(client) == ["MNIST"]


def test_every_control_endpoint_is_documented_under_its_tag(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    control = {
        (method.upper(), path): operation
        for path, operations in paths.items()
        if path.startswith("/_mock/")
        for method, operation in operations.items()
    }
    expected = {
        ("GET", "/_mock/health"),
        ("GET", "/_mock/ready"),
        ("POST", "/_mock/reset"),
        ("POST", "/_mock/seed"),
        ("GET", "/_mock/state"),
        ("POST", "/_mock/snapshots/{name}"),
        ("POST", "/_mock/snapshots/{name}/restore"),
        ("GET", "/_mock/snapshots"),
        ("DELETE", "/_mock/snapshots/{name}"),
        ("GET", "/_mock/requests"),
        ("DELETE", "/_mock/requests"),
        ("POST", "/_mock/faults"),
        ("GET", "/_mock/faults"),
        ("DELETE", "/_mock/faults"),
        ("DELETE", "/_mock/faults/{fault_id}"),
        ("GET", "/_mock/clock"),
        ("POST", "/_mock/clock"),
        ("POST", "/_mock/ids"),
        ("GET", "/_mock/actions/{workspace}/{dataset}/{action}/script"),
        ("POST", "/_mock/actions/{workspace}/{dataset}/{action}/script"),
        ("POST", "/_mock/actions/{workspace}/{dataset}/{action}/runs/{run_number}"),
        ("GET", "/_mock/objects"),
    }
    assert set(control) == expected
    for (_, path), operation in control.items():
        assert operation["tags"] == ["control plane"]
        assert operation["summary"]
        if path not in ("/_mock/health", "/_mock/ready"):
            assert operation["security"] == [{"MockToken": []}]
    seed_body = paths["/_mock/seed"]["post"]["requestBody"]["content"]
    assert set(seed_body) == {"application/json", "application/yaml"}


def test_control_errors_are_graviti_json(client: TestClient) -> None:
    response = client.post("/_mock/reset?to=nowhere")
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParamsValue"
    json_type = {"Content-Type": "application/json"}
    response = client.post("/_mock/faults", content=b"{", headers=json_type)
    assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")
