"""The README's quickstart runs as written, in order, from a fresh clone.

Invariants: every code block from the top of README.md to "## The server" is either run
or accounted for. Shell lines run in a copy of the repository's files (a fresh clone:
no certificates, no database); ``graviti-mock serve`` lines start real server
processes that stay up for the blocks after them; Python blocks run, twice, with the
project's interpreter against those servers. Only what cannot run inside a test is
stood in for, and checked instead: creating the venv and ``pip install`` (this
interpreter is that venv; each package the blocks need must be in an install line
before them), and the line that runs this very suite. Ports 8000 and 8443 are replaced
by free ones, so the test does not collide with a server on the machine.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from mock_server.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
README_PORTS = ("8000", "8443")


def quickstart_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text()
    top = text[: text.index("\n## The server")]
    return [(match.group(1), match.group(2)) for match in BLOCK.finditer(top)]


def shell_lines(block: str) -> Iterator[list[list[str]]]:
    """Each line of a shell block as its commands, split into words: lines joined across
    ``\\``, comments dropped, ``a && b`` as two commands."""
    for line in block.replace("\\\n", " ").splitlines():
        commands: list[list[str]] = [[]]
        for word in shlex.split(line, comments=True):
            if word == "&&":
                commands.append([])
            else:
                commands[-1].append(word)
        if commands[0]:
            yield commands


def requirements_of(words: list[str]) -> set[str]:
    """What a ``pip install`` line installs, the project's extras expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found: set[str] = set()
    for word in words[words.index("install") + 1 :]:
        if word.startswith("-"):
            continue
        extras = re.fullmatch(r"\.(?:\[(.*)\])?", word)
        if extras:
            found.update(project["dependencies"])
            for extra in filter(None, (extras.group(1) or "").split(",")):
                found.update(project["optional-dependencies"][extra])
        else:
            found.add(word)
    return found


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The repository's tracked files (as they are in the working tree), and no others."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    target = tmp_path / "clone"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_the_quickstart_runs_as_written(clone: Path) -> None:
    blocks = quickstart_blocks()
    assert [kind for kind, _ in blocks].count("python") >= 3, "the quickstart lost its snippets"
    ports = {port: free_port() for port in README_PORTS}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAVITI_MOCK_", "REQUESTS_"))}
    installed: set[str] = set()
    servers: list[ServerProcess] = []

    def local(text: str) -> str:
        for port, free in ports.items():
            text = re.sub(rf"\b{port}\b", free, text)
        return text

    def run_command(command: list[str], stack: ExitStack) -> None:
        if command[:3] == ["python3", "-m", "venv"]:
            return
        if command[0] == ".venv/bin/pip":
            installed.update(requirements_of(command))
            return
        if command[0] == ".venv/bin/graviti-mock":
            # The README's options, as written; port 8000 is the default, so a free one
            # comes through the environment instead.
            verify: str | bool = True
            if "--ssl-certfile" in command:
                verify = str(clone / "docker/certs/ca.pem")
            server = ServerProcess(
                argv=[sys.executable, "-m", "mock_server", *command[1:]],
                cwd=clone,
                env={**env, "GRAVITI_MOCK_PORT": ports["8000"]},
                verify=verify,
            )
            servers.append(stack.enter_context(server))
            return
        assert command[0] == ".venv/bin/python", f"unexpected command {command}"
        if "docker/make-cert.py" in command:
            assert "trustme" in installed, "make-cert.py needs trustme, not installed before"
        subprocess.run([sys.executable, *command[1:]], cwd=clone, env=env, check=True, timeout=60)

    def run_python(body: str) -> None:
        if re.search(r"^\s*(import|from) graviti\b", body, re.MULTILINE):
            assert "graviti==0.13.1" in installed, "graviti is used before it is installed"
        for run in range(2):  # as written, and again: a second run must work too
            result = subprocess.run(
                [sys.executable, "-c", local(body)],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, f"run {run + 1} of:\n{body}\n{result.stderr}"
            assert "MNIST" in result.stdout, result.stdout

    with ExitStack() as stack:
        for kind, body in blocks:
            if kind == "sh":
                for line in shell_lines(local(body)):
                    if any("pytest" in command for command in line):
                        continue  # this suite's own line: its installs are not the user's path
                    for command in line:
                        run_command(command, stack)
            elif kind == "python":
                run_python(body)
            else:
                pytest.fail(f"a quickstart block of unknown kind {kind!r}: {body}")
        assert len(servers) == 2, "the quickstart starts an http and an https server"
    assert (clone / "graviti-mock.sqlite").exists()  # the first server's file, as said
