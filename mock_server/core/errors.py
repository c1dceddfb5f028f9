"""The Graviti error family: every error the mock sends is ``{"code", "message"}`` JSON.

GravitiError (500 InternalServerError)
├── InvalidParams (400 InvalidParamsValue)
├── ParamsMissing (400 RequestParamsMissing)
├── Unauthorized (401 Unauthorized)
├── AccessDenied (403 AccessDenied)
├── Forbidden (403 Forbidden)
├── ResourceNotExist (404 ResourceNotExist)
│   └── DatasetNotFound
├── RouteNotFound (404 NotFound)
├── MethodNotAllowed (405 MethodNotAllowed)
├── NameConflict (409 NameConflict)
├── PayloadTooLarge (413 PayloadTooLarge)
└── ServiceUnavailable (503, code null: the SDK's ServiceUnavailableError)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """The wire shape of every error.

    ``code`` is null only where the real SDK registers a status without a code (503),
    so that the SDK raises its ``ServiceUnavailableError`` as it would on the service.
    """

    code: str | None
    message: str


class GravitiError(Exception):
    """Base of the family; subclasses set the status and the Graviti code."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str | None] = "InternalServerError"
    default_message: ClassVar[str] = "Internal server error."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def body(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message}

    def encode(self) -> bytes:
        return encode_error(self.code, self.message)


class InvalidParams(GravitiError):
    status_code = 400
    code = "InvalidParamsValue"
    default_message = "A parameter has an invalid value."


class ParamsMissing(GravitiError):
    status_code = 400
    code = "RequestParamsMissing"
    default_message = "A required parameter is missing."


class Unauthorized(GravitiError):
    status_code = 401
    code = "Unauthorized"
    default_message = "A valid access key is required in the X-Token header."


class AccessDenied(GravitiError):
    status_code = 403
    code = "AccessDenied"
    default_message = "The access key may not access this resource."


class Forbidden(GravitiError):
    status_code = 403
    code = "Forbidden"
    default_message = "The operation is forbidden."


class ResourceNotExist(GravitiError):
    status_code = 404
    code = "ResourceNotExist"
    default_message = "The resource does not exist."


class DatasetNotFound(ResourceNotExist):
    def __init__(self, workspace: str, name: str) -> None:
        super().__init__(f"Dataset '{workspace}/{name}' does not exist.")


class PlainNotFound(GravitiError):
    """A 404 without a code: the SDK's ``NotFoundError``."""

    status_code = 404
    code = None
    default_message = "Not found."


class RouteNotFound(GravitiError):
    status_code = 404
    code = "NotFound"
    default_message = "No such route."


class MethodNotAllowed(GravitiError):
    status_code = 405
    code = "MethodNotAllowed"
    default_message = "Method not allowed."


class NameConflict(GravitiError):
    status_code = 409
    code = "NameConflict"
    default_message = "The name is already taken."


class PayloadTooLarge(GravitiError):
    status_code = 413
    code = "PayloadTooLarge"
    default_message = "The request body is too large."


DATABASE_UNAVAILABLE = "The database is unavailable (busy, read-only or full); nothing was changed."


class ServiceUnavailable(GravitiError):
    status_code = 503
    code = None
    default_message = "The service is unavailable."


def error_responses(*errors: type[GravitiError]) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses=`` entries for the errors a route can answer."""
    by_status: dict[int, list[str]] = {}
    for error in errors:
        by_status.setdefault(error.status_code, []).append(error.code or "no code")
    return {
        status: {"model": ErrorBody, "description": " or ".join(codes)}
        for status, codes in sorted(by_status.items())
    }


# ---------------------------------------------------------------------------- the one renderer

# The code the real SDK pairs with each status (None where it registers the status with no
# code), for answers made from a bare status such as an injected fault.
STATUS_CODES: dict[int, str | None] = {
    400: InvalidParams.code,
    401: Unauthorized.code,
    403: AccessDenied.code,
    404: ResourceNotExist.code,
    405: MethodNotAllowed.code,
    409: NameConflict.code,
    413: PayloadTooLarge.code,
    429: "TooManyRequests",
    500: GravitiError.code,
    502: "BadGateway",
    503: ServiceUnavailable.code,
    504: "GatewayTimeout",
}


def code_for_status(status: int) -> str | None:
    """The code an answer of ``status`` carries when nobody chose one."""
    return STATUS_CODES.get(status, GravitiError.code)


def encode_error(code: str | None, message: str) -> bytes:
    """The one way an error body is written: ``{"code", "message"}`` JSON."""
    return json.dumps(
        {"code": code, "message": message}, ensure_ascii=False, separators=(",", ":")
    ).encode()


def asgi_error(
    status: int,
    code: str | None,
    message: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two ASGI messages of an error answer, for middleware below the app."""
    body = encode_error(code, message)
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    return start, {"type": "http.response.body", "body": body}
