"""Versioned data through both clients: branches, tags, commits, drafts, sheets and records.

A few workflows assert shapes and values, then a table of refused calls asserts the
library's class, status and code, and that the dataset's whole visible history (read
back through the same client) is unchanged afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.contract.clients import (
    ACCESS_DENIED,
    FORBIDDEN,
    INVALID_PARAMS,
    NAME_CONFLICT,
    RESOURCE_NOT_EXIST,
    Client,
    Expected,
)
from tests.contract.shapes import ID, TIMESTAMP, creator_of

SCHEMA = "type: record\nfields:\n- name: name\n  type: string\n- name: n\n  type: int64\n"
WIDER = SCHEMA + "- name: note\n  type: string\n"
COMMIT_FIELDS = {
    "commit_id",
    "parent_commit_id",
    "title",
    "description",
    "committer",
    "committed_at",
}
DRAFT_FIELDS = {
    "number",
    "title",
    "description",
    "branch",
    "state",
    "parent_commit_id",
    "creator",
    "created_at",
    "updated_at",
}


KEY = "__record_key"


def key_of(n: int) -> str:
    return f"{n:018d}"


@dataclass
class Versioned:
    """One dataset of one key, called through one client: ``v("get_branch", branch="main")``."""

    api: Client
    key: str
    url: str
    workspace: str
    dataset: str

    def __call__(self, call: str, **kwargs: Any) -> Any:
        function = getattr(self.api, call)
        return function(self.key, self.url, self.workspace, self.dataset, **kwargs)

    def draft_rows(self, draft_number: int, sheet: str = "s", **kwargs: Any) -> Any:
        page = self("list_draft_records", draft_number=draft_number, sheet=sheet, **kwargs)
        return page["records"]

    def commit_rows(self, commit_id: str, sheet: str = "s", **kwargs: Any) -> Any:
        return self("list_commit_records", commit_id=commit_id, sheet=sheet, **kwargs)["records"]

    def snapshot(self) -> dict[str, Any]:
        """Everything the dataset shows: refs, drafts, commits, and every sheet's rows."""
        seen: dict[str, Any] = {
            "dataset": self.api.get_dataset(self.key, self.url, self.workspace, self.dataset),
            "branches": self("list_branches"),
            "tags": self("list_tags"),
            "drafts": self("list_drafts", state="ALL"),
        }
        for branch in seen["branches"]["branches"]:
            seen[f"commits {branch['name']}"] = self("list_commits", revision=branch["name"])
            if branch["commit_id"] is not None:
                commit = branch["commit_id"]
                for sheet in self("list_commit_sheets", commit_id=commit)["sheets"]:
                    seen[f"{commit}/{sheet['name']}"] = self.commit_rows(commit, sheet["name"])
        for draft in seen["drafts"]["drafts"]:
            number = draft["number"]
            for sheet in self("list_draft_sheets", draft_number=number)["sheets"]:
                name = sheet["name"]
                seen[f"{number}/{name}"] = (
                    self("get_draft_sheet", draft_number=number, sheet=name),
                    self.draft_rows(number, name),
                )
        return seen


def assert_named_commit(ref: Any, **expected: Any) -> None:
    assert isinstance(ref, dict)
    assert set(ref) == COMMIT_FIELDS | {"name"}
    assert TIMESTAMP.fullmatch(ref["committed_at"]), ref
    for name, value in expected.items():
        assert ref[name] == value, (name, ref[name], value)


def assert_draft(draft: Any, **expected: Any) -> None:
    assert isinstance(draft, dict)
    assert set(draft) == DRAFT_FIELDS
    for name, value in expected.items():
        assert draft[name] == value, (name, draft[name], value)


def page_of(items: str, page: Any, offset: int = 0, total: int | None = None) -> list[Any]:
    assert set(page) == {items, "offset", "record_size", "total_count"}
    assert page["offset"] == offset
    assert page["record_size"] == len(page[items])
    assert page["total_count"] == (len(page[items]) if total is None else total)
    found: list[Any] = page[items]
    return found


@pytest.fixture
def v(api: Client, url: str, access_key: str) -> Versioned:
    created = api.create_dataset(access_key, url, "V")
    return Versioned(api, access_key, url, created["workspace"], "V")


@pytest.fixture
def history(v: Versioned) -> Versioned:
    """Commit ``c1`` on main (sheet ``s``: a=1, b=2) tagged ``v1``; draft 1 committed, 2 open."""
    v("create_draft", title="one")
    v("create_sheet", draft_number=1, name="s", schema=SCHEMA, _avro_schema="{}")
    v(
        "add_records",
        draft_number=1,
        sheet="s",
        records=[{"name": "a", "n": 1}, {"name": "b", "n": 2}],
    )
    commit = v("commit_draft", draft_number=1, title="c1")
    v("create_tag", name="v1", revision=commit["commit_id"])
    v("create_draft", title="two")
    return v


def test_a_new_dataset_has_one_empty_branch(v: Versioned, access_key: str) -> None:
    created_at = v.api.get_dataset(access_key, v.url, v.workspace, "V")["created_at"]
    empty = {
        "commit_id": None,
        "parent_commit_id": None,
        "title": "",
        "description": "",
        "committer": "",
        "committed_at": created_at,
    }

    assert v("get_branch", branch="main") == {"name": "main", **empty}
    assert v.api.last_status == 200
    assert page_of("branches", v("list_branches")) == [{"name": "main", **empty}]
    assert v("get_revision", revision="main") == {"type": "BRANCH", **empty}
    assert page_of("commits", v("list_commits", revision="main")) == []
    assert page_of("tags", v("list_tags")) == []
    assert page_of("drafts", v("list_drafts")) == []
    # A branch from an empty branch is empty too; a tag needs a commit.
    assert_named_commit(v("create_branch", name="dev", revision="main"), name="dev", **empty)
    with v.api.raises(INVALID_PARAMS):
        v("create_tag", name="v0", revision="main")


def test_draft_sheet_records_and_commit(v: Versioned, access_key: str) -> None:
    draft = v("create_draft", title="first", description="the start")
    assert_draft(
        draft,
        number=1,
        title="first",
        description="the start",
        branch="main",
        state="OPEN",
        parent_commit_id=None,
        creator=creator_of(access_key),
    )
    assert v("get_draft", draft_number=1) == draft

    assert v("create_sheet", draft_number=1, name="s", schema=SCHEMA, _avro_schema="{}") is None
    assert v.api.last_status == 200
    [listed] = page_of("sheets", v("list_draft_sheets", draft_number=1))
    assert set(listed) == {"name", "created_at", "updated_at"}
    sheet = v("get_draft_sheet", draft_number=1, sheet="s", with_record_count=True)
    assert (sheet["name"], sheet["record_count"], sheet["schema"]) == ("s", 0, SCHEMA)

    rows = [{"name": "a", "n": 1}, {"name": "b", "n": 2}, {"name": "c", "n": 3}]
    v("add_records", draft_number=1, sheet="s", records=rows)
    assert v.draft_rows(1) == [{"__record_key": key_of(i + 1), **row} for i, row in enumerate(rows)]
    page = v("list_draft_records", draft_number=1, sheet="s", columns="n", offset=1, limit=1)
    assert page_of("records", page, offset=1, total=3) == [{"__record_key": key_of(2), "n": 2}]

    # An update merges the fields it names; a delete removes; keys are never reused.
    v("update_records", draft_number=1, sheet="s", records=[{"__record_key": key_of(1), "n": 10}])
    v("delete_records", draft_number=1, sheet="s", record_keys=[key_of(2)])
    v("add_records", draft_number=1, sheet="s", records=[{"name": "d", "n": 4}])
    v("update_schema", draft_number=1, sheet="s", _schema=WIDER, _avro_schema="{}")
    expected = [
        {"__record_key": key_of(1), "name": "a", "n": 10, "note": None},
        {"__record_key": key_of(3), "name": "c", "n": 3, "note": None},
        {"__record_key": key_of(4), "name": "d", "n": 4, "note": None},
    ]
    assert v.draft_rows(1) == expected

    commit = v("commit_draft", draft_number=1, title="c1", description="first commit")
    assert set(commit) == COMMIT_FIELDS
    assert ID.fullmatch(commit["commit_id"])
    assert commit["parent_commit_id"] is None
    assert (commit["title"], commit["description"]) == ("c1", "first commit")
    assert commit["committer"] == creator_of(access_key)
    commit_id = commit["commit_id"]

    assert v("get_draft", draft_number=1)["state"] == "COMMITTED"
    assert v.api.get_dataset(access_key, v.url, v.workspace, "V")["commit_id"] == commit_id
    assert v("get_commit", commit_id=commit_id) == commit
    assert page_of("commits", v("list_commits")) == [commit]
    assert v("get_revision", revision=commit_id) == {"type": "COMMIT", **commit}
    assert v("get_branch", branch="main") == {"name": "main", **commit}
    [committed] = page_of("sheets", v("list_commit_sheets", commit_id=commit_id))
    assert committed["name"] == "s"
    sheet = v("get_commit_sheet", commit_id=commit_id, sheet="s", with_record_count=True)
    assert (sheet["record_count"], sheet["schema"]) == (3, WIDER)
    assert v.commit_rows(commit_id) == expected
    page = v("list_commit_records", commit_id=commit_id, sheet="s", columns="name", limit=2)
    assert page_of("records", page, total=3) == [
        {"__record_key": key_of(1), "name": "a"},
        {"__record_key": key_of(3), "name": "c"},
    ]

    # A second draft starts from the commit; its writes leave the commit as it was.
    second = v("create_draft", title="second")
    assert_draft(second, number=2, state="OPEN", parent_commit_id=commit_id)
    assert v.draft_rows(2) == expected
    v("delete_records", draft_number=2, sheet="s", record_keys=[key_of(1)])
    v("delete_sheet", draft_number=2, sheet="s")
    assert page_of("sheets", v("list_draft_sheets", draft_number=2)) == []
    assert v.commit_rows(commit_id) == expected
    later = v("commit_draft", draft_number=2, title="c2")
    assert later["parent_commit_id"] == commit_id
    assert page_of("commits", v("list_commits", revision="main")) == [later, commit]
    assert page_of("sheets", v("list_commit_sheets", commit_id=later["commit_id"])) == []


def test_branches_and_tags(history: Versioned, access_key: str) -> None:
    v = history
    head = v("get_branch", branch="main")
    c1 = head["commit_id"]
    tag = v("get_tag", tag="v1")
    assert tag == {**head, "name": "v1"}
    assert page_of("tags", v("list_tags")) == [tag]
    assert v("get_revision", revision="v1") == {
        **{k: head[k] for k in COMMIT_FIELDS},
        "type": "TAG",
    }

    dev = v("create_branch", name="dev", revision="v1")
    assert dev == {**head, "name": "dev"}
    assert [b["name"] for b in page_of("branches", v("list_branches"))] == ["main", "dev"]
    assert_draft(v("create_draft", title="on dev", branch="dev"), number=3, branch="dev")
    v("add_records", draft_number=3, sheet="s", records=[{"name": "x", "n": 9}])
    moved = v("commit_draft", draft_number=3, title="dev work")

    # The branch moved; main, the tag and the dataset's head did not.
    assert v("get_branch", branch="dev") == {**moved, "name": "dev"}
    assert v("get_branch", branch="main") == head
    assert v.api.get_dataset(access_key, v.url, v.workspace, "V")["commit_id"] == c1
    assert v("get_tag", tag="v1") == tag
    assert [row["name"] for row in v.commit_rows(moved["commit_id"])] == ["a", "b", "x"]
    assert [row["name"] for row in v.commit_rows(c1)] == ["a", "b"]
    page = v("list_branches", offset=1, limit=1)
    assert page_of("branches", page, offset=1, total=2) == [{**moved, "name": "dev"}]

    v("delete_tag", tag="v1")
    v("delete_branch", branch="dev")
    assert v.api.last_status == 200
    assert page_of("tags", v("list_tags")) == []
    assert page_of("branches", v("list_branches")) == [head]
    # A deleted branch's commit is still a revision.
    assert v("get_revision", revision=moved["commit_id"])["type"] == "COMMIT"


def test_drafts_by_state_and_branch(history: Versioned) -> None:
    v = history
    v("create_branch", name="dev", revision="main")
    v("create_draft", title="three", branch="dev")
    v("create_draft", title="four", description="to close")
    edited = v("update_draft", draft_number=2, title="two!", description="edited")
    assert_draft(edited, number=2, title="two!", description="edited", state="OPEN")
    closed = v("update_draft", draft_number=4, state="CLOSED")
    assert_draft(closed, number=4, state="CLOSED", title="four")

    def numbers(**filters: Any) -> list[int]:
        return [draft["number"] for draft in page_of("drafts", v("list_drafts", **filters))]

    assert numbers() == [2, 3]
    assert numbers(state="OPEN") == [2, 3]
    assert numbers(state="CLOSED") == [4]
    assert numbers(state="COMMITTED") == [1]
    assert numbers(state="ALL") == [1, 2, 3, 4]
    assert numbers(state="ALL", branch="dev") == [3]
    assert numbers(state="OPEN", branch="main") == [2]
    page = v("list_drafts", state="ALL", offset=1, limit=2)
    assert [d["number"] for d in page_of("drafts", page, offset=1, total=4)] == [2, 3]
    assert v("get_draft", draft_number=4) == closed
    # A closed draft is no longer written to.
    with v.api.raises(FORBIDDEN):
        v("add_records", draft_number=4, sheet="s", records=[{"name": "z", "n": 0}])


# Refused calls on ``history``, by family: (call, arguments, expected error).
# C1 stands for the id of its commit.
C1 = "<commit c1>"


def in_s(draft_number: int, sheet: str = "s", **arguments: Any) -> dict[str, Any]:
    return {"draft_number": draft_number, "sheet": sheet, **arguments}


def new_sheet(draft_number: int, name: str, schema: str) -> dict[str, Any]:
    return {"draft_number": draft_number, "name": name, "schema": schema, "_avro_schema": ""}


Refusal = tuple[str, dict[str, Any], Expected]
REFUSALS: dict[str, list[Refusal]] = {
    "refs": [
        ("create_branch", {"name": "main", "revision": "main"}, NAME_CONFLICT),
        ("create_branch", {"name": "v1", "revision": "main"}, NAME_CONFLICT),
        ("create_tag", {"name": "main", "revision": "main"}, NAME_CONFLICT),
        ("create_tag", {"name": "v1", "revision": "main"}, NAME_CONFLICT),
        ("create_branch", {"name": "dev", "revision": "nope"}, RESOURCE_NOT_EXIST),
        ("create_branch", {"name": "a.b", "revision": "main"}, INVALID_PARAMS),
        ("create_tag", {"name": "has space", "revision": "main"}, INVALID_PARAMS),
        ("get_branch", {"branch": "nope"}, RESOURCE_NOT_EXIST),
        ("delete_branch", {"branch": "main"}, FORBIDDEN),
        ("delete_branch", {"branch": "nope"}, RESOURCE_NOT_EXIST),
        ("get_tag", {"tag": "nope"}, RESOURCE_NOT_EXIST),
        ("delete_tag", {"tag": "nope"}, RESOURCE_NOT_EXIST),
        ("list_branches", {"limit": 0}, INVALID_PARAMS),
        ("list_tags", {"offset": -1}, INVALID_PARAMS),
    ],
    "commits": [
        ("get_revision", {"revision": "nope"}, RESOURCE_NOT_EXIST),
        ("list_commits", {"revision": "nope"}, RESOURCE_NOT_EXIST),
        ("get_commit", {"commit_id": "0123456789abcdef0123456789abcdef"}, RESOURCE_NOT_EXIST),
        ("commit_draft", {"draft_number": 1, "title": "again"}, FORBIDDEN),
        ("commit_draft", {"draft_number": 9, "title": "none"}, RESOURCE_NOT_EXIST),
    ],
    "drafts": [
        ("create_draft", {"title": "t", "branch": "nope"}, RESOURCE_NOT_EXIST),
        ("get_draft", {"draft_number": 9}, RESOURCE_NOT_EXIST),
        ("list_drafts", {"state": "MERGED"}, INVALID_PARAMS),
        ("update_draft", {"draft_number": 1, "title": "late"}, FORBIDDEN),
        ("update_draft", {"draft_number": 2, "state": "COMMITTED"}, INVALID_PARAMS),
        ("update_draft", {"draft_number": 9, "title": "t"}, RESOURCE_NOT_EXIST),
    ],
    "sheets": [
        ("create_sheet", new_sheet(2, "s", SCHEMA), NAME_CONFLICT),
        ("create_sheet", new_sheet(1, "t", SCHEMA), FORBIDDEN),
        ("create_sheet", new_sheet(2, "t", "type: ["), INVALID_PARAMS),
        ("get_draft_sheet", {"draft_number": 2, "sheet": "nope"}, RESOURCE_NOT_EXIST),
        ("get_commit_sheet", {"commit_id": C1, "sheet": "nope"}, RESOURCE_NOT_EXIST),
        ("list_draft_sheets", {"draft_number": 9}, RESOURCE_NOT_EXIST),
        ("list_commit_sheets", {"commit_id": "nope"}, RESOURCE_NOT_EXIST),
        ("delete_sheet", {"draft_number": 2, "sheet": "nope"}, RESOURCE_NOT_EXIST),
        ("delete_sheet", {"draft_number": 1, "sheet": "s"}, FORBIDDEN),
        ("update_schema", in_s(2, _schema="fields: 3", _avro_schema=""), INVALID_PARAMS),
        ("update_schema", in_s(1, _schema=WIDER, _avro_schema=""), FORBIDDEN),
    ],
    "records": [
        ("add_records", in_s(1, records=[{"name": "z", "n": 0}]), FORBIDDEN),
        ("add_records", in_s(2, sheet="nope", records=[{"name": "z"}]), RESOURCE_NOT_EXIST),
        ("add_records", in_s(2, records=[{"name": "ok"}, {"name": 5}]), INVALID_PARAMS),
        ("update_records", in_s(2, records=[{KEY: key_of(9), "n": 1}]), RESOURCE_NOT_EXIST),
        ("update_records", in_s(2, records=[{KEY: key_of(1), "n": "x"}]), INVALID_PARAMS),
        ("delete_records", in_s(2, record_keys=[key_of(1), key_of(42)]), RESOURCE_NOT_EXIST),
        ("delete_records", in_s(1, record_keys=[key_of(1)]), FORBIDDEN),
        ("list_draft_records", in_s(2, columns="nope"), INVALID_PARAMS),
        ("list_draft_records", in_s(2, limit=0), INVALID_PARAMS),
        ("list_commit_records", {"commit_id": C1, "sheet": "nope"}, RESOURCE_NOT_EXIST),
        ("list_commit_records", {"commit_id": C1, "sheet": "s", "offset": -1}, INVALID_PARAMS),
    ],
}  # fmt: skip


def refuse_all(v: Versioned, calls: list[Refusal], *, by: Versioned) -> None:
    """``by`` making each call gets its error, and ``v`` keeps showing what it showed before."""
    before = v.snapshot()
    c1 = v("get_branch", branch="main")["commit_id"]
    for call, arguments, expected in calls:
        given = {name: c1 if value == C1 else value for name, value in arguments.items()}
        try:
            with v.api.raises(expected):
                by(call, **given)
            assert v.snapshot() == before
        except BaseException as failure:
            failure.add_note(f"refused call: {call}({given})")
            raise


@pytest.mark.parametrize("family", list(REFUSALS))
def test_refused_calls_change_nothing(history: Versioned, family: str) -> None:
    refuse_all(history, REFUSALS[family], by=history)


def test_a_draft_behind_its_branch_is_not_committed(history: Versioned) -> None:
    history("create_draft", title="three")
    history("commit_draft", draft_number=2, title="c2")
    before = history.snapshot()
    with history.api.raises(NAME_CONFLICT):
        history("commit_draft", draft_number=3, title="c3")
    assert history.snapshot() == before
    assert history("get_draft", draft_number=3)["state"] == "OPEN"


# Calls of another workspace's key on ``history``: refused whether they read or write.
OTHER_WORKSPACE: list[tuple[str, dict[str, Any]]] = [
    ("list_branches", {}),
    ("create_branch", {"name": "x", "revision": "main"}),
    ("delete_tag", {"tag": "v1"}),
    ("list_commits", {"revision": "main"}),
    ("create_draft", {"title": "x"}),
    ("update_draft", {"draft_number": 2, "state": "CLOSED"}),
    ("delete_sheet", {"draft_number": 2, "sheet": "s"}),
    ("add_records", {"draft_number": 2, "sheet": "s", "records": [{"name": "z", "n": 0}]}),
    ("list_draft_records", {"draft_number": 2, "sheet": "s"}),
]


def test_another_workspace_is_access_denied(history: Versioned, other_key: str) -> None:
    stranger = Versioned(history.api, other_key, history.url, history.workspace, "V")
    refuse_all(history, [(*call, ACCESS_DENIED) for call in OTHER_WORKSPACE], by=stranger)
