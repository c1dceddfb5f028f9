"""The storage_config table: a workspace's places for dataset files, one of them the default."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel


class BackendType(StrEnum):
    OSS = "OSS"
    S3 = "S3"
    AZURE = "AZURE"


class StorageConfigRow(SQLModel, table=True):
    __tablename__ = "storage_config"
    __table_args__ = (UniqueConstraint("workspace", "name"),)

    seq: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(
        sa_column=Column(
            String(128), ForeignKey("workspace.name", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = Field(max_length=128)
    backend_type: str = Field(default=BackendType.OSS.value, max_length=8)
    is_default: bool = False


STORAGE_CONFIG: Table = StorageConfigRow.__table__  # type: ignore[attr-defined]
