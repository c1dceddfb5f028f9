"""Search history request, response and seed models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mock_server.core.names import ID_PATTERN, NAME_PATTERN, WIRE_TIME_PATTERN, Name
from mock_server.core.seeds import SeedModel, wire_time
from mock_server.resources.datasets.models import StrictBody


class SearchCreate(StrictBody):
    sheet: Name
    criteria: dict[str, Any]
    commit_id: str | None = None
    draft_number: int | None = None


class SearchHistoryPublic(BaseModel):
    """A search history; a commit's has ``commit_id``, a draft's ``draft_number`` instead."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    commit_id: str | None = Field(default=None, description="Only in a commit's search")
    draft_number: int | None = Field(default=None, description="Only in a draft's search")
    sheet: str
    criteria: dict[str, Any]
    creator: str
    created_at: str = Field(pattern=WIRE_TIME_PATTERN)
    record_count: int | None


class SearchHistoryList(BaseModel):
    searches: list[SearchHistoryPublic]
    offset: int
    record_size: int
    total_count: int


class SearchRecords(BaseModel):
    records: list[dict[str, Any]]


class SearchSeed(SeedModel):
    workspace: str = Field(pattern=NAME_PATTERN)
    dataset: str = Field(pattern=NAME_PATTERN)
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    commit_id: str | None = Field(default=None, pattern=ID_PATTERN)
    draft_number: int | None = Field(default=None, ge=1)
    sheet: str = Field(pattern=NAME_PATTERN)
    criteria: dict[str, Any]
    creator: str = ""
    created_at: str | None = Field(default=None, description="Defaults to the mock's clock")

    _times = field_validator("created_at", mode="before")(wire_time)
