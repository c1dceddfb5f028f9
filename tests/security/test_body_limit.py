"""Request bodies over ``max_body_bytes`` get a Graviti 413 without being read whole."""

from __future__ import annotations

import asyncio
import json
import select
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.testing import ServerProcess

LIMIT = 64 * 1024
CHUNK = 8 * 1024


def run_asgi(app: Any, scope: dict[str, Any], chunks: Any) -> tuple[list[dict[str, Any]], int]:
    """Call ``app`` once; returns the messages it sent and how many times it pulled the body."""
    sent: list[dict[str, Any]] = []
    pulls = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulls
        pulls += 1
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, pulls


def http_scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v2/datasets",
        "raw_path": b"/v2/datasets",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"x-token", b"ACCESSKEY-limit0001"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def assert_graviti_413(sent: list[dict[str, Any]]) -> None:
    start, body = sent[0], sent[1]
    assert start["type"] == "http.response.start"
    assert start["status"] == 413
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"connection"] == b"close"
    payload = json.loads(body["body"])
    assert payload["code"] == "PayloadTooLarge"
    assert str(LIMIT) in payload["message"]
    # Nothing the application tried to answer afterwards got through.
    assert len(sent) == 2


@pytest.fixture
def limited_app() -> Any:
    return create_app(Settings(database="sqlite://", max_body_bytes=LIMIT))


def endless() -> Any:
    """A body of 8 MiB: far over the limit, and finite so that a missing limit fails, not hangs."""
    for _ in range(1024):
        yield b"x" * CHUNK


def test_declared_length_over_the_limit_is_refused_before_reading(limited_app: Any) -> None:
    scope = http_scope([(b"content-length", str(LIMIT + 1).encode())])
    sent, pulls = run_asgi(limited_app, scope, endless())
    assert pulls == 0
    assert_graviti_413(sent)


def test_streamed_body_is_refused_at_the_chunk_that_crosses_the_limit(limited_app: Any) -> None:
    scope = http_scope([(b"transfer-encoding", b"chunked")])
    sent, pulls = run_asgi(limited_app, scope, endless())
    assert pulls == LIMIT // CHUNK + 1
    assert_graviti_413(sent)


def test_a_body_within_the_limit_is_served() -> None:
    with TestClient(create_app(Settings(database="sqlite://", max_body_bytes=LIMIT))) as client:
        alias = "a" * 200
        padding = "p" * (LIMIT - 1000)  # an unknown field, ignored by the service
        response = client.post(
            "/v2/datasets",
            headers={"X-Token": "ACCESSKEY-limit0001"},
            json={"name": "fits", "alias": alias, "padding": padding},
        )
        assert response.status_code == 200, response.text
        assert response.json()["alias"] == alias


def test_a_body_over_the_limit_writes_nothing() -> None:
    with TestClient(create_app(Settings(database="sqlite://", max_body_bytes=LIMIT))) as client:
        headers = {"X-Token": "ACCESSKEY-limit0001"}
        response = client.post(
            "/v2/datasets", headers=headers, json={"name": "big", "padding": "p" * LIMIT}
        )
        assert response.status_code == 413
        assert response.json()["code"] == "PayloadTooLarge"
        listing = client.get("/v2/datasets", headers=headers).json()
        assert listing["total_count"] == 0


def test_real_server_answers_a_chunked_upload_before_reading_it_whole() -> None:
    """A chunked upload of up to 64 MiB is answered 413 long before it could have been read."""
    ceiling = 64 * 1024 * 1024
    env = {"GRAVITI_MOCK_MAX_BODY_BYTES": str(LIMIT)}
    with ServerProcess(database="sqlite://", env=env) as server:
        parts = urlsplit(server.url)
        assert parts.hostname is not None and parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(
                b"POST /v2/datasets HTTP/1.1\r\n"
                b"Host: localhost\r\n"
                b"X-Token: ACCESSKEY-limit0001\r\n"
                b"Content-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"%x\r\n%s\r\n" % (len(b"x" * 65536), b"x" * 65536)
            sent = 0
            # Send until the answer is there to read, as a client that reads while it writes.
            while sent < ceiling:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break
                try:
                    sock.sendall(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += 65536
            answer = b""
            try:
                while data := sock.recv(65536):
                    answer += data
            except ConnectionResetError:
                pass
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"connection: close" in head.lower()
    assert json.loads(body)["code"] == "PayloadTooLarge"
    # Loopback socket buffers hold a few MiB at most; the rest was never read.
    assert sent < ceiling // 4, sent
