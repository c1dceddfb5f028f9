"""The retry policy is the SDK's: POST is retried on 429 and 5xx, GET, PATCH and DELETE are not."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import graviti.exception as sdk_exceptions
import graviti.openapi.dataset as sdk
import pytest

import client
from client import InternalServerError, ResponseError, ServiceUnavailableError
from tests.client.conftest import Reply, StubServer

KEY = "ACCESSKEY-0123456789abcdef"
UNAVAILABLE = Reply.json(503, {"message": "try later"})

CALLS: dict[str, Callable[[ModuleType, str], Any]] = {
    "POST": lambda module, url: module.create_dataset(KEY, url, "d"),
    "GET": lambda module, url: module.get_dataset(KEY, url, "w", "d"),
    "GET-list": lambda module, url: module.list_datasets(KEY, url),
    "PATCH": lambda module, url: module.update_dataset(KEY, url, "w", "d", alias="a"),
    "DELETE": lambda module, url: module.delete_dataset(KEY, url, "w", "d"),
}
# One first try, then up to 3 retries for the methods the policy allows.
ATTEMPTS = {"POST": 4, "GET": 1, "GET-list": 1, "PATCH": 1, "DELETE": 1}


@pytest.mark.parametrize("call", CALLS)
def test_attempts_on_a_lasting_503(stub: StubServer, call: str) -> None:
    stub.script(*[UNAVAILABLE] * 5)
    with pytest.raises(sdk_exceptions.ServiceUnavailableError):
        CALLS[call](sdk, stub.url)
    sdk_attempts = len(stub.take())

    stub.reset()
    stub.script(*[UNAVAILABLE] * 5)
    with pytest.raises(ServiceUnavailableError) as error:
        CALLS[call](client, stub.url)
    requests = stub.take()

    assert len(requests) == sdk_attempts == ATTEMPTS[call]
    assert error.value.message == "try later"
    # A retry is the same request again, under the same request id.
    assert len({(r.method, r.target, r.body, r.headers["x-request-id"]) for r in requests}) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_post_succeeds_after_a_retried_failure(stub: StubServer, status: int) -> None:
    stub.script(Reply.json(status, {}), Reply.json(201, {"name": "d"}))
    assert client.create_dataset(KEY, stub.url, "d") == {"name": "d"}
    assert [r.method for r in stub.take()] == ["POST", "POST"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 501])
def test_post_is_not_retried_on_other_statuses(stub: StubServer, status: int) -> None:
    stub.script(Reply.json(status, {}), Reply.json(201, {"name": "d"}))
    with pytest.raises(ResponseError) as error:
        client.create_dataset(KEY, stub.url, "d")
    assert error.value.status_code == status
    assert len(stub.take()) == 1


def test_last_response_is_raised_after_the_retries(stub: StubServer) -> None:
    stub.script(
        UNAVAILABLE,
        UNAVAILABLE,
        UNAVAILABLE,
        Reply.json(500, {"code": "InternalServerError", "message": "last"}),
        Reply.json(201, {}),
    )
    with pytest.raises(InternalServerError) as error:
        client.create_dataset(KEY, stub.url, "d")
    assert error.value.message == "last"
    assert len(stub.take()) == 4
