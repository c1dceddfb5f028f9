"""An encoded slash never turns one path segment into two: a JSON 404, never another route.

Over a real server with ``http.client`` (the path reaches uvicorn exactly as written),
and in-process, where the transport builds ``raw_path`` the same way.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from fastapi.testclient import TestClient

from mock_server import Settings, create_app, mock_graviti, workspace_for_key

KEY = "ACCESSKEY-slash00000001"
WORKSPACE = workspace_for_key(KEY)


def raw(url: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        headers = {"X-Token": KEY, "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        conn.close()


ENCODED = [
    ("DELETE", f"/v2/datasets/{WORKSPACE}%2FMNIST", None),
    ("PATCH", f"/v2/datasets/{WORKSPACE}%2fMNIST", {"alias": "changed"}),
    ("GET", f"/v2/datasets/{WORKSPACE}%2FMNIST", None),
    ("GET", "/v2%2Fdatasets", None),
    ("GET", f"/v2/datasets%2F{WORKSPACE}/MNIST", None),
    ("POST", "/_mock%2Freset", None),
    ("GET", "/_mock/snapshots%2Fx", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENCODED)
def test_an_encoded_slash_reaches_no_route(url: str, method: str, path: str, body: Any) -> None:
    status, created = raw(url, "POST", "/v2/datasets", {"name": "MNIST"})
    assert status == 200, created
    status, answer = raw(url, method, path, body)
    assert (status, answer["code"]) == (404, "NotFound"), answer
    assert path.split("?")[0] in answer["message"]
    status, still = raw(url, "GET", f"/v2/datasets/{WORKSPACE}/MNIST")
    assert status == 200
    assert still == created
    if path.startswith("/v2"):
        # The journal does not file the refused call under the operation it looked like.
        status, journal = raw(url, "GET", "/_mock/requests")
        operations = [entry["operation"] for entry in journal["requests"]]
        assert operations == ["create_dataset", None, "get_dataset"]


def test_an_encoded_slash_is_refused_in_process() -> None:
    with TestClient(create_app(Settings(database="sqlite://"))) as client:
        assert client.post(
            "/v2/datasets", json={"name": "MNIST"}, headers={"X-Token": KEY}
        ).is_success
        answer = client.delete(f"/v2/datasets/{WORKSPACE}%2FMNIST", headers={"X-Token": KEY})
        assert (answer.status_code, answer.json()["code"]) == (404, "NotFound")
        assert client.get("/v2/datasets", headers={"X-Token": KEY}).json()["total_count"] == 1
    with mock_graviti():
        base = "https://api.graviti.com/v2/datasets"
        requests.post(base, json={"name": "MNIST"}, headers={"X-Token": KEY}, timeout=10)
        refused = requests.delete(
            f"{base}/{WORKSPACE}%2FMNIST", headers={"X-Token": KEY}, timeout=10
        )
        assert (refused.status_code, refused.json()["code"]) == (404, "NotFound")
        listing = requests.get(base, headers={"X-Token": KEY}, timeout=10).json()
        assert listing["total_count"] == 1
