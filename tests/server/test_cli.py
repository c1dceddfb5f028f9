"""The command line: options, environment variables, and their errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import requests
from graviti.openapi import create_dataset, list_datasets

from mock_server.cli import parser, settings_from
from mock_server.settings import DEFAULT_DATABASE, Settings
from mock_server.testing import ServerProcess


def test_defaults_bind_loopback_on_8000_with_a_sqlite_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HOST", "PORT", "DATABASE"):
        monkeypatch.delenv(f"GRAVITI_MOCK_{name}", raising=False)
    settings = settings_from(parser().parse_args(["serve"]))
    assert (settings.host, settings.port, settings.database) == (
        "127.0.0.1",
        8000,
        DEFAULT_DATABASE,
    )
    assert DEFAULT_DATABASE == "sqlite:///./graviti-mock.sqlite"


def test_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAVITI_MOCK_PORT", "9100")
    monkeypatch.setenv("GRAVITI_MOCK_DATABASE", "sqlite://")
    monkeypatch.setenv("GRAVITI_MOCK_WORKERS", "3")
    settings = settings_from(parser().parse_args(["serve", "--port", "9200", "--strict"]))
    assert (settings.port, settings.database, settings.workers) == (9200, "sqlite://", 3)
    assert settings.strict is True
    assert Settings().port == 9100


def test_every_option_has_an_environment_variable() -> None:
    serve = parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr,index]
    fields = set(Settings.model_fields)
    for action in serve._actions:
        if action.dest in ("help",):
            continue
        name = {"no_control": "control"}.get(action.dest, action.dest)
        assert name in fields, action.dest


def test_environment_configures_a_real_process(tmp_path: Path) -> None:
    database = tmp_path / "env.sqlite"
    env = {
        "GRAVITI_MOCK_DATABASE": f"sqlite:///{database}",
        "GRAVITI_MOCK_STRICT": "true",
        "GRAVITI_MOCK_ACCESS_KEYS": "ACCESSKEY-envkey00001",
    }
    server = ServerProcess(env=env)
    # ServerProcess passes --database itself; drop it so the environment decides.
    server.command = lambda: [  # type: ignore[method-assign]
        sys.executable,
        "-m",
        "mock_server",
        "serve",
        "--port",
        "0",
    ]
    with server:
        create_dataset("ACCESSKEY-envkey00001", server.url, "from-env")
        denied = requests.get(
            f"{server.url}/v2/datasets", headers={"X-Token": "ACCESSKEY-stranger001"}, timeout=5
        )
        assert denied.status_code == 401
    assert database.exists()
    with ServerProcess(database=f"sqlite:///{database}") as again:
        names = [
            item["name"] for item in list_datasets("ACCESSKEY-envkey00001", again.url)["datasets"]
        ]
        assert names == ["from-env"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--port", "70000"], "port"),
        (["serve", "--workers", "0"], "workers"),
        (["serve", "--ssl-keyfile", "key.pem"], "--ssl-keyfile needs --ssl-certfile"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for option in ("--host", "--port", "--database", "--workers", "--ssl-certfile", "--seed"):
        assert option in result.stdout


# ---------------------------------------------------------------- start-up failures
# Whatever the number of workers, a server that cannot start says why in one line, with
# no traceback, and exits non-zero; what the first process can check, it checks before
# it prints the address.


def run_serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("graviti-mock:")]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_frozen_time_exits_2_before_serving(tmp_path: Path, workers: str) -> None:
    database = f"sqlite:///{tmp_path / 'mock.sqlite'}"
    result = run_serve("--database", database, "--workers", workers, "--frozen-time", "bogus")
    assert result.returncode == 2, result.stderr
    (line,) = error_lines(result)
    assert "frozen_time" in line.replace("-", "_") and "ISO 8601" in line
    assert "Traceback" not in result.stderr
    assert "serving on" not in result.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database", "sqlite:////nonexistent-dir/mock.sqlite"], "cannot open the database"),
        (["--database", "nosuchdialect://x"], "--database"),
        (["--ssl-certfile", "/nonexistent/cert.pem"], "--ssl-certfile"),
    ],
    ids=["database-path", "database-url", "certificate"],
)
def test_an_unusable_database_or_certificate_exits_1_before_serving(
    tmp_path: Path, workers: str, args: list[str], message: str
) -> None:
    if "--database" not in args:
        args = [*args, "--database", f"sqlite:///{tmp_path / 'mock.sqlite'}"]
    result = run_serve(*args, "--workers", workers)
    assert result.returncode == 1, result.stderr
    lines = error_lines(result)
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert "serving on" not in result.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_seed_the_database_refuses_stops_the_whole_server(tmp_path: Path, workers: str) -> None:
    """The start-up seed meets the database only in a serving process: a conflict there
    ends every worker and the command with status 3, in one line, never a restart loop."""
    database = f"sqlite:///{tmp_path / 'mock.sqlite'}"
    key = "ACCESSKEY-seedconflict01"
    alice, bob = tmp_path / "alice.json", tmp_path / "bob.json"
    for path, user in ((alice, "alice"), (bob, "bob")):
        seed = {"users": [{"name": user, "workspace": "acme", "access_keys": [key]}]}
        path.write_text(json.dumps(seed))
    with ServerProcess(database=database, args=["--seed", str(alice)]):
        pass
    result = run_serve("--database", database, "--seed", str(bob), "--workers", workers)
    assert result.returncode == 3, result.stderr
    seed_errors = [line for line in error_lines(result) if "start-up seed" in line]
    assert seed_errors, result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_that_is_not_utf8_is_refused_at_start(postgres_url: str) -> None:
    name = f"ascii_{os.getpid()}"
    admin = postgres_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(
            f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
            "TEMPLATE template0"
        )
    try:
        database = postgres_url.rsplit("/", 1)[0] + f"/{name}"
        result = run_serve("--database", database)
        assert result.returncode == 1, result.stderr
        lines = error_lines(result)
        assert len(lines) == 1 and "SQL_ASCII" in lines[0] and "UTF8" in lines[0], lines
        assert "serving on" not in result.stdout
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_exits_1_before_serving(tmp_path: Path, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mock_server",
                "serve",
                "--port",
                port,
                "--workers",
                workers,
                "--database",
                f"sqlite:///{tmp_path / 'mock.sqlite'}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1, result.stderr
    assert "address already in use" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert "serving on" not in result.stdout
