"""schemathesis against the served OpenAPI document: every /v2 operation, with and without a key.

The number of examples per operation comes from ``FUZZ_MAX_EXAMPLES`` (default 25), so CI
stays fast and a longer local run is one variable away.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from mock_server import Settings, create_app, user_for_key, workspace_for_key
from mock_server.app import build_backend
from mock_server.resources.datasets.models import DatasetCreate
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.identity.models import Caller
from mock_server.resources.identity.store import IdentityStore
from mock_server.state import StateAdmin

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
KEY = "ACCESSKEY-fuzz0000000001"
WORKSPACE = workspace_for_key(KEY)
# Datasets every example starts with, so get, update and delete reach their 200 paths too.
SEEDED = ("seeded-0", "seeded_1", "Seeded2")

# The codes each error status may carry (RouteNotFound's "NotFound" for unmatched paths).
GRAVITI_CODES: dict[int, set[str | None]] = {
    400: {"InvalidParamsValue", "RequestParamsMissing"},
    401: {"Unauthorized"},
    403: {"AccessDenied", "Forbidden"},
    404: {"ResourceNotExist", "NotFound"},
    405: {"MethodNotAllowed"},
    409: {"NameConflict"},
    413: {"PayloadTooLarge"},
    500: {"InternalServerError"},
    503: {None},  # the SDK's ServiceUnavailableError is registered without a code
}


@schemathesis.check
def graviti_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error is a JSON object of exactly a known ``code`` and a non-empty ``message``."""
    if response.status_code < 400:
        return None
    body = json.loads(response.content)
    assert isinstance(body, dict) and set(body) == {"code", "message"}, body
    assert isinstance(body["message"], str) and body["message"], body
    assert body["code"] in GRAVITI_CODES.get(response.status_code, set()), (
        response.status_code,
        body,
    )
    assert "Traceback" not in body["message"], body
    return True


# positive_data_acceptance is left out on purpose: a schema-valid storage_config or
# default_branch that does not exist is a documented Graviti 400, which no schema can express.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    graviti_error_shape,
]


def load(*, headers: dict[str, str] | None = None) -> Any:
    """The /v2 operations of a fresh in-memory app's own document, bounded in examples."""
    # The app gets its store from outside: schemathesis ends the app's lifespan after each
    # test, and a store the app owns would be closed with it.
    settings = Settings(database="sqlite://")
    app = create_app(settings, backend=build_backend(settings))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # The key is sent (or not) by the test itself; unknown query parameters are ignored by
    # the service, as by any HTTP server, so they are not treated as invalid input.
    schema.config.generation.update(
        max_examples=MAX_EXAMPLES, with_security_parameters=False, allow_extra_parameters=False
    )
    if headers:
        schema.config.update(headers=headers)
    return schema.include(path_regex="^/v2/")


with_key = load(headers={"X-Token": KEY})
without_key = load()


@with_key.hook  # type: ignore[untyped-decorator]
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    # Half the cases name the caller's workspace and a dataset that exists in it, so the
    # 200 answers of get, update, delete and get-workspace are fuzzed too.
    names = set(path_parameters or ())
    if names == {"workspace"}:
        return st.sampled_from([path_parameters, {"workspace": WORKSPACE}])
    if names == {"workspace", "dataset"}:
        existing = st.sampled_from(SEEDED).map(
            lambda name: {"workspace": WORKSPACE, "dataset": name}
        )
        return st.one_of(st.just(path_parameters), existing)
    return st.just(path_parameters)


def seed(admin: StateAdmin) -> None:
    admin.reset()
    admin.backend.get(IdentityStore).add_access_key(KEY)
    caller = Caller(key=KEY, user=user_for_key(KEY), workspace=WORKSPACE)
    for name in SEEDED:
        admin.backend.get(DatasetStore).create_dataset(caller, DatasetCreate(name=name))


@with_key.parametrize()  # type: ignore[untyped-decorator]
def test_with_a_valid_key(case: Any) -> None:
    seed(case.operation.schema.app.state.admin)
    response = case.call_and_validate(checks=CHECKS)
    if response.status_code == 401:
        raise AssertionError(f"a valid key was refused: {response.content!r}")


@without_key.parametrize()  # type: ignore[untyped-decorator]
def test_without_a_key(case: Any) -> None:
    case.headers = {
        name: value for name, value in (case.headers or {}).items() if name.lower() != "x-token"
    }
    response = case.call_and_validate(checks=CHECKS)
    # Unreadable input, an unknown path or method, or a body over the limit may be refused
    # before the key is looked at; anything else is a 401. Nothing ever succeeds.
    assert response.status_code in (400, 401, 404, 405, 413), response.content
