"""Datasets: create, get, list, update and delete, with the rules the service applies.

Reads go through the database's read cache, filed under ``dataset:WS/NAME`` (one
dataset, present or absent) and ``datasets:WS`` (the pages of a workspace's listing);
listings page through an ordered index of ``seq`` values, so a page near the end of a
large workspace costs what the first page costs.

Branches and drafts belong to a resource above this one: it registers ``on_created``
(run in the transaction that makes a dataset, with the branches and drafts it starts
with) and ``on_branch_head`` (a branch's head, for ``default_branch``: the dataset's
``commit_id`` is always its default branch's head). Imports point down only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from mock_server.core import errors
from mock_server.core.backend import Backend, Store
from mock_server.core.bulk import insert_row, int_column
from mock_server.resources.datasets.models import (
    DATASET_FIELDS,
    DatasetCreate,
    DatasetList,
    DatasetPublic,
    DatasetSeed,
    DatasetUpdate,
    DraftSeed,
)
from mock_server.resources.datasets.tables import DATASET
from mock_server.resources.identity.models import Caller
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.storage_configs.store import StorageConfigStore
from mock_server.resources.storage_configs.tables import BackendType

DEFAULT_BRANCH = "main"
COLUMNS = [DATASET.c[field] for field in DATASET_FIELDS]

# Statements built once: SQLAlchemy compiles and caches them by identity, where a
# statement built per call (with its values inlined) is keyed and compiled each time.
_IN_WORKSPACE = DATASET.c.workspace == bindparam("workspace")
_FIND = select(DATASET.c.seq, *COLUMNS).where(_IN_WORKSPACE, DATASET.c.name == bindparam("name"))
_SEQS = select(DATASET.c.seq).where(_IN_WORKSPACE).order_by(DATASET.c.seq)
_PAGE = (
    select(*COLUMNS)
    .where(_IN_WORKSPACE, DATASET.c.seq.between(bindparam("first"), bindparam("last")))
    .order_by(DATASET.c.seq)
)
_DELETE = (
    delete(DATASET)
    .where(_IN_WORKSPACE, DATASET.c.name == bindparam("name"))
    .returning(DATASET.c.seq)
)


@dataclass(frozen=True, slots=True)
class DatasetKey:
    """A dataset a nested resource works on: its row key and its public fields."""

    seq: int
    public: DatasetPublic

    @property
    def workspace(self) -> str:
        return self.public.workspace

    @property
    def name(self) -> str:
        return self.public.name


def dataset_tag(workspace: str, name: str) -> str:
    return f"dataset:{workspace}/{name}"


def listing_tag(workspace: str) -> str:
    return f"datasets:{workspace}"


def _public(row: Any) -> DatasetPublic:
    mapping = row._mapping
    fields = {field: mapping[field] for field in DATASET_FIELDS}
    # SQLite hands booleans back as 0 or 1.
    fields["is_public"] = bool(fields["is_public"])
    return DatasetPublic.model_validate(fields)


class SimpleRow:
    """Values shaped like a result row, for ``_public``."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._mapping = values


def _find(conn: Connection, workspace: str, name: str) -> DatasetKey | None:
    row = conn.execute(_FIND, {"workspace": workspace, "name": name}).first()
    return None if row is None else DatasetKey(row.seq, _public(row))


def _deny_foreign(caller: Caller, workspace: str) -> None:
    # Another workspace's private datasets are neither shown nor confirmed to exist.
    if workspace != caller.workspace:
        raise errors.AccessDenied(
            f"The access key may not access datasets of workspace '{workspace}'."
        )


# (transaction, the new dataset, its branches as (name, head), its drafts)
CreatedHook = Callable[
    [Connection, DatasetKey, Sequence[tuple[str, str | None]], Sequence[DraftSeed]], None
]


@dataclass(frozen=True, slots=True)
class BranchHead:
    """A branch of a dataset and its head (None on a branch with no commit)."""

    commit_id: str | None


# (transaction, dataset seq, branch name) -> the branch's head, or None if there is none
BranchLookup = Callable[[Connection, int, str], BranchHead | None]


class DatasetStore(Store):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self._created_hooks: list[CreatedHook] = []
        self._branch_head: BranchLookup | None = None

    def on_created(self, hook: CreatedHook) -> None:
        """Run ``hook`` in the transaction that creates a dataset (by call or by seed)."""
        self._created_hooks.append(hook)

    def on_branch_head(self, lookup: BranchLookup) -> None:
        """Ask ``lookup`` for a branch's head (without one, no other branch exists)."""
        self._branch_head = lookup

    def _created(
        self,
        conn: Connection,
        found: DatasetKey,
        branches: Sequence[tuple[str, str | None]],
        drafts: Sequence[DraftSeed],
    ) -> None:
        for hook in self._created_hooks:
            hook(conn, found, branches, drafts)

    @staticmethod
    def tags_of(dataset: DatasetKey) -> tuple[str, ...]:
        """The cache tags a change of the dataset's row must name."""
        return (listing_tag(dataset.workspace), dataset_tag(dataset.workspace, dataset.name))

    @staticmethod
    def move_head(conn: Connection, seq: int, branch: str, commit_id: str) -> None:
        """Branch ``branch`` moved to ``commit_id``: so does the dataset if it is the default.

        The caller's write names ``tags_of`` the dataset.
        """
        conn.execute(
            update(DATASET)
            .where(DATASET.c.seq == seq, DATASET.c.default_branch == branch)
            .values(commit_id=commit_id)
        )

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def lookup(conn: Connection, workspace: str, name: str) -> DatasetKey | None:
        """The dataset ``workspace/name`` in the caller's transaction, for no caller at all
        (seeds, the control plane, nested resources)."""
        return _find(conn, workspace, name)

    def find(self, caller: Caller, workspace: str, name: str, *, write: bool) -> DatasetKey:
        """The dataset behind ``{workspace}/{dataset}`` for this caller, or the right error.

        Any key may read another workspace's public dataset; writing to another
        workspace's dataset is denied, and a private one is not confirmed to exist.
        """
        if write:
            _deny_foreign(caller, workspace)
        found = self.db.cached(
            ("dataset", workspace, name),
            (dataset_tag(workspace, name),),
            lambda conn: _find(conn, workspace, name),
        )
        if found is None or (workspace != caller.workspace and not found.public.is_public):
            _deny_foreign(caller, workspace)
            raise errors.DatasetNotFound(workspace, name)
        return found

    # ------------------------------------------------------------------ operations

    def create_dataset(self, caller: Caller, body: DatasetCreate) -> DatasetPublic:
        workspace = caller.workspace
        now = self.backend.clock.stamp()
        tags = (listing_tag(workspace), dataset_tag(workspace, body.name))
        try:
            with self.db.write(tags) as conn:
                storage = self.backend.get(StorageConfigStore).resolve(
                    conn, workspace, body.storage_config
                )
                values = {
                    "id": self.new_id(conn, DATASET),
                    "workspace": workspace,
                    "name": body.name,
                    "alias": body.alias,
                    "default_branch": DEFAULT_BRANCH,
                    "commit_id": None,
                    "cover_url": "",
                    "creator": caller.user,
                    "created_at": now,
                    "updated_at": now,
                    "is_public": False,
                    "storage_config": storage.name,
                    "backend_type": storage.backend_type,
                }
                seq = insert_row(conn, DATASET, values)
                drafts = [DraftSeed(number=1, branch=DEFAULT_BRANCH)] if body.with_draft else []
                found = DatasetKey(seq, DatasetPublic.model_validate(values))
                self._created(conn, found, [(DEFAULT_BRANCH, None)], drafts)
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"Dataset '{body.name}' already exists in workspace '{workspace}'."
            ) from exc
        self.db.index_changed(("datasets", workspace), added=[seq])
        return found.public

    def get_dataset(self, caller: Caller, workspace: str, name: str) -> DatasetPublic:
        return self.find(caller, workspace, name, write=False).public

    def list_datasets(self, caller: Caller, offset: int, limit: int) -> DatasetList:
        """One page of the caller's datasets in creation order, with the total count."""
        workspace = caller.workspace
        seqs = self.db.ordered_index(
            ("datasets", workspace),
            lambda conn: int_column(conn, _SEQS.params(workspace=workspace)),
        )
        page = seqs[offset : offset + limit]
        if not page:
            return DatasetList(datasets=[], offset=offset, record_size=0, total_count=len(seqs))
        first, last, total = page[0], page[-1], len(seqs)

        def load(conn: Connection) -> DatasetList:
            rows = conn.execute(_PAGE, {"workspace": workspace, "first": first, "last": last}).all()
            datasets = [_public(row) for row in rows]
            return DatasetList(
                datasets=datasets, offset=offset, record_size=len(datasets), total_count=total
            )

        return self.db.cached(
            ("datasets", workspace, offset, limit, total),
            (listing_tag(workspace),),
            load,
            weigh=lambda page: 1 + page.record_size,
        )

    def update_dataset(
        self, caller: Caller, workspace: str, name: str, body: DatasetUpdate
    ) -> DatasetPublic:
        _deny_foreign(caller, workspace)
        requested = body.model_dump(exclude_none=True)
        tags = [listing_tag(workspace), dataset_tag(workspace, name)]
        if body.name is not None:
            tags.append(dataset_tag(workspace, body.name))
        try:
            with self.db.write(tags) as conn:
                found = _find(conn, workspace, name)
                if found is None:
                    raise errors.DatasetNotFound(workspace, name)
                current = found.public.model_dump()
                changes = {
                    field: value for field, value in requested.items() if value != current[field]
                }
                branch = changes.get("default_branch")
                if branch is not None:
                    head = self._head(conn, found.seq, branch)
                    if head is None:
                        raise errors.InvalidParams(
                            f"Branch '{branch}' does not exist in dataset '{workspace}/{name}'."
                        )
                    # The dataset's commit is its default branch's head.
                    changes["commit_id"] = head.commit_id
                if changes:
                    changes["updated_at"] = self.backend.clock.stamp()
                    conn.execute(update(DATASET).where(DATASET.c.seq == found.seq).values(changes))
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"Dataset '{body.name}' already exists in workspace '{workspace}'."
            ) from exc
        return found.public.model_copy(update=changes)

    def delete_dataset(self, caller: Caller, workspace: str, name: str) -> None:
        _deny_foreign(caller, workspace)
        with self.db.write((listing_tag(workspace), dataset_tag(workspace, name))) as conn:
            seq = conn.execute(_DELETE, {"workspace": workspace, "name": name}).scalar()
        if seq is None:
            raise errors.DatasetNotFound(workspace, name)
        self.db.index_changed(("datasets", workspace), removed=[seq])

    # ------------------------------------------------------------------ helpers

    def _head(self, conn: Connection, seq: int, branch: str) -> BranchHead | None:
        if self._branch_head is None:
            return None
        return self._branch_head(conn, seq, branch)


# ---------------------------------------------------------------------------- seed section


def apply_seed(backend: Backend, conn: Connection, items: Sequence[Any]) -> int:
    identity = backend.get(IdentityStore)
    store = backend.get(DatasetStore)
    added = 0
    for seed in items:
        assert isinstance(seed, DatasetSeed)
        identity.ensure_workspace(conn, seed.workspace)
        if _find(conn, seed.workspace, seed.name) is not None:
            continue
        where = f"dataset '{seed.workspace}/{seed.name}'"
        storage = backend.get(StorageConfigStore).resolve(conn, seed.workspace, seed.storage_config)
        branches = {branch.name: branch.commit_id for branch in seed.branches}
        if seed.default_branch not in branches:
            branches = {seed.default_branch: None, **branches}
        numbers = [draft.number for draft in seed.drafts]
        if len(set(numbers)) != len(numbers):
            raise errors.InvalidParams(f"Invalid seed: {where} has two drafts with one number.")
        for draft in seed.drafts:
            if draft.branch not in branches:
                raise errors.InvalidParams(
                    f"Invalid seed: draft {draft.number} of {where} is on branch "
                    f"'{draft.branch}', which the dataset does not have."
                )
        created_at = seed.created_at or backend.clock.stamp()
        values = {
            "id": seed.id or store.new_id(conn, DATASET),
            "workspace": seed.workspace,
            "name": seed.name,
            "alias": seed.alias,
            "default_branch": seed.default_branch,
            "commit_id": seed.commit_id,
            "cover_url": seed.cover_url,
            "creator": seed.creator,
            "created_at": created_at,
            "updated_at": seed.updated_at or created_at,
            "is_public": seed.is_public,
            "storage_config": storage.name,
            "backend_type": (seed.backend_type or BackendType(storage.backend_type)).value,
        }
        seq = insert_row(conn, DATASET, values)
        found = DatasetKey(seq, _public(SimpleRow(values)))
        store._created(conn, found, list(branches.items()), seed.drafts)
        added += 1
    return added


def export_seed(_backend: Backend, conn: Connection) -> list[Any]:
    """Every dataset; its branches and drafts are exported by the resource that owns them."""
    datasets = conn.execute(select(DATASET).order_by(DATASET.c.seq)).all()
    return [DatasetSeed.model_validate(_public(row).model_dump()) for row in datasets]
