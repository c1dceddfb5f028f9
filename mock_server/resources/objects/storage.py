"""The object storage the permissions point at: PUT and GET of objects, streamed, in XML.

It speaks the storages' own dialect, not Graviti JSON: success is 200 (OSS, S3) or 201
(AZURE, on PUT) with an empty body, and every error is
``<Error><Code>…</Code><Message>…</Message></Error>`` with the code the SDK dispatches
on (InvalidAccessKeyId or AccessDenied for OSS/S3 and AuthenticationFailed for AZURE
make it ask for a new permission once).

Two addresses reach it on the mock's own listener:

- ``/{key}`` where the key is ``<dataset id>/<name>``: OSS and S3 (``https://{bucket}.
  {endpoint}/{key}``; the bucket is in the host, which is not looked at);
- ``/blob/{container}/{key}?<sas>``: AZURE (the SAS ``sig`` is the permission token).

Bodies stream both ways through a fixed-size buffer: an upload is written to a
temporary file and renamed into place once complete (``area``), so nothing is stored
from a refused, cut or oversized upload, and a download reads the file in chunks.
The app's 1 MiB body limit does not apply here; uploads have ``max_object_bytes``.
"""

from __future__ import annotations

import logging
import re
import uuid
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import anyio.to_thread
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from mock_server.core import errors
from mock_server.resources.objects.area import split_key
from mock_server.resources.objects.store import (
    AZURE_PATH,
    ObjectRefused,
    ObjectStore,
    Refusal,
)

logger = logging.getLogger("mock_server")

CHUNK = 1024 * 1024
BUCKET_PATH = "/{dataset_id:uuid}/{name:path}"
AZURE_ROUTE_PATH = AZURE_PATH + "/{container}/{dataset_id:uuid}/{name:path}"
_STORAGE_PATH = re.compile(
    r"^(?:" + re.escape(AZURE_PATH) + r"/[^/]+)?/[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?"
    r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}/"
)

OSS, S3, AZURE = "OSS", "S3", "AZURE"

# (status, code) per refusal, by dialect. OSS and S3 answer alike.
_REFUSED: dict[str, dict[Refusal, tuple[int, str]]] = {
    OSS: {
        Refusal.MISSING: (403, "AccessDenied"),
        Refusal.INVALID: (403, "InvalidAccessKeyId"),
        Refusal.EXPIRED: (403, "AccessDenied"),
        Refusal.FOREIGN: (403, "AccessDenied"),
        Refusal.ACTION: (403, "AccessDenied"),
        Refusal.GONE: (403, "AccessDenied"),
    },
    AZURE: {
        **dict.fromkeys(Refusal, (403, "AuthenticationFailed")),
        Refusal.ACTION: (403, "AuthorizationPermissionMismatch"),
    },
}
_REFUSED[S3] = _REFUSED[OSS]
_NOT_FOUND = {OSS: "NoSuchKey", S3: "NoSuchKey", AZURE: "BlobNotFound"}
_TOO_LARGE = {
    OSS: (400, "EntityTooLarge"),
    S3: (400, "EntityTooLarge"),
    AZURE: (413, "RequestBodyTooLarge"),
}
_BAD_KEY = {OSS: "InvalidObjectName", S3: "InvalidArgument", AZURE: "InvalidResourceName"}
_UNAVAILABLE = {OSS: "ServiceUnavailable", S3: "ServiceUnavailable", AZURE: "ServerBusy"}
_INTERNAL = {OSS: "InternalError", S3: "InternalError", AZURE: "InternalError"}


def is_storage_path(path: str) -> bool:
    """Whether a request path is an object's (its body is bounded by the storage itself)."""
    return _STORAGE_PATH.match(path) is not None


class StorageError(Exception):
    def __init__(self, status: int, code: str, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.close = close


def xml_error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"<RequestId>{uuid.uuid4().hex}</RequestId></Error>"
    ).encode()


async def _answer(
    send: Send, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    head = [(b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


async def _answer_error(send: Send, error: StorageError) -> None:
    headers = [(b"content-type", b"application/xml")]
    if error.close:
        headers.append((b"connection", b"close"))
    await _answer(send, error.status, xml_error(error.code, error.message), headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class StorageEndpoint:
    """One storage operation (``GET`` or ``PUT``) at one address, as a raw ASGI app."""

    def __init__(self, action: str, *, azure: bool) -> None:
        self.action = action
        self.azure = azure

    def dialect(self, scope: Scope) -> str:
        if self.azure:
            return AZURE
        if _header(scope, b"x-amz-security-token") is not None or _header(scope, b"x-amz-date"):
            return S3
        return OSS

    def credentials(self, scope: Scope) -> tuple[str, str | None]:
        """The object key and the permission token the request carries."""
        path: str = scope["path"]
        if self.azure:
            container_and_key = path[len(AZURE_PATH) + 1 :]
            key = container_and_key.split("/", 1)[1]
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            return key, query.get("sig")
        token = _header(scope, b"x-oss-security-token") or _header(scope, b"x-amz-security-token")
        return path[1:], token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        dialect = self.dialect(scope)
        store: ObjectStore = scope["app"].state.backend.get(ObjectStore)
        try:
            key, token = self.credentials(scope)
            if split_key(key) is None:
                raise StorageError(400, _BAD_KEY[dialect], f"Invalid object key '{key}'.")
            try:
                store.authorize(token, key, self.action)
            except ObjectRefused as refused:
                status, code = _REFUSED[dialect][refused.refusal]
                raise StorageError(status, code, str(refused)) from None
            if self.action == "PUT":
                await self.put(scope, receive, send, store, key, dialect)
            else:
                await self.get(scope, send, store, key, dialect)
        except StorageError as error:
            await _answer_error(send, error)
        except errors.ServiceUnavailable as exc:
            await _answer_error(send, StorageError(503, _UNAVAILABLE[dialect], exc.message))
        except Exception:
            logger.exception("unexpected error in %s %s", scope["method"], scope["path"])
            message = "Internal error; see the mock's log."
            await _answer_error(send, StorageError(500, _INTERNAL[dialect], message))

    async def put(
        self, scope: Scope, receive: Receive, send: Send, store: ObjectStore, key: str, dialect: str
    ) -> None:
        if dialect == AZURE and _header(scope, b"x-ms-blob-type") != "BlockBlob":
            raise StorageError(
                400, "MissingRequiredHeader", "x-ms-blob-type: BlockBlob is required."
            )
        limit = store.max_object_bytes
        status, code = _TOO_LARGE[dialect]
        too_large = f"The object is larger than the limit of {limit} bytes."
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            # Refused before a byte is read; the connection closes under the rest.
            raise StorageError(status, code, too_large, close=True)
        area = store.area
        handle, temp = area.new_file()
        try:
            received = 0
            buffer = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client went away: nothing is stored
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise StorageError(status, code, too_large, close=True)
                buffer += chunk
                more = message.get("more_body", False)
                if len(buffer) >= CHUNK or (buffer and not more):
                    await anyio.to_thread.run_sync(handle.write, bytes(buffer))
                    buffer.clear()
                if not more:
                    break
            handle.close()
            try:
                area.commit(temp, key)
            except (NotADirectoryError, IsADirectoryError, FileExistsError):
                raise StorageError(
                    409, "KeyConflict", f"The key '{key}' conflicts with an object's path."
                ) from None
        finally:
            handle.close()
            area.discard(temp)
        await _answer(send, 201 if dialect == AZURE else 200)

    async def get(
        self, scope: Scope, send: Send, store: ObjectStore, key: str, dialect: str
    ) -> None:
        try:
            handle = store.area.path(key).open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise StorageError(
                404, _NOT_FOUND[dialect], f"The specified key does not exist: '{key}'."
            ) from None
        with handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            headers = [
                (b"content-length", str(size).encode()),
                (b"content-type", b"application/octet-stream"),
            ]
            if dialect == AZURE:
                headers.append((b"x-ms-blob-type", b"BlockBlob"))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            while True:
                chunk = await anyio.to_thread.run_sync(handle.read, CHUNK)
                more = len(chunk) == CHUNK
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if not more:
                    return


def storage_routes() -> list[BaseRoute]:
    """The storage's routes, named after the operations (the journal and faults use them)."""
    routes: list[BaseRoute] = []
    for path, azure in ((AZURE_ROUTE_PATH, True), (BUCKET_PATH, False)):
        routes.append(
            Route(path, StorageEndpoint("GET", azure=azure), methods=["GET"], name="get_object")
        )
        routes.append(
            Route(path, StorageEndpoint("PUT", azure=azure), methods=["PUT"], name="put_object")
        )
    return routes
