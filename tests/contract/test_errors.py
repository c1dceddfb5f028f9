"""Every error a dataset call can meet: the library's class, its status and its code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.clients import (
    ACCESS_DENIED,
    INVALID_PARAMS,
    NAME_CONFLICT,
    PARAMS_MISSING,
    RESOURCE_NOT_EXIST,
    UNAUTHORIZED,
    Client,
)
from tests.contract.shapes import assert_dataset, assert_page, workspace_of
from tests.contract.targets import Target

# Each call once, with arguments that would succeed for a valid key of workspace ``ws``.
Call = Callable[[Client, str, str, str], Any]
CALLS: dict[str, Call] = {
    "create": lambda api, key, url, ws: api.create_dataset(key, url, "MNIST"),
    "get": lambda api, key, url, ws: api.get_dataset(key, url, ws, "MNIST"),
    "list": lambda api, key, url, ws: api.list_datasets(key, url),
    "update": lambda api, key, url, ws: api.update_dataset(key, url, ws, "MNIST", alias="x"),
    "delete": lambda api, key, url, ws: api.delete_dataset(key, url, ws, "MNIST"),
}
BAD_KEYS = {
    "empty": "",
    "no-prefix": "0123456789abcdef0123456789abcdef",
    "lowercase-prefix": "accesskey-0123456789abcdef",
    "prefix-only": "ACCESSKEY-",
    "space": "ACCESSKEY-0123 456789abcdef",
}
BAD_NAMES = {
    "empty": "",
    "slash": "a/b",
    "space": "a b",
    "dot": "a.b",
    "non-ascii": "数据集",
    "129-chars": "x" * 129,
    "5000-chars": "x" * 5000,
}


@pytest.mark.parametrize("call", list(CALLS))
def test_malformed_key_is_unauthorized(api: Client, url: str, access_key: str, call: str) -> None:
    # A dataset the valid key owns, so only the key can be at fault.
    api.create_dataset(access_key, url, "MNIST")

    with api.raises(UNAUTHORIZED):
        CALLS[call](api, "not-an-access-key", url, workspace_of(access_key))


@pytest.mark.parametrize("bad_key", list(BAD_KEYS))
def test_malformed_keys(api: Client, url: str, bad_key: str) -> None:
    with api.raises(UNAUTHORIZED):
        api.list_datasets(BAD_KEYS[bad_key], url)


@pytest.mark.parametrize("call", ["get", "update", "delete"])
def test_another_workspace_is_access_denied(
    api: Client, url: str, access_key: str, other_key: str, call: str
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")

    with api.raises(ACCESS_DENIED):
        CALLS[call](api, other_key, url, created["workspace"])

    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


def test_access_denied_changes_nothing(
    api: Client, url: str, access_key: str, other_key: str
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    workspace = created["workspace"]

    with api.raises(ACCESS_DENIED):
        api.update_dataset(other_key, url, workspace, "MNIST", name="stolen", alias="x")
    with api.raises(ACCESS_DENIED):
        api.update_dataset(other_key, url, workspace, "MNIST", default_branch="main")
    with api.raises(ACCESS_DENIED):
        api.delete_dataset(other_key, url, workspace, "MNIST")

    assert api.get_dataset(access_key, url, workspace, "MNIST") == created
    assert_page(api.list_datasets(access_key, url), offset=0, total_count=1, names=["MNIST"])
    assert_page(api.list_datasets(other_key, url), offset=0, total_count=0, names=[])


@pytest.mark.parametrize("call", ["get", "update", "delete"])
def test_another_workspace_does_not_confirm_absence(
    api: Client, url: str, access_key: str, other_key: str, call: str
) -> None:
    # A missing dataset of another workspace gets the same 403 as an existing one.
    api.create_dataset(other_key, url, "other")

    with api.raises(ACCESS_DENIED):
        CALLS[call](api, access_key, url, workspace_of(other_key))
    with api.raises(ACCESS_DENIED):
        CALLS[call](api, access_key, url, "workspace-that-nobody-has")


@pytest.mark.parametrize("call", ["get", "update", "delete"])
def test_unknown_dataset_is_resource_not_exist(
    api: Client, url: str, access_key: str, call: str
) -> None:
    api.create_dataset(access_key, url, "other")

    with api.raises(RESOURCE_NOT_EXIST):
        CALLS[call](api, access_key, url, workspace_of(access_key))


def test_create_with_a_taken_name_is_name_conflict(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST", alias="first")

    with api.raises(NAME_CONFLICT):
        api.create_dataset(access_key, url, "MNIST", alias="second")

    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created
    assert_page(api.list_datasets(access_key, url), offset=0, total_count=1, names=["MNIST"])


def test_rename_to_a_taken_name_is_name_conflict(api: Client, url: str, access_key: str) -> None:
    first = api.create_dataset(access_key, url, "first")
    second = api.create_dataset(access_key, url, "second")
    workspace = first["workspace"]

    with api.raises(NAME_CONFLICT):
        api.update_dataset(access_key, url, workspace, "second", name="first", alias="x")

    assert api.get_dataset(access_key, url, workspace, "first") == first
    assert api.get_dataset(access_key, url, workspace, "second") == second


@pytest.mark.parametrize("bad_name", list(BAD_NAMES))
def test_create_with_a_bad_name_is_invalid_params(
    api: Client, url: str, access_key: str, bad_name: str
) -> None:
    with api.raises(INVALID_PARAMS):
        api.create_dataset(access_key, url, BAD_NAMES[bad_name])

    assert_page(api.list_datasets(access_key, url), offset=0, total_count=0, names=[])


@pytest.mark.parametrize("bad_name", list(BAD_NAMES))
def test_rename_to_a_bad_name_is_invalid_params(
    api: Client, url: str, access_key: str, bad_name: str
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")

    with api.raises(INVALID_PARAMS):
        api.update_dataset(access_key, url, created["workspace"], "MNIST", name=BAD_NAMES[bad_name])

    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": -1},
        {"limit": 1001},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 2**31},
        {"offset": "first"},
        {"offset": 0, "limit": 0},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_list_with_bad_paging_is_invalid_params(
    api: Client, url: str, access_key: str, params: dict[str, Any]
) -> None:
    api.create_dataset(access_key, url, "MNIST")

    with api.raises(INVALID_PARAMS):
        api.list_datasets(access_key, url, **params)


@pytest.mark.parametrize("storage_config", ["nonexistent", "Default", "bad/name", ""])
def test_create_with_an_unknown_storage_config_is_invalid_params(
    api: Client, url: str, access_key: str, storage_config: str
) -> None:
    with api.raises(INVALID_PARAMS):
        api.create_dataset(access_key, url, "MNIST", storage_config=storage_config)

    assert_page(api.list_datasets(access_key, url), offset=0, total_count=0, names=[])


@pytest.mark.parametrize("branch", ["dev", "Main", "bad/branch", ""])
def test_update_to_an_unknown_branch_is_invalid_params(
    api: Client, url: str, access_key: str, branch: str
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")

    with api.raises(INVALID_PARAMS):
        api.update_dataset(
            access_key, url, created["workspace"], "MNIST", alias="x", default_branch=branch
        )

    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


@pytest.mark.parametrize(
    "body", [{}, {"alias": "digits"}, {"storage_config": "default", "with_draft": True}]
)
def test_create_without_a_name_is_request_params_missing(
    api: Client, target: Target, access_key: str, body: dict[str, Any]
) -> None:
    # Neither library can send this (name is a required argument), so the request is raw
    # and the response goes through each library's own error dispatch.
    response = target.raw("POST", "/v2/datasets", key=access_key, json=body)

    assert response.status_code == 400
    api.check_error(api.error_from_response(response), PARAMS_MISSING)
    assert_page(api.list_datasets(access_key, target.url), offset=0, total_count=0, names=[])


def test_errors_leave_the_workspace_usable(api: Client, url: str, access_key: str) -> None:
    with api.raises(INVALID_PARAMS):
        api.create_dataset(access_key, url, "bad name")
    with api.raises(RESOURCE_NOT_EXIST):
        api.get_dataset(access_key, url, workspace_of(access_key), "MNIST")

    assert_dataset(api.create_dataset(access_key, url, "MNIST"), name="MNIST")
