"""The versions store: every operation on branches, tags, commits, drafts, sheets and records.

The operations live in one module per family (``refs``, ``drafts``, ``sheets``,
``records``); this class puts them together and hooks the store into the datasets
below it: a new dataset gets its branches (``main`` unless a seed says more) and drafts
in the transaction that creates it, and ``default_branch`` changes ask this store for
the branch's head.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from mock_server.core.backend import Backend
from mock_server.core.bulk import insert_rows
from mock_server.resources.datasets.models import DraftSeed
from mock_server.resources.datasets.store import BranchHead, DatasetKey, DatasetStore
from mock_server.resources.versions.drafts import DraftOperations
from mock_server.resources.versions.records import RecordOperations
from mock_server.resources.versions.refs import RefOperations
from mock_server.resources.versions.tables import BRANCH, DRAFT


class VersionStore(RefOperations, DraftOperations, RecordOperations):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        datasets = backend.get(DatasetStore)
        datasets.on_created(self.add_dataset_versions)
        datasets.on_branch_head(self.branch_of)

    @staticmethod
    def branch_of(conn: Connection, dataset_seq: int, name: str) -> BranchHead | None:
        found = conn.execute(
            select(BRANCH.c.commit_id).where(
                BRANCH.c.dataset_seq == dataset_seq, BRANCH.c.name == name
            )
        ).first()
        return None if found is None else BranchHead(found.commit_id)

    @staticmethod
    def add_dataset_versions(
        conn: Connection,
        dataset: DatasetKey,
        branches: Sequence[tuple[str, str | None]],
        drafts: Sequence[DraftSeed],
    ) -> None:
        """A new dataset's branches (with no commits yet unless seeded) and first drafts."""
        insert_rows(
            conn,
            BRANCH,
            ("dataset_seq", "name", "commit_id"),
            [(dataset.seq, name, head) for name, head in branches],
        )
        heads = dict(branches)
        public = dataset.public
        if drafts:
            conn.execute(
                insert(DRAFT),
                [
                    {
                        "dataset_seq": dataset.seq,
                        "number": draft.number,
                        "branch": draft.branch,
                        "title": draft.title,
                        "status": draft.status,
                        "description": "",
                        "parent_commit_id": heads.get(draft.branch),
                        "creator": public.creator,
                        "created_at": public.created_at,
                        "updated_at": public.created_at,
                    }
                    for draft in drafts
                ],
            )
