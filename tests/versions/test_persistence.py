"""History survives a restart and a SIGKILL once the commit was answered (SQLite file, HTTPS)."""

from __future__ import annotations

from pathlib import Path

import graviti
import pytest
from graviti import DataFrame

from mock_server.testing import ServerProcess
from tests.versions.conftest import rows, titles, tls_args

KEY = "ACCESSKEY-versionskept0001"


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("ending", ["restart", "sigkill"])
def test_committed_history_survives(
    tmp_path: Path, tls_files: dict[str, Path], ending: str
) -> None:
    database = f"sqlite:///{tmp_path / 'kept.sqlite'}"
    args = tls_args(tls_files)
    with ServerProcess(database=database, args=args, verify=str(tls_files["ca"])) as server:
        workspace = graviti.Workspace(KEY, server.url)
        dataset = workspace.datasets.create("X")
        dataset["train"] = DataFrame(rows(150))
        dataset.commit("first")
        first = dataset.HEAD.commit_id
        dataset.tags.create("v1")
        dataset["train"].extend(rows(1, start=150))
        dataset.commit("second")
        if ending == "sigkill":
            server.kill()
        else:
            server.stop()

    with ServerProcess(database=database, args=args, verify=str(tls_files["ca"])) as server:
        dataset = graviti.Workspace(KEY, server.url).datasets.get("X")
        assert titles(dataset) == ["second", "first"]
        assert dataset["train"].to_pylist() == rows(151)
        dataset.checkout("v1")
        assert dataset.HEAD.commit_id == first
        assert dataset["train"].to_pylist() == rows(150)
