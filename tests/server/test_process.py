"""A real server process where TLS, persistence, concurrency and signals are the point."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graviti
import psycopg
import pytest
import requests
from fastapi.testclient import TestClient
from graviti.exception import NameConflictError, ResourceNotExistError
from graviti.openapi import create_dataset, get_current_workspace, list_datasets

from mock_server.app import build_backend
from mock_server.settings import Settings
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-process00001"


@pytest.mark.usefixtures("trusted")
def test_high_level_workspace_over_https(tls_server: ServerProcess) -> None:
    tls_server.reset()
    assert tls_server.url.startswith("https://127.0.0.1:")
    workspace = graviti.Workspace(KEY, tls_server.url)
    assert workspace.name == get_current_workspace(KEY, tls_server.url)["name"]
    names = [f"set-{index:03d}" for index in range(130)]
    for name in names:
        workspace.datasets.create(name)
    listed = workspace.datasets.list()
    assert len(listed) == 130
    assert [dataset.name for dataset in listed] == names

    dataset = workspace.datasets.get("set-000")
    dataset.edit(name="renamed", alias="Renamed")
    assert (dataset.name, dataset.alias) == ("renamed", "Renamed")
    assert workspace.datasets.get("renamed").alias == "Renamed"
    workspace.datasets.delete("renamed")
    with pytest.raises(ResourceNotExistError):
        workspace.datasets.get("renamed")
    assert len(workspace.datasets.list()) == 129


def test_sigterm_stops_promptly_with_idle_keep_alive_tls(tls_files: dict[str, Path]) -> None:
    args = ["--ssl-certfile", str(tls_files["cert"]), "--ssl-keyfile", str(tls_files["key"])]
    server = ServerProcess(args=args, verify=str(tls_files["ca"])).start()
    sessions = [requests.Session() for _ in range(3)]
    try:
        for session in sessions:
            # Each session keeps its TLS connection open, idle, after this call.
            answer = session.get(f"{server.url}/_mock/health", verify=str(tls_files["ca"]))
            assert answer.status_code == 200
        process = server.process
        assert process is not None
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=8)
        stopped_after = time.monotonic() - started
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert process.returncode in (0, -signal.SIGTERM)
        assert stopped_after < 8
        server.kill()
        assert "Application shutdown complete" in server.output
    finally:
        for session in sessions:
            session.close()
        server.kill()


def test_sixteen_concurrent_creates_of_one_name_have_one_winner(url: str) -> None:
    barrier = threading.Barrier(16)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            create_dataset(KEY, url, "contested")
        except NameConflictError:
            return "conflict"
        return "created"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    assert sorted(outcomes).count("created") == 1
    assert outcomes.count("conflict") == 15
    assert list_datasets(KEY, url)["total_count"] == 1


def test_data_and_workspace_survive_a_restart(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'mock.sqlite'}"
    with ServerProcess(database=database) as first:
        created = create_dataset(KEY, first.url, "kept")
    with ServerProcess(database=database) as second:
        listing = list_datasets(KEY, second.url)
        assert listing["datasets"] == [created]
        assert get_current_workspace(KEY, second.url)["name"] == created["workspace"]


def test_sigkill_during_concurrent_creates_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "mock.sqlite"
    database = f"sqlite:///{path}"
    server = ServerProcess(database=database).start()
    endpoint = f"{server.url}/v2/datasets"
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def writer(worker: int) -> None:
        session = requests.Session()
        for index in range(10_000):
            name = f"w{worker}-{index}"
            try:
                response = session.post(
                    endpoint,
                    json={"name": name, "alias": ""},
                    headers={"X-Token": KEY},
                    timeout=10,
                )
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                # Killed mid-call: refused or reset before the answer (ConnectionError),
                # or cut off inside its body (ChunkedEncodingError). Either way the
                # call was not acknowledged.
                return
            if response.status_code == 200:
                with lock:
                    acknowledged.append(name)
                    if len(acknowledged) >= 400:
                        enough.set()
        session.close()

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=60), "the writers made no progress"
    server.kill()  # SIGKILL while the writers are mid-request
    for thread in threads:
        thread.join(timeout=30)

    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        check.close()
    with ServerProcess(database=database) as restarted:
        stored: set[str] = set()
        offset = 0
        while True:
            page = list_datasets(KEY, restarted.url, offset=offset, limit=1000)
            stored.update(item["name"] for item in page["datasets"])
            offset += page["record_size"]
            if not page["datasets"]:
                break
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged creates lost"
    assert len(acknowledged) >= 400


@pytest.mark.parametrize("workers", ["1", "2"])
def test_health_answers_and_ready_is_503_while_the_start_up_seed_runs(
    tmp_path: Path, postgres_url: str, workers: str
) -> None:
    """The address is printed once the server accepts; seeding does not hold that up.

    The test locks the data tables against writes (reads, and so the schema check, go
    on), so the start-up seed waits for as long as the test says: no timing is guessed.
    """
    workspace = f"ready{workers}x{uuid.uuid4().hex[:12]}"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"datasets": [{"name": "seeded", "workspace": workspace}]}))
    build_backend(Settings(database=postgres_url)).close()  # the schema, before the lock
    with psycopg.connect(postgres_url.replace("postgresql+psycopg", "postgresql")) as lock:
        tables = lock.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        ).fetchall()
        names = ", ".join(f'"{name}"' for (name,) in tables)
        lock.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        server = ServerProcess(
            database=postgres_url, args=["--seed", str(seed), "--workers", workers]
        ).start(wait_ready=False)
        try:
            # Right after the address: no retry, each on a new connection.
            for _ in range(2 * int(workers)):
                assert requests.get(f"{server.url}/_mock/health", timeout=10).status_code == 200
                ready = requests.get(f"{server.url}/_mock/ready", timeout=10)
                assert ready.status_code == 503, ready.text
            lock.commit()
            server.wait_ready()
            state = requests.get(f"{server.url}/_mock/state", timeout=30).json()
            seeded = [item["name"] for item in state["datasets"] if item["workspace"] == workspace]
            assert seeded == ["seeded"]
        finally:
            server.stop()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_cleanly_as_killed_by_sigint(tmp_path: Path, workers: str) -> None:
    """Ctrl+C reaches the terminal's whole process group; the server shuts down
    gracefully, prints no traceback, and ends as killed by SIGINT (130 in a shell)."""
    database = f"sqlite:///{tmp_path / 'mock.sqlite'}"
    server = ServerProcess(database=database, args=["--workers", workers]).start()
    process = server.process
    assert process is not None
    create_dataset(KEY, server.url, "before-ctrl-c")
    os.killpg(process.pid, signal.SIGINT)  # the server leads its own process group
    process.wait(timeout=30)
    server.stop()
    assert process.returncode == -signal.SIGINT, server.output
    assert "Traceback" not in server.output
    assert "KeyboardInterrupt" not in server.output
    assert server.output.count("Application shutdown complete") == int(workers)
    with ServerProcess(database=database) as again:
        assert list_datasets(KEY, again.url)["total_count"] == 1


def test_openapi_document_describes_every_v2_operation(app_client: TestClient) -> None:
    document = app_client.get("/openapi.json").json()
    operations = {
        operation["operationId"]: operation
        for path, methods in document["paths"].items()
        if path.startswith("/v2/")
        for operation in methods.values()
    }
    assert set(operations) >= {
        "create_dataset",
        "get_dataset",
        "list_datasets",
        "update_dataset",
        "delete_dataset",
        "get_current_workspace",
        "get_current_user",
        "get_workspace",
    }
    for name, operation in operations.items():
        assert "200" in operation["responses"], name
        assert "401" in operation["responses"], name
        assert "422" not in operation["responses"], name
        for status, answer in operation["responses"].items():
            if status != "200":
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (name, status)
    assert "X-Token" in json.dumps(document["components"]["securitySchemes"])


def test_docs_are_served_without_a_network(app_client: TestClient) -> None:
    page = app_client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assets = [part.split('"')[0] for part in page.text.split('"/_mock/docs-static/')[1:]]
    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= set(assets)
    for asset in assets:
        response = app_client.get(f"/_mock/docs-static/{asset}")
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset
