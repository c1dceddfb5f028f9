"""One interface over both clients: our ``client`` package and the SDK's ``graviti.openapi``.

The functions have the same signatures in both, so they are used as they
are. What differs is the exception family: the SDK's classes carry the status
and code as class attributes (``STATUS_CODE``, ``ERROR_CODE``) and the response
as ``.response``; ours carry ``.status_code`` and ``.code``. ``Client.raises``
asserts an error through each library's own attributes, after matching the
class by name, so one test states one expectation for both.

Each client also records the status of every response its session receives
(after the session's own retries), so a test can assert that a call answered
200 even where the function only returns the body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from types import ModuleType
from typing import Any

import graviti.exception
import graviti.openapi
import graviti.utility
import pytest
import requests
from graviti.openapi.requests import RESPONSE_ERROR_DISTRIBUTOR

import client
import client._http
import client.exceptions


@dataclass(frozen=True)
class Expected:
    """An error of the contract: the exception class name, the HTTP status and the code."""

    name: str
    status: int
    code: str | None


UNAUTHORIZED = Expected("UnauthorizedError", 401, "Unauthorized")
ACCESS_DENIED = Expected("AccessDeniedError", 403, "AccessDenied")
FORBIDDEN = Expected("ForbiddenError", 403, "Forbidden")
RESOURCE_NOT_EXIST = Expected("ResourceNotExistError", 404, "ResourceNotExist")
NAME_CONFLICT = Expected("NameConflictError", 409, "NameConflict")
INVALID_PARAMS = Expected("InvalidParamsError", 400, "InvalidParamsValue")
PARAMS_MISSING = Expected("RequestParamsMissingError", 400, "RequestParamsMissing")
INTERNAL = Expected("InternalServerError", 500, "InternalServerError")
UNAVAILABLE = Expected("ServiceUnavailableError", 503, None)


@dataclass
class Client:
    """The endpoint calls of one library, and how that library reports errors.

    Each call is the library's own function of the same name, used as it is.
    """

    name: str
    exceptions: ModuleType
    get_session: Callable[[], requests.Session]
    create_dataset: Callable[..., dict[str, Any]]
    get_dataset: Callable[..., dict[str, Any]]
    list_datasets: Callable[..., dict[str, Any]]
    update_dataset: Callable[..., dict[str, Any]]
    delete_dataset: Callable[..., object]
    get_current_user: Callable[..., dict[str, Any]]
    get_current_workspace: Callable[..., dict[str, Any]]
    get_workspace: Callable[..., dict[str, Any]]
    # The versioned-data calls (branches, tags, commits, drafts, sheets, records).
    create_branch: Callable[..., dict[str, Any]]
    list_branches: Callable[..., dict[str, Any]]
    get_branch: Callable[..., dict[str, Any]]
    delete_branch: Callable[..., object]
    create_tag: Callable[..., dict[str, Any]]
    list_tags: Callable[..., dict[str, Any]]
    get_tag: Callable[..., dict[str, Any]]
    delete_tag: Callable[..., object]
    commit_draft: Callable[..., dict[str, Any]]
    list_commits: Callable[..., dict[str, Any]]
    get_commit: Callable[..., dict[str, Any]]
    get_revision: Callable[..., dict[str, Any]]
    create_draft: Callable[..., dict[str, Any]]
    list_drafts: Callable[..., dict[str, Any]]
    get_draft: Callable[..., dict[str, Any]]
    update_draft: Callable[..., dict[str, Any]]
    create_sheet: Callable[..., object]
    list_draft_sheets: Callable[..., dict[str, Any]]
    list_commit_sheets: Callable[..., dict[str, Any]]
    get_draft_sheet: Callable[..., dict[str, Any]]
    get_commit_sheet: Callable[..., dict[str, Any]]
    delete_sheet: Callable[..., object]
    update_schema: Callable[..., object]
    add_records: Callable[..., object]
    update_records: Callable[..., object]
    delete_records: Callable[..., object]
    list_draft_records: Callable[..., dict[str, Any]]
    list_commit_records: Callable[..., dict[str, Any]]
    statuses: list[int] = field(default_factory=list)

    @property
    def base_error(self) -> type[Exception]:
        base: type[Exception] = self.exceptions.ResponseError
        return base

    @property
    def last_status(self) -> int:
        assert self.statuses, "no response was received"
        return self.statuses[-1]

    def error_from_response(self, response: requests.Response) -> Exception:
        """The exception this library raises for an unsuccessful ``response``."""
        raise NotImplementedError

    def status_and_code(self, error: Exception) -> tuple[int, str | None]:
        """The status and code, read through this library's own attributes."""
        raise NotImplementedError

    def check_error(self, error: Exception, expected: Expected) -> None:
        assert type(error).__name__ == expected.name, f"{type(error).__name__}: {error}"
        assert type(error) is getattr(self.exceptions, expected.name)
        assert self.status_and_code(error) == (expected.status, expected.code)

    @contextmanager
    def raises(self, expected: Expected) -> Iterator[None]:
        """Assert that the block raises the library's class for ``expected``."""
        with pytest.raises(self.base_error) as info:
            yield
        self.check_error(info.value, expected)
        assert self.last_status == expected.status

    @contextmanager
    def recording(self) -> Iterator[Client]:
        """Record response statuses on the library's session while the block runs."""

        def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            self.statuses.append(response.status_code)

        hooks = self.get_session().hooks["response"]
        hooks.append(hook)
        try:
            yield self
        finally:
            hooks.remove(hook)


class OurClient(Client):
    def error_from_response(self, response: requests.Response) -> Exception:
        return client.exceptions.error_from_response(response)

    def status_and_code(self, error: Exception) -> tuple[int, str | None]:
        assert isinstance(error, client.ResponseError)
        assert error.response is not None
        assert error.response.status_code == error.status_code
        return error.status_code, error.code


class SdkClient(Client):
    def error_from_response(self, response: requests.Response) -> Exception:
        # What graviti.openapi.requests.open_api_do does with an unsuccessful response.
        error_class = RESPONSE_ERROR_DISTRIBUTOR.get(
            (response.status_code, response.json().get("code")),
            graviti.exception.ResponseError,
        )
        return error_class(response=response)

    def status_and_code(self, error: Exception) -> tuple[int, str | None]:
        assert isinstance(error, graviti.exception.ResponseError)
        status: int = error.response.status_code
        code: str | None = error.response.json().get("code")
        # The class the SDK picked must be the one registered for what the server sent.
        assert (type(error).STATUS_CODE, type(error).ERROR_CODE) == (status, code)
        return status, code


NOT_CALLS = {"name", "exceptions", "get_session", "statuses"}


def calls_of(library: ModuleType) -> dict[str, Any]:
    """Every endpoint function ``Client`` names, taken from ``library`` under the same name."""
    return {f.name: getattr(library, f.name) for f in fields(Client) if f.name not in NOT_CALLS}


def our_client() -> Client:
    return OurClient(
        name="client",
        exceptions=client.exceptions,
        get_session=client._http.get_session,
        **calls_of(client),
    )


def sdk_client() -> Client:
    return SdkClient(
        name="sdk",
        exceptions=graviti.exception,
        get_session=graviti.utility.get_session,
        **calls_of(graviti.openapi),
    )


CLIENTS: dict[str, Callable[[], Client]] = {"client": our_client, "sdk": sdk_client}
