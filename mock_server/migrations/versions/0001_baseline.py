"""The schema of release 0.1.0: identity, storage configs, datasets, branches, drafts.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _texts(*names: str) -> list[sa.Column[str]]:
    return [sa.Column(name, sa.String(), nullable=False) for name in names]


def _named() -> list[sa.Column[str]]:
    return [
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
    ]


def _owner(name: str, type_: sa.types.TypeEngine[Any], target: str) -> sa.Column[Any]:
    """A column naming the row this one belongs to, deleted with it."""
    return sa.Column(name, type_, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "workspace",
        *_named(),
        sa.Column("type", sa.String(8), nullable=False),
        *_texts("alias", "description", "email", "location"),
    )
    op.create_table(
        "account",
        *_named(),
        sa.Column("workspace", sa.String(128), sa.ForeignKey("workspace.name", ondelete="CASCADE")),
        *_texts("nickname", "email", "mobile", "description"),
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
        _owner("workspace", sa.String(128), "workspace.name"),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("backend_type", sa.String(8), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("workspace", "name"),
    )
    op.create_table(
        "dataset",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        _owner("workspace", sa.String(128), "workspace.name"),
        sa.Column("name", sa.String(128), nullable=False),
        *_texts("alias", "default_branch"),
        sa.Column("commit_id", sa.String(), nullable=True),
        *_texts("cover_url", "creator"),
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
        _owner("dataset_seq", sa.Integer(), "dataset.seq"),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("commit_id", sa.String(), nullable=True),
        sa.UniqueConstraint("dataset_seq", "name"),
    )
    op.create_table(
        "draft",
        sa.Column("seq", sa.Integer(), primary_key=True),
        _owner("dataset_seq", sa.Integer(), "dataset.seq"),
        sa.Column("number", sa.Integer(), nullable=False),
        *_texts("branch", "title", "status"),
    )


def downgrade() -> None:
    for table in ("draft", "branch", "dataset", "storage_config", "access_key", "account"):
        op.drop_table(table)
    op.drop_table("workspace")
