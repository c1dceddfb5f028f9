"""The dataset table (its branches and drafts belong to the versions resource)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from mock_server.resources.storage_configs.tables import BackendType


class DatasetRow(SQLModel, table=True):
    __tablename__ = "dataset"
    # The unique pair is what makes 16 concurrent creates of one name give one winner,
    # across threads, workers and replicas alike.
    __table_args__ = (
        UniqueConstraint("workspace", "name"),
        Index("ix_dataset_workspace_seq", "workspace", "seq"),
    )

    # Creation order: listings are ordered by it, so they stay stable while paged.
    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    id: str = Field(unique=True, max_length=32)
    workspace: str = Field(
        sa_column=Column(
            String(128), ForeignKey("workspace.name", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = Field(max_length=128)
    alias: str = ""
    default_branch: str = "main"
    commit_id: str | None = None
    cover_url: str = ""
    creator: str = ""
    created_at: str = Field(max_length=20)
    updated_at: str = Field(max_length=20)
    is_public: bool = False
    storage_config: str = ""
    backend_type: str = Field(default=BackendType.OSS.value, max_length=8)


DATASET: Table = DatasetRow.__table__  # type: ignore[attr-defined]
