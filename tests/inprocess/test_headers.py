"""Request headers reach the app in-process exactly as http.client puts them on the wire.

``str`` values are encoded as latin-1, ``bytes`` values are sent as they are and ints
as their digits; so the app decodes the same header in-process and over a socket.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import urllib3

from mock_server import mock_graviti
from mock_server.control_client import MockControl
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-headers000000001"
HOST = "https://api.graviti.com"


@pytest.fixture(params=["inprocess", "process"])
def target(request: pytest.FixtureRequest) -> Iterator[tuple[str, MockControl]]:
    """A site URL and its control plane: mock_graviti(), or the session's real server."""
    if request.param == "inprocess":
        with mock_graviti() as mock:
            yield HOST, mock
    else:
        server: ServerProcess = request.getfixturevalue("server")
        control = MockControl(server.url)
        control.reset()
        try:
            yield server.url, control
        finally:
            control.close()


def test_bytes_header_values_are_sent_as_they_are(target: tuple[str, MockControl]) -> None:
    url, control = target
    headers = {"X-Token": KEY.encode(), "X-Note": "café".encode("latin-1")}
    answer = requests.get(f"{url}/v2/current-workspace", headers=headers, timeout=30)
    assert answer.status_code == 200
    (call,) = control.requests
    assert call.access_key == "ACCESSKEY-****0001"
    assert call.headers["x-note"] == "café"


def test_str_and_int_header_values_through_urllib3(target: tuple[str, MockControl]) -> None:
    url, control = target
    with urllib3.PoolManager() as pool:
        answer = pool.request(
            "GET",
            f"{url}/v2/datasets",
            headers={"X-Token": KEY, "X-Note": "café", "X-Count": 7},  # type: ignore[dict-item]
        )
    assert answer.status == 200
    (call,) = control.requests
    assert (call.headers["x-note"], call.headers["x-count"]) == ("café", "7")


def test_a_header_value_with_a_line_break_is_refused_as_on_the_wire(
    target: tuple[str, MockControl],
) -> None:
    url, control = target
    with urllib3.PoolManager() as pool, pytest.raises(ValueError, match="Invalid header value"):
        pool.request("GET", f"{url}/v2/datasets", headers={"X-Token": f"{KEY}\r\nX-A: b"})
    assert control.requests == []
