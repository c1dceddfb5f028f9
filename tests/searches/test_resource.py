"""The search endpoints (#47-#52) through the SDK's own functions and managers.

The records come from a stand-in ``RecordSource`` over a copy-on-write layer table in
the app's own database: commit ``COMMIT`` holds sheet ``train`` (layer 1), and draft 1
holds it with one row changed and one deleted (layer 2 over layer 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import graviti
import graviti.openapi as api
import pytest
from graviti.exception import (
    InvalidParamsError,
    RequestParamsMissingError,
    ResourceNotExistError,
)
from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, insert

from mock_server.core import errors
from mock_server.inprocess import InProcessMock
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.searches.records import SheetRecords, live_records
from mock_server.resources.searches.store import SearchStore

KEY = "ACCESSKEY-searcher00000000"
OTHER = "ACCESSKEY-stranger0000000"
URL = "https://api.graviti.com"
COMMIT = "c" * 32
FIELDS = ("n", "name")

metadata = MetaData()
LAYERS = Table(
    "test_sheet_layers",
    metadata,
    Column("snapshot_seq", Integer, primary_key=True),
    Column("rkey", Integer, primary_key=True),
    Column("data", Text, nullable=True),
)


class TrainSheet:
    """Commit COMMIT and draft 1 of any dataset, each with a sheet called ``train``."""

    def search_records(
        self,
        conn: Connection,
        dataset: DatasetKey,
        *,
        commit_id: str | None,
        draft_number: int | None,
        sheet: str,
    ) -> SheetRecords:
        if commit_id == COMMIT and sheet == "train":
            return SheetRecords(live_records(LAYERS, [1]), FIELDS)
        if draft_number == 1 and sheet == "train":
            return SheetRecords(live_records(LAYERS, [2, 1]), FIELDS)
        raise errors.ResourceNotExist(f"No sheet '{sheet}' there.")


def _rows(conn: Connection) -> None:
    metadata.drop_all(conn)
    metadata.create_all(conn)
    committed = [{"n": n, "name": f"row {n}"} for n in range(300)]
    conn.execute(
        insert(LAYERS),
        [
            {"snapshot_seq": 1, "rkey": key, "data": json.dumps(row)}
            for key, row in enumerate(committed)
        ]
        + [
            {"snapshot_seq": 2, "rkey": 5, "data": json.dumps({"n": 1005, "name": "changed"})},
            {"snapshot_seq": 2, "rkey": 7, "data": None},
        ],
    )


@pytest.fixture
def mock(empty_mock: InProcessMock) -> Iterator[InProcessMock]:
    """The app in-process, on SQLite in memory and on PostgreSQL (emptied first)."""
    mock = empty_mock
    backend = mock.backend
    backend.get(SearchStore).use_source(TrainSheet())
    with backend.db.write() as conn:
        _rows(conn)
    graviti.Workspace(KEY).datasets.create("DS")
    yield mock


def ws_name() -> str:
    return str(api.get_current_workspace(KEY, URL)["name"])


def create(criteria: dict[str, Any], **bound: Any) -> dict[str, Any]:
    if not bound:
        bound = {"commit_id": COMMIT}
    return api.create_search_history(
        KEY, URL, ws_name(), "DS", sheet="train", criteria=criteria, **bound
    )


def test_create_answers_a_commit_search_with_a_null_record_count(mock: InProcessMock) -> None:
    created = create({"where": {"$gt": ["$.n", 1]}})
    assert list(created) == [
        "id", "commit_id", "sheet", "criteria", "creator", "created_at", "record_count"
    ]  # fmt: skip
    assert created["commit_id"] == COMMIT and created["record_count"] is None
    assert created["criteria"] == {"where": {"$gt": ["$.n", 1]}}
    assert api.get_search_history(KEY, URL, ws_name(), "DS", search_id=created["id"]) == created


def test_a_draft_search_has_no_commit_id_key(mock: InProcessMock) -> None:
    created = create({}, draft_number=1)
    assert "commit_id" not in created and created["draft_number"] == 1
    history = graviti.Workspace(KEY).datasets.get("DS").searches.get(created["id"])
    assert history.draft_number == 1 and not hasattr(history, "commit")


def test_record_count_is_a_bare_integer_counted_in_the_database(mock: InProcessMock) -> None:
    search = create({"where": {"$gte": ["$.n", 250]}})
    session = mock.session
    response = session.get(
        f"{URL}/v2/datasets/{ws_name()}/DS/searches/{search['id']}/record-count",
        headers={"X-Token": KEY},
    )
    assert response.status_code == 200 and response.text == "50"
    assert api.get_search_record_count(KEY, URL, ws_name(), "DS", search_id=search["id"]) == 50


def test_records_page_in_record_order(mock: InProcessMock) -> None:
    search = create({"where": {"$eq": [{"$mod": ["$.n", 2]}, 0]}})
    pages = [
        api.list_search_records(
            KEY, URL, ws_name(), "DS", search_id=search["id"], offset=o, limit=128
        )
        for o in (0, 128)
    ]
    rows = pages[0]["records"] + pages[1]["records"]
    assert len(pages[0]["records"]) == 128 and len(pages[1]["records"]) == 22
    assert rows == [{"n": n, "name": f"row {n}"} for n in range(0, 300, 2)]


def test_a_draft_search_follows_the_draft_and_a_commit_search_the_commit(mock: InProcessMock):
    criteria = {"where": {"$lt": ["$.n", 10]}, "select": [{"apply_result": {"$add": ["$.n", 1]}}]}
    on_commit = create(criteria)
    on_draft = create(criteria, draft_number=1)
    records = {
        name: api.list_search_records(KEY, URL, ws_name(), "DS", search_id=search["id"])["records"]
        for name, search in (("commit", on_commit), ("draft", on_draft))
    }
    assert records["commit"] == [{"apply_result": [n + 1]} for n in range(10)]
    # Row 5 changed to 1005 (no longer < 10) and row 7 is deleted in the draft.
    assert records["draft"] == [{"apply_result": [n + 1]} for n in (0, 1, 2, 3, 4, 6, 8, 9)]


def test_list_filters_pages_and_counts(mock: InProcessMock) -> None:
    made = [create({"where": {"$gt": ["$.n", index]}}) for index in range(5)]
    made.append(create({}, draft_number=1))
    name = ws_name()
    everything = api.list_search_histories(KEY, URL, name, "DS")
    assert everything["total_count"] == 6
    assert [item["id"] for item in everything["searches"]] == [item["id"] for item in made]
    page = api.list_search_histories(KEY, URL, name, "DS", offset=2, limit=2)
    assert [item["id"] for item in page["searches"]] == [made[2]["id"], made[3]["id"]]
    assert page["total_count"] == 6
    on_draft = api.list_search_histories(KEY, URL, name, "DS", draft_number=1)
    assert [item["id"] for item in on_draft["searches"]] == [made[5]["id"]]
    assert api.list_search_histories(KEY, URL, name, "DS", commit_id=COMMIT)["total_count"] == 5
    assert api.list_search_histories(KEY, URL, name, "DS", sheet="other")["total_count"] == 0
    newest = api.list_search_histories(KEY, URL, name, "DS", sort="created_at:desc", limit=1)
    assert newest["searches"][0]["id"] == made[5]["id"]


def test_the_sdk_manager_lists_gets_and_deletes(mock: InProcessMock) -> None:
    first = create({"where": {"$gt": ["$.n", 297]}})
    create({}, draft_number=1)
    searches = graviti.Workspace(KEY).datasets.get("DS").searches
    listed = list(searches.list())
    assert [history.search_id for history in listed][0] == first["id"]
    assert listed[0].commit.commit_id == COMMIT
    assert listed[0].record_count == 2
    assert listed[1].record_count == 299
    searches.delete(first["id"])
    assert [history.search_id for history in searches.list()] == [listed[1].search_id]
    with pytest.raises(ResourceNotExistError):
        searches.get(first["id"])


@pytest.mark.parametrize(
    ("criteria", "bound", "error", "named"),
    [
        (
            {"where": {"$regex": ["$.name", "x"]}},
            {"commit_id": COMMIT},
            InvalidParamsError,
            "$regex",
        ),
        ({"where": {"$gt": ["$.n"]}}, {"commit_id": COMMIT}, InvalidParamsError, "'$gt' takes 2"),
        ({}, {}, RequestParamsMissingError, "commit_id"),
        ({}, {"commit_id": COMMIT, "draft_number": 1}, InvalidParamsError, "not both"),
        ({}, {"commit_id": "d" * 32}, ResourceNotExistError, "train"),
        ({}, {"draft_number": 2}, ResourceNotExistError, "train"),
    ],
)
def test_a_refused_create_stores_nothing(mock, criteria, bound, error, named) -> None:
    name = ws_name()
    with pytest.raises(error) as raised:
        api.create_search_history(KEY, URL, name, "DS", sheet="train", criteria=criteria, **bound)
    assert named in str(raised.value)
    assert api.list_search_histories(KEY, URL, name, "DS")["total_count"] == 0


def test_unknown_searches_and_sorts_are_refused(mock: InProcessMock) -> None:
    name = ws_name()
    missing = "0" * 32
    for call in (api.get_search_history, api.delete_search_history, api.get_search_record_count):
        with pytest.raises(ResourceNotExistError):
            call(KEY, URL, name, "DS", search_id=missing)
    with pytest.raises(InvalidParamsError):
        api.list_search_histories(KEY, URL, name, "DS", sort="sheet")
    search = create({})
    with pytest.raises(InvalidParamsError):
        api.list_search_records(KEY, URL, name, "DS", search_id=search["id"], sort="n:desc")


def test_another_workspace_cannot_search_a_private_dataset(mock: InProcessMock) -> None:
    search = create({})
    graviti.Workspace(OTHER)
    with pytest.raises(graviti.exception.AccessDeniedError):
        api.get_search_history(OTHER, URL, ws_name(), "DS", search_id=search["id"])


def test_searches_are_seeded_exported_and_go_with_their_dataset(mock: InProcessMock) -> None:
    name = ws_name()
    seed = {
        "searches": [
            {
                "workspace": name,
                "dataset": "DS",
                "id": "a" * 32,
                "draft_number": 1,
                "sheet": "train",
                "criteria": {"where": {"$lt": ["$.n", 3]}},
                "creator": "seeder",
                "created_at": "2024-01-02T03:04:05Z",
            }
        ]
    }
    mock.seed(seed)
    seeded = api.get_search_history(KEY, URL, name, "DS", search_id="a" * 32)
    assert seeded == {
        "id": "a" * 32,
        "draft_number": 1,
        "sheet": "train",
        "criteria": {"where": {"$lt": ["$.n", 3]}},
        "creator": "seeder",
        "created_at": "2024-01-02T03:04:05Z",
        "record_count": None,
    }
    exported = mock.state()["searches"]
    assert exported == [{**seed["searches"][0], "commit_id": None}]
    with pytest.raises(Exception, match="regex"):
        mock.seed({"searches": [{**seed["searches"][0], "id": "b" * 32,
                                 "criteria": {"where": {"$regex": []}}}]})  # fmt: skip
    graviti.Workspace(KEY).datasets.delete("DS")
    graviti.Workspace(KEY).datasets.create("DS")
    assert api.list_search_histories(KEY, URL, name, "DS")["total_count"] == 0
