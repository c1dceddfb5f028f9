"""The real graviti SDK's dataset functions against a real server process."""

from __future__ import annotations

import pytest
from graviti.exception import (
    AccessDeniedError,
    InvalidParamsError,
    NameConflictError,
    ResourceNotExistError,
    UnauthorizedError,
)
from graviti.openapi import (
    create_dataset,
    delete_dataset,
    get_current_workspace,
    get_dataset,
    list_datasets,
    update_dataset,
)

from tests.contract.shapes import assert_dataset


def test_create_answers_all_thirteen_fields(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "MNIST", alias="digits")
    assert_dataset(created, commit_id=None)
    workspace = get_current_workspace(access_key, url)["name"]
    assert created["name"] == "MNIST"
    assert created["alias"] == "digits"
    assert created["workspace"] == workspace
    assert created["default_branch"] == "main"
    assert created["is_public"] is False
    assert created["storage_config"] == "default"
    assert created["backend_type"] == "OSS"
    assert created["created_at"] == created["updated_at"]


def test_create_with_draft_and_explicit_storage_config(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "drafted", storage_config="default", with_draft=True)
    assert_dataset(created)
    assert created["storage_config"] == "default"


def test_get_answers_what_create_answered(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "MNIST")
    assert get_dataset(access_key, url, created["workspace"], "MNIST") == created


def test_list_pages_in_creation_order(url: str, access_key: str) -> None:
    names = [f"set-{index}" for index in range(5)]
    for name in names:
        create_dataset(access_key, url, name)
    page = list_datasets(access_key, url, offset=1, limit=3)
    assert [item["name"] for item in page["datasets"]] == names[1:4]
    assert (page["offset"], page["record_size"], page["total_count"]) == (1, 3, 5)
    for item in page["datasets"]:
        assert_dataset(item)
    last = list_datasets(access_key, url, offset=4, limit=3)
    assert (last["record_size"], last["total_count"]) == (1, 5)
    past = list_datasets(access_key, url, offset=50)
    assert past == {"datasets": [], "offset": 50, "record_size": 0, "total_count": 5}


def test_list_defaults_to_offset_0_limit_128(url: str, access_key: str) -> None:
    for index in range(130):
        create_dataset(access_key, url, f"d{index:03d}")
    page = list_datasets(access_key, url)
    assert (page["offset"], page["record_size"], page["total_count"]) == (0, 128, 130)


def test_update_renames_and_changes_alias(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "old")
    workspace = created["workspace"]
    updated = update_dataset(access_key, url, workspace, "old", name="new", alias="A")
    assert_dataset(updated)
    assert (updated["id"], updated["name"], updated["alias"]) == (created["id"], "new", "A")
    assert get_dataset(access_key, url, workspace, "new") == updated
    with pytest.raises(ResourceNotExistError):
        get_dataset(access_key, url, workspace, "old")


def test_update_default_branch_to_existing_branch(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "MNIST")
    updated = update_dataset(access_key, url, created["workspace"], "MNIST", default_branch="main")
    assert updated["default_branch"] == "main"


def test_delete_then_get_is_not_found(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "MNIST")
    delete_dataset(access_key, url, created["workspace"], "MNIST")
    with pytest.raises(ResourceNotExistError) as caught:
        get_dataset(access_key, url, created["workspace"], "MNIST")
    assert caught.value.response.json()["code"] == "ResourceNotExist"
    assert list_datasets(access_key, url)["total_count"] == 0


# ---------------------------------------------------------------- every error pair


def test_duplicate_name_is_name_conflict(url: str, access_key: str) -> None:
    create_dataset(access_key, url, "MNIST")
    with pytest.raises(NameConflictError) as caught:
        create_dataset(access_key, url, "MNIST")
    assert caught.value.response.status_code == 409


def test_rename_onto_a_taken_name_is_name_conflict(url: str, access_key: str) -> None:
    workspace = create_dataset(access_key, url, "a")["workspace"]
    create_dataset(access_key, url, "b")
    with pytest.raises(NameConflictError):
        update_dataset(access_key, url, workspace, "a", name="b")
    assert get_dataset(access_key, url, workspace, "a")["name"] == "a"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda key, url, ws: get_dataset(key, url, ws, "nope"), id="get"),
        pytest.param(
            lambda key, url, ws: update_dataset(key, url, ws, "nope", alias="x"), id="update"
        ),
        pytest.param(lambda key, url, ws: delete_dataset(key, url, ws, "nope"), id="delete"),
    ],
)
def test_unknown_dataset_is_resource_not_exist(url: str, access_key: str, call) -> None:
    workspace = get_current_workspace(access_key, url)["name"]
    with pytest.raises(ResourceNotExistError):
        call(access_key, url, workspace)


@pytest.mark.parametrize("key", ["", "not-a-key", "ACCESSKEY-", "accesskey-abcdefgh12"])
def test_missing_or_malformed_key_is_unauthorized(url: str, key: str) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        list_datasets(key, url)
    assert caught.value.response.json()["code"] == "Unauthorized"


def test_both_key_prefixes_are_accepted(url: str) -> None:
    assert list_datasets("ACCESSKEY-comsite0001", url)["total_count"] == 0
    assert list_datasets("Accesskey-cnsite00001", url)["total_count"] == 0


@pytest.mark.parametrize(
    ("name", "alias"),
    [("", ""), ("a/b", ""), ("..", ""), ("x" * 129, ""), ("ok", "bad\x00alias"), ("ok", "a" * 257)],
)
def test_invalid_create_is_invalid_params(url: str, access_key: str, name: str, alias: str) -> None:
    with pytest.raises(InvalidParamsError):
        create_dataset(access_key, url, name, alias=alias)
    assert list_datasets(access_key, url)["total_count"] == 0


def test_unknown_storage_config_is_invalid_params(url: str, access_key: str) -> None:
    with pytest.raises(InvalidParamsError):
        create_dataset(access_key, url, "MNIST", storage_config="elsewhere")
    assert list_datasets(access_key, url)["total_count"] == 0


def test_unknown_default_branch_is_invalid_params(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "MNIST")
    with pytest.raises(InvalidParamsError):
        update_dataset(access_key, url, created["workspace"], "MNIST", default_branch="dev")
    assert get_dataset(access_key, url, created["workspace"], "MNIST") == created


@pytest.mark.parametrize(("offset", "limit"), [(None, 0), (None, -1), (None, 1001), (-1, None)])
def test_out_of_range_paging_is_invalid_params(
    url: str, access_key: str, offset: int | None, limit: int | None
) -> None:
    with pytest.raises(InvalidParamsError):
        list_datasets(access_key, url, offset=offset, limit=limit)


def test_other_workspace_is_access_denied_and_nothing_changes(
    url: str, access_key: str, other_key: str
) -> None:
    mine = create_dataset(access_key, url, "MNIST")
    workspace = mine["workspace"]
    with pytest.raises(AccessDeniedError):
        get_dataset(other_key, url, workspace, "MNIST")
    with pytest.raises(AccessDeniedError):
        update_dataset(other_key, url, workspace, "MNIST", name="stolen")
    with pytest.raises(AccessDeniedError):
        delete_dataset(other_key, url, workspace, "MNIST")
    # Existence is not revealed: a missing dataset of another workspace looks the same.
    with pytest.raises(AccessDeniedError):
        get_dataset(other_key, url, workspace, "missing")
    assert get_dataset(access_key, url, workspace, "MNIST") == mine
    assert list_datasets(other_key, url)["total_count"] == 0


def test_same_name_in_two_workspaces(url: str, access_key: str, other_key: str) -> None:
    mine = create_dataset(access_key, url, "MNIST")
    theirs = create_dataset(other_key, url, "MNIST")
    assert mine["workspace"] != theirs["workspace"]
    assert mine["id"] != theirs["id"]
    assert list_datasets(access_key, url)["datasets"] == [mine]
    assert list_datasets(other_key, url)["datasets"] == [theirs]
