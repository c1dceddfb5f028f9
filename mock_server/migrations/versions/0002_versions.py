"""Versioned data: drafts grow their description, parent, creator and times; commits, tags,
sheets and the copy-on-write record store are added.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _dataset_fk() -> sa.Column[int]:
    return sa.Column(
        "dataset_seq",
        sa.Integer(),
        sa.ForeignKey("dataset.seq", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    for name, nullable in (
        ("description", False),
        ("parent_commit_id", True),
        ("creator", False),
        ("created_at", False),
        ("updated_at", False),
    ):
        op.add_column(
            "draft",
            sa.Column(
                name, sa.String(), nullable=nullable, server_default=None if nullable else ""
            ),
        )
    # Drafts of release 0.1.0 had no times: they take their dataset's creation time.
    op.execute(
        "UPDATE draft SET created_at = (SELECT created_at FROM dataset "
        "WHERE dataset.seq = draft.dataset_seq), updated_at = (SELECT created_at FROM dataset "
        "WHERE dataset.seq = draft.dataset_seq)"
    )
    op.create_index("ux_draft_number", "draft", ["dataset_seq", "number"], unique=True)
    op.create_table(
        "dataset_commit",
        sa.Column("seq", sa.Integer(), primary_key=True),
        _dataset_fk(),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("parent_commit_id", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("committer", sa.String(), nullable=False),
        sa.Column("committed_at", sa.String(20), nullable=False),
    )
    op.create_index("ix_dataset_commit_dataset", "dataset_commit", ["dataset_seq", "seq"])
    op.create_table(
        "tag",
        sa.Column("seq", sa.Integer(), primary_key=True),
        _dataset_fk(),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("commit_id", sa.String(32), nullable=False),
        sa.UniqueConstraint("dataset_seq", "name"),
    )
    op.create_table(
        "sheet_snapshot",
        sa.Column("seq", sa.Integer(), primary_key=True),
        _dataset_fk(),
        sa.Column("bases", sa.Text(), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.Column("next_key", sa.BigInteger(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sheet",
        sa.Column("seq", sa.Integer(), primary_key=True),
        _dataset_fk(),
        sa.Column(
            "draft_seq", sa.Integer(), sa.ForeignKey("draft.seq", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "commit_seq",
            sa.Integer(),
            sa.ForeignKey("dataset_commit.seq", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("schema", sa.Text(), nullable=False),
        sa.Column("avro_schema", sa.Text(), nullable=False),
        sa.Column("arrow_schema", sa.Text(), nullable=True),
        sa.Column("record_key_strategy", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.String(20), nullable=False),
        sa.Column(
            "snapshot_seq",
            sa.Integer(),
            sa.ForeignKey("sheet_snapshot.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.UniqueConstraint("draft_seq", "name"),
        sa.UniqueConstraint("commit_seq", "name"),
    )
    op.create_table(
        "sheet_record",
        sa.Column(
            "snapshot_seq",
            sa.Integer(),
            sa.ForeignKey("sheet_snapshot.seq", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("rkey", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    for table in ("sheet_record", "sheet", "sheet_snapshot", "tag", "dataset_commit"):
        op.drop_table(table)
    op.drop_index("ux_draft_number", "draft")
    with op.batch_alter_table("draft") as batch:
        for name in ("updated_at", "created_at", "creator", "parent_commit_id", "description"):
            batch.drop_column(name)
