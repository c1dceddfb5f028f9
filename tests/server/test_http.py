"""Raw HTTP against the app in-process: the exact JSON of answers and errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mock_server import Settings, create_app, workspace_for_key
from mock_server.resources.versions.tables import DRAFT

KEY = "ACCESSKEY-rawhttp00001"
AUTH = {"X-Token": KEY}
WORKSPACE = workspace_for_key(KEY)


def create(client: TestClient, body: object, **kwargs: object):
    return client.post("/v2/datasets", json=body, headers=AUTH, **kwargs)  # type: ignore[arg-type]


def test_create_answers_200_with_the_dataset(app_client: TestClient) -> None:
    response = create(app_client, {"name": "MNIST", "alias": ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["name"] == "MNIST"
    assert body["workspace"] == WORKSPACE
    assert body["creator"] == WORKSPACE.replace("workspace-", "user-")


def test_delete_answers_200_with_json(app_client: TestClient) -> None:
    create(app_client, {"name": "MNIST"})
    response = app_client.delete(f"/v2/datasets/{WORKSPACE}/MNIST", headers=AUTH)
    assert (response.status_code, response.json()) == (200, {})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "RequestParamsMissing"),
        ({"alias": "x"}, "RequestParamsMissing"),
        ({"name": 5}, "InvalidParamsValue"),
        ({"name": None}, "InvalidParamsValue"),
        ({"name": ["MNIST"]}, "InvalidParamsValue"),
        ({"name": "MNIST", "alias": 3}, "InvalidParamsValue"),
        ({"name": "MNIST", "with_draft": "true"}, "InvalidParamsValue"),
        ({"name": "MNIST", "storage_config": 1}, "InvalidParamsValue"),
        ([], "InvalidParamsValue"),
        ("MNIST", "InvalidParamsValue"),
        ({"name": "a b"}, "InvalidParamsValue"),
        ({"name": "'; DROP TABLE dataset; --"}, "InvalidParamsValue"),
        ({"name": "数据集"}, "InvalidParamsValue"),
        ({"name": "x" * 5000}, "InvalidParamsValue"),
    ],
)
def test_bad_create_bodies_are_graviti_400s_and_write_nothing(
    app_client: TestClient, body: object, code: str
) -> None:
    response = create(app_client, body)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message"}
    assert response.json()["code"] == code
    listing = app_client.get("/v2/datasets", headers=AUTH).json()
    assert listing["total_count"] == 0


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b"\xff\xfe", b'{"name": "a"', b"null"])
def test_malformed_json_is_a_graviti_400(app_client: TestClient, raw: bytes) -> None:
    response = app_client.post(
        "/v2/datasets",
        content=raw,
        headers={**AUTH, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"InvalidParamsValue", "RequestParamsMissing"}


def test_patch_with_wrong_types_is_a_graviti_400(app_client: TestClient) -> None:
    create(app_client, {"name": "MNIST"})
    bodies: list[object] = [{"name": 1}, {"alias": False}, {"default_branch": []}, [1]]
    for body in bodies:
        response = app_client.patch(f"/v2/datasets/{WORKSPACE}/MNIST", json=body, headers=AUTH)
        assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=-1",
        "limit=1001",
        "limit=x",
        "offset=-1",
        "offset=1.5",
        "offset=99999999999999999999",
    ],
)
def test_bad_paging_is_invalid_params(app_client: TestClient, query: str) -> None:
    response = app_client.get(f"/v2/datasets?{query}", headers=AUTH)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParamsValue"


def test_largest_limit_is_accepted(app_client: TestClient) -> None:
    response = app_client.get("/v2/datasets?limit=1000", headers=AUTH)
    assert response.json() == {"datasets": [], "offset": 0, "record_size": 0, "total_count": 0}


def test_unknown_route_is_json_naming_method_and_path(app_client: TestClient) -> None:
    response = app_client.get("/v2/datasets/ws/ds/no-such-thing", headers=AUTH)
    assert response.status_code == 404
    assert response.json() == {
        "code": "NotFound",
        "message": "graviti-mock has no route GET /v2/datasets/ws/ds/no-such-thing.",
    }


def test_wrong_method_is_json_naming_method_and_path(app_client: TestClient) -> None:
    response = app_client.put("/v2/datasets", headers=AUTH)
    assert response.status_code == 405
    assert response.json() == {
        "code": "MethodNotAllowed",
        "message": "graviti-mock does not implement PUT /v2/datasets.",
    }
    assert response.headers["allow"] == "GET, POST"


def test_missing_key_is_unauthorized_json(app_client: TestClient) -> None:
    response = app_client.get("/v2/datasets")
    assert response.status_code == 401
    assert response.json() == {
        "code": "Unauthorized",
        "message": "The X-Token header with an access key is required.",
    }


def test_identity_endpoints(app_client: TestClient) -> None:
    workspace = app_client.get("/v2/current-workspace", headers=AUTH).json()
    assert set(workspace) == {"id", "type", "name", "alias", "description", "email", "location"}
    assert (workspace["name"], workspace["type"]) == (WORKSPACE, "USER")
    user = app_client.get("/v2/current-user", headers=AUTH).json()
    assert set(user) == {"id", "nickname", "email", "mobile", "description", "workspace", "team"}
    assert user["workspace"] == WORKSPACE
    by_name = app_client.get(f"/v2/workspaces/{WORKSPACE}", headers=AUTH)
    assert by_name.json() == workspace
    missing = app_client.get("/v2/workspaces/nobody", headers=AUTH)
    assert (missing.status_code, missing.json()["code"]) == (404, "ResourceNotExist")


def test_empty_patch_changes_nothing(app_client: TestClient) -> None:
    created = create(app_client, {"name": "MNIST"}).json()
    response = app_client.patch(f"/v2/datasets/{WORKSPACE}/MNIST", json={}, headers=AUTH)
    assert response.json() == created


@pytest.fixture
def frozen_client() -> Iterator[TestClient]:
    app = create_app(Settings(database="sqlite://", frozen_time="2024-01-02T03:04:05Z"))
    with TestClient(app) as client:
        yield client


def test_frozen_clock_stamps_creation(frozen_client: TestClient) -> None:
    body = create(frozen_client, {"name": "MNIST"}).json()
    assert body["created_at"] == body["updated_at"] == "2024-01-02T03:04:05Z"


def test_seeded_ids_are_reproducible() -> None:
    ids = []
    for _ in range(2):
        app = create_app(Settings(database="sqlite://", id_seed=7))
        with TestClient(app) as client:
            ids.append(create(client, {"name": "MNIST"}).json()["id"])
    assert ids[0] == ids[1]


@pytest.fixture
def strict_client() -> Iterator[TestClient]:
    settings = Settings(database="sqlite://", strict=True, access_keys=[f"{KEY}=team-a"])
    with TestClient(create_app(settings)) as client:
        yield client


def test_strict_mode_accepts_only_registered_keys(strict_client: TestClient) -> None:
    known = strict_client.get("/v2/current-workspace", headers=AUTH)
    assert (known.status_code, known.json()["name"]) == (200, "team-a")
    unknown = strict_client.get("/v2/datasets", headers={"X-Token": "ACCESSKEY-unknown0001"})
    assert (unknown.status_code, unknown.json()["code"]) == (401, "Unauthorized")


def test_access_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAVITI_MOCK_ACCESS_KEYS", f"{KEY}=team-b, ACCESSKEY-second00001")
    monkeypatch.setenv("GRAVITI_MOCK_STRICT", "true")
    with TestClient(create_app(Settings(database="sqlite://"))) as client:
        assert client.get("/v2/current-workspace", headers=AUTH).json()["name"] == "team-b"
        second = client.get("/v2/datasets", headers={"X-Token": "ACCESSKEY-second00001"})
        assert second.status_code == 200


def test_unexpected_exception_is_a_graviti_500_without_traceback() -> None:
    app = create_app(Settings(database="sqlite://"))

    @app.get("/v2/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v2/boom")
    assert response.status_code == 500
    assert response.json() == {
        "code": "InternalServerError",
        "message": "Internal server error; see the mock's log.",
    }


def test_with_draft_records_a_first_draft_on_main() -> None:
    app = create_app(Settings(database="sqlite://"))
    with TestClient(app) as client:
        create(client, {"name": "drafted", "with_draft": True})
        create(client, {"name": "plain", "with_draft": False})
        with app.state.backend.db.engine.connect() as conn:
            drafts = conn.execute(select(DRAFT.c.number, DRAFT.c.branch)).all()
    assert [tuple(draft) for draft in drafts] == [(1, "main")]


def test_public_dataset_of_another_workspace_is_readable_not_writable(
    app_client: TestClient,
) -> None:
    seed = {
        "workspaces": [{"name": "acme", "type": "TEAM"}],
        "datasets": [
            {"name": "open", "workspace": "acme", "is_public": True},
            {"name": "closed", "workspace": "acme"},
        ],
    }
    assert app_client.post("/_mock/seed", json=seed).status_code == 200
    shown = app_client.get("/v2/datasets/acme/open", headers=AUTH)
    assert (shown.status_code, shown.json()["is_public"]) == (200, True)
    hidden = app_client.get("/v2/datasets/acme/closed", headers=AUTH)
    assert (hidden.status_code, hidden.json()["code"]) == (403, "AccessDenied")
    for response in (
        app_client.patch("/v2/datasets/acme/open", json={"alias": "mine"}, headers=AUTH),
        app_client.delete("/v2/datasets/acme/open", headers=AUTH),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "AccessDenied")
    assert app_client.get("/v2/datasets/acme/open", headers=AUTH).json()["alias"] == ""
    # A public dataset is not listed among the caller's own.
    assert app_client.get("/v2/datasets", headers=AUTH).json()["total_count"] == 0
