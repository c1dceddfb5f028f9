"""Wire rules every route follows: plain-digit integers, one access key, JSON answers only,
one log record per unexpected error, faults only for operations that exist, tagged routes."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.core.routing import plain_digits
from mock_server.resources.datasets.store import DatasetStore
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-wire000000001"
AUTH = {"X-Token": KEY}
NOT_PLAIN = ["1_0", "+2", "%205", "1.0", "-0", "0x1", "１"]


def _routes(app: FastAPI) -> list[APIRoute]:
    """Every route, inside included routers too (FastAPI keeps those as one lazy route)."""
    found: list[APIRoute] = []
    pending: list[Any] = list(app.routes)
    while pending:
        route = pending.pop(0)
        included = getattr(route, "original_router", None)
        if included is not None:
            pending.extend(included.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def test_every_integer_query_or_path_parameter_takes_plain_digits_only(
    app_client: TestClient,
) -> None:
    integers = []
    for route in _routes(app_client.app):  # type: ignore[arg-type]
        params = [*route.dependant.query_params, *route.dependant.path_params]
        for dependant in route.dependant.dependencies:
            params += [*dependant.query_params, *dependant.path_params]
        for param in params:
            if param.field_info.annotation is int:
                integers.append(f"{route.path} {param.name}")
                validators = [getattr(m, "func", None) for m in param.field_info.metadata]
                assert plain_digits in validators, f"{route.path} {param.name}"
    assert "/v2/datasets offset" in integers
    assert "/_mock/faults/{fault_id} fault_id" in integers


@pytest.mark.parametrize("value", NOT_PLAIN)
def test_an_integer_that_is_not_plain_digits_is_a_400(app_client: TestClient, value: str) -> None:
    for query in (f"offset={value}", f"limit={value}"):
        answer = app_client.get(f"/v2/datasets?{query}", headers=AUTH)
        assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue"), query
    answer = app_client.delete(f"/_mock/faults/{value}")
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    assert app_client.get("/v2/datasets?offset=0010&limit=5", headers=AUTH).status_code == 200


def test_two_access_keys_are_a_400(app_client: TestClient) -> None:
    answer = app_client.get(
        "/v2/current-user",
        headers=[("X-Token", KEY), ("X-Token", "ACCESSKEY-wire000000002")],
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    assert "X-Token" in answer.json()["message"]
    # Nothing was provisioned for either key.
    assert app_client.get("/_mock/state").json()["users"] == []


def test_the_journal_names_the_key_the_request_ran_as(app_client: TestClient) -> None:
    app_client.get("/v2/current-user", headers=[("X-Token", KEY), ("x-token", KEY + "zz")])
    entry = app_client.get("/_mock/requests").json()["requests"][-1]
    assert entry["access_key"] == "ACCESSKEY-****0001"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v2/datasets/"), ("POST", "/v2/datasets/"), ("POST", "/_mock/reset/")],
)
def test_a_trailing_slash_is_a_json_404_not_a_redirect(
    app_client: TestClient, method: str, path: str
) -> None:
    answer = app_client.request(method, path, headers=AUTH, follow_redirects=False)
    assert (answer.status_code, answer.json()["code"]) == (404, "NotFound")


def test_an_unexpected_error_is_logged_once_and_answered_as_json(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(DatasetStore, "list_datasets", broken)
    app = create_app(Settings(database="sqlite://"))
    # raise_server_exceptions: the error must not leave the app (the server would log it again).
    with TestClient(app, raise_server_exceptions=True) as client, caplog.at_level(logging.ERROR):
        answer = client.get("/v2/datasets", headers=AUTH)
    assert (answer.status_code, answer.json()["code"]) == (500, "InternalServerError")
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert len(tracebacks) == 1


def test_a_fault_for_an_unknown_operation_is_a_400_naming_the_known_ones(
    app_client: TestClient,
) -> None:
    answer = app_client.post("/_mock/faults", json={"operation": "get_datset", "status": 500})
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue")
    message = answer.json()["message"]
    operations = [
        route.operation_id
        for route in _routes(app_client.app)  # type: ignore[arg-type]
        if not route.path.startswith("/_mock/") and route.operation_id
    ]
    assert "get_dataset" in operations
    for operation in operations:
        assert operation in message
    assert app_client.get("/_mock/faults").json() == {"faults": []}
    for known in ("get_dataset", "*"):
        assert app_client.post("/_mock/faults", json={"operation": known, "status": 500}).is_success


def test_every_route_has_a_tag(app_client: TestClient) -> None:
    document = app_client.get("/openapi.json").json()
    untagged = [
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if not operation.get("tags") or "default" in operation["tags"]
    ]
    assert untagged == []
    tags = {
        tag
        for methods in document["paths"].values()
        for op in methods.values()
        for tag in op["tags"]
    }
    assert {"identity", "datasets", "control plane"} <= tags


def test_malformed_http_gets_a_json_400(server: ServerProcess) -> None:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["code"] == "InvalidParamsValue"
