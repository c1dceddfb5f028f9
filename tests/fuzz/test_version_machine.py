"""Random sequences of the versioned-data calls, through ``client``, against a plain model.

Branches, tags, drafts, sheets, records and commits of one dataset, on the in-process
mock. The model is a few dicts and the rules of the README's "Versioned data" section.
After every step the listings of branches, tags, drafts and the default branch's
commits, and the sheets and rows of the revision the step touched, equal the model's; a
refused step answers the Graviti status and code the model predicts and changes nothing
(the same checks then compare against an unchanged model). The clock is frozen, so
timestamps are compared exactly; commit ids are taken from the server when it makes them.

Runs are derandomised, so CI sees the same sequences every time; ``FUZZ_MAX_EXAMPLES``
and ``FUZZ_STATEFUL_STEPS`` make them longer.
"""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import client
from mock_server import mock_graviti, user_for_key, workspace_for_key
from mock_server.inprocess import InProcessMock

URL = "https://api.graviti.com"
NOW = "2024-05-01T12:00:00Z"
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "20"))

SCHEMA = "type: record\nfields:\n- name: name\n  type: string\n- name: n\n  type: int64\n"
WIDER = SCHEMA + "- name: note\n  type: string\n"
FIELDS = {SCHEMA: ("name", "n"), WIDER: ("name", "n", "note")}

# Small pools, so that names collide and numbers hit missing and closed drafts often.
# Branch and tag names overlap, as they share one namespace.
BRANCH_NAMES = ["main", "dev", "feat", "v1"]
TAG_NAMES = ["v1", "v2", "dev"]
SHEETS = ["s", "s", "t"]
branch_names = st.sampled_from(BRANCH_NAMES)
tag_names = st.sampled_from(TAG_NAMES)
# A revision: a branch or tag name, an unknown name, or one of the commits made so far.
revisions = st.sampled_from(["main", "main", "dev", "v1", "nope"]) | st.integers(0, 3)
# A draft: the newest (0), the one before (1), ..., or (past them all) one never opened.
draft_numbers = st.sampled_from([0, 0, 0, 1, 2, 9])
sheets = st.sampled_from(SHEETS)
# A record: the first live one (0), the second, ..., or (past them all) one never added.
picks = st.sampled_from([0, 0, 1, 2, 9])

_keys = itertools.count()


def key_text(key: int) -> str:
    return f"{key:018d}"


@dataclass
class Sheet:
    schema: str
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_key: int = 1

    def listed(self) -> list[dict[str, Any]]:
        return [
            {"__record_key": key_text(key), **{f: row.get(f) for f in FIELDS[self.schema]}}
            for key, row in sorted(self.rows.items())
        ]


@dataclass
class Commit:
    public: dict[str, Any]
    sheets: dict[str, Sheet]


@dataclass
class Draft:
    public: dict[str, Any]
    sheets: dict[str, Sheet]


class Refused(Exception):
    """What the model says a call answers instead of succeeding."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(status, code)
        self.status = status
        self.code = code


NOT_FOUND = (404, "ResourceNotExist")
FORBIDDEN = (403, "Forbidden")
CONFLICT = (409, "NameConflict")
INVALID = (400, "InvalidParamsValue")


class VersionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # A fresh key per run: a workspace of its own, so no reset is needed.
        self.key = f"ACCESSKEY-versionmachine{next(_keys):06d}"
        self.user = user_for_key(self.key)
        self.where = (self.key, URL, workspace_for_key(self.key), "V")
        self.dataset = client.create_dataset(self.key, URL, "V")
        assert self.dataset["created_at"] == NOW
        # The model.
        self.branches: dict[str, str | None] = {"main": None}
        self.tags: dict[str, str] = {}
        self.commits: dict[str, Commit] = {}
        self.drafts: list[Draft] = []
        # What the last step touched: ("draft", number) or ("commit", id).
        self.touched: tuple[str, Any] | None = None

    @initialize()
    def start_with_history(self) -> None:
        """Through the rules themselves: draft 1 on main (sheet ``s``, two rows), committed,
        and draft 2 open on that commit."""
        self.create_draft(branch=None, title="first")
        self.create_sheet(back=0, sheet="s")
        self.add_records(back=0, sheet="s", count=2, bad=False)
        self.commit_draft(back=0)
        self.create_draft(branch=None, title="second")

    # ------------------------------------------------------------------ helpers

    def call(self, name: str, /, **kwargs: Any) -> Any:
        function: Callable[..., Any] = getattr(client, name)
        return function(*self.where, **kwargs)

    def attempt(self, name: str, expected: tuple[int, str] | None, /, **kwargs: Any) -> Any:
        """Call ``name``; with ``expected`` it must be refused with that status and code."""
        if expected is None:
            return self.call(name, **kwargs)
        with pytest.raises(client.ResponseError) as info:
            self.call(name, **kwargs)
        assert (info.value.status_code, info.value.code) == expected, info.value
        return None

    def commit_fields(self, commit_id: str | None) -> dict[str, Any]:
        if commit_id is None:
            empty = {"title": "", "description": "", "committer": "", "committed_at": NOW}
            return {"commit_id": None, "parent_commit_id": None, **empty}
        return dict(self.commits[commit_id].public)

    def revision(self, revision: str | int) -> str:
        if isinstance(revision, int):
            ids = list(self.commits)
            return ids[revision % len(ids)] if ids else "0" * 32
        return revision

    def resolve(self, revision: str) -> str | None:
        if revision in self.branches:
            return self.branches[revision]
        if revision in self.tags:
            return self.tags[revision]
        if revision in self.commits:
            return revision
        raise Refused(*NOT_FOUND)

    def draft_number(self, back: int) -> int:
        """The number of the ``back``-th draft before the newest, or one never opened."""
        return len(self.drafts) - back if back < len(self.drafts) else len(self.drafts) + 1

    def open_draft(self, number: int) -> Draft:
        if not 1 <= number <= len(self.drafts):
            raise Refused(*NOT_FOUND)
        draft = self.drafts[number - 1]
        if draft.public["state"] != "OPEN":
            raise Refused(*FORBIDDEN)
        return draft

    def sheet_of(self, number: int, sheet: str) -> Sheet:
        found = self.open_draft(number).sheets.get(sheet)
        if found is None:
            raise Refused(*NOT_FOUND)
        return found

    @staticmethod
    def forget(items: dict[str, Any], name: str) -> None:
        del items[name]

    def step(self, name: str, decide: Callable[[], Any], /, **kwargs: Any) -> Any:
        """Ask the model first (it raises ``Refused`` or returns how to apply the change)."""
        try:
            apply = decide()
        except Refused as refused:
            self.attempt(name, (refused.status, refused.code), **kwargs)
            return None
        answer = self.attempt(name, None, **kwargs)
        return apply(answer) if apply is not None else answer

    # ------------------------------------------------------------------ refs

    @rule(name=branch_names, revision=revisions)
    def create_branch(self, name: str, revision: str | int) -> None:
        self.create_ref(name, revision, tag=False)

    @rule(name=tag_names, revision=revisions)
    def create_tag(self, name: str, revision: str | int) -> None:
        self.create_ref(name, revision, tag=True)

    @rule(name=branch_names)
    def delete_branch(self, name: str) -> None:
        self.delete_ref(name, tag=False)

    @rule(name=tag_names)
    def delete_tag(self, name: str) -> None:
        self.delete_ref(name, tag=True)

    def create_ref(self, name: str, revision: str | int, *, tag: bool) -> None:
        target = self.revision(revision)

        def decide() -> Callable[[Any], None]:
            commit_id = self.resolve(target)
            if tag and commit_id is None:
                raise Refused(*INVALID)
            if name in self.branches or name in self.tags:
                raise Refused(*CONFLICT)

            def apply(answer: Any) -> None:
                assert answer == {"name": name, **self.commit_fields(commit_id)}
                if tag:
                    assert commit_id is not None
                    self.tags[name] = commit_id
                else:
                    self.branches[name] = commit_id

            return apply

        self.step("create_tag" if tag else "create_branch", decide, name=name, revision=target)

    def delete_ref(self, name: str, *, tag: bool) -> None:
        def decide() -> Callable[[Any], None]:
            refs = self.tags if tag else self.branches
            if name not in refs:
                raise Refused(*NOT_FOUND)
            if not tag and name == "main":
                raise Refused(*FORBIDDEN)
            return lambda answer: self.forget(refs, name)

        if tag:
            self.step("delete_tag", decide, tag=name)
        else:
            self.step("delete_branch", decide, branch=name)

    # ------------------------------------------------------------------ drafts

    @rule(branch=st.none() | branch_names, title=st.sampled_from(["wip", "", "ünïcode 'q'"]))
    def create_draft(self, branch: str | None, title: str) -> None:
        def decide() -> Callable[[Any], None]:
            on = branch or "main"
            if on not in self.branches:
                raise Refused(*NOT_FOUND)
            head = self.branches[on]
            public = {
                "number": len(self.drafts) + 1,
                "title": title,
                "description": "",
                "branch": on,
                "state": "OPEN",
                "parent_commit_id": head,
                "creator": self.user,
                "created_at": NOW,
                "updated_at": NOW,
            }
            sheets = {} if head is None else copy.deepcopy(self.commits[head].sheets)

            def apply(answer: Any) -> None:
                assert answer == public
                self.drafts.append(Draft(public, sheets))
                self.touched = ("draft", public["number"])

            return apply

        self.step("create_draft", decide, title=title, branch=branch)

    @rule(back=draft_numbers, close=st.booleans(), title=st.none() | st.just("edited"))
    def update_draft(self, back: int, close: bool, title: str | None) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)

        def decide() -> Callable[[Any], None]:
            draft = self.open_draft(number)

            def apply(answer: Any) -> None:
                if close:
                    draft.public["state"] = "CLOSED"
                if title is not None:
                    draft.public["title"] = title
                assert answer == draft.public

            return apply

        self.step(
            "update_draft",
            decide,
            draft_number=number,
            state="CLOSED" if close else None,
            title=title,
        )

    @rule(back=draft_numbers)
    def commit_draft(self, back: int) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)

        def decide() -> Callable[[Any], None]:
            draft = self.open_draft(number)
            if draft.public["branch"] not in self.branches:
                raise Refused(*NOT_FOUND)
            if self.branches[draft.public["branch"]] != draft.public["parent_commit_id"]:
                raise Refused(*CONFLICT)

            def apply(answer: Any) -> None:
                commit_id = answer["commit_id"]
                assert commit_id not in self.commits
                public = {
                    "commit_id": commit_id,
                    "parent_commit_id": draft.public["parent_commit_id"],
                    "title": f"commit of {number}",
                    "description": "",
                    "committer": self.user,
                    "committed_at": NOW,
                }
                assert answer == public
                self.commits[commit_id] = Commit(public, copy.deepcopy(draft.sheets))
                self.branches[draft.public["branch"]] = commit_id
                draft.public["state"] = "COMMITTED"
                self.touched = ("commit", commit_id)

            return apply

        self.step("commit_draft", decide, draft_number=number, title=f"commit of {number}")

    # ------------------------------------------------------------------ sheets and records

    @rule(back=draft_numbers, sheet=sheets)
    def create_sheet(self, back: int, sheet: str) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)

        def decide() -> Callable[[Any], None]:
            draft = self.open_draft(number)
            if sheet in draft.sheets:
                raise Refused(*CONFLICT)
            return lambda answer: draft.sheets.update({sheet: Sheet(SCHEMA)})

        self.step(
            "create_sheet", decide, draft_number=number, name=sheet, schema=SCHEMA, _avro_schema=""
        )

    @rule(back=draft_numbers, sheet=sheets)
    def delete_sheet(self, back: int, sheet: str) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)

        def decide() -> Callable[[Any], None]:
            self.sheet_of(number, sheet)
            return lambda answer: self.forget(self.drafts[number - 1].sheets, sheet)

        self.step("delete_sheet", decide, draft_number=number, sheet=sheet)

    @rule(back=draft_numbers, sheet=sheets, wider=st.booleans())
    def update_schema(self, back: int, sheet: str, wider: bool) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)
        schema = WIDER if wider else SCHEMA

        def decide() -> Callable[[Any], None]:
            found = self.sheet_of(number, sheet)
            return lambda answer: setattr(found, "schema", schema)

        self.step(
            "update_schema",
            decide,
            draft_number=number,
            sheet=sheet,
            _schema=schema,
            _avro_schema="",
        )

    @rule(back=draft_numbers, sheet=sheets, count=st.integers(1, 3), bad=st.booleans())
    def add_records(self, back: int, sheet: str, count: int, bad: bool) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)
        rows: list[dict[str, Any]] = [{"name": f"r{i}", "n": i} for i in range(count)]
        if bad:
            rows[-1]["n"] = "not a number"

        def decide() -> Callable[[Any], None]:
            found = self.sheet_of(number, sheet)
            if bad:
                raise Refused(*INVALID)

            def apply(answer: Any) -> None:
                for row in rows:
                    found.rows[found.next_key] = dict(row)
                    found.next_key += 1

            return apply

        self.step("add_records", decide, draft_number=number, sheet=sheet, records=rows)

    def pick_key(self, number: int, sheet: str, pick: int) -> int:
        """One of the sheet's live keys, or (past them) a key it never had."""
        draft = self.drafts[number - 1] if 1 <= number <= len(self.drafts) else None
        found = draft.sheets.get(sheet) if draft is not None else None
        keys = sorted(found.rows) if found is not None else []
        return keys[pick] if pick < len(keys) else 10**6 + pick

    @rule(back=draft_numbers, sheet=sheets, pick=picks, n=st.integers(-5, 5))
    def update_records(self, back: int, sheet: str, pick: int, n: int) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)
        key = self.pick_key(number, sheet, pick)

        def decide() -> Callable[[Any], None]:
            found = self.sheet_of(number, sheet)
            if key not in found.rows:
                raise Refused(*NOT_FOUND)
            return lambda answer: found.rows[key].update(n=n)

        records = [{"__record_key": key_text(key), "n": n}]
        self.step("update_records", decide, draft_number=number, sheet=sheet, records=records)

    @rule(back=draft_numbers, sheet=sheets, picks=st.lists(picks, min_size=1, max_size=2))
    def delete_records(self, back: int, sheet: str, picks: list[int]) -> None:
        number = self.draft_number(back)
        self.touched = ("draft", number)
        keys = sorted({self.pick_key(number, sheet, pick) for pick in picks})

        def decide() -> Callable[[Any], None]:
            found = self.sheet_of(number, sheet)
            if any(key not in found.rows for key in keys):
                raise Refused(*NOT_FOUND)

            def apply(answer: Any) -> None:
                for key in keys:
                    del found.rows[key]

            return apply

        record_keys = [key_text(key) for key in keys]
        self.step(
            "delete_records", decide, draft_number=number, sheet=sheet, record_keys=record_keys
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def refs_and_drafts_agree(self) -> None:
        branches = self.call("list_branches")["branches"]
        assert branches == [
            {"name": name, **self.commit_fields(commit)} for name, commit in self.branches.items()
        ]
        tags = self.call("list_tags")["tags"]
        assert tags == [
            {"name": name, **self.commit_fields(commit)} for name, commit in self.tags.items()
        ]
        drafts = self.call("list_drafts", state="ALL")
        assert drafts["drafts"] == [draft.public for draft in self.drafts]
        assert drafts["total_count"] == len(self.drafts)
        assert self.call("list_commits")["commits"] == list(self.history(self.branches["main"]))
        dataset = client.get_dataset(*self.where)
        assert dataset["commit_id"] == self.branches["main"]

    def history(self, head: str | None) -> Iterator[dict[str, Any]]:
        while head is not None:
            public = self.commits[head].public
            yield public
            head = public["parent_commit_id"]

    @invariant()
    def touched_revision_agrees(self) -> None:
        if self.touched is None:
            return
        kind, which = self.touched
        if kind == "commit":
            expected = self.commits[which].sheets
            listed = self.call("list_commit_sheets", commit_id=which)["sheets"]
            assert [sheet["name"] for sheet in listed] == list(expected)
            for name, sheet in expected.items():
                rows = self.call("list_commit_records", commit_id=which, sheet=name)["records"]
                assert rows == sheet.listed()
        elif 1 <= which <= len(self.drafts):
            expected = self.drafts[which - 1].sheets
            listed = self.call("list_draft_sheets", draft_number=which)["sheets"]
            assert [sheet["name"] for sheet in listed] == list(expected)
            for name, sheet in expected.items():
                got = self.call(
                    "get_draft_sheet", draft_number=which, sheet=name, with_record_count=True
                )
                assert (got["schema"], got["record_count"]) == (sheet.schema, len(sheet.rows))
                rows = self.call("list_draft_records", draft_number=which, sheet=name)["records"]
                assert rows == sheet.listed()


@pytest.fixture(scope="module")
def frozen_mock() -> Iterator[InProcessMock]:
    with mock_graviti(hosts=[URL]) as mock:
        mock.clock.freeze(NOW)
        yield mock


def test_versioned_data_agrees_with_the_model(frozen_mock: InProcessMock) -> None:
    # The machine's calls reach ``frozen_mock`` through ``client``'s session.
    assert frozen_mock.clock.frozen
    run_state_machine_as_test(
        VersionMachine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
        ),
    )
