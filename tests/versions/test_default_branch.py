"""A dataset's ``commit_id`` is its default branch's head, whichever branch that is."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mock_server import mock_graviti
from tests.versions.test_http_errors import AUTH, Api, with_history


@pytest.fixture
def api(app_client: TestClient) -> Api:
    return with_history(app_client)


def head_of(api: Api, branch: str) -> Any:
    return api.ok("GET", f"/branches/{branch}")["commit_id"]


def test_changing_the_default_branch_moves_the_dataset_head(api: Api) -> None:
    first = api.ok("GET", "")["commit_id"]
    api.ok("POST", "/branches", {"name": "dev", "revision": "main"})
    second = api.ok("POST", "/commits", {"draft_number": 2, "title": "c2"})["commit_id"]
    assert (head_of(api, "main"), head_of(api, "dev")) == (second, first)

    answered = api.ok("PATCH", "", {"default_branch": "dev"})
    assert (answered["default_branch"], answered["commit_id"]) == ("dev", first)
    assert api.ok("GET", "")["commit_id"] == first
    # A commit on the new default moves the dataset; one on the old default does not.
    api.ok("POST", "/drafts", {"title": "on dev", "branch": "dev"})
    third = api.ok("POST", "/commits", {"draft_number": 3, "title": "c3"})["commit_id"]
    assert api.ok("GET", "")["commit_id"] == third
    api.ok("POST", "/drafts", {"title": "on main", "branch": "main"})
    api.ok("POST", "/commits", {"draft_number": 4, "title": "c4"})
    assert api.ok("GET", "")["commit_id"] == third

    assert api.ok("PATCH", "", {"default_branch": "main"})["commit_id"] == head_of(api, "main")


def test_a_default_branch_with_no_commit_gives_no_head(app_client: TestClient) -> None:
    app_client.post("/v2/datasets", json={"name": "E"}, headers=AUTH)
    api = Api(app_client)
    api.base = api.base.replace("/X", "/E")
    api.ok("POST", "/branches", {"name": "empty", "revision": "main"})
    api.ok("POST", "/drafts", {"title": "one"})
    committed = api.ok("POST", "/commits", {"draft_number": 1, "title": "c1"})["commit_id"]
    assert api.ok("GET", "")["commit_id"] == committed

    assert api.ok("PATCH", "", {"default_branch": "empty"})["commit_id"] is None
    assert api.ok("GET", "")["commit_id"] is None


def test_the_sdk_head_follows_the_default_branch() -> None:
    import graviti

    with mock_graviti():
        workspace = graviti.Workspace("ACCESSKEY-defaultbranch01")
        dataset = workspace.datasets.create("Heads")
        dataset["train"] = graviti.DataFrame([{"n": 1}])
        dataset.commit("first")
        first = dataset.HEAD.commit_id
        dataset.branches.create("dev")
        dataset.checkout("main")
        dataset["train"] = graviti.DataFrame([{"n": 2}])
        dataset.commit("second")
        dataset.edit(default_branch="dev")
        again = workspace.datasets.get("Heads")
        assert (again.default_branch, again.HEAD.commit_id) == ("dev", first)
        assert again["train"].to_pylist() == [{"n": 1}]
