"""The identity calls: the key's user and workspace, and any workspace by name."""

from __future__ import annotations

from tests.contract.clients import RESOURCE_NOT_EXIST, UNAUTHORIZED, Client
from tests.contract.shapes import ID, creator_of, workspace_of

WORKSPACE_FIELDS = {"type", "id", "name", "alias", "description", "email", "location"}
USER_FIELDS = {"id", "nickname", "email", "mobile", "description", "workspace", "team"}


def test_current_workspace_is_the_keys(api: Client, url: str, access_key: str) -> None:
    workspace = api.get_current_workspace(access_key, url)

    assert api.last_status == 200
    assert set(workspace) == WORKSPACE_FIELDS
    assert workspace["name"] == workspace_of(access_key)
    assert ID.fullmatch(workspace["id"]), workspace["id"]
    for field in ("type", "alias", "description", "email"):
        assert isinstance(workspace[field], str), field


def test_workspace_by_name_is_the_current_one(
    api: Client, url: str, access_key: str, other_key: str
) -> None:
    mine = api.get_current_workspace(access_key, url)
    assert api.get_workspace(access_key, url, mine["name"]) == mine
    # Any key may read a workspace by name.
    assert api.get_workspace(other_key, url, mine["name"]) == mine
    assert api.get_current_workspace(other_key, url)["id"] != mine["id"]


def test_current_user_belongs_to_the_keys_workspace(api: Client, url: str, access_key: str) -> None:
    user = api.get_current_user(access_key, url)

    assert api.last_status == 200
    assert set(user) == USER_FIELDS
    assert ID.fullmatch(user["id"]), user["id"]
    assert user["workspace"] == workspace_of(access_key)
    assert user["nickname"] == creator_of(access_key)


def test_unknown_workspace_is_resource_not_exist(api: Client, url: str, access_key: str) -> None:
    with api.raises(RESOURCE_NOT_EXIST):
        api.get_workspace(access_key, url, "no-such-workspace-anywhere")


def test_identity_needs_a_valid_key(api: Client, url: str) -> None:
    with api.raises(UNAUTHORIZED):
        api.get_current_user("not-an-access-key", url)
    with api.raises(UNAUTHORIZED):
        api.get_current_workspace("not-an-access-key", url)
    with api.raises(UNAUTHORIZED):
        api.get_workspace("not-an-access-key", url, "anything")
