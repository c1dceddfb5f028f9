"""Search histories.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_history",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column(
            "dataset_seq",
            sa.Integer(),
            sa.ForeignKey("dataset.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("commit_id", sa.String(32), nullable=True),
        sa.Column("draft_number", sa.Integer(), nullable=True),
        sa.Column("sheet", sa.String(128), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("creator", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(20), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_search_history_dataset_seq", "search_history", ["dataset_seq", "seq"])


def downgrade() -> None:
    op.drop_index("ix_search_history_dataset_seq", "search_history")
    op.drop_table("search_history")
