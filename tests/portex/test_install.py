"""install_portex and `graviti-mock install-portex`: a clean local git work tree where
the SDK looks, built once, repaired when the SDK would refuse it, never fetched."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest

from mock_server.cli import main
from mock_server.portex import (
    SDK_TYPES,
    STANDARD_URL,
    PortexInstallError,
    cache_path,
    install_portex,
)
from mock_server.portex.install import definitions
from tests.portex.conftest import Spawned, git


def assert_ours(path: Path) -> None:
    assert git(path, "status", "--porcelain") == ""
    assert git(path, "remote") == ""
    roots = list(path.glob("**/ROOT.yaml"))
    assert roots == [path / "ROOT.yaml"]
    for relative, content in definitions().items():
        assert (path / relative).read_bytes() == content


def leftovers(path: Path) -> list[str]:
    """Staging or set-aside trees left beside the installed one (the lock file stays)."""
    beside = {p.name for p in path.parent.iterdir()} - {path.name, ".graviti-mock.lock"}
    return sorted(beside)


def test_the_path_is_the_one_the_sdk_computes(portex_tmp: Path) -> None:
    from graviti.portex.builder import PackageRepo

    digest = hashlib.md5(b"https://github.com/Project-OpenBytes/portex-standardmain").hexdigest()
    assert digest == "e160f3abc9693d412cdf69c8ea846571"
    assert cache_path() == portex_tmp / "portex" / digest
    # The SDK's own object, built over the installed tree, points at the same place.
    install_portex(quiet=True)
    assert PackageRepo(STANDARD_URL, "main")._path == cache_path()


def test_install_builds_a_clean_work_tree(
    portex_tmp: Path, spawned: Spawned, capsys: pytest.CaptureFixture[str]
) -> None:
    result = install_portex()

    assert result.action == "installed"
    assert result.path == cache_path()
    assert capsys.readouterr().out == f"Portex standard types installed in {result.path}\n"
    assert_ours(result.path)
    assert (
        git(result.path, "log", "--format=%an <%ae>") == "graviti-mock <graviti-mock@localhost>\n"
    )
    assert {f"{name.replace('.', '/')}.yaml" for name in SDK_TYPES} < set(definitions())
    assert [cmd for cmd in spawned.git if cmd[0] != "status"]  # it did run git, locally


def test_a_second_install_finds_it_and_changes_nothing(
    portex_tmp: Path, spawned: Spawned, capsys: pytest.CaptureFixture[str]
) -> None:
    first = install_portex(quiet=True)
    head = git(first.path, "rev-parse", "HEAD")
    spawned.commands.clear()

    again = install_portex()

    assert [cmd[0] for cmd in spawned.git] == ["status"]
    assert again.action == "present"
    assert capsys.readouterr().out == f"Portex standard types already installed in {first.path}\n"
    assert git(first.path, "rev-parse", "HEAD") == head


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda p: (p / "file" / "Image.yaml").write_text("declaration: {}\n"), "uncommitted"),
        (lambda p: (p / "notes.txt").write_text("untracked\n"), "uncommitted"),
        (lambda p: shutil.rmtree(p / ".git"), "not a git work tree"),
        (lambda p: (p / "label" / "Mask.yaml").unlink(), "uncommitted"),
    ],
    ids=["edited", "untracked", "no-git", "deleted"],
)
def test_a_tree_the_sdk_would_reclone_is_rebuilt(portex_tmp: Path, damage, reason: str) -> None:
    path = install_portex(quiet=True).path
    damage(path)

    result = install_portex(quiet=True)

    assert result.action == "repaired"
    assert reason in result.reason
    assert_ours(path)
    assert leftovers(path) == []


def test_a_clean_tree_with_other_types_is_rebuilt(portex_tmp: Path) -> None:
    path = cache_path()
    path.mkdir(parents=True)
    (path / "ROOT.yaml").write_text("name: other\n")
    (path / "Thing.yaml").write_text("declaration: {type: string}\n")
    git(path, "init", "-q")
    git(path, "add", ".")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "other")

    result = install_portex(quiet=True)

    assert (result.action, result.reason) == ("repaired", "it holds other type definitions")
    assert_ours(path)


def test_a_file_in_place_of_the_tree_is_replaced(portex_tmp: Path) -> None:
    cache_path().parent.mkdir(parents=True)
    cache_path().write_text("not a directory")

    assert install_portex(quiet=True).action == "repaired"
    assert_ours(cache_path())


def upstream_clone(path: Path) -> None:
    """A clean tree as the SDK's own clone of the real package leaves it."""
    path.mkdir(parents=True)
    for relative, content in definitions().items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_bytes(content + b"# upstream\n")
    (path / "geometry").mkdir()
    (path / "geometry" / "Vector2D.yaml").write_text("declaration: {type: string}\n")
    git(path, "init", "-q")
    git(path, "remote", "add", "origin", STANDARD_URL)
    git(path, "add", ".")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "upstream")


def test_a_clean_clone_of_the_real_package_is_kept_unless_forced(
    portex_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cache_path()
    upstream_clone(path)

    assert install_portex().action == "kept"
    assert "kept" in capsys.readouterr().out
    assert (path / "geometry" / "Vector2D.yaml").exists()

    forced = install_portex(force=True, quiet=True)
    assert (forced.action, forced.reason) == ("repaired", "forced")
    assert_ours(path)


def test_concurrent_installs_leave_one_good_tree(portex_tmp: Path) -> None:
    barrier = threading.Barrier(4)
    actions: list[str] = []

    def install() -> None:
        barrier.wait()
        actions.append(install_portex(quiet=True).action)

    threads = [threading.Thread(target=install) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # They take turns: one builds, the others find its tree.
    assert sorted(actions) == ["installed", "present", "present", "present"]
    assert_ours(cache_path())
    assert leftovers(cache_path()) == []


def test_git_identity_and_hooks_of_the_user_do_not_matter(
    portex_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine with no identity, commits signed by default, a hook that always fails,
    # and a GIT_DIR left in the environment by some outer git command.
    home = tmp_path / "home"
    hooks = home / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    (home / ".gitconfig").write_text(
        f"[commit]\n\tgpgsign = true\n[core]\n\thooksPath = {hooks}\n"
        "[user]\n\tuseConfigOnly = true\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "EMAIL"):
        monkeypatch.delenv(name, raising=False)

    assert install_portex(quiet=True).action == "installed"
    monkeypatch.delenv("GIT_DIR")
    assert_ours(cache_path())
    assert not (tmp_path / "elsewhere").exists()


def test_without_git_a_clear_error(portex_tmp: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))

    with pytest.raises(PortexInstallError, match="git is not installed"):
        install_portex()
    assert not cache_path().exists()


def test_the_command(portex_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["install-portex"])
    assert capsys.readouterr().out == f"Portex standard types installed in {cache_path()}\n"
    main(["install-portex"])
    assert "already installed" in capsys.readouterr().out
    main(["install-portex", "--force"])
    assert capsys.readouterr().out.startswith("Portex standard types reinstalled")
    assert_ours(cache_path())


def test_the_command_without_git(
    portex_tmp: Path, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))

    with pytest.raises(SystemExit) as exit_info:
        main(["install-portex"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith("graviti-mock: install-portex: git is not installed")
