"""Wire models of branches, tags, commits, revisions, drafts, sheets and records."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from mock_server.core.names import FreeText, Name
from mock_server.resources.datasets.models import StrictBody

# Schemas and row lists are bounded by the request body limit alone (a 413), so that
# no declared bound can only be broken by a body over that limit.
# Free text (titles, descriptions): any string up to this length.
TEXT_MAX = 4096
# Rows to append: documented as objects, passed on as parsed (no copy of every row): the
# schema check (``conform_rows``) refuses a row that is not an object, naming it.
NewRows = list[SkipValidation[dict[str, Any]]]


class DraftState(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    COMMITTED = "COMMITTED"


class DraftStateFilter(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    COMMITTED = "COMMITTED"
    ALL = "ALL"


class RevisionType(StrEnum):
    BRANCH = "BRANCH"
    TAG = "TAG"
    COMMIT = "COMMIT"


class SchemaFormat(StrEnum):
    JSON = "JSON"
    YAML = "YAML"


# ---------------------------------------------------------------------------- requests


class RefCreate(StrictBody):
    """A branch or a tag: a name and the revision it points at."""

    name: Name
    revision: FreeText = Field(min_length=1, max_length=256)


class CommitCreate(StrictBody):
    draft_number: int = Field(ge=1, le=2**31 - 1)
    title: FreeText = Field(max_length=TEXT_MAX)
    description: FreeText | None = Field(default=None, max_length=TEXT_MAX)


class DraftCreate(StrictBody):
    title: FreeText = Field(max_length=TEXT_MAX)
    description: FreeText | None = Field(default=None, max_length=TEXT_MAX)
    branch: Name | None = None


class DraftUpdate(StrictBody):
    # A Literal rather than the enum: strict bodies take enum members only from Python.
    state: Literal["OPEN", "CLOSED", "COMMITTED"] | None = None
    title: FreeText | None = Field(default=None, max_length=TEXT_MAX)
    description: FreeText | None = Field(default=None, max_length=TEXT_MAX)


class SheetCreate(StrictBody):
    name: Name
    schema_: FreeText = Field(alias="schema")
    avro_schema: FreeText = Field(default="", alias="_avro_schema")
    arrow_schema: FreeText | None = Field(default=None, alias="_arrow_schema")
    record_key_strategy: FreeText | None = Field(default=None, max_length=64)


class SchemaUpdate(StrictBody):
    schema_: FreeText = Field(alias="_schema")
    avro_schema: FreeText = Field(default="", alias="_avro_schema")
    arrow_schema: FreeText | None = Field(default=None, alias="_arrow_schema")
    patch: list[Any] | None = None


class DataAdd(StrictBody):
    data: NewRows
    strategy_arguments: dict[str, Any] | None = None


class RecordsAdd(StrictBody):
    records: NewRows
    strategy_arguments: dict[str, Any] | None = None


class DataUpdate(StrictBody):
    data: list[dict[str, Any]]


class RecordsUpdate(StrictBody):
    records: list[dict[str, Any]]


class KeysDelete(StrictBody):
    record_keys: list[str]


# ---------------------------------------------------------------------------- answers


class CommitPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    commit_id: str | None
    parent_commit_id: str | None
    title: str
    description: str
    committer: str
    committed_at: str


class NamedCommit(CommitPublic):
    name: str


class RevisionPublic(CommitPublic):
    type: RevisionType


class Paged(BaseModel):
    offset: int
    record_size: int
    total_count: int


class BranchList(Paged):
    branches: list[NamedCommit]


class TagList(Paged):
    tags: list[NamedCommit]


class CommitList(Paged):
    commits: list[CommitPublic]


class DraftPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    description: str
    branch: str
    state: DraftState
    parent_commit_id: str | None
    creator: str
    created_at: str
    updated_at: str


class DraftList(Paged):
    drafts: list[DraftPublic]


class SheetSummary(BaseModel):
    name: str
    created_at: str
    updated_at: str
    record_count: int | None = None


class SheetDetail(SheetSummary):
    schema_: str = Field(alias="schema")


class SheetList(Paged):
    sheets: list[SheetSummary]


class DataPage(Paged):
    data: list[dict[str, Any]]


class RecordPage(Paged):
    records: list[dict[str, Any]]
