"""The real SDK's storage configs, actions and runs against mock_graviti(), no socket."""

from __future__ import annotations

import graviti
import graviti.exception
import pytest
from graviti.exception import (
    ForbiddenError,
    NameConflictError,
    ResourceNotExistError,
)

from mock_server import mock_graviti, workspace_for_key
from mock_server.inprocess import InProcessMock

KEY = "ACCESSKEY-actions-inprocess-01"
WS = workspace_for_key(KEY)


def seed_configs(mock: InProcessMock) -> None:
    mock.seed(
        {
            "storage_configs": [
                {"name": "s3-main", "workspace": WS, "backend_type": "S3"},
                {
                    "name": "mine",
                    "workspace": WS,
                    "backend_type": "AZURE",
                    "config_type": "AUTHORIZED",
                },
            ]
        }
    )


def test_storage_configs_list_default_edit_and_new_datasets(no_sockets: list[object]) -> None:
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY)
        seed_configs(mock)
        configs = ws.storage_configs
        assert configs.default_storage_config == "default"
        listed = configs.list()
        assert [(c.name, c.config_type, c.backend_type) for c in listed] == [
            ("default", "GRAVITI", "OSS"),
            ("s3-main", "GRAVITI", "S3"),
            ("mine", "AUTHORIZED", "AZURE"),
        ]
        assert configs.get("mine").backend_type == "AZURE"
        before = ws.datasets.create("before")
        assert before.storage_config.backend_type == "OSS"

        configs.edit(default_storage_config="s3-main")
        assert configs.default_storage_config == "s3-main"
        after = ws.datasets.create("after")
        assert after.storage_config.name == "s3-main"
        assert after.storage_config.backend_type == "S3"
        # The dataset made earlier stays where it was.
        assert ws.datasets.get("before").storage_config.name == "default"

        with pytest.raises(ResourceNotExistError):
            configs.get("nowhere")
        patch = mock.assert_called("update_storage_configs", times=1)[0]
        assert patch.body == {"deafault_storage_config": "s3-main"}
    assert no_sockets == []


def test_action_lifecycle_through_the_sdk(no_sockets: list[object]) -> None:
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY)
        dataset = ws.datasets.create("MNIST")
        action = dataset.actions.create("train", "steps: [a]")
        assert (action.name, action.edition, action.state, action.payload) == (
            "train",
            1,
            "ENABLED",
            "steps: [a]",
        )
        with pytest.raises(NameConflictError):
            dataset.actions.create("train", "again")
        dataset.actions.create("other", "p")
        assert [a.name for a in dataset.actions.list()] == ["train", "other"]

        action.edit(payload="steps: [a, b]")
        assert (action.edition, action.payload) == (2, "steps: [a, b]")
        action.disable()
        assert (action.state, action.edition) == ("DISABLED", 2)
        with pytest.raises(ForbiddenError):
            action.runs.create()
        action.enable()
        action.edit(name="fit")
        assert dataset.actions.get("fit").edition == 2
        with pytest.raises(ResourceNotExistError):
            dataset.actions.get("train")

        first = action.runs.create({"epochs": 3})
        second = action.runs.create()
        assert (first.number, first.status, first.arguments) == (1, "SUCCEEDED", {"epochs": 3})
        assert (second.number, second.arguments) == (2, {})
        assert first.ended_at is not None and first.duration is not None
        assert first.url.endswith(
            f"/actions/fit/{first._workflow_id[4:]}?fullId={first._workflow_id}"
        )
        got = action.runs.get(1)
        assert [node.phase for node in got.nodes] == ["SUCCEEDED", "SUCCEEDED"]
        root, step = got.nodes
        assert root.children == [step.node_id]
        assert [run.number for run in action.runs.list()] == [1, 2]
        with pytest.raises(ForbiddenError):
            got.cancel()

        calls = mock.assert_called("create_action_run", times=3)
        assert calls[-1].body is None
        dataset.actions.delete("fit")
        assert [a.name for a in dataset.actions.list()] == ["other"]
    assert no_sockets == []


def test_a_held_run_is_polled_until_moved_and_a_scripted_failure() -> None:
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY)
        action = ws.datasets.create("MNIST").actions.create("train", "p")
        mock.actions.hold(WS, "MNIST", "train")
        run = action.runs.create({"k": "v"})
        assert (run.status, run.ended_at) == ("PENDING", None)

        statuses = []
        script = iter(["RUNNING", "SUCCEEDED"])
        while True:
            polled = action.runs.get(run.number)
            statuses.append(polled.status)
            if polled.status in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            mock.actions.set_run_status(WS, "MNIST", "train", run.number, next(script))
        assert statuses == ["PENDING", "RUNNING", "SUCCEEDED"]
        assert polled.ended_at is not None

        mock.actions.release(WS, "MNIST", "train")
        mock.actions.fail_next(WS, "MNIST", "train", times=1)
        failed = action.runs.create()
        assert (failed.status, failed.ended_at is not None) == ("FAILED", True)
        assert action.runs.create().status == "SUCCEEDED"
        assert mock.actions.script(WS, "MNIST", "train") == {"hold": None, "fail_next": 0}


def test_cancel_a_held_run() -> None:
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY)
        action = ws.datasets.create("MNIST").actions.create("train", "p")
        mock.actions.hold(WS, "MNIST", "train", status="RUNNING")
        run = action.runs.create()
        assert run.status == "RUNNING"
        run.cancel()
        assert run.status == "CANCELLED"
        assert run.ended_at is not None
        assert [node.phase for node in run.nodes] == ["CANCELLED", "CANCELLED"]
        assert action.runs.get(run.number).status == "CANCELLED"
        with pytest.raises(ForbiddenError):
            run.cancel()


def test_faults_delays_and_the_journal_name_the_new_operations() -> None:
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY)
        action = ws.datasets.create("MNIST").actions.create("train", "p")
        # A 503 is decided before the run is made: the SDK's retry makes exactly one.
        mock.fail("create_action_run", status=503, times=1)
        assert action.runs.create().number == 1
        calls = mock.assert_called("create_action_run", times=2)
        assert [call.status for call in calls] == [503, 200]
        mock.fail("get_action", status=500, times=1)
        with pytest.raises(graviti.exception.InternalServerError):
            ws.datasets.get("MNIST").actions.get("train")
        mock.delay("list_storage_configs", ms=1)
        assert ws.storage_configs.default_storage_config == "default"
        operations = [call.operation for call in mock.requests]
        assert operations[-4:] == [
            "create_action_run",
            "get_dataset",
            "get_action",
            "list_storage_configs",
        ]
