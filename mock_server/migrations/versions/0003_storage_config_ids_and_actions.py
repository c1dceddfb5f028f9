"""Storage configs get an id and a config type; actions and their runs.

Existing storage configs get the id the server derives from their workspace's id and
their name, and ``GRAVITI`` as their type.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("storage_config", sa.Column("id", sa.String(32), nullable=True))
    op.add_column(
        "storage_config",
        sa.Column("config_type", sa.String(16), nullable=False, server_default="GRAVITI"),
    )
    conn = op.get_bind()
    configs = sa.table(
        "storage_config",
        sa.column("seq", sa.Integer),
        sa.column("id", sa.String),
        sa.column("workspace", sa.String),
        sa.column("name", sa.String),
    )
    workspaces = sa.table("workspace", sa.column("name", sa.String), sa.column("id", sa.String))
    rows = conn.execute(
        sa.select(configs.c.seq, configs.c.name, workspaces.c.id).join(
            workspaces, workspaces.c.name == configs.c.workspace
        )
    ).all()
    for seq, name, workspace_id in rows:
        # The id the server derives for a config of that workspace and name.
        derived = hashlib.md5(f"storage-config:{workspace_id}:{name}".encode()).hexdigest()
        conn.execute(configs.update().where(configs.c.seq == seq).values(id=derived))
    # SQLite cannot change a column in place: batch mode rebuilds the table.
    with op.batch_alter_table("storage_config") as batch:
        batch.alter_column("id", existing_type=sa.String(32), nullable=False)
        batch.alter_column("config_type", existing_type=sa.String(16), server_default=None)
        batch.create_unique_constraint("uq_storage_config_id", ["id"])

    op.create_table(
        "action",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "dataset_seq",
            sa.Integer(),
            sa.ForeignKey("dataset.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("created_at", sa.String(20), nullable=False),
        sa.Column("hold_status", sa.String(16), nullable=True),
        sa.Column("fail_next", sa.Integer(), nullable=False),
        sa.UniqueConstraint("dataset_seq", "name"),
    )
    op.create_table(
        "action_run",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "action_seq",
            sa.Integer(),
            sa.ForeignKey("action.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("workflow_id", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.Column("started_at", sa.String(20), nullable=False),
        sa.Column("ended_at", sa.String(20), nullable=True),
        sa.Column("nodes", sa.Text(), nullable=False),
        sa.UniqueConstraint("action_seq", "number"),
    )


def downgrade() -> None:
    op.drop_table("action_run")
    op.drop_table("action")
    with op.batch_alter_table("storage_config") as batch:
        batch.drop_constraint("uq_storage_config_id", type_="unique")
        batch.drop_column("config_type")
        batch.drop_column("id")
