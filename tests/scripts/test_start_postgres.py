"""``scripts/start-postgres`` makes a UTF8 cluster whatever the locale of its caller."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from graviti.openapi import create_dataset, get_dataset

from mock_server.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
KEY = "ACCESSKEY-startpostgres01"


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        message = "no PostgreSQL server here: install postgresql"
        if os.environ.get("GRAVITI_MOCK_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found[-1].parent


def test_a_cluster_made_without_lang_is_utf8_and_serves_unicode() -> None:
    bin_dir = pg_bin()
    # Not under pytest's private temporary folder: the postgres user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="graviti-mock-pg-locale."))
    folder.chmod(0o755)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # What a bare CI container or `env -i` gives: no LANG, no LC_*.
    env = {"PATH": os.environ["PATH"], "GRAVITI_MOCK_PG_PORT": str(port)}
    try:
        started = subprocess.run(
            [str(ROOT / "scripts" / "start-postgres"), str(folder / "cluster")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        url = started.stdout.strip().splitlines()[-1]
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
            encoding = connection.execute("SHOW server_encoding").fetchone()
        assert encoding == ("UTF8",)
        with ServerProcess(database=url) as server:
            create_dataset(KEY, server.url, "unicode", alias="données 数据")
            workspace = create_dataset(KEY, server.url, "ascii")["workspace"]
            assert get_dataset(KEY, server.url, workspace, "unicode")["alias"] == "données 数据"
    finally:
        command = [str(bin_dir / "pg_ctl"), "-D", str(folder / "cluster" / "data")]
        command += ["-m", "immediate", "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)
