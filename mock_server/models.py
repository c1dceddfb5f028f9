"""SQLModel tables (the schema) and the wire models of each resource."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

NAME_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
NAME_RE = re.compile(NAME_PATTERN)
ALIAS_MAX = 256
# No control characters (C0, DEL, C1) in free text such as an alias.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
Alias = Annotated[str, StringConstraints(max_length=ALIAS_MAX, pattern=TEXT_PATTERN)]


class BackendType(StrEnum):
    OSS = "OSS"
    S3 = "S3"
    AZURE = "AZURE"


class WorkspaceType(StrEnum):
    USER = "USER"
    TEAM = "TEAM"


# ---------------------------------------------------------------------------- tables


class WorkspaceRow(SQLModel, table=True):
    __tablename__ = "workspace"

    name: str = SQLField(primary_key=True, max_length=128)
    id: str = SQLField(unique=True, max_length=32)
    type: str = SQLField(default=WorkspaceType.USER.value, max_length=8)
    alias: str = ""
    description: str = ""
    email: str = ""
    location: str = ""


class UserRow(SQLModel, table=True):
    __tablename__ = "account"

    name: str = SQLField(primary_key=True, max_length=128)
    id: str = SQLField(unique=True, max_length=32)
    workspace: str = SQLField(
        sa_column=Column(String(128), ForeignKey("workspace.name", ondelete="CASCADE"))
    )
    nickname: str = ""
    email: str = ""
    mobile: str = ""
    description: str = ""
    team: str | None = None


class AccessKeyRow(SQLModel, table=True):
    __tablename__ = "access_key"

    key: str = SQLField(primary_key=True, max_length=256)
    user: str = SQLField(
        sa_column=Column(
            String(128), ForeignKey("account.name", ondelete="CASCADE"), nullable=False
        )
    )


class StorageConfigRow(SQLModel, table=True):
    __tablename__ = "storage_config"
    __table_args__ = (UniqueConstraint("workspace", "name"),)

    seq: int | None = SQLField(default=None, primary_key=True)
    workspace: str = SQLField(
        sa_column=Column(
            String(128), ForeignKey("workspace.name", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = SQLField(max_length=128)
    backend_type: str = SQLField(default=BackendType.OSS.value, max_length=8)
    is_default: bool = False


class DatasetRow(SQLModel, table=True):
    __tablename__ = "dataset"
    # The unique pair is what makes 16 concurrent creates of one name give one winner,
    # across threads, workers and replicas alike.
    __table_args__ = (
        UniqueConstraint("workspace", "name"),
        Index("ix_dataset_workspace_seq", "workspace", "seq"),
    )

    # Creation order: listings are ordered by it, so they stay stable while paged.
    seq: int | None = SQLField(default=None, sa_column=Column(Integer, primary_key=True))
    id: str = SQLField(unique=True, max_length=32)
    workspace: str = SQLField(
        sa_column=Column(
            String(128), ForeignKey("workspace.name", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = SQLField(max_length=128)
    alias: str = ""
    default_branch: str = "main"
    commit_id: str | None = None
    cover_url: str = ""
    creator: str = ""
    created_at: str = SQLField(max_length=20)
    updated_at: str = SQLField(max_length=20)
    is_public: bool = False
    storage_config: str = ""
    backend_type: str = SQLField(default=BackendType.OSS.value, max_length=8)


class BranchRow(SQLModel, table=True):
    __tablename__ = "branch"
    __table_args__ = (UniqueConstraint("dataset_seq", "name"),)

    seq: int | None = SQLField(default=None, primary_key=True)
    dataset_seq: int = SQLField(
        sa_column=Column(Integer, ForeignKey("dataset.seq", ondelete="CASCADE"), nullable=False)
    )
    name: str = SQLField(max_length=128)
    commit_id: str | None = None


class DraftRow(SQLModel, table=True):
    __tablename__ = "draft"

    seq: int | None = SQLField(default=None, primary_key=True)
    dataset_seq: int = SQLField(
        sa_column=Column(Integer, ForeignKey("dataset.seq", ondelete="CASCADE"), nullable=False)
    )
    number: int
    branch: str = "main"
    title: str = ""
    status: str = "OPEN"


# ---------------------------------------------------------------------------- wire models


class StrictBody(BaseModel):
    """Request bodies: exact JSON types, unknown fields ignored (as the service does)."""

    model_config = ConfigDict(strict=True, extra="ignore")


class DatasetCreate(StrictBody):
    name: Name
    alias: Alias = ""
    storage_config: Name | None = None
    with_draft: bool | None = None


class DatasetUpdate(StrictBody):
    name: Name | None = None
    alias: Alias | None = None
    default_branch: Name | None = None


class DatasetPublic(BaseModel):
    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    name: str
    alias: str
    workspace: str
    default_branch: str
    commit_id: str | None
    cover_url: str
    creator: str
    created_at: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    updated_at: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    is_public: bool
    storage_config: str
    backend_type: BackendType


class DatasetList(BaseModel):
    datasets: list[DatasetPublic]
    offset: int
    record_size: int
    total_count: int


class WorkspacePublic(BaseModel):
    id: str
    type: WorkspaceType
    name: str
    alias: str
    description: str
    email: str
    location: str


class UserPublic(BaseModel):
    id: str
    nickname: str
    email: str
    mobile: str
    description: str
    workspace: str
    team: str | None


DATASET_FIELDS: tuple[str, ...] = tuple(DatasetPublic.model_fields)
