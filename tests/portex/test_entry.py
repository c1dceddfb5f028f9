"""mock_graviti() and the pytest fixtures install the Portex types on entry, once per
process and temporary directory, so a file column works in a test with no set-up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mock_server import mock_graviti
from mock_server.portex import cache_path
from tests.plugin.conftest import PLUGIN_ARGS, project  # noqa: F401  (a fixture)
from tests.portex.conftest import Spawned, git


def test_mock_graviti_installs_on_entry(portex_tmp: Path, spawned: Spawned) -> None:
    import graviti.portex as pt

    assert not cache_path().exists()
    with mock_graviti():
        assert git(cache_path(), "status", "--porcelain") == ""
        std = pt.build_package(pt.STANDARD_URL, "main")
        assert list(std.file.Image().to_builtin().fields)[-2:] == ["height", "width"]


def test_a_second_entry_spawns_nothing(portex_tmp: Path, spawned: Spawned) -> None:
    with mock_graviti():
        pass
    spawned.commands.clear()

    with mock_graviti():
        pass

    assert spawned.commands == []


def test_a_tree_removed_since_the_check_is_installed_again(portex_tmp: Path) -> None:
    with mock_graviti():
        pass
    shutil.rmtree(cache_path())

    with mock_graviti():
        assert git(cache_path(), "status", "--porcelain") == ""


def test_the_fixtures_install_on_entry(
    portex_tmp: Path,
    project: pytest.Pytester,  # noqa: F811
) -> None:
    # In-process run: the inner session sees this test's temporary directory.
    project.makepyfile(
        """
        import graviti.portex as pt
        from mock_server.portex import cache_path

        import shutil

        def test_server(graviti_mock):
            assert (cache_path() / "label" / "Mask.yaml").is_file()
            shutil.rmtree(cache_path())

        def test_inprocess(graviti_inprocess):
            assert (cache_path() / "file" / "Image.yaml").is_file()
            std = pt.build_package(pt.STANDARD_URL, "main")
            pt.record({"filename": pt.string(), "image": std.file.Image()})
        """
    )
    result = project.runpytest(*PLUGIN_ARGS)
    result.assert_outcomes(passed=2)
    assert str(cache_path()).startswith(str(portex_tmp))
