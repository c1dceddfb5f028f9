"""What every family of version operations shares: lookups with their 404/403 rules, and shapes.

Rules decided here (written down in the README):
- a revision names a branch first, then a tag, then a commit id of the dataset; branch
  and tag names share one namespace, so only a seed can make a branch and a tag collide;
- a branch with no commit answers ``commit_id``/``parent_commit_id`` null, empty
  ``title``/``description``/``committer`` and the dataset's ``created_at`` as
  ``committed_at``;
- writes go only to an OPEN draft: any other is 403 ``Forbidden``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from mock_server.core import errors
from mock_server.core.backend import Store
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.versions.models import (
    CommitPublic,
    DraftPublic,
    DraftState,
    NamedCommit,
    RevisionType,
)
from mock_server.resources.versions.tables import BRANCH, COMMIT, DRAFT, SHEET, TAG

COMMIT_FIELDS = ("parent_commit_id", "title", "description", "committer", "committed_at")


def versions_tag(dataset_seq: int) -> str:
    return f"versions:{dataset_seq}"


def draft_public(row: Any) -> DraftPublic:
    return DraftPublic(
        number=row.number,
        title=row.title,
        description=row.description,
        branch=row.branch,
        state=DraftState(row.status),
        parent_commit_id=row.parent_commit_id,
        creator=row.creator,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class VersionBase(Store):
    """Lookups inside one dataset, each raising the error its absence is."""

    # ------------------------------------------------------------------ commits

    @staticmethod
    def commit_row(conn: Connection, dataset: DatasetKey, commit_id: str) -> Row[Any] | None:
        return conn.execute(
            select(COMMIT).where(COMMIT.c.dataset_seq == dataset.seq, COMMIT.c.id == commit_id)
        ).first()

    def commit_public(
        self, conn: Connection, dataset: DatasetKey, commit_id: str | None
    ) -> CommitPublic:
        """A commit's fields; an empty branch's (or an unknown seeded head's) are blank."""
        row = None if commit_id is None else self.commit_row(conn, dataset, commit_id)
        if row is None:
            return CommitPublic(
                commit_id=commit_id,
                parent_commit_id=None,
                title="",
                description="",
                committer="",
                committed_at=dataset.public.created_at,
            )
        return CommitPublic(
            commit_id=row.id, **{field: row._mapping[field] for field in COMMIT_FIELDS}
        )

    def named(
        self, conn: Connection, dataset: DatasetKey, name: str, commit_id: str | None
    ) -> NamedCommit:
        return NamedCommit(name=name, **self.commit_public(conn, dataset, commit_id).model_dump())

    # ------------------------------------------------------------------ branches, tags, revisions

    @staticmethod
    def branch_row(conn: Connection, dataset: DatasetKey, name: str) -> Row[Any] | None:
        return conn.execute(
            select(BRANCH).where(BRANCH.c.dataset_seq == dataset.seq, BRANCH.c.name == name)
        ).first()

    def branch_head(self, conn: Connection, dataset: DatasetKey, name: str) -> str | None:
        row = self.branch_row(conn, dataset, name)
        if row is None:
            raise errors.ResourceNotExist(
                f"Branch '{name}' does not exist in dataset '{dataset.workspace}/{dataset.name}'."
            )
        head: str | None = row.commit_id
        return head

    @staticmethod
    def tag_row(conn: Connection, dataset: DatasetKey, name: str) -> Row[Any] | None:
        return conn.execute(
            select(TAG).where(TAG.c.dataset_seq == dataset.seq, TAG.c.name == name)
        ).first()

    def resolve(
        self, conn: Connection, dataset: DatasetKey, revision: str
    ) -> tuple[RevisionType, str | None]:
        """What ``revision`` names: a branch, else a tag, else a commit id; 404 otherwise."""
        branch = self.branch_row(conn, dataset, revision)
        if branch is not None:
            return RevisionType.BRANCH, branch.commit_id
        tag = self.tag_row(conn, dataset, revision)
        if tag is not None:
            return RevisionType.TAG, tag.commit_id
        if self.commit_row(conn, dataset, revision) is not None:
            return RevisionType.COMMIT, revision
        raise errors.ResourceNotExist(
            f"Revision '{revision}' is neither a branch, a tag nor a commit of dataset "
            f"'{dataset.workspace}/{dataset.name}'."
        )

    def name_free(self, conn: Connection, dataset: DatasetKey, name: str) -> None:
        """409 if a branch or a tag of the dataset is called ``name``."""
        if self.branch_row(conn, dataset, name) is not None:
            raise errors.NameConflict(f"A branch called '{name}' already exists.")
        if self.tag_row(conn, dataset, name) is not None:
            raise errors.NameConflict(f"A tag called '{name}' already exists.")

    # ------------------------------------------------------------------ drafts and sheets

    @staticmethod
    def draft_row(conn: Connection, dataset: DatasetKey, number: int) -> Row[Any]:
        row = conn.execute(
            select(DRAFT).where(DRAFT.c.dataset_seq == dataset.seq, DRAFT.c.number == number)
        ).first()
        if row is None:
            raise errors.ResourceNotExist(
                f"Draft {number} does not exist in dataset '{dataset.workspace}/{dataset.name}'."
            )
        return row

    def open_draft(self, conn: Connection, dataset: DatasetKey, number: int) -> Row[Any]:
        row = self.draft_row(conn, dataset, number)
        if row.status != DraftState.OPEN:
            raise errors.Forbidden(
                f"Draft {number} is {row.status}: only an OPEN draft can be changed."
            )
        return row

    @staticmethod
    def sheet_row(
        conn: Connection, *, draft_seq: int | None = None, commit_seq: int | None = None, name: str
    ) -> Row[Any]:
        owner = (
            SHEET.c.draft_seq == draft_seq
            if draft_seq is not None
            else (SHEET.c.commit_seq == commit_seq)
        )
        row = conn.execute(select(SHEET).where(owner, SHEET.c.name == name)).first()
        if row is None:
            raise errors.ResourceNotExist(f"Sheet '{name}' does not exist.")
        return row

    def commit_seq(self, conn: Connection, dataset: DatasetKey, commit_id: str) -> int:
        row = self.commit_row(conn, dataset, commit_id)
        if row is None:
            raise errors.ResourceNotExist(
                f"Commit '{commit_id}' does not exist in dataset "
                f"'{dataset.workspace}/{dataset.name}'."
            )
        seq: int = row.seq
        return seq
