"""Fixtures for the Portex tests: a fresh temporary directory, and a record of every
process spawned and every connection opened, so a test can prove nothing went online."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mock_server.portex import install as portex_install

_recorders: list[Spawned] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _recorders:
        return
    if event == "subprocess.Popen":
        command = [str(part) for part in args[1]] if args[1] else [str(args[0])]
        for recorder in _recorders:
            recorder.commands.append(command)
    elif event in ("os.system", "os.posix_spawn", "os.exec"):
        for recorder in _recorders:
            recorder.commands.append([event, str(args[0])])
    elif event == "socket.connect" and isinstance(args[1], tuple):
        for recorder in _recorders:
            recorder.connections.append(args[1])


# An audit hook cannot be removed; it does nothing unless a test holds a recorder.
sys.addaudithook(_audit)


@dataclass
class Spawned:
    """What ran while the fixture was active."""

    commands: list[list[str]] = field(default_factory=list)
    connections: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def git(self) -> list[list[str]]:
        return [command[1:] for command in self.commands if Path(command[0]).name == "git"]

    def assert_offline(self) -> None:
        online = {"fetch", "clone", "pull", "ls-remote", "submodule"}
        remote = [cmd for cmd in self.git if online & set(cmd) or cmd[:2] == ["remote", "add"]]
        assert remote == [], f"git went for the network: {remote}"
        assert self.connections == [], f"connections were opened: {self.connections}"


@pytest.fixture
def spawned() -> Iterator[Spawned]:
    recorder = Spawned()
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)
    recorder.assert_offline()


@pytest.fixture
def portex_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of its own for the test, as the SDK and the installer see it,
    with no package built or tree verified earlier in this process."""
    from graviti.portex.package import packages

    tempdir = tmp_path / "tmp"
    tempdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tempdir))
    monkeypatch.setattr(tempfile, "tempdir", str(tempdir))
    monkeypatch.setattr(packages, "externals", {})
    monkeypatch.setattr(portex_install, "_verified", set())
    return tempdir


def git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=path, capture_output=True, check=True, text=True
    ).stdout
