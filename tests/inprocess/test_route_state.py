"""Route state is built under one lock, so in-process mocks in two threads never race.

FastAPI builds a route's state on its first match, inside ``warnings.catch_warnings()``,
which swaps the process's warning filters and is not thread-safe: two in-process mocks
serving their first calls in two threads at once could turn a warning that one of them
silences into an error (a 500 under ``-W error``). Every such build must happen while
``ROUTE_STATE`` is held.
"""

from __future__ import annotations

import threading
import traceback
import warnings
from typing import Any

import pytest
import requests

from mock_server import mock_graviti
from mock_server.core.resolved import ROUTE_STATE

KEY = "ACCESSKEY-routestate000000001"
URL = "https://api.graviti.com"


def _lock_is_free() -> bool:
    """Whether another thread could take ``ROUTE_STATE`` now."""
    free: list[bool] = []

    def probe() -> None:
        if ROUTE_STATE.acquire(blocking=False):
            ROUTE_STATE.release()
            free.append(True)
        else:
            free.append(False)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return free[0]


def test_route_state_is_built_only_under_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[bool] = []
    real = warnings.catch_warnings

    def spy(*args: Any, **kwargs: Any) -> Any:
        if any("fastapi" in frame.filename for frame in traceback.extract_stack()):
            builds.append(_lock_is_free())
        return real(*args, **kwargs)

    monkeypatch.setattr(warnings, "catch_warnings", spy)
    with mock_graviti():
        session = requests.Session()
        session.headers["X-Token"] = KEY

        def call(method: str, path: str, body: Any = None) -> Any:
            response = session.request(method, URL + path, json=body, timeout=10)
            assert response.status_code == 200, response.text
            return response.json()

        workspace = call("GET", "/v2/current-workspace")["name"]
        call("POST", "/v2/datasets", {"name": "d"})
        base = f"/v2/datasets/{workspace}/d"
        call("GET", base)
        call("GET", f"/v2/workspaces/{workspace}/storage-configs")
        call("POST", base + "/drafts", {"branch": "main", "title": "t"})
        schema = "type: record\nfields:\n- name: n\n  type: int64\n"
        call("POST", base + "/drafts/1/sheets", {"name": "s", "schema": schema})
        call("POST", base + "/drafts/1/sheets/s/data", {"data": [{"n": 1}]})
        call("GET", base + "/drafts/1/sheets/s/data")
        call("GET", base + "/searches")
        call("GET", base + "/objects/permissions?actions=GET")
    # Builds did happen (the first calls of each route), and none outside the lock.
    assert builds
    assert not any(builds)
