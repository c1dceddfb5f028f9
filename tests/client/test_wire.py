"""The requests our calls put on the wire are the SDK's, byte for byte, bar X-Source."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import graviti.openapi.dataset as sdk
import pytest

import client
from client import X_SOURCE
from tests.client.conftest import Recorded, Reply, StubServer

KEY = "ACCESSKEY-0123456789abcdef"

DATASET = {
    "id": "2bc95d506db2401b898067f1045d7f68",
    "name": "MNIST",
    "alias": "",
    "workspace": "graviti-example",
    "default_branch": "main",
    "commit_id": None,
    "cover_url": "",
    "creator": "someone",
    "created_at": "2021-03-03T18:58:10Z",
    "updated_at": "2021-03-03T18:58:10Z",
    "is_public": False,
    "storage_config": "default",
    "backend_type": "OSS",
}
PAGE = {"datasets": [DATASET], "offset": 0, "record_size": 1, "total_count": 1}

# (function name, positional arguments after access_key and url, keyword arguments, reply)
CALLS: list[tuple[str, tuple[str, ...], dict[str, Any], dict[str, Any] | None]] = [
    ("create_dataset", ("MNIST",), {}, DATASET),
    ("create_dataset", ("MNIST",), {"alias": "Handwritten digits"}, DATASET),
    ("create_dataset", ("MNIST",), {"storage_config": "my-oss"}, DATASET),
    ("create_dataset", ("MNIST",), {"with_draft": False}, DATASET),
    ("create_dataset", ("MNIST",), {"with_draft": True}, DATASET),
    (
        "create_dataset",
        ("MNIST",),
        {"alias": "a", "storage_config": "my-oss", "with_draft": True},
        DATASET,
    ),
    ("get_dataset", ("graviti-example", "MNIST"), {}, DATASET),
    ("list_datasets", (), {}, PAGE),
    ("list_datasets", (), {"offset": 0}, PAGE),
    ("list_datasets", (), {"limit": 5}, PAGE),
    ("list_datasets", (), {"offset": 3, "limit": 128}, PAGE),
    ("update_dataset", ("graviti-example", "MNIST"), {}, DATASET),
    ("update_dataset", ("graviti-example", "MNIST"), {"name": "MNIST2"}, DATASET),
    ("update_dataset", ("graviti-example", "MNIST"), {"alias": ""}, DATASET),
    ("update_dataset", ("graviti-example", "MNIST"), {"default_branch": "dev"}, DATASET),
    (
        "update_dataset",
        ("graviti-example", "MNIST"),
        {"name": "MNIST2", "alias": "b", "default_branch": "dev"},
        DATASET,
    ),
    ("delete_dataset", ("graviti-example", "MNIST"), {}, None),
]


def _ids(call: tuple[str, tuple[str, ...], dict[str, Any], Any]) -> str:
    name, _, kwargs, _ = call
    return f"{name}({','.join(kwargs)})"


def _send(
    stub: StubServer, function: Callable[..., Any], url: str, call: tuple[Any, ...]
) -> tuple[Any, Recorded]:
    _, args, kwargs, reply = call
    stub.script(Reply.json(200, reply if reply is not None else {}))
    result = function(KEY, url, *args, **kwargs)
    (request,) = stub.take()
    return result, request


@pytest.mark.parametrize("call", CALLS, ids=[_ids(call) for call in CALLS])
def test_request_matches_the_sdk(stub: StubServer, call: tuple[Any, ...]) -> None:
    name = call[0]
    sdk_result, sdk_request = _send(stub, getattr(sdk, name), stub.url, call)
    result, request = _send(stub, getattr(client, name), stub.url, call)

    assert result == sdk_result
    assert request.method == sdk_request.method
    assert request.target == sdk_request.target
    assert request.body == sdk_request.body
    assert request.headers.keys() == sdk_request.headers.keys()
    for header in ("content-type", "content-length", "x-token"):
        assert request.headers.get(header) == sdk_request.headers.get(header)
    assert sdk_request.headers["x-source"] == "PYTHON-SDK/0.13.1"
    assert request.headers["x-source"] == X_SOURCE


def test_x_source_names_this_client() -> None:
    assert X_SOURCE == f"graviti-mock-client/{client.__version__}"


@pytest.mark.parametrize(
    ("call", "method", "target", "body"),
    [
        (
            lambda url: client.create_dataset(KEY, url, "d"),
            "POST",
            "/v2/datasets",
            b'{"name": "d", "alias": ""}',
        ),
        (lambda url: client.get_dataset(KEY, url, "w", "d"), "GET", "/v2/datasets/w/d", b""),
        (lambda url: client.list_datasets(KEY, url), "GET", "/v2/datasets", b""),
        (
            lambda url: client.list_datasets(KEY, url, offset=0, limit=2),
            "GET",
            "/v2/datasets?offset=0&limit=2",
            b"",
        ),
        (lambda url: client.update_dataset(KEY, url, "w", "d"), "PATCH", "/v2/datasets/w/d", b"{}"),
        (lambda url: client.delete_dataset(KEY, url, "w", "d"), "DELETE", "/v2/datasets/w/d", b""),
    ],
    ids=["create", "get", "list", "list-paged", "update-empty", "delete"],
)
def test_exact_request(
    stub: StubServer, call: Callable[[str], Any], method: str, target: str, body: bytes
) -> None:
    # Pinned literally, so a change in both the SDK and this client would still show.
    call(stub.url)
    (request,) = stub.take()
    assert (request.method, request.target, request.body) == (method, target, body)
    assert request.headers["x-token"] == KEY
    if body:
        assert request.headers["content-type"] == "application/json"
    else:
        assert "content-type" not in request.headers


@pytest.mark.parametrize("suffix", ["/", "//"])
def test_trailing_slash_on_url_is_tolerated(stub: StubServer, suffix: str) -> None:
    client.get_dataset(KEY, stub.url + suffix, "w", "d")
    client.list_datasets(KEY, stub.url + suffix, limit=1)
    client.create_dataset(KEY, stub.url + suffix, "d")
    targets = [request.target for request in stub.take()]
    assert targets == ["/v2/datasets/w/d", "/v2/datasets?limit=1", "/v2/datasets"]


def test_request_id_is_fresh_uuid4_hex(stub: StubServer) -> None:
    client.get_dataset(KEY, stub.url, "w", "d")
    client.get_dataset(KEY, stub.url, "w", "d")
    ids = [request.headers["x-request-id"] for request in stub.take()]
    for request_id in ids:
        assert re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", request_id)
    assert ids[0] != ids[1]


def test_connections_are_kept_alive(stub: StubServer) -> None:
    client.get_dataset(KEY, stub.url, "w", "d")
    client.create_dataset(KEY, stub.url, "d")
    client.delete_dataset(KEY, stub.url, "w", "d")
    ports = {request.client_port for request in stub.take()}
    assert len(ports) == 1


def test_created_answer_201_is_success(stub: StubServer) -> None:
    stub.script(Reply.json(201, DATASET))
    assert client.create_dataset(KEY, stub.url, "MNIST") == DATASET


def test_delete_ignores_the_body(stub: StubServer) -> None:
    stub.script(Reply(200, b"", "text/plain"))
    client.delete_dataset(KEY, stub.url, "w", "d")
    assert [r.method for r in stub.take()] == ["DELETE"]
