"""Raw HTTP pins the two libraries cannot show: exact bodies and statuses of each target."""

from __future__ import annotations

import pytest

from tests.contract.shapes import assert_dataset, workspace_of
from tests.contract.targets import Target


def test_create_and_delete_answer_200_with_json(target: Target, access_key: str) -> None:
    created = target.raw("POST", "/v2/datasets", key=access_key, json={"name": "MNIST"})
    assert created.status_code == 200
    assert created.headers["content-type"] == "application/json"
    assert_dataset(created.json(), name="MNIST", alias="")

    deleted = target.raw("DELETE", f"/v2/datasets/{workspace_of(access_key)}/MNIST", key=access_key)
    assert deleted.status_code == 200
    assert deleted.json() == {}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/v2/datasets", None, 401, "Unauthorized"),
        ("GET", "/v2/datasets?limit=0", None, 400, "InvalidParamsValue"),
        ("GET", "/v2/datasets/{ws}/missing", None, 404, "ResourceNotExist"),
        ("GET", "/v2/datasets/workspace-somebody-else/any", None, 403, "AccessDenied"),
        ("POST", "/v2/datasets", {"alias": "no name"}, 400, "RequestParamsMissing"),
        ("POST", "/v2/datasets", {"name": "a/b"}, 400, "InvalidParamsValue"),
    ],
)
def test_error_bodies_are_code_and_message(
    target: Target,
    access_key: str,
    method: str,
    path: str,
    body: dict[str, str] | None,
    status: int,
    code: str,
) -> None:
    key = None if status == 401 else access_key
    response = target.raw(method, path.format(ws=workspace_of(access_key)), key=key, json=body)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()
    assert set(error) == {"code", "message"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
