"""Exceptions raised when the Graviti OpenAPI answers with anything but 200 or 201.

The classes, and the (status, code) pairs that select them, are those of the
Graviti SDK (``graviti.exception``)::

    Exception
    └── ResponseError                    any other status, or an unknown pair
        ├── InvalidParamsError           400 InvalidParamsValue
        ├── RequestParamsMissingError    400 RequestParamsMissing
        ├── UnauthorizedError            401 Unauthorized
        ├── AccessDeniedError            403 AccessDenied
        ├── ForbiddenError               403 Forbidden
        ├── NotFoundError                404 without a code
        │   └── ResourceNotExistError    404 ResourceNotExist
        ├── NameConflictError            409 NameConflict
        ├── InternalServerError          500 InternalServerError
        └── ServiceUnavailableError      503 without a code

Unlike the SDK, an error body that is not JSON, or JSON that is not an object,
never raises a decode error: it counts as a body without a code, so a proxy's
HTML 503 page still gives a ``ServiceUnavailableError``.
"""

from __future__ import annotations

from typing import Any

from requests import Response

__all__ = [
    "AccessDeniedError",
    "ForbiddenError",
    "InternalServerError",
    "InvalidParamsError",
    "NameConflictError",
    "NotFoundError",
    "RequestParamsMissingError",
    "ResourceNotExistError",
    "ResponseError",
    "ServiceUnavailableError",
    "UnauthorizedError",
    "error_from_response",
]


class ResponseError(Exception):
    """The service answered with a status other than 200 or 201.

    Also raised, with ``code`` None, for a 200 or 201 whose body is not the
    JSON object the call returns.

    Attributes:
        response: The response, when the error was built from one.
        status_code: The HTTP status of the response.
        code: The ``code`` field of the JSON error body, or None when there is none.
        message: The ``message`` field of the JSON error body, else the raw body text.
    """

    def __init__(
        self,
        message: str = "",
        *,
        response: Response | None = None,
        status_code: int,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        self.status_code = status_code
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are not in self.args, so pickle (multiprocessing) needs help.
        return (
            _rebuild,
            (type(self), self.message, self.response, self.status_code, self.code),
        )

    def __str__(self) -> str:
        where = ""
        if self.response is not None:
            request = self.response.request
            method = f"{request.method} " if request is not None else ""
            where = f" ({method}{self.response.url})"
        code = f" {self.code}" if self.code is not None else ""
        return f"{self.status_code}{code}: {self.message}{where}"


def _rebuild(
    cls: type[ResponseError],
    message: str,
    response: Response | None,
    status_code: int,
    code: str | None,
) -> ResponseError:
    return cls(message, response=response, status_code=status_code, code=code)


class AccessDeniedError(ResponseError):
    """403 AccessDenied: the key may not touch that workspace's resource."""


class ForbiddenError(ResponseError):
    """403 Forbidden: an operation the service forbids."""


class InvalidParamsError(ResponseError):
    """400 InvalidParamsValue: a parameter is present but wrong."""


class NameConflictError(ResponseError):
    """409 NameConflict: the name is taken in that workspace."""


class RequestParamsMissingError(ResponseError):
    """400 RequestParamsMissing: a required parameter is absent."""


class NotFoundError(ResponseError):
    """404 without a code: plain not found."""


class ResourceNotExistError(NotFoundError):
    """404 ResourceNotExist: no such resource."""


class InternalServerError(ResponseError):
    """500 InternalServerError."""


class UnauthorizedError(ResponseError):
    """401 Unauthorized: no access key, or one that is not valid."""


class ServiceUnavailableError(ResponseError):
    """503 without a code: the service is unavailable."""


_ERRORS: dict[tuple[int, str | None], type[ResponseError]] = {
    (400, "InvalidParamsValue"): InvalidParamsError,
    (400, "RequestParamsMissing"): RequestParamsMissingError,
    (401, "Unauthorized"): UnauthorizedError,
    (403, "AccessDenied"): AccessDeniedError,
    (403, "Forbidden"): ForbiddenError,
    (404, None): NotFoundError,
    (404, "ResourceNotExist"): ResourceNotExistError,
    (409, "NameConflict"): NameConflictError,
    (500, "InternalServerError"): InternalServerError,
    (503, None): ServiceUnavailableError,
}


def _decode_body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:  # requests' JSONDecodeError, also raised for undecodable bytes
        return None


def error_from_response(response: Response) -> ResponseError:
    """Build the exception the SDK would raise for an unsuccessful response.

    The class is picked by the pair (status, ``code`` of the JSON body); a pair
    the SDK does not know gives a plain ``ResponseError``. A body that is not a
    JSON object counts as one without a code.
    """
    status_code = response.status_code
    body = _decode_body(response)
    if not isinstance(body, dict):
        return _ERRORS.get((status_code, None), ResponseError)(
            response.text, response=response, status_code=status_code
        )

    message = body.get("message")
    if not isinstance(message, str):
        message = response.text
    code = body.get("code")
    if not isinstance(code, str | None):
        # The SDK finds no class for such a code; keep the body in the message.
        return ResponseError(response.text, response=response, status_code=status_code)
    error_class = _ERRORS.get((status_code, code), ResponseError)
    return error_class(message, response=response, status_code=status_code, code=code)
