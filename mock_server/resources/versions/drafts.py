"""Drafts: open one on a branch, edit it, close it, or commit it into the branch's history.

A new draft gets the next number of its dataset, state OPEN, and the branch's head as
``parent_commit_id``; its sheets are that commit's, each on a new empty layer (so
opening a draft costs one row per sheet, whatever the sheets hold). Committing makes an
immutable commit of the draft's sheets, moves the branch (and the dataset's
``commit_id`` when it is the default branch) and marks the draft COMMITTED. A draft
whose branch moved since it was opened is not committed (409 ``NameConflict``, the only
409 the SDK knows): open a new draft on the new head.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, insert, select, update

from mock_server.core import errors
from mock_server.resources.datasets.store import DatasetKey, DatasetStore
from mock_server.resources.identity.models import Caller
from mock_server.resources.versions.base import VersionBase, draft_public, versions_tag
from mock_server.resources.versions.layers import has_own_rows, load_snapshot, new_snapshot
from mock_server.resources.versions.models import (
    CommitCreate,
    CommitPublic,
    DraftCreate,
    DraftList,
    DraftPublic,
    DraftState,
    DraftStateFilter,
    DraftUpdate,
)
from mock_server.resources.versions.tables import BRANCH, COMMIT, DRAFT, SHEET

SHEET_COPY = (
    "name",
    "schema",
    "avro_schema",
    "arrow_schema",
    "record_key_strategy",
    "created_at",
    "updated_at",
)


class DraftOperations(VersionBase):
    def create_draft(self, caller: Caller, dataset: DatasetKey, body: DraftCreate) -> DraftPublic:
        now = self.backend.clock.stamp()
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            branch = body.branch or dataset.public.default_branch
            head = self.branch_head(conn, dataset, branch)
            last = conn.execute(
                select(func.max(DRAFT.c.number)).where(DRAFT.c.dataset_seq == dataset.seq)
            ).scalar()
            values = {
                "dataset_seq": dataset.seq,
                "number": (last or 0) + 1,
                "branch": branch,
                "title": body.title,
                "status": DraftState.OPEN.value,
                "description": body.description or "",
                "parent_commit_id": head,
                "creator": caller.user,
                "created_at": now,
                "updated_at": now,
            }
            inserted = conn.execute(insert(DRAFT).values(values)).inserted_primary_key
            assert inserted is not None
            parent = None if head is None else self.commit_row(conn, dataset, head)
            if parent is not None:
                sheets = conn.execute(
                    select(SHEET).where(SHEET.c.commit_seq == parent.seq).order_by(SHEET.c.seq)
                ).all()
                for sheet in sheets:
                    layer = new_snapshot(conn, dataset.seq, load_snapshot(conn, sheet.snapshot_seq))
                    copied = {column: sheet._mapping[column] for column in SHEET_COPY}
                    conn.execute(
                        insert(SHEET).values(
                            dataset_seq=dataset.seq,
                            draft_seq=inserted[0],
                            snapshot_seq=layer.seq,
                            **copied,
                        )
                    )
        return draft_public(SimpleNamespace(**values))

    def list_drafts(
        self,
        dataset: DatasetKey,
        state: DraftStateFilter,
        branch: str | None,
        offset: int,
        limit: int,
    ) -> DraftList:
        query = select(DRAFT).where(DRAFT.c.dataset_seq == dataset.seq)
        if state != DraftStateFilter.ALL:
            query = query.where(DRAFT.c.status == state.value)
        if branch is not None:
            query = query.where(DRAFT.c.branch == branch)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(DRAFT.c.number)).all()
        page = [draft_public(row) for row in rows[offset:][:limit]]
        return DraftList(drafts=page, offset=offset, record_size=len(page), total_count=len(rows))

    def get_draft(self, dataset: DatasetKey, number: int) -> DraftPublic:
        with self.db.read() as conn:
            return draft_public(self.draft_row(conn, dataset, number))

    def update_draft(self, dataset: DatasetKey, number: int, body: DraftUpdate) -> DraftPublic:
        """Change the title or description of an OPEN draft, or close it."""
        if body.state not in (None, DraftState.OPEN, DraftState.CLOSED):
            raise errors.InvalidParams("A draft's state can only be set to CLOSED.")
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            row = self.open_draft(conn, dataset, number)
            changes: dict[str, str] = {}
            if body.state == DraftState.CLOSED:
                changes["status"] = DraftState.CLOSED.value
            if body.title is not None and body.title != row.title:
                changes["title"] = body.title
            if body.description is not None and body.description != row.description:
                changes["description"] = body.description
            if changes:
                changes["updated_at"] = self.backend.clock.stamp()
                conn.execute(update(DRAFT).where(DRAFT.c.seq == row.seq).values(changes))
            return draft_public(self.draft_row(conn, dataset, number))

    def commit_draft(self, caller: Caller, dataset: DatasetKey, body: CommitCreate) -> CommitPublic:
        datasets = self.backend.get(DatasetStore)
        tags = (versions_tag(dataset.seq), *datasets.tags_of(dataset))
        now = self.backend.clock.stamp()
        with self.db.write(tags) as conn:
            draft = self.open_draft(conn, dataset, body.draft_number)
            head = self.branch_head(conn, dataset, draft.branch)
            if head != draft.parent_commit_id:
                raise errors.NameConflict(
                    f"Branch '{draft.branch}' moved since draft {draft.number} was opened "
                    f"(its head is now {head}): open a new draft on it and commit that."
                )
            commit_id = self.new_id(conn, COMMIT)
            inserted = conn.execute(
                insert(COMMIT).values(
                    dataset_seq=dataset.seq,
                    id=commit_id,
                    parent_commit_id=head,
                    title=body.title,
                    description=body.description or "",
                    committer=caller.user,
                    committed_at=now,
                )
            ).inserted_primary_key
            assert inserted is not None
            sheets = conn.execute(
                select(SHEET).where(SHEET.c.draft_seq == draft.seq).order_by(SHEET.c.seq)
            ).all()
            for sheet in sheets:
                snap = load_snapshot(conn, sheet.snapshot_seq)
                # A layer the draft never wrote to adds nothing: share its base instead.
                if snap.bases and not has_own_rows(conn, snap.seq):
                    snapshot_seq = snap.bases[0]
                else:
                    snapshot_seq = snap.seq
                copied = {column: sheet._mapping[column] for column in SHEET_COPY}
                conn.execute(
                    insert(SHEET).values(
                        dataset_seq=dataset.seq,
                        commit_seq=inserted[0],
                        snapshot_seq=snapshot_seq,
                        **copied,
                    )
                )
            conn.execute(
                update(DRAFT)
                .where(DRAFT.c.seq == draft.seq)
                .values(status=DraftState.COMMITTED.value, updated_at=now)
            )
            conn.execute(
                update(BRANCH)
                .where(BRANCH.c.dataset_seq == dataset.seq, BRANCH.c.name == draft.branch)
                .values(commit_id=commit_id)
            )
            datasets.move_head(conn, dataset.seq, draft.branch, commit_id)
            return self.commit_public(conn, dataset, commit_id)
