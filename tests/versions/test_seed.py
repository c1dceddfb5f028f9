"""A seed can start a test from a dataset with history; old seeds still load."""

from __future__ import annotations

import graviti
import pytest
from graviti.exception import NameConflictError

from mock_server import mock_graviti, workspace_for_key
from mock_server.core.errors import InvalidParams

KEY = "ACCESSKEY-versionsseed0001"
WS = workspace_for_key(KEY)
SCHEMA = "type: record\nfields:\n- name: label\n  type: int64\n- name: name\n  type: string\n"
C1, C2 = "1" * 32, "2" * 32

SEED = {
    "users": [{"name": "u", "workspace": WS, "access_keys": [KEY]}],
    "datasets": [{"name": "X", "workspace": WS}],
    "versions": [
        {
            "workspace": WS,
            "dataset": "X",
            "commits": [
                {
                    "id": C1,
                    "title": "one",
                    "committed_at": "2024-01-01T00:00:00Z",
                    "sheets": [{"name": "t", "schema": SCHEMA, "records": [{"label": 1}]}],
                },
                {
                    "id": C2,
                    "title": "two",
                    "committed_at": "2024-01-02T00:00:00Z",
                    "sheets": [
                        {
                            "name": "t",
                            "schema": SCHEMA,
                            "records": [
                                {"__record_key": "000000000000000002", "label": 2, "name": "b"}
                            ],
                        }
                    ],
                },
            ],
            "branches": [{"name": "main", "commit_id": C2}, {"name": "old", "commit_id": C1}],
            "tags": [{"name": "v1", "commit_id": C1}],
            "drafts": [{"number": 3, "title": "wip"}],
        }
    ],
}


def test_a_seeded_history_reads_through_the_sdk() -> None:
    with mock_graviti(seed=SEED):
        dataset = graviti.Workspace(KEY).datasets.get("X")
        assert dataset.HEAD.commit_id == C2
        assert dataset["t"].to_pylist() == [{"label": 2, "name": "b"}]
        assert [c.commit_id for c in dataset.commits.list() if c is not None] == [C2, C1]
        dataset.checkout("v1")
        assert dataset["t"].to_pylist() == [{"label": 1, "name": None}]
        assert [d.number for d in dataset.drafts.list()] == [3]
        draft = dataset.drafts.get(3)
        assert draft.parent is not None and draft.parent.commit_id == C2
        dataset.checkout("main")
        # Keys go on from the seeded ones; the new draft is number 4.
        dataset["t"].extend([{"label": 3, "name": "c"}])
        dataset.commit("three")
        assert dataset.drafts.list(state="COMMITTED")[0].number == 4
        assert graviti.Workspace(KEY).datasets.get("X")["t"].to_pylist()[-1] == {
            "label": 3,
            "name": "c",
        }
        with pytest.raises(NameConflictError):
            dataset.branches.create("v1")


def test_the_old_dataset_seed_format_still_loads() -> None:
    seed = {
        "users": [{"name": "u", "workspace": WS, "access_keys": [KEY]}],
        "datasets": [
            {
                "name": "X",
                "workspace": WS,
                "branches": [{"name": "dev"}],
                "drafts": [{"number": 1, "branch": "dev", "title": "relabel"}],
            }
        ],
    }
    with mock_graviti(seed=seed):
        dataset = graviti.Workspace(KEY).datasets.get("X")
        assert [branch.name for branch in dataset.branches.list()] == ["main", "dev"]
        assert [(d.number, d.branch, d.title) for d in dataset.drafts.list()] == [
            (1, "dev", "relabel")
        ]


@pytest.mark.parametrize(
    ("schema", "record"),
    [
        ("type: record\nfields:\n- name: x\n  type: float64\n", {"x": float("nan")}),
        (
            "type: record\nfields:\n- name: box\n  type: record\n  fields:\n"
            "  - name: y\n    type: float32\n",
            {"box": {"y": float("inf")}},
        ),
        (
            "imports:\n- repo: https://github.com/Project-OpenBytes/portex-standard@main\n"
            "  types:\n  - name: file.File\ntype: record\nfields:\n- name: f\n  type: file.File\n",
            {"f": {"key": "k", "extra": [1.0, float("-inf")]}},
        ),
    ],
)
def test_a_seed_with_a_non_finite_float_is_refused(schema: str, record: dict[str, object]) -> None:
    seed = {
        "datasets": [{"name": "N", "workspace": WS}],
        "versions": [
            {
                "workspace": WS,
                "dataset": "N",
                "commits": [
                    {
                        "id": C1,
                        "title": "one",
                        "sheets": [{"name": "t", "schema": schema, "records": [record]}],
                    }
                ],
            }
        ],
    }
    with pytest.raises(InvalidParams, match="record 0: the value of '.*' does not fit"):
        with mock_graviti(seed=seed):
            pass
