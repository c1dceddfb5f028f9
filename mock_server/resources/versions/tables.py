"""Version tables: branches, tags, drafts, commits, sheets, and the copy-on-write record store.

A sheet's records live in a *snapshot*: a layer of delta rows (``sheet_record``, keyed
``(snapshot_seq, rkey)``; ``data`` is the row as JSON, or NULL for a deleted key) on top
of its base snapshots. ``bases`` lists the layers below, nearest first, so a snapshot's
chain is ``[seq, *bases]``; a key's value is the row of the first layer in that chain
that holds it. A layer is always created after its bases, so along a chain the deepest
layer has the highest ``seq``; ``seq`` is never reused (SQLite AUTOINCREMENT, PostgreSQL
sequences), so cached indexes keyed by it cannot go stale.

A draft opens one new empty layer per sheet of its parent commit; committing shares the
draft's layers with the commit (a layer the draft never wrote to is skipped, and the
commit points at its base). Layers a commit points at are never written again.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def _dataset_fk() -> Column[int]:
    return Column(Integer, ForeignKey("dataset.seq", ondelete="CASCADE"), nullable=False)


class BranchRow(SQLModel, table=True):
    __tablename__ = "branch"
    __table_args__ = (UniqueConstraint("dataset_seq", "name"),)

    seq: int | None = Field(default=None, primary_key=True)
    dataset_seq: int = Field(sa_column=_dataset_fk())
    name: str = Field(max_length=128)
    # The head; NULL while the branch has no commit.
    commit_id: str | None = None


class DraftRow(SQLModel, table=True):
    __tablename__ = "draft"
    __table_args__ = (Index("ux_draft_number", "dataset_seq", "number", unique=True),)

    seq: int | None = Field(default=None, primary_key=True)
    dataset_seq: int = Field(sa_column=_dataset_fk())
    number: int
    branch: str = "main"
    title: str = ""
    # OPEN, CLOSED or COMMITTED (served as ``state``).
    status: str = "OPEN"
    description: str = ""
    parent_commit_id: str | None = None
    creator: str = ""
    created_at: str = ""
    updated_at: str = ""


class CommitRow(SQLModel, table=True):
    __tablename__ = "dataset_commit"
    __table_args__ = (Index("ix_dataset_commit_dataset", "dataset_seq", "seq"),)

    seq: int | None = Field(default=None, primary_key=True)
    dataset_seq: int = Field(sa_column=_dataset_fk())
    id: str = Field(unique=True, max_length=32)
    parent_commit_id: str | None = None
    title: str = ""
    description: str = ""
    committer: str = ""
    committed_at: str = Field(max_length=20)


class TagRow(SQLModel, table=True):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("dataset_seq", "name"),)

    seq: int | None = Field(default=None, primary_key=True)
    dataset_seq: int = Field(sa_column=_dataset_fk())
    name: str = Field(max_length=128)
    commit_id: str = Field(max_length=32)


class SnapshotRow(SQLModel, table=True):
    __tablename__ = "sheet_snapshot"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    dataset_seq: int = Field(sa_column=_dataset_fk())
    # The layers below, nearest first, comma-separated; "" for a root.
    bases: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Live records of the whole chain, and the next key this sheet hands out.
    record_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    next_key: int = Field(default=1, sa_column=Column(BigInteger, nullable=False))


class SheetRow(SQLModel, table=True):
    """A sheet as one draft or one commit holds it (exactly one of the two owners is set)."""

    __tablename__ = "sheet"
    __table_args__ = (
        UniqueConstraint("draft_seq", "name"),
        UniqueConstraint("commit_seq", "name"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    dataset_seq: int = Field(sa_column=_dataset_fk())
    draft_seq: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("draft.seq", ondelete="CASCADE"), nullable=True),
    )
    commit_seq: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("dataset_commit.seq", ondelete="CASCADE"), nullable=True
        ),
    )
    name: str = Field(max_length=128)
    schema_text: str = Field(sa_column=Column("schema", Text, nullable=False))
    avro_schema: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    arrow_schema: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    record_key_strategy: str | None = None
    created_at: str = Field(max_length=20)
    updated_at: str = Field(max_length=20)
    snapshot_seq: int = Field(
        sa_column=Column(
            Integer, ForeignKey("sheet_snapshot.seq", ondelete="CASCADE"), nullable=False
        )
    )


class RecordRow(SQLModel, table=True):
    __tablename__ = "sheet_record"

    snapshot_seq: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("sheet_snapshot.seq", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    rkey: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # The row as JSON; NULL marks the key deleted in this layer.
    data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


BRANCH: Table = BranchRow.__table__  # type: ignore[attr-defined]
DRAFT: Table = DraftRow.__table__  # type: ignore[attr-defined]
COMMIT: Table = CommitRow.__table__  # type: ignore[attr-defined]
TAG: Table = TagRow.__table__  # type: ignore[attr-defined]
SNAPSHOT: Table = SnapshotRow.__table__  # type: ignore[attr-defined]
SHEET: Table = SheetRow.__table__  # type: ignore[attr-defined]
RECORD: Table = RecordRow.__table__  # type: ignore[attr-defined]

TABLES = (BRANCH, DRAFT, COMMIT, TAG, SNAPSHOT, SHEET, RECORD)

__all__ = ["BRANCH", "COMMIT", "DRAFT", "RECORD", "SHEET", "SNAPSHOT", "TABLES", "TAG"]
