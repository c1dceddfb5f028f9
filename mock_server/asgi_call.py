"""One ASGI call from a caller's thread to an app running on an event loop, bodies streamed.

The in-process transport's wire: the request body goes to the app a chunk at a time
(read from a file, an iterable or bytes), and the response body comes back through a
bounded pipe the caller reads as the app sends, so an object of any size crosses with
a few chunks in memory at once. Invariants:

- ``call`` returns once the app has sent its whole answer or the first chunk of a
  longer one, or returns None if the app ended without one (a fault dropped the
  connection), or raises what the app raised before answering;
- the pipe holds at most ``PIPE_CHUNKS`` chunks: the app waits for the reader, and a
  reader that closes early lets the app finish, its remaining chunks dropped;
- an error the app raises after answering ends the body where it stands (the server
  has logged it), as a client of a real server would see it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import queue
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message

CHUNK = 1024 * 1024
PIPE_CHUNKS = 4
Head = tuple[int, list[tuple[str, str]]]


def body_chunks(body: Any) -> Iterator[bytes]:
    """A request body as urllib3 was given it (bytes, str, a file, an iterable), in chunks."""
    if body is None:
        return
    if isinstance(body, bytes):
        yield body
    elif isinstance(body, str):
        yield body.encode("utf-8")
    elif hasattr(body, "read"):
        while True:
            data = body.read(CHUNK)
            if not data:
                return
            yield data.encode("utf-8") if isinstance(data, str) else bytes(data)
    else:
        for chunk in body:
            if chunk:
                yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)


class BodyPipe(io.RawIOBase):
    """A response body handed from the app's loop to the caller's thread."""

    def __init__(self) -> None:
        super().__init__()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=PIPE_CHUNKS)
        self._chunk = memoryview(b"")
        self._ended = False
        self._abandoned = False

    # ------------------------------------------------------------ the reader's side

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._chunk:
            if self._ended:
                return 0
            item = self._queue.get()
            if item is None:
                self._ended = True
                return 0
            self._chunk = memoryview(item)
        size = min(len(buffer), len(self._chunk))
        buffer[:size] = self._chunk[:size]
        self._chunk = self._chunk[size:]
        return size

    def close(self) -> None:
        self.abandon()
        super().close()

    def abandon(self) -> None:
        """Nobody will read on: a chunk the app waits to hand over goes, the rest is dropped."""
        self._abandoned = True
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()

    # ------------------------------------------------------------ the app's side

    async def put(self, item: bytes | None) -> None:
        if self._abandoned:
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            await anyio.to_thread.run_sync(self._put_when_read, item)

    def _put_when_read(self, item: bytes | None) -> None:
        while not self._abandoned:
            with contextlib.suppress(queue.Full):
                self._queue.put(item, timeout=0.05)
                return


async def _run(
    app: ASGIApp,
    scope: dict[str, Any],
    chunks: Iterator[bytes],
    head: concurrent.futures.Future[Head | None],
    pipe: BodyPipe,
) -> None:
    done = anyio.Event()
    body_read = False
    finished = False

    async def receive() -> Message:
        nonlocal body_read
        if not body_read:
            chunk = next(chunks, None)
            if chunk is not None:
                return {"type": "http.request", "body": chunk, "more_body": True}
            body_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # The client stays connected until the whole answer is out.
        await done.wait()
        return {"type": "http.disconnect"}

    started: Head | None = None

    async def send(message: Message) -> None:
        nonlocal finished, started
        if message["type"] == "http.response.start":
            headers = [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in message.get("headers", [])
            ]
            started = (message["status"], headers)
        elif message["type"] == "http.response.body" and not finished:
            body = message.get("body", b"")
            if body:
                await pipe.put(bytes(body))
            if not message.get("more_body"):
                finished = True
                done.set()
                await pipe.put(None)
            # The caller is woken once: with the whole answer when it comes in one
            # message (every JSON answer), else at the first chunk, to read as it comes.
            if not head.done() and started is not None:
                head.set_result(started)

    try:
        await app(scope, receive, send)
    except BaseException as exc:
        if started is None:
            head.set_exception(exc)
            return
        if not isinstance(exc, Exception):
            raise
    finally:
        done.set()
        if not finished and started is not None:
            await pipe.put(None)
        if not head.done():
            head.set_result(started)


def call(
    loop: asyncio.AbstractEventLoop,
    app: ASGIApp,
    scope: dict[str, Any],
    body: Any,
    pipe: BodyPipe,
) -> tuple[int, list[tuple[str, str]], io.BufferedReader] | None:
    """Run one request on ``loop``; its status, headers and a reader of its body (``pipe``)."""
    head: concurrent.futures.Future[Head | None] = concurrent.futures.Future()
    asyncio.run_coroutine_threadsafe(_run(app, scope, body_chunks(body), head, pipe), loop)
    started = head.result()
    if started is None:
        pipe.close()
        return None
    status, headers = started
    return status, headers, io.BufferedReader(pipe, CHUNK)
