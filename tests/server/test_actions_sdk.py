"""The real SDK's storage configs, actions and runs against a server process over HTTPS,
scripted through MockControl; the state outlives a restart on a kept database file."""

from __future__ import annotations

from pathlib import Path

import graviti
import pytest
from graviti.exception import ForbiddenError

from mock_server.control_client import MockControl
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-actions-process-01"


@pytest.mark.usefixtures("trusted")
def test_storage_configs_actions_and_runs_over_https(
    tls_files: dict[str, Path], tmp_path: Path
) -> None:
    args = ["--ssl-certfile", str(tls_files["cert"]), "--ssl-keyfile", str(tls_files["key"])]
    database = f"sqlite:///{tmp_path / 'kept.sqlite'}"
    with ServerProcess(database=database, args=args, verify=str(tls_files["ca"])) as server:
        control = MockControl(server.url, verify=str(tls_files["ca"]))
        ws = graviti.Workspace(KEY, server.url)
        control.seed(
            {"storage_configs": [{"name": "blob", "workspace": ws.name, "backend_type": "AZURE"}]}
        )
        assert ws.storage_configs.default_storage_config == "default"
        assert [c.name for c in ws.storage_configs.list()] == ["default", "blob"]
        ws.storage_configs.edit(default_storage_config="blob")
        dataset = ws.datasets.create("MNIST")
        assert (dataset.storage_config.name, dataset.storage_config.backend_type) == (
            "blob",
            "AZURE",
        )

        action = dataset.actions.create("train", "steps: [fit]")
        control.actions.hold(ws.name, "MNIST", "train")
        run = action.runs.create({"epochs": 2})
        seen = [run.status]
        for status in ("RUNNING", "SUCCEEDED"):
            control.actions.set_run_status(ws.name, "MNIST", "train", run.number, status)
            seen.append(action.runs.get(run.number).status)
        assert seen == ["PENDING", "RUNNING", "SUCCEEDED"]

        held = action.runs.create()
        held.cancel()
        assert (held.status, held.nodes[0].phase) == ("CANCELLED", "CANCELLED")
        with pytest.raises(ForbiddenError):
            held.cancel()
        control.actions.release(ws.name, "MNIST", "train")
        control.actions.fail_next(ws.name, "MNIST", "train")
        assert action.runs.create().status == "FAILED"
        control.actions.hold(ws.name, "MNIST", "train", status="RUNNING")
        operations = {call.operation for call in control.requests}
        assert {
            "list_storage_configs",
            "update_storage_configs",
            "get_storage_config",
            "create_action",
            "create_action_run",
            "get_action_run",
            "cancel_action_run",
        } <= operations

    # Kept database, new process: actions, runs and the script are as they were left.
    with ServerProcess(database=database, args=args, verify=str(tls_files["ca"])) as server:
        control = MockControl(server.url, verify=str(tls_files["ca"]))
        ws = graviti.Workspace(KEY, server.url)
        action = ws.datasets.get("MNIST").actions.get("train")
        assert [r.status for r in action.runs.list()] == ["SUCCEEDED", "CANCELLED", "FAILED"]
        assert control.actions.script(ws.name, "MNIST", "train") == {
            "hold": "RUNNING",
            "fail_next": 0,
        }
        assert action.runs.create().status == "RUNNING"
        assert ws.storage_configs.default_storage_config == "blob"
