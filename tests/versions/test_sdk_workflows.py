"""The SDK's versioned-data workflows (SDK-SURFACE §6 a-d), in-process and over HTTPS.

Each workflow runs against ``graviti.Workspace`` unchanged: once through ``mock_graviti``
(no socket) and once against a real server process with TLS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import graviti
import pytest
from graviti import DataFrame
from graviti.exception import ForbiddenError, ResourceNotExistError

from mock_server import mock_graviti
from mock_server.testing import ServerProcess
from tests.versions.conftest import rows, titles

KEY = "ACCESSKEY-versions0000001"


@pytest.fixture(params=["in-process", "https"])
def workspace(request: pytest.FixtureRequest) -> Iterator[graviti.Workspace]:
    if request.param == "in-process":
        with mock_graviti():
            yield graviti.Workspace(KEY)
        return
    request.getfixturevalue("trusted")
    server: ServerProcess = request.getfixturevalue("tls_server")
    server.reset()
    yield graviti.Workspace(KEY, server.url)


def table(dataset: Any, sheet: str) -> list[dict[str, Any]]:
    return list(dataset[sheet].to_pylist())


def test_commit_and_read_back_through_paging(workspace: graviti.Workspace) -> None:
    dataset = workspace.datasets.create("X")
    first = rows(300)
    dataset["train"] = DataFrame(first)
    dataset["small"] = DataFrame(rows(3, start=1000))
    dataset.commit("first", "the first commit")

    again = workspace.datasets.get("X")
    assert again.HEAD.commit_id == dataset.HEAD.commit_id
    assert sorted(again.keys()) == ["small", "train"]
    assert len(again["train"]) == 300
    assert table(again, "train") == first
    assert table(again, "small") == rows(3, start=1000)


def second_and_third_commits(workspace: graviti.Workspace) -> tuple[Any, list[Any]]:
    """Workflow (d): update, delete and append; then add a column and delete a sheet."""
    dataset = workspace.datasets.create("X")
    dataset["train"] = DataFrame(rows(200))
    dataset["images"] = DataFrame(rows(2, start=500))
    dataset.commit("first")
    commits = [dataset.HEAD.commit_id]

    second = workspace.datasets.get("X")
    train: Any = second["train"]
    train.loc[1] = {
        "filename": "b2",
        "label": -1,
        "score": 0.5,
        "tags": ["z"],
        "box": {"x": 9.0, "y": 9.0},
    }
    train["label"][0] = 99
    del train.loc[0]
    train.extend(rows(2, start=900))
    second.commit("second")
    commits.append(second.HEAD.commit_id)

    third = workspace.datasets.get("X")
    train = third["train"]
    train["newcol"] = [f"n{index}" for index in range(len(train))]
    del third["images"]
    third.commit("third")
    commits.append(third.HEAD.commit_id)
    return workspace.datasets.get("X"), commits


def test_second_and_third_commits_read_back(workspace: graviti.Workspace) -> None:
    latest, commits = second_and_third_commits(workspace)
    expected = rows(200)[1:] + rows(2, start=900)
    expected[0] = {
        "filename": "b2",
        "label": -1,
        "score": 0.5,
        "tags": ["z"],
        "box": {"x": 9.0, "y": 9.0},
    }
    for index, row in enumerate(expected):
        row["newcol"] = f"n{index}"
    assert list(latest.keys()) == ["train"]
    assert table(latest, "train") == expected

    assert [commit.commit_id for commit in latest.commits.list()] == commits[::-1]
    assert titles(latest) == ["third", "second", "first"]

    latest.checkout(commits[0])
    assert sorted(latest.keys()) == ["images", "train"]
    assert table(latest, "train") == rows(200)
    assert table(latest, "images") == rows(2, start=500)

    latest.checkout(commits[1])
    second = table(latest, "train")
    assert second == [{k: v for k, v in row.items() if k != "newcol"} for row in expected]


def test_branches_tags_and_checkout(workspace: graviti.Workspace) -> None:
    dataset = workspace.datasets.create("X")
    dataset["train"] = DataFrame(rows(5))
    dataset.commit("first")
    first = dataset.HEAD.commit_id
    dataset.branches.create("dev")
    dataset.tags.create("v1")
    assert [branch.name for branch in dataset.branches.list()] == ["main", "dev"]
    assert [tag.name for tag in dataset.tags.list()] == ["v1"]

    dataset.checkout("dev")
    draft: Any = dataset.drafts.create("on dev", "desc")
    assert (draft.branch, draft.parent.commit_id, draft.state) == ("dev", first, "OPEN")
    draft["train"].loc[0] = {
        "filename": "dev",
        "label": 7,
        "score": 1.5,
        "tags": [],
        "box": {"x": 1.0, "y": 1.0},
    }
    draft.upload()
    draft.commit("commit on dev")
    assert draft.state == "COMMITTED"
    dev_head = dataset.branches.get("dev").commit_id
    assert dev_head != first

    # main, the tag and the dataset's head stayed where they were.
    assert workspace.datasets.get("X").HEAD.commit_id == first
    assert dataset.tags.get("v1").commit_id == first
    dataset.checkout("v1")
    assert table(dataset, "train")[0]["filename"] == "file-0000.txt"
    dataset.checkout("dev")
    assert table(dataset, "train")[0] == {
        "filename": "dev",
        "label": 7,
        "score": 1.5,
        "tags": [],
        "box": {"x": 1.0, "y": 1.0},
    }
    assert titles(dataset) == ["commit on dev", "first"]

    dataset.tags.delete("v1")
    with pytest.raises(ResourceNotExistError):
        dataset.tags.get("v1")
    dataset.checkout("main")
    with pytest.raises(ForbiddenError):
        dataset.branches.delete("main")
    dataset.branches.delete("dev")
    assert [branch.name for branch in dataset.branches.list()] == ["main"]


def test_drafts_lifecycle(workspace: graviti.Workspace) -> None:
    dataset = workspace.datasets.create("X")
    draft = dataset.drafts.create("d1")
    assert (draft.number, draft.state, draft.parent) == (1, "OPEN", None)
    draft["train"] = DataFrame(rows(130))
    draft.upload()
    assert len(dataset.drafts.get(1)["train"]) == 130
    draft.edit(title="d1b", description="edited")
    assert (dataset.drafts.get(1).title, dataset.drafts.get(1).description) == ("d1b", "edited")
    closing = dataset.drafts.create("to close")
    closing.close()
    assert closing.state == "CLOSED"
    assert [d.number for d in dataset.drafts.list()] == [1]
    assert [d.number for d in dataset.drafts.list(state="CLOSED")] == [2]
    draft.commit("from a draft")
    assert [d.number for d in dataset.drafts.list(state="COMMITTED")] == [1]
    assert [d.number for d in dataset.drafts.list(state="ALL", branch="main")] == [1, 2]
    assert table(workspace.datasets.get("X"), "train") == rows(130)
