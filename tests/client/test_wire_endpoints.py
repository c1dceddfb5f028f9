"""Every endpoint function puts the SDK's request on the wire, and reads the answer as it does.

Each case calls the SDK's function and ours against the stub with the same
arguments and the same scripted reply, then compares method, path, query and
body bytes, the headers that carry meaning, and the result. Void endpoints get
an empty, non-JSON 200: neither library may parse it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graviti.openapi as sdk
import pytest
import requests

import client
from tests.client.conftest import Recorded, Reply, StubServer
from tests.client.test_api import FUNCTIONS

KEY = "ACCESSKEY-0123456789abcdef"
W, D = "graviti-example", "MNIST"
COMMIT = "fde63f357daf46088639e9f57fd81cad"
SEARCH = "b2c9a1e40f2a4c1e9d8f7a6b5c4d3e2f"

NAMED_COMMIT = {
    "name": "main",
    "commit_id": COMMIT,
    "parent_commit_id": None,
    "title": "first",
    "description": "",
    "committer": "someone",
    "committed_at": "2021-03-03T18:58:10Z",
}
DRAFT = {
    "number": 1,
    "title": "t",
    "description": "",
    "branch": "main",
    "state": "OPEN",
    "parent_commit_id": None,
    "creator": "someone",
    "created_at": "2021-03-03T18:58:10Z",
    "updated_at": "2021-03-03T18:58:10Z",
}
SHEET = {
    "name": "train",
    "created_at": "2021-03-03T18:58:10Z",
    "updated_at": "2021-03-03T18:58:10Z",
}
ACTION = {"id": COMMIT, "name": "act", "edition": 1, "state": "ENABLED", "payload": "x"}
RUN = {"id": COMMIT, "number": 3, "name": "act", "workflow_id": "act-1", "status": "RUNNING"}

YAML_SCHEMA = "type: record\nfields:\n  - name: filename\n    type: string\n"
AVRO_SCHEMA = '{"type": "record", "name": "r", "fields": []}'
# The SDK wraps base64 every 76 characters, so a real _arrow_schema holds newlines.
ARROW_SCHEMA = "/////+AAAAAQAAAAAAAKAA4ABgAFAAgACgAAAAABBAAQAAAAAAAKAAwAAAAEAAgACgAAAEQA\nAAAEAAAA"
ROWS = [{"filename": "a.png", "label": 1}, {"filename": "ü.png", "label": None}]
KEYED_ROWS = [{"__record_key": "123750493121329585", "label": 2}]

VOID = Reply(200, b"", "text/plain")

# (function name, positional arguments after access_key and url, keyword arguments, reply)
Call = tuple[str, tuple[str, ...], dict[str, Any], Reply]


def _json(payload: Any) -> Reply:
    return Reply.json(200, payload)


def _page(key: str, item: dict[str, Any]) -> Reply:
    return _json({key: [item], "offset": 0, "record_size": 1, "total_count": 1})


CALLS: list[Call] = [
    # identity and storage configs
    ("get_current_user", (), {}, _json({"id": COMMIT, "nickname": "n"})),
    ("get_current_workspace", (), {}, _json({"id": COMMIT, "name": W})),
    ("get_workspace", (W,), {}, _json({"id": COMMIT, "name": W})),
    ("list_storage_configs", (W,), {}, _page("storage_configs", {"name": "default"})),
    (
        "list_storage_configs",
        (W,),
        {"sort": ["name:desc", "id"], "offset": 0, "limit": 1},
        _page("storage_configs", {"name": "default"}),
    ),
    ("get_storage_config", (W, "default"), {}, _json({"name": "default"})),
    ("update_storage_configs", (W,), {"default_storage_config": "my-oss"}, VOID),
    # datasets (their own cases are in test_wire.py)
    ("get_dataset", (W, D), {}, _json({"name": D})),
    # branches
    ("create_branch", (W, D), {"name": "dev", "revision": COMMIT}, _json(NAMED_COMMIT)),
    ("list_branches", (W, D), {}, _page("branches", NAMED_COMMIT)),
    ("list_branches", (W, D), {"offset": 128, "limit": 2}, _page("branches", NAMED_COMMIT)),
    ("get_branch", (W, D), {"branch": "main"}, _json(NAMED_COMMIT)),
    ("get_branch", (W, D), {"branch": "feat/x y"}, _json(NAMED_COMMIT)),
    ("delete_branch", (W, D), {"branch": "dev"}, VOID),
    # commits and revisions
    ("commit_draft", (W, D), {"draft_number": 1, "title": "t"}, _json(NAMED_COMMIT)),
    (
        "commit_draft",
        (W, D),
        {"draft_number": 1, "title": "t", "description": ""},
        _json(NAMED_COMMIT),
    ),
    (
        "commit_draft",
        (W, D),
        {"draft_number": 2, "title": "t", "description": "why"},
        _json(NAMED_COMMIT),
    ),
    ("list_commits", (W, D), {}, _page("commits", NAMED_COMMIT)),
    (
        "list_commits",
        (W, D),
        {"revision": COMMIT, "offset": 0, "limit": 128},
        _page("commits", NAMED_COMMIT),
    ),
    ("get_commit", (W, D), {"commit_id": COMMIT}, _json(NAMED_COMMIT)),
    ("get_revision", (W, D), {"revision": "v1.0"}, _json({**NAMED_COMMIT, "type": "TAG"})),
    # tags
    ("create_tag", (W, D), {"name": "v1.0", "revision": "main"}, _json(NAMED_COMMIT)),
    ("list_tags", (W, D), {}, _page("tags", NAMED_COMMIT)),
    ("list_tags", (W, D), {"limit": 5}, _page("tags", NAMED_COMMIT)),
    ("get_tag", (W, D), {"tag": "v1.0"}, _json(NAMED_COMMIT)),
    ("delete_tag", (W, D), {"tag": "v1.0"}, VOID),
    # drafts
    ("create_draft", (W, D), {"title": "t"}, _json(DRAFT)),
    ("create_draft", (W, D), {"title": "t", "branch": "dev", "description": "d"}, _json(DRAFT)),
    ("create_draft", (W, D), {"title": "t", "branch": "", "description": ""}, _json(DRAFT)),
    ("list_drafts", (W, D), {}, _page("drafts", DRAFT)),
    (
        "list_drafts",
        (W, D),
        {"state": "ALL", "branch": "main", "offset": 0, "limit": 128},
        _page("drafts", DRAFT),
    ),
    ("get_draft", (W, D), {"draft_number": 2}, _json(DRAFT)),
    ("update_draft", (W, D), {"draft_number": 1}, _json(DRAFT)),
    ("update_draft", (W, D), {"draft_number": 1, "state": "CLOSED"}, _json(DRAFT)),
    (
        "update_draft",
        (W, D),
        {"draft_number": 1, "title": "", "description": "x", "state": "OPEN"},
        _json(DRAFT),
    ),
    # sheets and schema
    (
        "create_sheet",
        (W, D),
        {"draft_number": 1, "name": "train", "schema": YAML_SCHEMA, "_avro_schema": AVRO_SCHEMA},
        VOID,
    ),
    (
        "create_sheet",
        (W, D),
        {
            "draft_number": 1,
            "name": "train",
            "schema": YAML_SCHEMA,
            "_avro_schema": AVRO_SCHEMA,
            "_arrow_schema": ARROW_SCHEMA,
            "record_key_strategy": "USER_DEFINED",
        },
        VOID,
    ),
    ("list_draft_sheets", (W, D), {"draft_number": 1}, _page("sheets", SHEET)),
    (
        "list_draft_sheets",
        (W, D),
        {"draft_number": 1, "with_record_count": True, "offset": 0, "limit": 128},
        _page("sheets", SHEET),
    ),
    (
        "list_commit_sheets",
        (W, D),
        {"commit_id": COMMIT, "with_record_count": False},
        _page("sheets", SHEET),
    ),
    (
        "get_draft_sheet",
        (W, D),
        {"draft_number": 1, "sheet": "train", "with_record_count": True},
        _json({**SHEET, "schema": YAML_SCHEMA, "record_count": 2}),
    ),
    (
        "get_draft_sheet",
        (W, D),
        {"draft_number": 1, "sheet": "train", "schema_format": "YAML"},
        _json({**SHEET, "schema": YAML_SCHEMA}),
    ),
    (
        "get_commit_sheet",
        (W, D),
        {"commit_id": COMMIT, "sheet": "train"},
        _json({**SHEET, "schema": YAML_SCHEMA}),
    ),
    (
        "get_commit_sheet",
        (W, D),
        {
            "commit_id": COMMIT,
            "sheet": "train",
            "with_record_count": False,
            "schema_format": "JSON",
        },
        _json({**SHEET, "schema": "{}"}),
    ),
    ("delete_sheet", (W, D), {"draft_number": 1, "sheet": "train"}, VOID),
    (
        "update_schema",
        (W, D),
        {"draft_number": 1, "sheet": "train", "_schema": YAML_SCHEMA, "_avro_schema": AVRO_SCHEMA},
        VOID,
    ),
    (
        "update_schema",
        (W, D),
        {
            "draft_number": 1,
            "sheet": "train",
            "patch": [{"op": "add", "path": "/fields/1", "value": {"name": "x"}}],
            "_schema": YAML_SCHEMA,
            "_avro_schema": AVRO_SCHEMA,
            "_arrow_schema": ARROW_SCHEMA,
        },
        VOID,
    ),
    # records
    ("list_draft_records", (W, D), {"draft_number": 1, "sheet": "train"}, _page("records", {})),
    (
        "list_draft_records",
        (W, D),
        {"draft_number": 1, "sheet": "train", "columns": "filename,box.x", "sort": "label:desc"},
        _page("records", {}),
    ),
    (
        "list_draft_records",
        (W, D),
        {
            "draft_number": 1,
            "sheet": "train",
            "sort": ["label:desc", "__record_key"],
            "offset": 0,
            "limit": 10,
        },
        _page("records", {}),
    ),
    (
        "list_commit_records",
        (W, D),
        {"commit_id": COMMIT, "sheet": "train", "sort": ("filename",), "limit": 1},
        _page("records", {}),
    ),
    ("add_records", (W, D), {"draft_number": 1, "sheet": "train", "records": ROWS}, VOID),
    (
        "add_records",
        (W, D),
        {
            "draft_number": 1,
            "sheet": "train",
            "records": tuple(ROWS),
            "strategy_arguments": {"start": 10},
        },
        VOID,
    ),
    ("update_records", (W, D), {"draft_number": 1, "sheet": "train", "records": KEYED_ROWS}, VOID),
    (
        "delete_records",
        (W, D),
        {"draft_number": 1, "sheet": "train", "record_keys": ["1", "2"]},
        VOID,
    ),
    # data
    ("list_draft_data", (W, D), {"draft_number": 1, "sheet": "train"}, _page("data", {})),
    (
        "list_draft_data",
        (W, D),
        {"draft_number": 1, "sheet": "train", "columns": "filename|box.x", "order_by": "a|b"},
        _page("data", {}),
    ),
    (
        "list_commit_data",
        (W, D),
        {"commit_id": COMMIT, "sheet": "train", "offset": 128, "limit": 128},
        _page("data", {}),
    ),
    ("add_data", (W, D), {"draft_number": 1, "sheet": "train", "data": ROWS}, VOID),
    (
        "add_data",
        (W, D),
        {"draft_number": 1, "sheet": "train", "data": tuple(ROWS), "strategy_arguments": {}},
        VOID,
    ),
    ("update_data", (W, D), {"draft_number": 1, "sheet": "train", "data": KEYED_ROWS}, VOID),
    ("delete_data", (W, D), {"draft_number": 1, "sheet": "train", "record_keys": ["7"]}, VOID),
    # objects
    (
        "get_object_permission",
        (W, D),
        {"actions": "GET|PUT", "is_internal": False, "expired": 600},
        _json({"backend_type": "OSS", "expire_at": "2021-03-03T18:58:10Z", "permission": {}}),
    ),
    ("get_object_permission", (W, D), {"actions": "GET"}, _json({"permission": {}})),
    ("get_object_permission", (W, D), {"actions": "PUT", "is_internal": True}, _json({})),
    (
        "copy_objects",
        (W, D),
        {"source_dataset": "other", "keys": ["a/1", "a/2"]},
        _json({"keys": ["b/1", "b/2"]}),
    ),
    # searches
    (
        "create_search_history",
        (W, D),
        {"commit_id": COMMIT, "sheet": "train", "criteria": {"opt": {"where": "$.a > 1"}}},
        _json({"id": SEARCH}),
    ),
    (
        "create_search_history",
        (W, D),
        {"draft_number": 1, "sheet": "train", "criteria": {}},
        _json({"id": SEARCH}),
    ),
    ("list_search_histories", (W, D), {}, _page("searches", {"id": SEARCH})),
    (
        "list_search_histories",
        (W, D),
        {
            "commit_id": COMMIT,
            "draft_number": 1,
            "sheet": "train",
            "sort": ["created_at:desc"],
            "offset": 0,
            "limit": 128,
        },
        _page("searches", {"id": SEARCH}),
    ),
    ("get_search_history", (W, D), {"search_id": SEARCH}, _json({"id": SEARCH})),
    ("delete_search_history", (W, D), {"search_id": SEARCH}, VOID),
    ("get_search_record_count", (W, D), {"search_id": SEARCH}, _json(1000)),
    ("list_search_records", (W, D), {"search_id": SEARCH}, _json({"records": []})),
    (
        "list_search_records",
        (W, D),
        {"search_id": SEARCH, "sort": "a:asc", "offset": 128, "limit": 128},
        _json({"records": [{"a": 1}]}),
    ),
    # actions
    ("create_action", (W, D), {"name": "act", "payload": "steps: []"}, _json(ACTION)),
    ("list_actions", (W, D), {}, _page("actions", ACTION)),
    ("list_actions", (W, D), {"sort": "name", "offset": 0, "limit": 128}, _page("actions", ACTION)),
    ("get_action", (W, D), {"action": "act"}, _json(ACTION)),
    ("update_action", (W, D), {"action": "act"}, _json(ACTION)),
    (
        "update_action",
        (W, D),
        {"action": "act", "name": "act2", "state": "DISABLED", "payload": "p"},
        _json(ACTION),
    ),
    ("delete_action", (W, D), {"action": "act"}, VOID),
    ("create_action_run", (W, D), {"action": "act", "arguments": None}, _json(RUN)),
    ("create_action_run", (W, D), {"action": "act", "arguments": {}}, _json(RUN)),
    ("create_action_run", (W, D), {"action": "act", "arguments": {"n": 1}}, _json(RUN)),
    ("list_action_runs", (W, D), {"action": "act"}, _page("runs", RUN)),
    (
        "list_action_runs",
        (W, D),
        {"action": "act", "sort": ["started_at:desc", "number"], "offset": 0, "limit": 2},
        _page("runs", RUN),
    ),
    ("get_action_run", (W, D), {"action": "act", "run_number": 3}, _json({**RUN, "nodes": []})),
    ("cancel_action_run", (W, D), {"action": "act", "run_number": 3}, _json(RUN)),
    (
        "get_action_run_node_log",
        (W, D),
        {"action": "act", "run_number": 3, "node_id": "act-1-123"},
        Reply(200, b"line 1\nline 2\n", "text/plain"),
    ),
]


def _ids(call: Call) -> str:
    name, _, kwargs, _ = call
    return f"{name}({','.join(kwargs)})"


def _send(stub: StubServer, function: Callable[..., Any], call: Call) -> tuple[Any, Recorded]:
    _, args, kwargs, reply = call
    stub.script(reply)
    result = function(KEY, stub.url, *args, **kwargs)
    (request,) = stub.take()
    return result, request


def test_every_endpoint_function_is_compared() -> None:
    # The dataset calls have their own table in test_wire.py.
    dataset_calls = {"create_dataset", "list_datasets", "update_dataset", "delete_dataset"}
    assert {call[0] for call in CALLS} | dataset_calls == set(FUNCTIONS)


@pytest.mark.parametrize("call", CALLS, ids=[_ids(call) for call in CALLS])
def test_request_and_result_match_the_sdk(stub: StubServer, call: Call) -> None:
    name = call[0]
    sdk_result, sdk_request = _send(stub, getattr(sdk, name), call)
    result, request = _send(stub, getattr(client, name), call)

    assert (request.method, request.target, request.body) == (
        sdk_request.method,
        sdk_request.target,
        sdk_request.body,
    )
    assert request.headers.keys() == sdk_request.headers.keys()
    for header in ("content-type", "content-length", "x-token"):
        assert request.headers.get(header) == sdk_request.headers.get(header)

    if isinstance(sdk_result, requests.Response):
        assert isinstance(result, requests.Response)
        assert (result.status_code, result.content) == (200, call[3].body)
    else:
        assert result == sdk_result
        assert type(result) is type(sdk_result)
    if call[3] is VOID:
        assert result is None


@pytest.mark.parametrize(
    ("call", "method", "target", "body"),
    [
        (
            lambda url: client.create_action_run(KEY, url, "w", "d", action="a", arguments=None),
            "POST",
            "/v2/datasets/w/d/actions/a/runs",
            None,
        ),
        (
            lambda url: client.cancel_action_run(KEY, url, "w", "d", action="a", run_number=2),
            "POST",
            "/v2/datasets/w/d/actions/a/runs/2/cancel",
            None,
        ),
        (
            lambda url: client.delete_records(
                KEY, url, "w", "d", draft_number=1, sheet="s", record_keys=["1", "2"]
            ),
            "DELETE",
            "/v2/datasets/w/d/drafts/1/sheets/s/records",
            b'{"record_keys": ["1", "2"]}',
        ),
        (
            lambda url: client.delete_data(
                KEY, url, "w", "d", draft_number=1, sheet="s", record_keys=["3"]
            ),
            "DELETE",
            "/v2/datasets/w/d/drafts/1/sheets/s/data",
            b'{"record_keys": ["3"]}',
        ),
        (
            lambda url: client.list_draft_sheets(
                KEY, url, "w", "d", draft_number=1, with_record_count=True
            ),
            "GET",
            "/v2/datasets/w/d/drafts/1/sheets?with_record_count=True",
            None,
        ),
        (
            lambda url: client.get_object_permission(
                KEY, url, "w", "d", actions="GET|PUT", is_internal=False, expired=600
            ),
            "GET",
            "/v2/datasets/w/d/objects/permissions?actions=GET%7CPUT&is_internal=False&expired=600",
            None,
        ),
        (
            lambda url: client.list_draft_records(
                KEY, url, "w", "d", draft_number=1, sheet="s", sort=["a:desc", "__record_key"]
            ),
            "GET",
            "/v2/datasets/w/d/drafts/1/sheets/s/records?sort=a%3Adesc&sort=__record_key",
            None,
        ),
        (
            lambda url: client.list_draft_data(
                KEY, url, "w", "d", draft_number=1, sheet="s", columns="a|b.c", limit=128
            ),
            "GET",
            "/v2/datasets/w/d/drafts/1/sheets/s/data?columns=a%7Cb.c&limit=128",
            None,
        ),
        (
            lambda url: client.update_storage_configs(KEY, url, "w", default_storage_config="x"),
            "PATCH",
            "/v2/workspaces/w/storage-configs",
            b'{"deafault_storage_config": "x"}',
        ),
        (
            lambda url: client.get_branch(KEY, url, "w", "d", branch="feat/x y"),
            "GET",
            "/v2/datasets/w/d/branches/feat/x%20y",
            None,
        ),
        (
            lambda url: client.update_action(KEY, url, "w", "d", action="a"),
            "PATCH",
            "/v2/datasets/w/d/actions/a",
            b"{}",
        ),
    ],
    ids=[
        "run-without-arguments",
        "cancel-run",
        "delete-records-body",
        "delete-data-body",
        "boolean-word",
        "pipe-and-boolean",
        "repeated-sort",
        "pipe-columns",
        "misspelt-key",
        "slash-and-space-in-name",
        "update-empty",
    ],
)
def test_exact_request(
    stub: StubServer, call: Callable[[str], Any], method: str, target: str, body: bytes | None
) -> None:
    # Pinned literally, so a change in both the SDK and this client would still show.
    call(stub.url)
    (request,) = stub.take()
    assert (request.method, request.target) == (method, target)
    if body is None:
        # No body and no Content-Type; a POST still says its length is 0.
        assert request.body == b""
        assert "content-type" not in request.headers
        assert request.headers.get("content-length", "0") == "0"
    else:
        assert request.body == body
        assert request.headers["content-type"] == "application/json"


def test_record_count_is_a_bare_integer(stub: StubServer) -> None:
    stub.script(Reply(200, b"42"))
    assert client.get_search_record_count(KEY, stub.url, "w", "d", search_id=SEARCH) == 42


def test_node_log_is_returned_as_it_came(stub: StubServer) -> None:
    stub.script(Reply(200, b"\x00binary\xff", "application/octet-stream"))
    response = client.get_action_run_node_log(
        KEY, stub.url, "w", "d", action="a", run_number=1, node_id="n"
    )
    assert response.content == b"\x00binary\xff"
    assert response.headers["content-type"] == "application/octet-stream"
