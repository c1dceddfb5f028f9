"""What the server exposes: keys in logs, tracebacks, listening address, the control plane."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.cli import parser, settings_from
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.identity.store import IdentityStore, mask_key
from mock_server.testing import ServerProcess


def test_access_keys_never_appear_in_the_log(tmp_path: Path) -> None:
    database = tmp_path / "mock.sqlite"
    registered = "ACCESSKEY-registered0secret0001"
    working = "ACCESSKEY-working0secret00000002"
    refused = "ACCESSKEY-refused0secret00000003"
    malformed = "ACCESSKEY-bad secret 0000000004"
    args = ["--log-level", "debug", "--access-keys", registered]
    with ServerProcess(database=f"sqlite:///{database}", args=args) as server:
        for key in (registered, working):
            created = requests.post(
                f"{server.url}/v2/datasets", headers={"X-Token": key}, json={"name": "a"}
            )
            assert created.status_code == 200, created.text
        assert (
            requests.get(f"{server.url}/v2/datasets", headers={"X-Token": malformed}).status_code
            == 401
        )
        # A database that refuses to provision a new key: the failure is logged with its
        # traceback, which must not carry the statement's parameters.
        with sqlite3.connect(database) as conn:
            conn.execute(
                "CREATE TRIGGER no_new_keys BEFORE INSERT ON access_key "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        conn.close()
        failed = requests.get(f"{server.url}/v2/datasets", headers={"X-Token": refused})
        assert failed.status_code == 500
        assert failed.json()["code"] == "InternalServerError"
        assert "Traceback" not in failed.text and "INSERT" not in failed.text
    output = server.output
    assert "unexpected error in GET /v2/datasets" in output  # the failure was logged
    assert "Traceback" in output
    for key in (registered, working, refused, malformed):
        assert key not in output
        assert key.removeprefix("ACCESSKEY-") not in output


def test_mask_key_keeps_only_the_prefix_and_last_four() -> None:
    assert mask_key("ACCESSKEY-0123456789abcdef") == "ACCESSKEY-****cdef"
    assert mask_key("Accesskey-0123456789abcdef") == "Accesskey-****cdef"
    assert mask_key("ACCESSKEY-short") == "ACCESSKEY-****"
    assert mask_key("no-prefix-at-all-0000") == "****0000"


def fail(*_args: Any, **_kwargs: Any) -> Any:
    """An operation failing the way a bug would, with a revealing message."""
    raise RuntimeError('File "/srv/secret/mock_server/store.py", line 1: password=hunter2')


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v2/datasets", None),
        ("POST", "/v2/datasets", {"name": "a"}),
        ("GET", "/v2/datasets/w/a", None),
        ("PATCH", "/v2/datasets/w/a", {"alias": "b"}),
        ("DELETE", "/v2/datasets/w/a", None),
        ("GET", "/v2/current-workspace", None),
    ],
)
def test_no_traceback_reaches_a_client(
    method: str, path: str, body: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for operation in ("find", "list_datasets", "create_dataset", "update_dataset"):
        monkeypatch.setattr(DatasetStore, operation, fail)
    monkeypatch.setattr(DatasetStore, "delete_dataset", fail)
    monkeypatch.setattr(IdentityStore, "get_workspace", fail)
    app = create_app(Settings(database="sqlite://"))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.request(
            method, path, headers={"X-Token": "ACCESSKEY-broken0001"}, json=body
        )
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "code": "InternalServerError",
        "message": "Internal server error; see the mock's log.",
    }
    for secret in ("Traceback", "/srv", "store.py", "hunter2", "RuntimeError"):
        assert secret not in response.text


def test_loopback_is_the_default_address() -> None:
    assert Settings().host == "127.0.0.1"
    assert settings_from(parser().parse_args(["serve"])).host == "127.0.0.1"


class DefaultHostServer(ServerProcess):
    """``graviti-mock serve`` without ``--host``."""

    def command(self) -> list[str]:
        command = super().command()
        at = command.index("--host")
        return command[:at] + command[at + 2 :]


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (Linux /proc)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                assert len(address) == width
                found.add(address)
    return found


def test_a_started_server_listens_on_loopback_only() -> None:
    with DefaultHostServer(database="sqlite://") as server:
        assert "--host" not in server.command()
        parts = urlsplit(server.url)
        assert parts.hostname == "127.0.0.1"
        assert parts.port is not None
        # 127.0.0.1 in /proc/net/tcp's little-endian hex; nothing on 0.0.0.0 or [::].
        assert listening_addresses(parts.port) == {"0100007F"}


def test_control_plane_can_be_turned_off(access_key: str) -> None:
    with ServerProcess(database="sqlite://", args=["--no-control"]) as server:
        headers = {"X-Token": access_key}
        assert requests.post(f"{server.url}/v2/datasets", headers=headers, json={"name": "a"}).ok
        reset = requests.post(f"{server.url}/_mock/reset")
        assert reset.status_code == 404
        assert reset.json() == {
            "code": "NotFound",
            "message": "graviti-mock has no route POST /_mock/reset.",
        }
        assert requests.get(f"{server.url}/_mock/health").json() == {"status": "ok"}
        listing = requests.get(f"{server.url}/v2/datasets", headers=headers).json()
        assert listing["total_count"] == 1
