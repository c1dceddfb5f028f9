"""The ``versions`` seed section: a dataset's commits with their sheets, branches, tags, drafts.

Applied after ``datasets``. Commits are listed oldest first; a commit's parent defaults
to the commit listed before it. Each seeded sheet holds its records in full (with
``__record_key`` where the keys matter; the others are numbered on). Branches are
created or moved, tags and drafts and commits added if absent. The state export writes
every dataset's history in this form, so it seeds back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator
from sqlalchemy import Connection, insert, select, update

from mock_server.core import errors
from mock_server.core.backend import Backend
from mock_server.core.names import ID_PATTERN, NAME_PATTERN
from mock_server.core.seeds import SeedModel, wire_time
from mock_server.resources.datasets.store import DatasetKey, DatasetStore
from mock_server.resources.datasets.tables import DATASET as DATASET_TABLE
from mock_server.resources.versions import layers
from mock_server.resources.versions.records import RECORD_KEY, read_rows
from mock_server.resources.versions.schema import conform, parse_schema
from mock_server.resources.versions.tables import (
    BRANCH,
    COMMIT,
    DRAFT,
    RECORD,
    SHEET,
    SNAPSHOT,
    TAG,
)


class SheetSeed(SeedModel):
    # ``schema`` is a BaseModel attribute: the field goes by that name on the wire only.
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=False)

    name: str = Field(pattern=NAME_PATTERN)
    schema_: str = Field(alias="schema", description="Portex YAML, as the SDK sends it")
    records: list[dict[str, Any]] = Field(default_factory=list)
    next_record_key: int | None = Field(default=None, ge=1)
    created_at: str | None = None
    updated_at: str | None = None

    _times = field_validator("created_at", "updated_at", mode="before")(wire_time)


class CommitSeed(SeedModel):
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    parent_commit_id: str | None = Field(
        default=None, description="Defaults to the commit listed before this one"
    )
    title: str = ""
    description: str = ""
    committer: str = ""
    committed_at: str | None = None
    sheets: list[SheetSeed] = Field(default_factory=list)

    _times = field_validator("committed_at", mode="before")(wire_time)


class RefSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    commit_id: str | None = None


class DraftContentSeed(SeedModel):
    number: int = Field(ge=1)
    branch: str = Field(default="main", pattern=NAME_PATTERN)
    title: str = ""
    description: str = ""
    state: Literal["OPEN", "CLOSED", "COMMITTED"] = "OPEN"
    parent_commit_id: str | None = Field(default=None, description="Defaults to the branch head")
    creator: str = ""
    created_at: str | None = None
    updated_at: str | None = None
    sheets: list[SheetSeed] = Field(default_factory=list)

    _times = field_validator("created_at", "updated_at", mode="before")(wire_time)


class VersionsSeed(SeedModel):
    workspace: str = Field(pattern=NAME_PATTERN)
    dataset: str = Field(pattern=NAME_PATTERN)
    commits: list[CommitSeed] = Field(default_factory=list)
    branches: list[RefSeed] = Field(default_factory=list)
    tags: list[RefSeed] = Field(default_factory=list)
    drafts: list[DraftContentSeed] = Field(default_factory=list)


def _bad(where: str, problem: str) -> errors.InvalidParams:
    return errors.InvalidParams(f"Invalid seed: {where}: {problem}.")


def _add_sheet(
    conn: Connection,
    found: DatasetKey,
    owner: dict[str, int],
    sheet: SheetSeed,
    stamp: str,
    where: str,
) -> None:
    schema = parse_schema(sheet.schema_)
    snapshot = layers.new_snapshot(conn, found.seq, None)
    rows: list[dict[str, Any]] = []
    keys: list[int] = []
    next_key = 1
    for index, record in enumerate(sheet.records):
        given = record.get(RECORD_KEY)
        key = next_key if given is None else layers.parse_key(given)
        if key is None or key < next_key:
            raise _bad(where, f"record {index} has a key out of order or malformed")
        keys.append(key)
        rows.append(conform(record, schema, f"{where}: record {index}"))
        next_key = key + 1
    if rows:
        conn.execute(
            insert(RECORD),
            [
                {"snapshot_seq": snapshot.seq, "rkey": key, "data": layers.encode_row(row)}
                for key, row in zip(keys, rows, strict=True)
            ],
        )
    conn.execute(
        update(SNAPSHOT)
        .where(SNAPSHOT.c.seq == snapshot.seq)
        .values(record_count=len(rows), next_key=max(next_key, sheet.next_record_key or 1))
    )
    conn.execute(
        insert(SHEET).values(
            dataset_seq=found.seq,
            name=sheet.name,
            schema=sheet.schema_,
            avro_schema="",
            created_at=sheet.created_at or stamp,
            updated_at=sheet.updated_at or sheet.created_at or stamp,
            snapshot_seq=snapshot.seq,
            **owner,
        )
    )


def apply_seed(backend: Backend, conn: Connection, items: Sequence[Any]) -> dict[str, int]:
    store = backend.get(DatasetStore)
    added = 0
    for seed in items:
        assert isinstance(seed, VersionsSeed)
        where = f"versions of '{seed.workspace}/{seed.dataset}'"
        found = DatasetStore.lookup(conn, seed.workspace, seed.dataset)
        if found is None:
            raise _bad(where, "the dataset is not in the seed or the state")
        known = set(
            conn.execute(select(COMMIT.c.id).where(COMMIT.c.dataset_seq == found.seq)).scalars()
        )
        previous: str | None = None
        for commit in seed.commits:
            commit_id = commit.id or store.new_id(conn, COMMIT)
            parent = (
                commit.parent_commit_id
                if "parent_commit_id" in commit.model_fields_set
                else previous
            )
            previous = commit_id
            if commit_id in known:
                continue
            if parent is not None and parent not in known:
                raise _bad(where, f"commit {commit_id} has an unknown parent {parent}")
            stamp = commit.committed_at or backend.clock.stamp()
            inserted = conn.execute(
                insert(COMMIT).values(
                    dataset_seq=found.seq,
                    id=commit_id,
                    parent_commit_id=parent,
                    title=commit.title,
                    description=commit.description,
                    committer=commit.committer,
                    committed_at=stamp,
                )
            ).inserted_primary_key
            assert inserted is not None
            for sheet in commit.sheets:
                _add_sheet(conn, found, {"commit_seq": inserted[0]}, sheet, stamp, where)
            known.add(commit_id)
            added += 1
        _apply_refs(conn, found, seed, known, where)
        _apply_drafts(backend, conn, found, seed, known, where)
    return {"commits": added}


def _apply_refs(
    conn: Connection, found: DatasetKey, seed: VersionsSeed, known: set[str], where: str
) -> None:
    for branch in seed.branches:
        # A head the section does not hold is kept, as ``datasets[].branches`` always has
        # allowed: it is served with blank commit fields.
        exists = conn.execute(
            select(BRANCH.c.seq).where(
                BRANCH.c.dataset_seq == found.seq, BRANCH.c.name == branch.name
            )
        ).first()
        if exists is None:
            conn.execute(insert(BRANCH).values(dataset_seq=found.seq, **branch.model_dump()))
        else:
            conn.execute(
                update(BRANCH).where(BRANCH.c.seq == exists.seq).values(commit_id=branch.commit_id)
            )
        if branch.commit_id is not None:
            DatasetStore.move_head(conn, found.seq, branch.name, branch.commit_id)
    for tag in seed.tags:
        if tag.commit_id not in known:
            raise _bad(where, f"tag '{tag.name}' must point at a known commit")
        exists = conn.execute(
            select(TAG.c.seq).where(TAG.c.dataset_seq == found.seq, TAG.c.name == tag.name)
        ).first()
        if exists is None:
            conn.execute(insert(TAG).values(dataset_seq=found.seq, **tag.model_dump()))


def _apply_drafts(
    backend: Backend,
    conn: Connection,
    found: DatasetKey,
    seed: VersionsSeed,
    known: set[str],
    where: str,
) -> None:
    heads = dict(
        conn.execute(
            select(BRANCH.c.name, BRANCH.c.commit_id).where(BRANCH.c.dataset_seq == found.seq)
        ).all()
    )
    for draft in seed.drafts:
        exists = conn.execute(
            select(DRAFT.c.seq).where(
                DRAFT.c.dataset_seq == found.seq, DRAFT.c.number == draft.number
            )
        ).first()
        if exists is not None:
            continue
        if draft.branch not in heads:
            raise _bad(
                where, f"draft {draft.number} is on branch '{draft.branch}', which is missing"
            )
        parent = (
            draft.parent_commit_id
            if "parent_commit_id" in draft.model_fields_set
            else heads[draft.branch]
        )
        stamp = draft.created_at or backend.clock.stamp()
        inserted = conn.execute(
            insert(DRAFT).values(
                dataset_seq=found.seq,
                number=draft.number,
                branch=draft.branch,
                title=draft.title,
                status=draft.state,
                description=draft.description,
                parent_commit_id=parent,
                creator=draft.creator,
                created_at=stamp,
                updated_at=draft.updated_at or stamp,
            )
        ).inserted_primary_key
        assert inserted is not None
        for sheet in draft.sheets:
            _add_sheet(conn, found, {"draft_seq": inserted[0]}, sheet, stamp, where)


# ---------------------------------------------------------------------------- export


def _export_sheets(backend: Backend, conn: Connection, owner: Any) -> list[dict[str, Any]]:
    sheets = []
    for row in conn.execute(select(SHEET).where(owner).order_by(SHEET.c.seq)).all():
        snapshot = layers.load_snapshot(conn, row.snapshot_seq)
        keys = list(layers.scan_keys(conn, snapshot.chain))
        schema = parse_schema(row.schema)
        records: list[dict[str, Any]] = []
        for start in range(0, len(keys), 10_000):
            page = read_rows(conn, snapshot, keys[start : start + 10_000], schema)
            records.extend(
                {
                    RECORD_KEY: layers.format_key(key),
                    **{name: value for name, value in data.items() if name in schema.fields},
                }
                for key, data in page
            )
        sheets.append(
            {
                "name": row.name,
                "schema": row.schema,
                "records": records,
                "next_record_key": snapshot.next_key,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
            }
        )
    return sheets


def export_seed(backend: Backend, conn: Connection) -> list[Any]:
    exported = []
    datasets = conn.execute(
        select(DATASET_TABLE.c.seq, DATASET_TABLE.c.workspace, DATASET_TABLE.c.name).order_by(
            DATASET_TABLE.c.seq
        )
    ).all()
    for seq, workspace, name in datasets:
        commits = [
            {
                "id": row.id,
                "parent_commit_id": row.parent_commit_id,
                "title": row.title,
                "description": row.description,
                "committer": row.committer,
                "committed_at": row.committed_at,
                "sheets": _export_sheets(backend, conn, SHEET.c.commit_seq == row.seq),
            }
            for row in conn.execute(
                select(COMMIT).where(COMMIT.c.dataset_seq == seq).order_by(COMMIT.c.seq)
            )
        ]
        branches = [
            {"name": row.name, "commit_id": row.commit_id}
            for row in conn.execute(
                select(BRANCH).where(BRANCH.c.dataset_seq == seq).order_by(BRANCH.c.seq)
            )
        ]
        tags = [
            {"name": row.name, "commit_id": row.commit_id}
            for row in conn.execute(select(TAG).where(TAG.c.dataset_seq == seq).order_by(TAG.c.seq))
        ]
        drafts = [
            {
                "number": row.number,
                "branch": row.branch,
                "title": row.title,
                "description": row.description,
                "state": row.status,
                "parent_commit_id": row.parent_commit_id,
                "creator": row.creator,
                "created_at": row.created_at or None,
                "updated_at": row.updated_at or None,
                "sheets": _export_sheets(backend, conn, SHEET.c.draft_seq == row.seq),
            }
            for row in conn.execute(
                select(DRAFT).where(DRAFT.c.dataset_seq == seq).order_by(DRAFT.c.number)
            )
        ]
        exported.append(
            VersionsSeed.model_validate(
                {
                    "workspace": workspace,
                    "dataset": name,
                    "commits": commits,
                    "branches": branches,
                    "tags": tags,
                    "drafts": drafts,
                }
            )
        )
    return exported
