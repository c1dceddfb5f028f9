"""Every endpoint function of ``graviti.openapi``, each called once against ``mock_graviti()``.

One walk through the service in the order a user meets it: identity, storage configs,
a dataset, a draft with a sheet, records and data, a commit, branches, tags, revisions,
commit listings, objects, searches, actions and runs, then the deletes. Every call must
succeed (the SDK raises on any status but 200 and 201) and answer with the fields the
SDK's managers read. The list of functions comes from the SDK itself, so the test fails
when one is skipped or when the SDK's list changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import graviti
import graviti.portex as pt
import requests
from graviti.operation.common import get_schema

from mock_server import mock_graviti, workspace_for_key
from tests.client.test_api import sdk_endpoint_functions
from tests.objects.sdk import upload, write_files

URL = "https://api.graviti.com"
KEY = "ACCESSKEY-e2e0000000000000001"
WS = workspace_for_key(KEY)
DS = "e2e"
SHEET = "train"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

DATASET_FIELDS = (
    "id name alias default_branch commit_id creator created_at updated_at is_public "
    "storage_config backend_type"
).split()
COMMIT_FIELDS = "commit_id parent_commit_id title description committer committed_at".split()
NAMED_FIELDS = ["name", *COMMIT_FIELDS]
DRAFT_FIELDS = (
    "number title description branch state parent_commit_id creator created_at updated_at"
).split()
CONFIG_FIELDS = "name id config_type backend_type".split()
SEARCH_FIELDS = "id sheet criteria record_count creator created_at commit_id".split()
ACTION_FIELDS = "id name edition state payload".split()
RUN_FIELDS = "workflow_id number name status arguments started_at ended_at".split()
NODE_FIELDS = "id name display_name phase started_at ended_at children".split()
TIMESTAMPS = {"created_at", "updated_at", "committed_at", "started_at"}


class Recorder:
    """The SDK's endpoint functions, each counting its calls, bound to one key and URL."""

    def __init__(self, functions: dict[str, Callable[..., Any]]) -> None:
        self.functions = functions
        self.counts: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = self.functions[name]

        def call(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return function(KEY, URL, *args, **kwargs)

        return call


def has(answer: Any, fields: Iterable[str]) -> dict[str, Any]:
    """Assert ``answer`` is an object with ``fields``, its timestamps in the SDK's format."""
    assert isinstance(answer, dict), answer
    missing = [field for field in fields if field not in answer]
    assert missing == [], f"missing {missing} in {answer}"
    for field in TIMESTAMPS & set(fields):
        assert STAMP.match(answer[field]), (field, answer[field])
    return answer


def page(answer: Any, key: str, fields: Iterable[str], count: int | None = None) -> list[Any]:
    """Assert a lazy-list page: ``key`` and ``total_count``, each item with ``fields``."""
    has(answer, [key, "total_count"])
    items: list[Any] = answer[key]
    assert len(items) == answer["total_count"] if count is None else count
    for item in items:
        has(item, fields)
    return items


def test_every_endpoint_function_once(tmp_path: Path) -> None:
    functions = sdk_endpoint_functions()
    api = Recorder(functions)
    schema = pt.record({"filename": pt.string(), "label": pt.int32()})
    portex, avro, arrow = get_schema(schema)
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY, URL)

        # Identity and storage configs.
        assert "id" in has(api.get_current_user(), ["id"])
        current = has(api.get_current_workspace(), "id type name alias description email".split())
        assert current["name"] == WS
        assert has(api.get_workspace(WS), ["id", "name"])["name"] == WS
        configs = api.list_storage_configs(WS)
        assert configs["default_storage_config"] == "default"
        assert [c["name"] for c in page(configs, "storage_configs", CONFIG_FIELDS)] == ["default"]
        assert has(api.get_storage_config(WS, "default"), CONFIG_FIELDS)["backend_type"] == "OSS"
        api.update_storage_configs(WS, default_storage_config="default")

        # A dataset, and a draft with a sheet of records and data.
        created = has(api.create_dataset(DS, alias="e2e", with_draft=False), DATASET_FIELDS)
        assert created["commit_id"] is None
        assert has(api.get_dataset(WS, DS), DATASET_FIELDS)["id"] == created["id"]
        assert [d["name"] for d in page(api.list_datasets(), "datasets", DATASET_FIELDS)] == [DS]
        edited = has(api.update_dataset(WS, DS, alias="end to end"), DATASET_FIELDS)
        assert edited["alias"] == "end to end"

        draft = has(api.create_draft(WS, DS, title="first", branch="main"), DRAFT_FIELDS)
        number = draft["number"]
        page(api.list_drafts(WS, DS, state="OPEN"), "drafts", DRAFT_FIELDS, 1)
        assert has(api.get_draft(WS, DS, draft_number=number), DRAFT_FIELDS)["state"] == "OPEN"
        renamed = api.update_draft(WS, DS, draft_number=number, title="the first")
        assert has(renamed, DRAFT_FIELDS)["title"] == "the first"

        api.create_sheet(
            WS,
            DS,
            draft_number=number,
            name=SHEET,
            schema=portex,
            _avro_schema=avro,
            _arrow_schema=arrow,
        )
        api.add_records(
            WS,
            DS,
            draft_number=number,
            sheet=SHEET,
            records=[{"filename": f"r{i}.png", "label": i} for i in range(3)],
        )
        records = api.list_draft_records(WS, DS, draft_number=number, sheet=SHEET)["records"]
        assert [r["label"] for r in records] == [0, 1, 2]
        keys = [r["__record_key"] for r in records]
        assert all(isinstance(key, str) for key in keys)
        api.update_records(
            WS,
            DS,
            draft_number=number,
            sheet=SHEET,
            records=[{"__record_key": keys[0], "filename": "r0.png", "label": 10}],
        )
        api.delete_records(WS, DS, draft_number=number, sheet=SHEET, record_keys=[keys[2]])
        api.add_data(
            WS,
            DS,
            draft_number=number,
            sheet=SHEET,
            data=[{"filename": f"d{i}.png", "label": 100 + i} for i in range(3)],
        )
        data = api.list_draft_data(WS, DS, draft_number=number, sheet=SHEET, limit=128)["data"]
        assert [row["label"] for row in data] == [10, 1, 100, 101, 102]
        api.update_data(
            WS,
            DS,
            draft_number=number,
            sheet=SHEET,
            data=[{"__record_key": data[1]["__record_key"], "label": 11}],
        )
        api.delete_data(
            WS, DS, draft_number=number, sheet=SHEET, record_keys=[data[-1]["__record_key"]]
        )
        grown = pt.record({"filename": pt.string(), "label": pt.int32(), "note": pt.string()})
        grown_portex, grown_avro, grown_arrow = get_schema(grown)
        api.update_schema(
            WS,
            DS,
            draft_number=number,
            sheet=SHEET,
            _schema=grown_portex,
            _avro_schema=grown_avro,
            _arrow_schema=grown_arrow,
        )
        sheets = api.list_draft_sheets(WS, DS, draft_number=number)["sheets"]
        assert [sheet["name"] for sheet in sheets] == [SHEET]
        detail = api.get_draft_sheet(
            WS, DS, draft_number=number, sheet=SHEET, with_record_count=True
        )
        assert has(detail, ["schema", "record_count"])["record_count"] == 4
        assert "note" in detail["schema"]

        # The commit, branches, tags, revisions and the commit's listings.
        commit = has(api.commit_draft(WS, DS, draft_number=number, title="c1"), COMMIT_FIELDS)
        commit_id = commit["commit_id"]
        branch = has(api.create_branch(WS, DS, name="dev", revision=commit_id), NAMED_FIELDS)
        assert (branch["name"], branch["commit_id"]) == ("dev", commit_id)
        names = [b["name"] for b in page(api.list_branches(WS, DS), "branches", NAMED_FIELDS)]
        assert sorted(names) == ["dev", "main"]
        assert has(api.get_branch(WS, DS, branch="main"), NAMED_FIELDS)["commit_id"] == commit_id
        tag = has(api.create_tag(WS, DS, name="v1", revision=commit_id), NAMED_FIELDS)
        assert tag["name"] == "v1"
        assert [t["name"] for t in page(api.list_tags(WS, DS), "tags", NAMED_FIELDS)] == ["v1"]
        assert has(api.get_tag(WS, DS, tag="v1"), NAMED_FIELDS)["commit_id"] == commit_id
        revision = has(api.get_revision(WS, DS, revision="v1"), ["type", *COMMIT_FIELDS])
        assert (revision["type"], revision["commit_id"]) == ("TAG", commit_id)
        listed = page(api.list_commits(WS, DS, revision=commit_id), "commits", COMMIT_FIELDS)
        assert [c["commit_id"] for c in listed] == [commit_id]
        assert has(api.get_commit(WS, DS, commit_id=commit_id), COMMIT_FIELDS)["title"] == "c1"
        sheets = api.list_commit_sheets(WS, DS, commit_id=commit_id)["sheets"]
        assert [sheet["name"] for sheet in sheets] == [SHEET]
        detail = api.get_commit_sheet(
            WS, DS, commit_id=commit_id, sheet=SHEET, with_record_count=True
        )
        assert has(detail, ["schema", "record_count"])["record_count"] == 4
        records = api.list_commit_records(WS, DS, commit_id=commit_id, sheet=SHEET)["records"]
        assert [r["label"] for r in records] == [10, 11, 100, 101]
        data = api.list_commit_data(WS, DS, commit_id=commit_id, sheet=SHEET, offset=0, limit=128)[
            "data"
        ]
        assert data == records

        # Objects: a permission, and a copy into another dataset on the same storage.
        permission = has(api.get_object_permission(WS, DS, actions="GET|PUT"), ["permission"])
        assert "prefix" in permission["permission"]
        stored = upload(ws.datasets.get(DS), write_files(tmp_path, 2))
        ws.datasets.create("e2e-copy")
        copied = has(api.copy_objects(WS, "e2e-copy", source_dataset=DS, keys=stored), ["keys"])
        target_id = ws.datasets.get("e2e-copy")._id
        assert [key.split("/", 1) for key in copied["keys"]] == [
            [target_id, key.split("/", 1)[1]] for key in stored
        ]

        # Searches on the commit.
        criteria = {"where": {"$gt": ["$.label", 10]}}
        search = api.create_search_history(
            WS, DS, commit_id=commit_id, sheet=SHEET, criteria=criteria
        )
        has(search, SEARCH_FIELDS)
        listed = page(api.list_search_histories(WS, DS), "searches", SEARCH_FIELDS)
        assert [s["id"] for s in listed] == [search["id"]]
        assert has(api.get_search_history(WS, DS, search_id=search["id"]), SEARCH_FIELDS)
        assert api.get_search_record_count(WS, DS, search_id=search["id"]) == 3
        found = api.list_search_records(WS, DS, search_id=search["id"], offset=0, limit=128)
        assert sorted(r["label"] for r in has(found, ["records"])["records"]) == [11, 100, 101]

        # An action, a run held RUNNING, its nodes' log, and its cancel.
        action = has(api.create_action(WS, DS, name="train", payload="steps: []"), ACTION_FIELDS)
        page(api.list_actions(WS, DS), "actions", ACTION_FIELDS, 1)
        assert has(api.get_action(WS, DS, action="train"), ACTION_FIELDS)["id"] == action["id"]
        enabled = has(api.update_action(WS, DS, action="train", state="ENABLED"), ACTION_FIELDS)
        assert enabled["state"] == "ENABLED"
        mock.actions.hold(WS, DS, "train", status="RUNNING")
        run = has(api.create_action_run(WS, DS, action="train", arguments={"k": "v"}), RUN_FIELDS)
        assert run["workflow_id"].startswith("train-")
        page(api.list_action_runs(WS, DS, action="train"), "runs", RUN_FIELDS, 1)
        detail = has(
            api.get_action_run(WS, DS, action="train", run_number=run["number"]),
            [*RUN_FIELDS, "nodes"],
        )
        assert detail["status"] == "RUNNING" and detail["ended_at"] is None
        for node in detail["nodes"]:
            has(node, NODE_FIELDS)
        log = api.get_action_run_node_log(
            WS, DS, action="train", run_number=run["number"], node_id=detail["nodes"][0]["id"]
        )
        assert isinstance(log, requests.Response) and log.status_code == 200
        cancelled = api.cancel_action_run(WS, DS, action="train", run_number=run["number"])
        has(cancelled, ["status", "ended_at", "nodes"])
        assert cancelled["status"] == "CANCELLED" and cancelled["ended_at"] is not None

        # The deletes. A sheet is deleted in a draft; the SDK's own manager opens it.
        api.delete_action(WS, DS, action="train")
        api.delete_search_history(WS, DS, search_id=search["id"])
        api.delete_tag(WS, DS, tag="v1")
        api.delete_branch(WS, DS, branch="dev")
        second = ws.datasets.get(DS).drafts.create("cleanup")
        api.delete_sheet(WS, DS, draft_number=second.number, sheet=SHEET)
        assert list(ws.datasets.get(DS).drafts.get(second.number).keys()) == []
        api.delete_dataset(WS, DS)
        assert [d.name for d in ws.datasets.list()] == ["e2e-copy"]

    assert len(functions) == 62
    assert set(api.counts) == set(functions), sorted(set(functions) - set(api.counts))
    assert set(api.counts.values()) == {1}, {k: v for k, v in api.counts.items() if v != 1}
