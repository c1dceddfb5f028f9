"""The dataset's request, response and seed models: each field declared once."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mock_server.core.names import (
    ALIAS_MAX,
    ID_PATTERN,
    NAME_PATTERN,
    TEXT_PATTERN,
    WIRE_TIME_PATTERN,
    Alias,
    Name,
)
from mock_server.core.seeds import SeedModel, wire_time
from mock_server.resources.storage_configs.tables import BackendType


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
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    name: str
    alias: str
    workspace: str
    default_branch: str
    commit_id: str | None
    cover_url: str
    creator: str
    created_at: str = Field(pattern=WIRE_TIME_PATTERN)
    updated_at: str = Field(pattern=WIRE_TIME_PATTERN)
    is_public: bool
    storage_config: str
    backend_type: BackendType


class DatasetList(BaseModel):
    model_config = ConfigDict(frozen=True)

    datasets: list[DatasetPublic]
    offset: int
    record_size: int
    total_count: int


DATASET_FIELDS: tuple[str, ...] = tuple(DatasetPublic.model_fields)


class BranchSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    commit_id: str | None = None


class DraftSeed(SeedModel):
    number: int = Field(ge=1)
    branch: str = Field(default="main", pattern=NAME_PATTERN)
    title: str = ""
    status: Literal["OPEN", "CLOSED", "COMMITTED"] = "OPEN"


class DatasetSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    workspace: str = Field(pattern=NAME_PATTERN)
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    alias: str = Field(default="", max_length=ALIAS_MAX, pattern=TEXT_PATTERN)
    default_branch: str = Field(default="main", pattern=NAME_PATTERN)
    commit_id: str | None = None
    cover_url: str = ""
    creator: str = Field(default="", description="A user name; defaults to none")
    created_at: str | None = Field(default=None, description="Defaults to the mock's clock")
    updated_at: str | None = Field(default=None, description="Defaults to created_at")
    is_public: bool = False
    storage_config: str | None = Field(
        default=None, description="Defaults to the workspace's default storage config"
    )
    backend_type: BackendType | None = Field(
        default=None, description="Defaults to the storage config's"
    )
    branches: list[BranchSeed] = Field(
        default_factory=list, description="The default branch is added if missing"
    )
    drafts: list[DraftSeed] = Field(default_factory=list)

    _times = field_validator("created_at", "updated_at", mode="before")(wire_time)
