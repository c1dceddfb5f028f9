"""Unsuccessful answers become the SDK's exception classes, and never a decode error."""

from __future__ import annotations

import pickle
from typing import Any, cast

import graviti.exception as sdk_exceptions
import graviti.openapi
import graviti.openapi.dataset as sdk
import pytest

import client
from client import (
    AccessDeniedError,
    ForbiddenError,
    InternalServerError,
    InvalidParamsError,
    NameConflictError,
    NotFoundError,
    RequestParamsMissingError,
    ResourceNotExistError,
    ResponseError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from tests.client.conftest import Reply, StubServer

KEY = "ACCESSKEY-0123456789abcdef"

PAIRS: list[tuple[int, str | None, type[ResponseError]]] = [
    (400, "InvalidParamsValue", InvalidParamsError),
    (400, "RequestParamsMissing", RequestParamsMissingError),
    (401, "Unauthorized", UnauthorizedError),
    (403, "AccessDenied", AccessDeniedError),
    (403, "Forbidden", ForbiddenError),
    (404, "ResourceNotExist", ResourceNotExistError),
    (404, None, NotFoundError),
    (409, "NameConflict", NameConflictError),
    (500, "InternalServerError", InternalServerError),
    (503, None, ServiceUnavailableError),
    # Pairs the SDK does not know fall back to the base class.
    (404, "RouteNotFound", ResponseError),
    (400, None, ResponseError),
    (403, "Unauthorized", ResponseError),
    (405, "MethodNotAllowed", ResponseError),
    (503, "ServiceUnavailable", ResponseError),
    (418, None, ResponseError),
]


def _error_body(code: str | None) -> dict[str, str]:
    body = {"message": "what went wrong"}
    if code is not None:
        body["code"] = code
    return body


@pytest.mark.parametrize(
    ("status", "code", "error_class"), PAIRS, ids=[f"{s}-{c}" for s, c, _ in PAIRS]
)
def test_status_and_code_pick_the_sdk_class(
    stub: StubServer, status: int, code: str | None, error_class: type[ResponseError]
) -> None:
    # GET is never retried, so each call sees exactly one scripted reply.
    stub.script(Reply.json(status, _error_body(code)))
    with pytest.raises(sdk_exceptions.ResponseError) as sdk_error:
        sdk.get_dataset(KEY, stub.url, "w", "d")

    stub.script(Reply.json(status, _error_body(code)))
    with pytest.raises(ResponseError) as error:
        client.get_dataset(KEY, stub.url, "w", "d")

    assert type(error.value) is error_class
    assert type(error.value).__name__ == type(sdk_error.value).__name__
    assert error.value.status_code == status
    assert error.value.code == code
    assert error.value.message == "what went wrong"
    assert error.value.response is not None
    assert error.value.response.status_code == status
    assert str(status) in str(error.value)
    assert "what went wrong" in str(error.value)
    assert f"GET {stub.url}/v2/datasets/w/d" in str(error.value)


def test_resource_not_exist_is_a_not_found() -> None:
    assert issubclass(ResourceNotExistError, NotFoundError)
    assert issubclass(NotFoundError, ResponseError)
    assert issubclass(ResponseError, Exception)


@pytest.mark.parametrize(
    ("reply", "error_class"),
    [
        (Reply(404, b"<html>Not Found</html>", "text/html"), NotFoundError),
        (Reply(503, b"<html>Bad Gateway</html>", "text/html"), ServiceUnavailableError),
        (Reply(400, b"oops", "text/plain"), ResponseError),
        (Reply(500, b"", "application/json"), ResponseError),
        (Reply(409, b'{"code": "NameConflict"', "application/json"), ResponseError),
        (Reply(409, b'"NameConflict"', "application/json"), ResponseError),
        (Reply(404, b'["ResourceNotExist"]', "application/json"), NotFoundError),
        (Reply(401, b"null", "application/json"), ResponseError),
        (Reply(403, b"\xff\xfe\x00", "application/json"), ResponseError),
    ],
    ids=[
        "html-404",
        "html-503",
        "text-400",
        "empty-500",
        "truncated-json",
        "json-string",
        "json-list",
        "json-null",
        "undecodable",
    ],
)
def test_body_that_is_not_a_json_object_has_no_code(
    stub: StubServer, reply: Reply, error_class: type[ResponseError]
) -> None:
    stub.script(reply)
    with pytest.raises(ResponseError) as error:
        client.get_dataset(KEY, stub.url, "w", "d")
    assert type(error.value) is error_class
    assert error.value.status_code == reply.status
    assert error.value.code is None
    assert error.value.response is not None
    assert error.value.response.content == reply.body


@pytest.mark.parametrize(
    ("payload", "error_class", "code"),
    [
        ({"code": None, "message": "m"}, NotFoundError, None),
        ({"code": 404, "message": "m"}, ResponseError, None),
        ({"code": ["ResourceNotExist"], "message": "m"}, ResponseError, None),
        ({"code": "ResourceNotExist"}, ResourceNotExistError, "ResourceNotExist"),
        ({"code": "ResourceNotExist", "message": 7}, ResourceNotExistError, "ResourceNotExist"),
    ],
    ids=["null-code", "int-code", "list-code", "no-message", "int-message"],
)
def test_odd_json_error_objects(
    stub: StubServer, payload: object, error_class: type[ResponseError], code: str | None
) -> None:
    stub.script(Reply.json(404, payload))
    with pytest.raises(ResponseError) as error:
        client.get_dataset(KEY, stub.url, "w", "d")
    assert type(error.value) is error_class
    assert error.value.code == code
    if not (isinstance(payload, dict) and isinstance(payload.get("message"), str)):
        # Without a usable message the raw body is kept, so nothing is lost.
        assert error.value.message == error.value.response.text  # type: ignore[union-attr]


@pytest.mark.parametrize("status", [202, 204, 301, 302])
def test_only_200_and_201_are_success(stub: StubServer, status: int) -> None:
    stub.script(Reply(status, b"", "application/json"))
    with pytest.raises(ResponseError) as error:
        client.delete_dataset(KEY, stub.url, "w", "d")
    assert type(error.value) is ResponseError
    assert error.value.status_code == status


@pytest.mark.parametrize("body", [b"", b"[]", b"not json"])
def test_success_without_a_json_object_is_an_error(stub: StubServer, body: bytes) -> None:
    stub.script(Reply(200, body))
    with pytest.raises(ResponseError) as error:
        client.get_dataset(KEY, stub.url, "w", "d")
    assert type(error.value) is ResponseError
    assert error.value.status_code == 200
    assert error.value.code is None


def test_error_can_be_built_without_a_response() -> None:
    error = NameConflictError("taken", status_code=409, code="NameConflict")
    assert (error.response, error.status_code, error.code, error.message) == (
        None,
        409,
        "NameConflict",
        "taken",
    )
    assert str(error) == "409 NameConflict: taken"
    with pytest.raises(TypeError):
        cast(Any, NameConflictError)("taken", 409, "NameConflict")


def test_error_survives_pickling(stub: StubServer) -> None:
    stub.script(Reply.json(409, {"code": "NameConflict", "message": "taken"}))
    with pytest.raises(NameConflictError) as error:
        client.create_dataset(KEY, stub.url, "d")
    copy = pickle.loads(pickle.dumps(error.value))
    assert type(copy) is NameConflictError
    assert (copy.message, copy.status_code, copy.code) == ("taken", 409, "NameConflict")
    assert copy.response is not None
    assert copy.response.content == error.value.response.content  # type: ignore[union-attr]
    assert str(copy) == str(error.value)


# (call with the library as argument, status, code, class): calls of several families,
# GET, POST, PATCH and DELETE, void or not, none retried for these statuses.
ENDPOINT_ERRORS: list[tuple[Any, int, str | None, type[ResponseError]]] = [
    (
        lambda lib, url: lib.get_branch(KEY, url, "w", "d", branch="nope"),
        404,
        "ResourceNotExist",
        ResourceNotExistError,
    ),
    (
        lambda lib, url: lib.create_tag(KEY, url, "w", "d", name="v1", revision="main"),
        409,
        "NameConflict",
        NameConflictError,
    ),
    (
        lambda lib, url: lib.update_draft(KEY, url, "w", "d", draft_number=1, title="t"),
        403,
        "Forbidden",
        ForbiddenError,
    ),
    (
        lambda lib, url: lib.delete_records(
            KEY, url, "w", "d", draft_number=1, sheet="s", record_keys=["x"]
        ),
        400,
        "InvalidParamsValue",
        InvalidParamsError,
    ),
    (
        lambda lib, url: lib.add_data(KEY, url, "w", "d", draft_number=1, sheet="s", data=[]),
        400,
        "RequestParamsMissing",
        RequestParamsMissingError,
    ),
    (
        lambda lib, url: lib.get_action_run_node_log(
            KEY, url, "w", "d", action="a", run_number=1, node_id="n"
        ),
        404,
        None,
        NotFoundError,
    ),
    (
        lambda lib, url: lib.list_commits(KEY, url, "w", "d", revision="main"),
        403,
        "AccessDenied",
        AccessDeniedError,
    ),
]


@pytest.mark.parametrize(
    ("call", "status", "code", "error_class"),
    ENDPOINT_ERRORS,
    ids=[
        "get_branch",
        "create_tag",
        "update_draft",
        "delete_records",
        "add_data",
        "node_log",
        "list_commits",
    ],
)
def test_endpoint_errors_pick_the_sdk_class(
    stub: StubServer, call: Any, status: int, code: str | None, error_class: type[ResponseError]
) -> None:
    stub.script(Reply.json(status, _error_body(code)))
    with pytest.raises(sdk_exceptions.ResponseError) as sdk_error:
        call(graviti.openapi, stub.url)

    stub.script(Reply.json(status, _error_body(code)))
    with pytest.raises(ResponseError) as error:
        call(client, stub.url)

    assert type(error.value) is error_class
    assert type(error.value).__name__ == type(sdk_error.value).__name__
    assert (error.value.status_code, error.value.code) == (status, code)
    sdk_request, request = stub.take()
    assert (request.method, request.target) == (sdk_request.method, sdk_request.target)


@pytest.mark.parametrize("body", [b"", b"true", b"1.5", b'"7"', b"{}"])
def test_record_count_that_is_not_an_integer_is_an_error(stub: StubServer, body: bytes) -> None:
    stub.script(Reply(200, body))
    with pytest.raises(ResponseError) as error:
        client.get_search_record_count(KEY, stub.url, "w", "d", search_id="s")
    assert type(error.value) is ResponseError
    assert (error.value.status_code, error.value.code) == (200, None)


def test_list_without_a_json_object_is_an_error(stub: StubServer) -> None:
    stub.script(Reply(200, b"[]"))
    with pytest.raises(ResponseError) as error:
        client.list_branches(KEY, stub.url, "w", "d")
    assert type(error.value) is ResponseError
    assert error.value.code is None


@pytest.mark.parametrize("status", [204, 202])
def test_void_endpoint_succeeds_only_on_200_and_201(stub: StubServer, status: int) -> None:
    stub.script(Reply(201, b""), Reply(status, b""))
    client.delete_tag(KEY, stub.url, "w", "d", tag="v1")
    with pytest.raises(ResponseError) as error:
        client.delete_tag(KEY, stub.url, "w", "d", tag="v1")
    assert error.value.status_code == status
