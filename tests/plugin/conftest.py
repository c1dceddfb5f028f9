"""Helpers to run the pytest plugin in a throw-away project, as a user would."""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import mock_server

# Once the package is installed with its pytest11 entry point, pytest loads the plugin
# by itself; before that (a source checkout on PYTHONPATH) it is named with -p. Naming it
# both ways would register it twice.
INSTALLED = any(ep.name == "graviti_mock" for ep in entry_points(group="pytest11"))
PLUGIN_ARGS: tuple[str, ...] = () if INSTALLED else ("-p", "mock_server.plugin")

# The user's project is strict, as ours is.
INI = """
[pytest]
addopts = --strict-markers --strict-config
filterwarnings = error
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester project with a strict ini, and no mock server named by the environment."""
    monkeypatch.delenv("GRAVITI_MOCK_URL", raising=False)
    monkeypatch.delenv("GRAVITI_MOCK_CONTROL_TOKEN", raising=False)
    # A subprocess run imports this copy of mock_server, not whatever else is installed.
    paths = [str(Path(mock_server.__file__).resolve().parents[1])]
    paths += [
        str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
    ]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    pytester.makeini(INI)
    return pytester
