"""The dataset resource through the five calls: shape, values, statuses and life cycle."""

from __future__ import annotations

import pytest

from tests.contract.clients import RESOURCE_NOT_EXIST, Client
from tests.contract.shapes import assert_dataset, assert_page, creator_of, workspace_of


def test_create_answers_200_with_the_new_dataset(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST", alias="digits")

    assert api.last_status == 200
    assert_dataset(
        created,
        name="MNIST",
        alias="digits",
        workspace=workspace_of(access_key),
        default_branch="main",
        commit_id=None,
        creator=creator_of(access_key),
        is_public=False,
        storage_config="default",
        backend_type="OSS",
    )
    assert created["created_at"] == created["updated_at"]


def test_create_defaults_and_options(api: Client, url: str, access_key: str) -> None:
    plain = api.create_dataset(access_key, url, "plain")
    assert_dataset(plain, alias="", storage_config="default")

    drafted = api.create_dataset(
        access_key, url, "drafted", storage_config="default", with_draft=True
    )
    assert api.last_status == 200
    assert_dataset(drafted, name="drafted", default_branch="main", commit_id=None)

    undrafted = api.create_dataset(access_key, url, "undrafted", with_draft=False)
    assert_dataset(undrafted, name="undrafted")


@pytest.mark.parametrize("name", ["a", "Z" * 128, "A-b_9", "0", "-_-"])
def test_names_allowed(api: Client, url: str, access_key: str, name: str) -> None:
    created = api.create_dataset(access_key, url, name)
    assert_dataset(created, name=name)
    assert api.get_dataset(access_key, url, created["workspace"], name) == created


def test_ids_are_distinct(api: Client, url: str, access_key: str, other_key: str) -> None:
    ids = {api.create_dataset(access_key, url, f"d{i}")["id"] for i in range(3)}
    ids.add(api.create_dataset(other_key, url, "d0")["id"])
    assert len(ids) == 4


def test_get_answers_what_create_answered(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST", alias="digits")

    fetched = api.get_dataset(access_key, url, workspace_of(access_key), "MNIST")

    assert api.last_status == 200
    assert_dataset(fetched)
    assert fetched == created


def test_update_alias(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    workspace = created["workspace"]

    updated = api.update_dataset(access_key, url, workspace, "MNIST", alias="handwritten")

    assert api.last_status == 200
    unchanged = {k: v for k, v in created.items() if k not in ("alias", "updated_at")}
    assert_dataset(updated, alias="handwritten", **unchanged)
    assert api.get_dataset(access_key, url, workspace, "MNIST") == updated


def test_update_default_branch_to_main(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST")

    updated = api.update_dataset(
        access_key, url, created["workspace"], "MNIST", default_branch="main"
    )

    assert api.last_status == 200
    assert updated == created


def test_empty_update_changes_nothing(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST")

    updated = api.update_dataset(access_key, url, created["workspace"], "MNIST")

    assert api.last_status == 200
    assert updated == created
    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


def test_rename_then_get_old_name_is_404(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST", alias="digits")
    workspace = created["workspace"]

    renamed = api.update_dataset(access_key, url, workspace, "MNIST", name="MNIST-v2")

    assert api.last_status == 200
    unchanged = {k: v for k, v in created.items() if k not in ("name", "updated_at")}
    assert_dataset(renamed, name="MNIST-v2", **unchanged)
    assert api.get_dataset(access_key, url, workspace, "MNIST-v2") == renamed
    with api.raises(RESOURCE_NOT_EXIST):
        api.get_dataset(access_key, url, workspace, "MNIST")
    with api.raises(RESOURCE_NOT_EXIST):
        api.update_dataset(access_key, url, workspace, "MNIST", alias="x")
    assert_page(api.list_datasets(access_key, url), offset=0, total_count=1, names=["MNIST-v2"])
    # The old name is free again.
    assert_dataset(api.create_dataset(access_key, url, "MNIST"), name="MNIST")


def test_delete_then_get_is_404(api: Client, url: str, access_key: str) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    kept = api.create_dataset(access_key, url, "kept")
    workspace = created["workspace"]

    assert api.delete_dataset(access_key, url, workspace, "MNIST") is None

    assert api.last_status == 200
    with api.raises(RESOURCE_NOT_EXIST):
        api.get_dataset(access_key, url, workspace, "MNIST")
    with api.raises(RESOURCE_NOT_EXIST):
        api.update_dataset(access_key, url, workspace, "MNIST", alias="x")
    with api.raises(RESOURCE_NOT_EXIST):
        api.delete_dataset(access_key, url, workspace, "MNIST")
    listed = assert_page(
        api.list_datasets(access_key, url), offset=0, total_count=1, names=["kept"]
    )
    assert listed == [kept]
    # The name is free again, under a new id.
    recreated = api.create_dataset(access_key, url, "MNIST")
    assert_dataset(recreated, name="MNIST")
    assert recreated["id"] != created["id"]


def test_same_name_in_two_workspaces(
    api: Client, url: str, access_key: str, other_key: str
) -> None:
    mine = api.create_dataset(access_key, url, "shared", alias="mine")
    theirs = api.create_dataset(other_key, url, "shared", alias="theirs")

    assert_dataset(mine, workspace=workspace_of(access_key), creator=creator_of(access_key))
    assert_dataset(theirs, workspace=workspace_of(other_key), creator=creator_of(other_key))
    assert mine["workspace"] != theirs["workspace"]
    assert mine["id"] != theirs["id"]
    assert api.get_dataset(access_key, url, mine["workspace"], "shared") == mine
    assert api.get_dataset(other_key, url, theirs["workspace"], "shared") == theirs
    assert assert_page(
        api.list_datasets(access_key, url), offset=0, total_count=1, names=["shared"]
    ) == [mine]

    api.delete_dataset(other_key, url, theirs["workspace"], "shared")

    assert api.get_dataset(access_key, url, mine["workspace"], "shared") == mine
    assert_page(api.list_datasets(other_key, url), offset=0, total_count=0, names=[])


def test_a_key_keeps_its_workspace(api: Client, url: str, access_key: str) -> None:
    first = api.create_dataset(access_key, url, "one")
    second = api.create_dataset(access_key, url, "two")
    assert first["workspace"] == second["workspace"] == workspace_of(access_key)
    assert first["creator"] == second["creator"] == creator_of(access_key)
