"""Branches, tags, commits and revisions: names that point at commits, and the commits' history.

A branch moves only when a draft on it is committed; a tag never moves. Deleting either
removes only the name. The default branch cannot be deleted (403 ``Forbidden``), and a
tag must point at a commit (a revision with no commit is a 400).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select

from mock_server.core import errors
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.versions.base import COMMIT_FIELDS, VersionBase, versions_tag
from mock_server.resources.versions.models import (
    BranchList,
    CommitList,
    CommitPublic,
    NamedCommit,
    RefCreate,
    RevisionPublic,
    TagList,
)
from mock_server.resources.versions.tables import BRANCH, COMMIT, TAG


class RefOperations(VersionBase):
    # ------------------------------------------------------------------ branches

    def create_branch(self, dataset: DatasetKey, body: RefCreate) -> NamedCommit:
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            _, commit_id = self.resolve(conn, dataset, body.revision)
            self.name_free(conn, dataset, body.name)
            conn.execute(
                insert(BRANCH).values(dataset_seq=dataset.seq, name=body.name, commit_id=commit_id)
            )
            return self.named(conn, dataset, body.name, commit_id)

    def list_branches(self, dataset: DatasetKey, offset: int, limit: int) -> BranchList:
        with self.db.read() as conn:
            rows = conn.execute(
                select(BRANCH.c.name, BRANCH.c.commit_id)
                .where(BRANCH.c.dataset_seq == dataset.seq)
                .order_by(BRANCH.c.seq)
            ).all()
            page = [
                self.named(conn, dataset, row.name, row.commit_id) for row in rows[offset:][:limit]
            ]
        return BranchList(
            branches=page, offset=offset, record_size=len(page), total_count=len(rows)
        )

    def get_branch(self, dataset: DatasetKey, name: str) -> NamedCommit:
        with self.db.read() as conn:
            return self.named(conn, dataset, name, self.branch_head(conn, dataset, name))

    def delete_branch(self, dataset: DatasetKey, name: str) -> None:
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            self.branch_head(conn, dataset, name)
            if name == dataset.public.default_branch:
                raise errors.Forbidden(
                    f"Branch '{name}' is the dataset's default branch and cannot be deleted."
                )
            conn.execute(
                delete(BRANCH).where(BRANCH.c.dataset_seq == dataset.seq, BRANCH.c.name == name)
            )

    # ------------------------------------------------------------------ tags

    def create_tag(self, dataset: DatasetKey, body: RefCreate) -> NamedCommit:
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            _, commit_id = self.resolve(conn, dataset, body.revision)
            if commit_id is None:
                raise errors.InvalidParams(
                    f"Revision '{body.revision}' has no commit yet: a tag must name a commit."
                )
            self.name_free(conn, dataset, body.name)
            conn.execute(
                insert(TAG).values(dataset_seq=dataset.seq, name=body.name, commit_id=commit_id)
            )
            return self.named(conn, dataset, body.name, commit_id)

    def list_tags(self, dataset: DatasetKey, offset: int, limit: int) -> TagList:
        with self.db.read() as conn:
            rows = conn.execute(
                select(TAG.c.name, TAG.c.commit_id)
                .where(TAG.c.dataset_seq == dataset.seq)
                .order_by(TAG.c.seq)
            ).all()
            page = [
                self.named(conn, dataset, row.name, row.commit_id) for row in rows[offset:][:limit]
            ]
        return TagList(tags=page, offset=offset, record_size=len(page), total_count=len(rows))

    def get_tag(self, dataset: DatasetKey, name: str) -> NamedCommit:
        with self.db.read() as conn:
            row = self.tag_row(conn, dataset, name)
            if row is None:
                raise errors.ResourceNotExist(f"Tag '{name}' does not exist.")
            return self.named(conn, dataset, name, row.commit_id)

    def delete_tag(self, dataset: DatasetKey, name: str) -> None:
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            gone = conn.execute(
                delete(TAG).where(TAG.c.dataset_seq == dataset.seq, TAG.c.name == name)
            ).rowcount
            if not gone:
                raise errors.ResourceNotExist(f"Tag '{name}' does not exist.")

    # ------------------------------------------------------------------ commits, revisions

    def get_revision(self, dataset: DatasetKey, revision: str) -> RevisionPublic:
        with self.db.read() as conn:
            kind, commit_id = self.resolve(conn, dataset, revision)
            fields = self.commit_public(conn, dataset, commit_id).model_dump()
        return RevisionPublic(type=kind, **fields)

    def get_commit(self, dataset: DatasetKey, commit_id: str) -> CommitPublic:
        with self.db.read() as conn:
            self.commit_seq(conn, dataset, commit_id)
            return self.commit_public(conn, dataset, commit_id)

    def list_commits(
        self, dataset: DatasetKey, revision: str | None, offset: int, limit: int
    ) -> CommitList:
        """The revision's commit, then its ancestors, newest first (the default branch's head
        when no revision is given)."""
        with self.db.read() as conn:
            if revision is None:
                head = self.branch_head(conn, dataset, dataset.public.default_branch)
            else:
                head = self.resolve(conn, dataset, revision)[1]
            history = self._history(conn, dataset, head)
        page = history[offset:][:limit]
        return CommitList(
            commits=page, offset=offset, record_size=len(page), total_count=len(history)
        )

    @staticmethod
    def _history(conn: Connection, dataset: DatasetKey, head: str | None) -> list[CommitPublic]:
        rows: dict[str, Any] = {
            row.id: row
            for row in conn.execute(select(COMMIT).where(COMMIT.c.dataset_seq == dataset.seq))
        }
        history: list[CommitPublic] = []
        current = head
        while current is not None and current in rows and len(history) <= len(rows):
            row = rows[current]
            history.append(
                CommitPublic(
                    commit_id=row.id, **{field: row._mapping[field] for field in COMMIT_FIELDS}
                )
            )
            current = row.parent_commit_id
        return history
