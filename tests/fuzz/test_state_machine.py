"""Random sequences of the five dataset operations, against the server and a plain model.

The model is a list of dicts in creation order and the rules written down in the README;
after every step both must agree on the status, the Graviti code and the body. Ids are
taken from the server at creation and must never change afterwards; the server's clock is
frozen and advanced by a rule, so timestamps are compared exactly.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from mock_server import user_for_key, workspace_for_key
from mock_server.core.clock import format_time

KEY = "ACCESSKEY-statemachine0001"
OTHER_KEY = "ACCESSKEY-statemachine0002"
WORKSPACE = workspace_for_key(KEY)
START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "30"))

# A small pool so that names collide often; the invalid ones must never be stored.
VALID_NAMES = ["MNIST", "mnist", "cifar-10", "voc_2012", "a", "X" * 128]
INVALID_NAMES = [
    "",
    "a/b",
    "..",
    "has space",
    "tab\tname",
    "X" * 129,
    "'; DROP TABLE dataset; --",
    "datensätze",
    "名字",
]
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
ALIASES = ["", "digits", "Ümlaut & 名字 'quoted'; --", "A" * 256, "A" * 257, "bell\x07", "nl\n"]
BRANCHES = ["main", "dev", "", "a/b"]
OFFSETS = [0, 1, 2, 3, 6, 100, -1]
LIMITS = [1, 2, 3, 128, 1000, 0, 1001, -5]

names = st.sampled_from(VALID_NAMES)
valid_aliases = st.sampled_from(
    [alias for alias in ALIASES if len(alias) <= 256 and alias.isprintable()]
)
any_names = st.sampled_from(VALID_NAMES + INVALID_NAMES)


def valid_alias(alias: str) -> bool:
    return len(alias) <= 256 and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in alias)


class Expected:
    """What the model says a call answers: a status, and a body or an error code."""

    def __init__(self, status: int, body: Any = None, code: str | None = None) -> None:
        self.status = status
        self.body = body
        self.code = code


def error(status: int, code: str) -> Expected:
    return Expected(status, code=code)


class DatasetMachine(RuleBasedStateMachine):
    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client
        response = client.post("/_mock/reset")
        assert response.status_code == 200, response.text
        self.clock = client.app.state.backend.clock  # type: ignore[attr-defined]
        self.clock.freeze(START)
        self.now = START
        # The model: datasets of the caller's workspace in creation order.
        self.datasets: list[dict[str, Any]] = []
        self.ids_seen: set[str] = set()

    # ------------------------------------------------------------------ helpers

    def call(self, method: str, path: str, key: str = KEY, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers={"X-Token": key}, **kwargs)

    def find(self, name: str) -> dict[str, Any] | None:
        return next((d for d in self.datasets if d["name"] == name), None)

    def check(self, response: Any, expected: Expected, *, mentions: str | None = None) -> Any:
        body = response.json()
        assert response.status_code == expected.status, (expected.status, body)
        if expected.code is not None:
            assert set(body) == {"code", "message"}, body
            assert body["code"] == expected.code, body
            assert body["message"], body
            if mentions is not None:
                assert mentions in body["message"], body
        elif expected.body is not None:
            assert body == expected.body, (body, expected.body)
        return body

    def new_dataset(self, name: str, alias: str, server_id: str) -> dict[str, Any]:
        stamp = format_time(self.now)
        return {
            "id": server_id,
            "name": name,
            "alias": alias,
            "workspace": WORKSPACE,
            "default_branch": "main",
            "commit_id": None,
            "cover_url": "",
            "creator": user_for_key(KEY),
            "created_at": stamp,
            "updated_at": stamp,
            "is_public": False,
            "storage_config": "default",
            "backend_type": "OSS",
        }

    # ------------------------------------------------------------------ rules

    @rule()
    def tick(self) -> None:
        self.clock.advance(1)
        self.now += timedelta(seconds=1)

    @rule(name=names, alias=valid_aliases, with_draft=st.booleans())
    def create(self, name: str, alias: str, with_draft: bool) -> None:
        self.create_any(name, alias, with_draft)

    @rule(name=any_names, alias=st.sampled_from(ALIASES), with_draft=st.booleans())
    def create_any(self, name: str, alias: str, with_draft: bool) -> None:
        body = {"name": name, "alias": alias, "with_draft": with_draft}
        response = self.call("POST", "/v2/datasets", json=body)
        if not NAME_PATTERN.match(name) or not valid_alias(alias):
            self.check(response, error(400, "InvalidParamsValue"))
        elif self.find(name) is not None:
            self.check(response, error(409, "NameConflict"), mentions=name)
        else:
            created = self.check(response, Expected(200))
            assert re.fullmatch(r"[0-9a-f]{32}", created["id"]), created
            assert created["id"] not in self.ids_seen, "an id was reused"
            expected = self.new_dataset(name, alias, created["id"])
            assert created == expected
            self.ids_seen.add(created["id"])
            self.datasets.append(expected)

    @rule(name=names)
    def get(self, name: str) -> None:
        response = self.call("GET", f"/v2/datasets/{WORKSPACE}/{name}")
        found = self.find(name)
        if found is None:
            self.check(response, error(404, "ResourceNotExist"), mentions=name)
        else:
            self.check(response, Expected(200, found))

    @rule(offset=st.sampled_from(OFFSETS), limit=st.sampled_from(LIMITS))
    def list(self, offset: int, limit: int) -> None:
        response = self.call("GET", "/v2/datasets", params={"offset": offset, "limit": limit})
        if offset < 0 or not 1 <= limit <= 1000:
            self.check(response, error(400, "InvalidParamsValue"))
            return
        page = self.datasets[offset : offset + limit]
        expected = {
            "datasets": page,
            "offset": offset,
            "record_size": len(page),
            "total_count": len(self.datasets),
        }
        self.check(response, Expected(200, expected))

    @rule(
        name=names,
        new_name=st.none() | names,
        alias=st.none() | valid_aliases,
        branch=st.none() | st.sampled_from(["main", "dev"]),
    )
    def update(self, name: str, new_name: str | None, alias: str | None, branch: str | None):
        self.update_any(name, new_name, alias, branch)

    @rule(name=names, fields=st.sets(st.sampled_from(["name", "alias", "default_branch"])))
    def update_unchanged(self, name: str, fields: set[str]) -> None:
        # The current values again: nothing changes, updated_at included.
        found = self.find(name) or {"name": name, "alias": "", "default_branch": "main"}
        self.update_any(
            name,
            found["name"] if "name" in fields else None,
            found["alias"] if "alias" in fields else None,
            found["default_branch"] if "default_branch" in fields else None,
        )

    @rule(
        name=names,
        new_name=st.none() | any_names,
        alias=st.none() | st.sampled_from(ALIASES),
        branch=st.none() | st.sampled_from(BRANCHES),
    )
    def update_any(self, name: str, new_name: str | None, alias: str | None, branch: str | None):
        changes = {
            field: value
            for field, value in (("name", new_name), ("alias", alias), ("default_branch", branch))
            if value is not None
        }
        response = self.call("PATCH", f"/v2/datasets/{WORKSPACE}/{name}", json=changes)
        found = self.find(name)
        if (
            (new_name is not None and not NAME_PATTERN.match(new_name))
            or (branch is not None and not NAME_PATTERN.match(branch))
            or (alias is not None and not valid_alias(alias))
        ):
            self.check(response, error(400, "InvalidParamsValue"))
        elif found is None:
            self.check(response, error(404, "ResourceNotExist"), mentions=name)
        elif branch is not None and branch != found["default_branch"]:
            # A new dataset has one branch, "main"; any other does not exist.
            self.check(response, error(400, "InvalidParamsValue"), mentions=branch)
        elif new_name is not None and new_name != name and self.find(new_name) is not None:
            self.check(response, error(409, "NameConflict"), mentions=new_name)
        else:
            if any(found[field] != value for field, value in changes.items()):
                found.update(changes)
                found["updated_at"] = format_time(self.now)
            self.check(response, Expected(200, found))

    @rule(name=names)
    def delete(self, name: str) -> None:
        response = self.call("DELETE", f"/v2/datasets/{WORKSPACE}/{name}")
        found = self.find(name)
        if found is None:
            self.check(response, error(404, "ResourceNotExist"), mentions=name)
        else:
            self.check(response, Expected(200, {}))
            self.datasets.remove(found)

    @rule(name=names, method=st.sampled_from(["GET", "PATCH", "DELETE"]))
    def foreign_key(self, name: str, method: str) -> None:
        # Another workspace's key may neither see nor change the caller's datasets.
        kwargs: dict[str, Any] = {"json": {"alias": "stolen"}} if method == "PATCH" else {}
        path = f"/v2/datasets/{WORKSPACE}/{name}"
        response = self.call(method, path, key=OTHER_KEY, **kwargs)
        self.check(response, error(403, "AccessDenied"), mentions=WORKSPACE)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def listing_agrees(self) -> None:
        response = self.call("GET", "/v2/datasets", params={"limit": 1000})
        self.check(
            response,
            Expected(
                200,
                {
                    "datasets": self.datasets,
                    "offset": 0,
                    "record_size": len(self.datasets),
                    "total_count": len(self.datasets),
                },
            ),
        )


def test_operations_agree_with_the_model(app_client: TestClient) -> None:
    class OnThisClient(DatasetMachine):
        def __init__(self) -> None:
            super().__init__(app_client)

    run_state_machine_as_test(
        OnThisClient,
        settings=settings(max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None),
    )
