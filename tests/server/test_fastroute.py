"""FastRoute answers every request exactly as FastAPI's own handler would."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.routes import V2Route, router
from mock_server.store import workspace_for_key

KEY = "ACCESSKEY-fastroute001"
OTHER = "ACCESSKEY-fastroute002"
WORKSPACE = workspace_for_key(KEY)
DATASET = f"/v2/datasets/{WORKSPACE}"

# (method, path, headers, body): valid calls and every kind of bad input, in order.
REQUESTS: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/v2/datasets", {}, None),
    ("GET", "/v2/datasets", {"X-Token": ""}, None),
    ("GET", "/v2/datasets", {"X-Token": "nope"}, None),
    ("POST", "/v2/datasets", {"X-Token": KEY}, {"name": "a", "alias": "first"}),
    ("POST", "/v2/datasets", {"X-Token": KEY}, {"name": "a"}),
    ("POST", "/v2/datasets", {"X-Token": KEY}, {"name": "b", "with_draft": True}),
    ("POST", "/v2/datasets", {"X-Token": KEY}, {"name": "c", "storage_config": "none"}),
    ("POST", "/v2/datasets", {"X-Token": KEY}, {"name": "bad name"}),
    ("POST", "/v2/datasets", {"X-Token": KEY}, {"alias": "x"}),
    ("POST", "/v2/datasets", {"X-Token": KEY}, [1]),
    ("POST", "/v2/datasets", {"X-Token": KEY, "Content-Type": "text/plain"}, '{"name":"t"}'),
    ("POST", "/v2/datasets", {"X-Token": KEY, "Content-Type": "application/json"}, "{bad"),
    ("POST", "/v2/datasets", {"X-Token": KEY, "Content-Type": "application/json"}, ""),
    ("POST", "/v2/datasets", {}, {"name": "z"}),
    ("POST", "/v2/datasets", {"Content-Type": "application/json"}, "{bad"),
    ("GET", "/v2/datasets", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?offset=1&limit=1", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?offset=5", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=0", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=1001", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=-1", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=abc", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=+5", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=%205", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=2&limit=1", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=002&offset=01", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=1.0", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?offset=99999999999999", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets?limit=0", {}, None),
    ("GET", f"{DATASET}/a", {"X-Token": KEY}, None),
    ("GET", f"{DATASET}/missing", {"X-Token": KEY}, None),
    ("GET", f"{DATASET}/a", {"X-Token": OTHER}, None),
    ("PATCH", f"{DATASET}/a", {"X-Token": KEY}, {"alias": "second"}),
    ("PATCH", f"{DATASET}/a", {"X-Token": KEY}, {}),
    ("PATCH", f"{DATASET}/a", {"X-Token": KEY}, {"default_branch": "nope"}),
    ("PATCH", f"{DATASET}/a", {"X-Token": KEY}, {"name": "b"}),
    ("PATCH", f"{DATASET}/a", {"X-Token": KEY}, {"name": 3}),
    ("PATCH", f"{DATASET}/a", {"X-Token": OTHER}, {"alias": "x"}),
    ("PATCH", f"{DATASET}/a", {"X-Token": KEY}, {"name": "renamed"}),
    ("DELETE", f"{DATASET}/a", {"X-Token": KEY}, None),
    ("DELETE", f"{DATASET}/renamed", {"X-Token": OTHER}, None),
    ("DELETE", f"{DATASET}/renamed", {"X-Token": KEY}, None),
    ("GET", "/v2/current-workspace", {"X-Token": KEY}, None),
    ("GET", "/v2/current-user", {"X-Token": KEY}, None),
    ("GET", f"/v2/workspaces/{WORKSPACE}", {"X-Token": OTHER}, None),
    ("GET", "/v2/workspaces/nowhere", {"X-Token": KEY}, None),
    ("GET", "/v2/datasets", {"X-Token": KEY}, None),
]


def _unused() -> None:
    """A dependency no route uses: overriding it sends every request to FastAPI's handler."""


def answers(*, fast: bool) -> list[tuple[int, Any, str | None]]:
    settings = Settings(database="sqlite://", frozen_time="2024-01-02T03:04:05Z", id_seed=3)
    app = create_app(settings)
    if not fast:
        app.dependency_overrides[_unused] = _unused
    seen = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path, headers, body in REQUESTS:
            if isinstance(body, str):
                response = client.request(method, path, headers=headers, content=body)
            else:
                response = client.request(method, path, headers=headers, json=body)
            seen.append(
                (response.status_code, response.json(), response.headers.get("content-type"))
            )
    return seen


def test_the_fast_path_and_fastapi_give_the_same_answers() -> None:
    fast, fastapi = answers(fast=True), answers(fast=False)
    for request, mine, theirs in zip(REQUESTS, fast, fastapi, strict=True):
        assert mine == theirs, request
    assert {200, 400, 401, 403, 404, 409} <= {status for status, _, _ in fast}


def test_every_v2_route_has_a_fast_plan() -> None:
    for route in router.routes:
        assert isinstance(route, V2Route)
        assert route._plan() is not None, route.path
