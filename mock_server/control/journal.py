"""The request journal: a bounded record of the calls the mock received, for assertions."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, Field

from mock_server.resources.identity.store import mask_key

# A journal keeps at most this much of each request body.
BODY_LIMIT = 64 * 1024


@dataclass(slots=True)
class Recorded:
    """One received request, kept raw on the hot path and rendered only when read."""

    seq: int
    time: float
    operation: str | None
    method: str
    path: str
    query_string: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    status: int = 0
    duration_ms: float = 0.0
    fault: bool = False


class JournalEntry(BaseModel):
    """What ``GET /_mock/requests`` shows of one request."""

    seq: int = Field(description="Arrival order, from 1 after each reset")
    time: str = Field(description="Arrival time, UTC ISO 8601 with microseconds")
    operation: str | None = Field(description="The operation id (create_dataset, ...) or null")
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = Field(description="Request headers; X-Token masked")
    access_key: str | None = Field(description="The X-Token, masked: prefix and last 4")
    request_id: str | None = Field(description="The X-Request-Id header")
    body: Any = Field(description="The JSON body, or its text, or null")
    status: int = Field(description="The status answered (0 if the connection was dropped)")
    duration_ms: float
    fault: bool = Field(description="Whether an injected fault answered it")


class JournalPage(BaseModel):
    requests: list[JournalEntry]
    dropped: int = Field(description="Older entries evicted by the size bound since reset")


def _render_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or not content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def render(entry: Recorded) -> JournalEntry:
    headers: dict[str, str] = {}
    for name, value in entry.headers:
        # The first of a repeated header, as the request itself reads it.
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    token = headers.get("x-token")  # masked when recorded
    return JournalEntry(
        seq=entry.seq,
        time=datetime.fromtimestamp(entry.time, UTC).isoformat().replace("+00:00", "Z"),
        operation=entry.operation,
        method=entry.method,
        path=entry.path,
        query=dict(parse_qsl(entry.query_string.decode("latin-1"), keep_blank_values=True)),
        headers=headers,
        access_key=token,
        request_id=headers.get("x-request-id"),
        body=_render_body(entry.body, headers.get("content-type", "")),
        status=entry.status,
        duration_ms=round(entry.duration_ms, 3),
        fault=entry.fault,
    )


def masked_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with the access key masked: the journal never holds a key in full."""
    out = []
    for name, value in headers:
        if name.lower() == b"x-token":
            value = mask_key(value.decode("latin-1")).encode("latin-1")
        out.append((name, value))
    return out


class Journal:
    """A bounded deque of requests; ``size`` 0 turns recording off."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: deque[Recorded] = deque(maxlen=size or None)
        self._seq = 0
        self._dropped = 0

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, entry: Recorded) -> None:
        with self._lock:
            if len(self._entries) == self.size:
                self._dropped += 1
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seq = 0
            self._dropped = 0

    def entries(self, operation: str | None = None) -> list[Recorded]:
        with self._lock:
            entries = sorted(self._entries, key=lambda entry: entry.seq)
        if operation is not None:
            entries = [entry for entry in entries if entry.operation == operation]
        return entries

    def page(self, operation: str | None = None) -> JournalPage:
        with self._lock:
            dropped = self._dropped
        return JournalPage(
            requests=[render(entry) for entry in self.entries(operation)], dropped=dropped
        )
