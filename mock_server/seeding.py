"""The seed format: start-up state from a JSON or YAML file, a POST body, or a state export.

Everything but names is optional. Workspaces named by users, storage configs or
datasets are created when the seed does not list them. ``GET /_mock/state`` answers
this same format, so an export can be seeded back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mock_server import errors
from mock_server.clock import format_time, parse_time
from mock_server.models import (
    ALIAS_MAX,
    NAME_PATTERN,
    TEXT_PATTERN,
    BackendType,
    WorkspaceType,
)

ID_PATTERN = r"^[0-9a-f]{32}$"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class SeedModel(BaseModel):
    # Unknown keys are mistakes in a hand-written seed: say so rather than ignore them.
    model_config = ConfigDict(extra="forbid")


def _time(value: Any) -> Any:
    if value is None:
        return None
    try:
        return format_time(parse_time(str(value)))
    except ValueError as exc:
        raise ValueError(f"'{value}' is not an ISO 8601 time") from exc


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


class StorageConfigSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    workspace: str = Field(pattern=NAME_PATTERN)
    backend_type: BackendType = BackendType.OSS
    default: bool = False


class BranchSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    commit_id: str | None = None


class DraftSeed(SeedModel):
    number: int = Field(ge=1)
    branch: str = Field(default="main", pattern=NAME_PATTERN)
    title: str = ""
    status: str = "OPEN"


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

    _times = field_validator("created_at", "updated_at", mode="before")(_time)


class SeedOptions(SeedModel):
    strict: bool | None = Field(
        default=None, description="Accept only the access keys the seed or settings list"
    )
    id_seed: int | None = Field(default=None, description="Reseed generated ids first")
    frozen_time: str | None = Field(default=None, description="Freeze the clock at this time")

    _times = field_validator("frozen_time", mode="before")(_time)


class Seed(SeedModel):
    """A whole state: what ``--seed FILE`` and ``POST /_mock/seed`` take."""

    options: SeedOptions = Field(default_factory=SeedOptions)
    workspaces: list[WorkspaceSeed] = Field(default_factory=list)
    users: list[UserSeed] = Field(default_factory=list)
    storage_configs: list[StorageConfigSeed] = Field(default_factory=list)
    datasets: list[DatasetSeed] = Field(default_factory=list)


class SeedSummary(BaseModel):
    """How many of each thing a seed added (things already there are kept as they are)."""

    workspaces: int = 0
    users: int = 0
    access_keys: int = 0
    storage_configs: int = 0
    datasets: int = 0


def combine(first: Seed, second: Seed) -> Seed:
    """One seed doing what ``first`` then ``second`` do."""
    options = {
        **first.options.model_dump(exclude_none=True),
        **second.options.model_dump(exclude_none=True),
    }
    return Seed(
        options=SeedOptions(**options),
        workspaces=[*first.workspaces, *second.workspaces],
        users=[*first.users, *second.users],
        storage_configs=[*first.storage_configs, *second.storage_configs],
        datasets=[*first.datasets, *second.datasets],
    )


def _problems(exc: ValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(part) for part in problem["loc"]) or "seed"
        parts.append(f"{where}: {problem['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def parse_seed(data: Any) -> Seed:
    """A validated seed from decoded JSON/YAML data; a Graviti 400 if it is not one."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise errors.InvalidParams("Invalid seed: it must be a mapping (a JSON object).")
    try:
        return Seed.model_validate(data)
    except ValidationError as exc:
        raise errors.InvalidParams(f"Invalid seed: {_problems(exc)}.") from None


def decode_seed(raw: bytes | str, content_type: str = "") -> Seed:
    """A seed from JSON or YAML text (YAML is a superset, so it reads either)."""
    try:
        if content_type.split(";")[0].strip().lower() in YAML_TYPES:
            data = yaml.safe_load(raw)
        else:
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise errors.InvalidParams(f"Invalid seed: not JSON or YAML ({exc}).") from None
    return parse_seed(data)


def load_seed(path: Path | str) -> Seed:
    """A seed from a ``.json``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise errors.InvalidParams(f"Cannot read seed file '{path}': {exc.strerror}.") from None
    kind = "application/yaml" if path.suffix.lower() in (".yaml", ".yml") else "application/json"
    try:
        return decode_seed(raw, kind)
    except errors.InvalidParams as exc:
        raise errors.InvalidParams(f"{path}: {exc.message}") from None
