"""The pytest11 entry point declared in pyproject.toml loads the plugin with no -p."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_declared_entry_point_loads_the_plugin(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]["pytest11"]
    assert declared == {"graviti_mock": "mock_server.plugin"}
    # What an install writes, without installing: a dist-info on the path of a child run.
    site = tmp_path / "site"
    dist_info = site / "graviti_mock_entry_point-0.0.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: graviti-mock-entry-point\nVersion: 0.0.0\n"
    )
    lines = [f"{name} = {target}" for name, target in declared.items()]
    (dist_info / "entry_points.txt").write_text("[pytest11]\n" + "\n".join(lines) + "\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ["PYTHONPATH"]]))
    project.makepyfile(
        """
        def test_it(request, graviti_mock):
            assert request.config.pluginmanager.has_plugin("graviti_mock")
            assert graviti_mock.requests == []
        """
    )
    # No -p: only the entry point can have loaded it.
    project.runpytest_subprocess().assert_outcomes(passed=1)
