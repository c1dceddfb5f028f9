"""A scripted HTTP stub on 127.0.0.1 that records every request it gets."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from graviti.utility.requests import SESSIONS as SDK_SESSIONS

from client import _http


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # path and query string, exactly as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes
    client_port: int


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, payload: Any) -> Reply:
        return cls(status, json.dumps(payload).encode())


class StubServer:
    """Answers each request with the next scripted reply (200 ``{}`` when none is left)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # Keep-alive handler threads wait for the next request; do not join them on close.
        self._server.block_on_close = False
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real service
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length) if length else b""
                with stub._lock:
                    stub.requests.append(
                        Recorded(
                            method=self.command,
                            # Not self.path: http.server collapses a leading "//" there.
                            target=self.requestline.split(" ")[1],
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                            client_port=self.client_address[1],
                        )
                    )
                    reply = stub._replies.popleft() if stub._replies else Reply()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self.requests.clear()

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def take(self) -> list[Recorded]:
        """Return the requests seen since the last call, and forget them."""
        with self._lock:
            seen, self.requests = self.requests, []
        return seen


@pytest.fixture(scope="session")
def _stub_server() -> Iterator[StubServer]:
    server = StubServer()
    server.start()
    yield server
    # Close the clients' keep-alive sockets first so the handler threads end.
    for session in (*_http._SESSIONS.values(), *SDK_SESSIONS.values()):
        session.close()
    server.stop()


@pytest.fixture
def stub(_stub_server: StubServer) -> StubServer:
    _stub_server.reset()
    return _stub_server
