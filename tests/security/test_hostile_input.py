"""Hostile names and path segments are refused or answered 403/404, never interpreted.

Runs against a real server process, with raw ``http.client`` requests where the path must
reach the server exactly as written (``requests`` would normalise ``..``).
"""

from __future__ import annotations

import http.client
import json
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests

from mock_server import workspace_for_key
from mock_server.testing import ServerProcess

HOSTILE_NAMES = [
    pytest.param("", id="empty"),
    pytest.param("a/b", id="slash"),
    pytest.param("..", id="dot-dot"),
    pytest.param("../../_mock/reset", id="traversal"),
    pytest.param("a\x00b", id="nul"),
    pytest.param("line\r\nX-Injected: 1", id="crlf"),
    pytest.param("tab\tname", id="tab"),
    pytest.param("'; DROP TABLE dataset; --", id="sql-drop"),
    pytest.param("x' OR '1'='1", id="sql-or"),
    pytest.param("%", id="like-percent"),
    pytest.param("datensätze", id="unicode-latin"),
    pytest.param("名字", id="unicode-cjk"),
    pytest.param("e\u0301", id="combining-mark"),
    pytest.param("x" * 129, id="129-chars"),
    pytest.param("x" * 10_000, id="10k-chars"),
    pytest.param(" MNIST", id="leading-space"),
]

# Path segments, already percent-encoded as a client would put them on the wire.
HOSTILE_SEGMENTS = [
    pytest.param("..", id="dot-dot"),
    pytest.param("%2e%2e", id="encoded-dot-dot"),
    pytest.param("a%2Fb", id="encoded-slash"),
    pytest.param("%00", id="nul"),
    pytest.param("%0d%0aX-Injected:%201", id="crlf"),
    pytest.param(quote("'; DROP TABLE dataset; --", safe=""), id="sql-drop"),
    pytest.param(quote("MNIST' OR '1'='1", safe=""), id="sql-or"),
    pytest.param("MNIS_", id="like-underscore"),
    pytest.param("%25", id="like-percent"),
    pytest.param(quote("名字", safe=""), id="unicode"),
    pytest.param("x" * 5000, id="5k-chars"),
    pytest.param("%ff%fe", id="invalid-utf8"),
]


def dataset_rows(server: ServerProcess) -> list[tuple[str, str, str]]:
    """Every dataset row in the server's SQLite file, read directly."""
    path = server.database.removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT workspace, name, alias FROM dataset ORDER BY seq").fetchall()
    conn.close()
    return rows


@pytest.fixture
def existing(url: str, access_key: str) -> Iterator[dict[str, Any]]:
    """One dataset, MNIST, in the caller's workspace."""
    response = requests.post(
        f"{url}/v2/datasets", headers={"X-Token": access_key}, json={"name": "MNIST"}
    )
    assert response.status_code == 200, response.text
    yield response.json()


def raw(url: str, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any, str]:
    """One request with the path sent byte for byte as given."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"X-Token": key, "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw_headers = str(response.headers)
        return response.status, json.loads(response.read()), raw_headers
    finally:
        conn.close()


def assert_graviti_error(body: Any, *codes: str) -> None:
    assert isinstance(body, dict) and set(body) == {"code", "message"}, body
    assert body["code"] in codes, body


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_create_refuses_hostile_names(
    server: ServerProcess, url: str, access_key: str, name: str
) -> None:
    response = requests.post(
        f"{url}/v2/datasets", headers={"X-Token": access_key}, json={"name": name}
    )
    assert response.status_code == 400
    assert_graviti_error(response.json(), "InvalidParamsValue")
    assert "letters, digits" in response.json()["message"]
    assert dataset_rows(server) == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_rename_refuses_hostile_names(
    server: ServerProcess, url: str, access_key: str, existing: dict[str, Any], name: str
) -> None:
    workspace = existing["workspace"]
    response = requests.patch(
        f"{url}/v2/datasets/{workspace}/MNIST", headers={"X-Token": access_key}, json={"name": name}
    )
    assert response.status_code == 400
    assert_graviti_error(response.json(), "InvalidParamsValue")
    assert dataset_rows(server) == [(workspace, "MNIST", "")]


@pytest.mark.parametrize(
    "alias",
    ["'; DROP TABLE dataset; --", "名字 & ümlaut", "../../etc/passwd", "<script>x</script>", "%_"],
)
def test_free_text_alias_is_stored_verbatim(
    server: ServerProcess, url: str, access_key: str, alias: str
) -> None:
    headers = {"X-Token": access_key}
    created = requests.post(
        f"{url}/v2/datasets", headers=headers, json={"name": "a", "alias": alias}
    )
    assert created.status_code == 200, created.text
    assert created.json()["alias"] == alias
    fetched = requests.get(f"{url}/v2/datasets/{created.json()['workspace']}/a", headers=headers)
    assert fetched.json()["alias"] == alias
    assert dataset_rows(server) == [(created.json()["workspace"], "a", alias)]


@pytest.mark.parametrize("alias", ["bell\x07", "nul\x00", "c1\x85", "y" * 257])
def test_alias_with_control_characters_or_too_long_is_refused(
    server: ServerProcess, url: str, access_key: str, alias: str
) -> None:
    response = requests.post(
        f"{url}/v2/datasets", headers={"X-Token": access_key}, json={"name": "a", "alias": alias}
    )
    assert response.status_code == 400
    assert_graviti_error(response.json(), "InvalidParamsValue")
    assert dataset_rows(server) == []


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS)
def test_hostile_dataset_segment_is_not_found(
    server: ServerProcess,
    url: str,
    access_key: str,
    existing: dict[str, Any],
    method: str,
    segment: str,
) -> None:
    workspace = existing["workspace"]
    body = {"alias": "changed"} if method == "PATCH" else None
    status, answer, headers = raw(
        url, method, f"/v2/datasets/{workspace}/{segment}", access_key, body
    )
    assert status == 404, answer
    assert_graviti_error(answer, "ResourceNotExist", "NotFound")
    assert "X-Injected" not in headers
    assert dataset_rows(server) == [(workspace, "MNIST", "")]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS)
def test_hostile_workspace_segment_is_denied_or_not_found(
    server: ServerProcess,
    url: str,
    access_key: str,
    existing: dict[str, Any],
    method: str,
    segment: str,
) -> None:
    body = {"alias": "changed"} if method == "PATCH" else None
    status, answer, _ = raw(url, method, f"/v2/datasets/{segment}/MNIST", access_key, body)
    assert status in (403, 404), answer
    assert_graviti_error(answer, "AccessDenied", "NotFound", "ResourceNotExist")
    assert dataset_rows(server) == [(existing["workspace"], "MNIST", "")]


@pytest.mark.parametrize(
    "path",
    [
        "/v2/datasets/../../_mock/reset",
        "/v2/datasets/%2e%2e/%2e%2e/_mock/reset",
        "/v2/datasets/{workspace}/../../../_mock/reset",
        "/_mock/reset/../../v2/datasets",
    ],
)
def test_dot_segments_never_reach_another_route(
    server: ServerProcess, url: str, access_key: str, existing: dict[str, Any], path: str
) -> None:
    path = path.format(workspace=existing["workspace"])
    for method in ("POST", "DELETE"):
        status, answer, _ = raw(url, method, path, access_key, {"name": "x"})
        assert status in (404, 405), answer
        assert_graviti_error(answer, "NotFound", "MethodNotAllowed")
    assert dataset_rows(server) == [(existing["workspace"], "MNIST", "")]


def test_another_workspace_is_denied_and_unchanged(
    server: ServerProcess, url: str, access_key: str, other_key: str, existing: dict[str, Any]
) -> None:
    workspace = existing["workspace"]
    assert workspace == workspace_for_key(access_key)
    target = f"{url}/v2/datasets/{workspace}/MNIST"
    headers = {"X-Token": other_key}
    for response in (
        requests.get(target, headers=headers),
        requests.patch(target, headers=headers, json={"name": "stolen"}),
        requests.delete(target, headers=headers),
    ):
        assert response.status_code == 403
        assert_graviti_error(response.json(), "AccessDenied")
    assert dataset_rows(server) == [(workspace, "MNIST", "")]


@pytest.mark.parametrize(
    "key",
    [
        "ACCESSKEY-' OR '1'='1",
        "ACCESSKEY-" + "k" * 300,
        "ACCESSKEY-ümlaut0000",
        "accesskey-lowercase00",
        "Bearer ACCESSKEY-000000",
    ],
)
def test_malformed_access_keys_are_unauthorized(server: ServerProcess, url: str, key: str) -> None:
    encoded = key.encode("utf-8").decode("latin-1")  # headers travel as bytes
    response = requests.get(f"{url}/v2/datasets", headers={"X-Token": encoded})
    assert response.status_code == 401
    assert_graviti_error(response.json(), "Unauthorized")
