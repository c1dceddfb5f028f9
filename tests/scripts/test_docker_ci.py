"""``docker/ci.sh`` gives up at once, with dockerd's log, when dockerd dies at start.

dockerd without the privileges it needs (iptables, overlay mounts) exits within a
second. The script runs here against stand-ins for the tools it would install
(dockerd, docker, debootstrap, docker-compose, hadolint): a dockerd that fails like
that, and a docker client with no engine to answer it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERD_ERROR = "failed to start daemon: Error initializing network controller: iptables failed"


def stand_in(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_a_dockerd_that_dies_at_start_fails_the_run_at_once(tmp_path: Path) -> None:
    fakes, cache = tmp_path / "bin", tmp_path / "cache"
    stand_in(
        fakes, "dockerd", f"echo 'level=info msg=\"Starting up\"'\necho '{DOCKERD_ERROR}'\nexit 1"
    )
    stand_in(fakes, "docker", "echo 'Cannot connect to the Docker daemon' >&2\nexit 1")
    stand_in(fakes, "debootstrap", "exit 0")
    tools = cache / "tools" / "bin"
    stand_in(tools, "python", f'exec "{sys.executable}" "$@"')  # has trustme
    stand_in(tools, "docker-compose", "exit 0")
    stand_in(tools, "hadolint", "exit 0")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GRAVITI_MOCK_")},
        "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}",
        "GRAVITI_MOCK_CI_CACHE": str(cache),
    }
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(ROOT / "docker" / "ci.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=100,  # the script's own deadline is 120 s: reaching it fails here
    )
    took = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "dockerd exited with status 1" in output, output
    assert DOCKERD_ERROR in output, output  # its last log lines, shown with the failure
    assert "timed out" not in output
    assert took < 30, f"{took:.1f}s"
