"""Identity's wire and seed models, and who a request runs as."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from mock_server.core.names import ALIAS_MAX, ID_PATTERN, NAME_PATTERN, TEXT_PATTERN
from mock_server.core.seeds import SeedModel
from mock_server.resources.identity.tables import WorkspaceType


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the access key, its user and that user's workspace."""

    key: str
    user: str
    workspace: str


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


class WorkspaceSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    type: WorkspaceType = WorkspaceType.USER
    alias: str = Field(default="", max_length=ALIAS_MAX, pattern=TEXT_PATTERN)
    description: str = ""
    email: str = ""
    location: str = ""


class UserSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    workspace: str = Field(pattern=NAME_PATTERN)
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    nickname: str | None = Field(default=None, description="Defaults to the name")
    email: str = ""
    mobile: str = ""
    description: str = ""
    team: str | None = None
    access_keys: list[str] = Field(default_factory=list)
