"""Action tables: a dataset's actions and their runs.

An action's ``(dataset_seq, name)`` is unique and a run's ``(action_seq, number)`` is
unique; both go with their dataset (``ON DELETE CASCADE``). A run's arguments and its
nodes (each with its log text) are JSON text, written and read whole with the run.
``hold_status`` and ``fail_next`` are the test double's script for the action's next
runs; being columns, they are reset, seeded and snapshotted with the rest.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ActionState(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class RunStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


ENDED = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED})


class ActionRow(SQLModel, table=True):
    __tablename__ = "action"
    __table_args__ = (UniqueConstraint("dataset_seq", "name"),)

    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    id: str = Field(unique=True, max_length=32)
    dataset_seq: int = Field(
        sa_column=Column(Integer, ForeignKey("dataset.seq", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=128)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    edition: int = 1
    state: str = Field(default=ActionState.ENABLED.value, max_length=8)
    created_at: str = Field(max_length=20)
    hold_status: str | None = Field(default=None, max_length=16)
    fail_next: int = 0


class ActionRunRow(SQLModel, table=True):
    __tablename__ = "action_run"
    __table_args__ = (UniqueConstraint("action_seq", "number"),)

    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    id: str = Field(unique=True, max_length=32)
    action_seq: int = Field(
        sa_column=Column(Integer, ForeignKey("action.seq", ondelete="CASCADE"), nullable=False)
    )
    number: int
    name: str = Field(max_length=256)
    workflow_id: str = Field(max_length=256)
    status: str = Field(max_length=16)
    arguments: str = Field(sa_column=Column(Text, nullable=False))
    started_at: str = Field(max_length=20)
    ended_at: str | None = Field(default=None, max_length=20)
    nodes: str = Field(sa_column=Column(Text, nullable=False))


ACTION: Table = ActionRow.__table__  # type: ignore[attr-defined]
ACTION_RUN: Table = ActionRunRow.__table__  # type: ignore[attr-defined]
