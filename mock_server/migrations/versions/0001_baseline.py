"""The schema of release 0.1.0: identity, storage configs, datasets, branches, drafts.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
    )
    op.create_table(
        "account",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("workspace", sa.String(128), sa.ForeignKey("workspace.name", ondelete="CASCADE")),
        sa.Column("nickname", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("mobile", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("team", sa.String(), nullable=True),
    )
    op.create_table(
        "access_key",
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column(
            "user",
            sa.String(128),
            sa.ForeignKey("account.name", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_table(
        "storage_config",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace",
            sa.String(128),
            sa.ForeignKey("workspace.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("backend_type", sa.String(8), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("workspace", "name"),
    )
    op.create_table(
        "dataset",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "workspace",
            sa.String(128),
            sa.ForeignKey("workspace.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("default_branch", sa.String(), nullable=False),
        sa.Column("commit_id", sa.String(), nullable=True),
        sa.Column("cover_url", sa.String(), nullable=False),
        sa.Column("creator", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.String(20), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("storage_config", sa.String(), nullable=False),
        sa.Column("backend_type", sa.String(8), nullable=False),
        sa.UniqueConstraint("workspace", "name"),
    )
    op.create_index("ix_dataset_workspace_seq", "dataset", ["workspace", "seq"])
    op.create_table(
        "branch",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column(
            "dataset_seq",
            sa.Integer(),
            sa.ForeignKey("dataset.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("commit_id", sa.String(), nullable=True),
        sa.UniqueConstraint("dataset_seq", "name"),
    )
    op.create_table(
        "draft",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column(
            "dataset_seq",
            sa.Integer(),
            sa.ForeignKey("dataset.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
    )


def downgrade() -> None:
    for table in ("draft", "branch", "dataset", "storage_config", "access_key", "account"):
        op.drop_table(table)
    op.drop_table("workspace")
