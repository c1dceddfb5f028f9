"""Actions' request, response and seed models: each field declared once."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from mock_server.core.names import (
    ID_PATTERN,
    NAME_PATTERN,
    WIRE_TIME_PATTERN,
    FreeText,
    Name,
)
from mock_server.core.seeds import SeedModel, wire_time
from mock_server.resources.actions.tables import ActionState, RunStatus


def encode_arguments(value: dict[str, Any]) -> str:
    """Arguments as stored: JSON text that can be answered again exactly."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _storable(value: dict[str, Any]) -> dict[str, Any]:
    try:
        encode_arguments(value).encode("utf-8")
    except ValueError:
        # NaN or Infinity, or a lone surrogate: nothing the answer could carry as JSON.
        raise ValueError("it must be plain JSON (no NaN, no lone surrogates)") from None
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
    return value


Arguments = Annotated[dict[str, Any], AfterValidator(_storable)]


class StrictBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class ActionCreate(StrictBody):
    name: Name
    payload: FreeText


class ActionUpdate(StrictBody):
    name: Name | None = None
    # Strict parsing would take only an ActionState object, never the JSON string.
    state: ActionState | None = Field(default=None, strict=False)
    payload: FreeText | None = None


class RunCreate(StrictBody):
    arguments: Arguments | None = None


class ActionPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    name: str
    edition: int
    state: ActionState
    payload: str


class ActionList(BaseModel):
    model_config = ConfigDict(frozen=True)

    actions: list[ActionPublic]
    offset: int
    record_size: int
    total_count: int


class NodePublic(BaseModel):
    id: str
    name: str
    display_name: str
    phase: str
    started_at: str = Field(pattern=WIRE_TIME_PATTERN)
    ended_at: str | None = Field(pattern=WIRE_TIME_PATTERN)
    children: list[str]


class RunPublic(BaseModel):
    id: str = Field(pattern=ID_PATTERN)
    number: int
    name: str
    workflow_id: str
    status: RunStatus
    arguments: dict[str, Any]
    started_at: str = Field(pattern=WIRE_TIME_PATTERN)
    ended_at: str | None = Field(pattern=WIRE_TIME_PATTERN)


class RunDetail(RunPublic):
    nodes: list[NodePublic]


class RunList(BaseModel):
    runs: list[RunPublic]
    offset: int
    record_size: int
    total_count: int


class NodeLog(BaseModel):
    node_id: str
    log: str


# ---------------------------------------------------------------------------- control plane


def _unfinished(value: RunStatus | None) -> RunStatus | None:
    if value is not None and value not in (RunStatus.PENDING, RunStatus.RUNNING):
        raise ValueError("runs can be held PENDING or RUNNING only")
    return value


HeldStatus = Annotated[RunStatus | None, AfterValidator(_unfinished)]


class ActionScript(SeedModel):
    """What the action's next runs do: hold at a status, or fail (``fail_next`` runs)."""

    hold: HeldStatus = Field(
        default=None, description="New runs stay at this status (PENDING or RUNNING)"
    )
    fail_next: int = Field(default=0, ge=0, le=2**31 - 1, description="How many next runs fail")


class ScriptChange(SeedModel):
    """A change of the script: the fields given are set, the others kept."""

    hold: HeldStatus = Field(default=None, description="Hold new runs at PENDING or RUNNING")
    release: bool = Field(default=False, description="Stop holding new runs")
    fail_next: int | None = Field(default=None, ge=0, le=2**31 - 1)


class RunStatusChange(SeedModel):
    status: RunStatus
    log: FreeText | None = Field(default=None, description="A line added to the run's log")


# ---------------------------------------------------------------------------- seeds


class NodeSeed(SeedModel):
    id: str = Field(min_length=1, max_length=256)
    name: str = ""
    display_name: str = ""
    phase: str = RunStatus.SUCCEEDED.value
    started_at: str
    ended_at: str | None = None
    children: list[str] = Field(default_factory=list)
    log: FreeText = ""

    _times = field_validator("started_at", "ended_at", mode="before")(wire_time)


class RunSeed(SeedModel):
    number: int = Field(ge=1, le=2**31 - 1)
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    workflow_id: str | None = Field(
        default=None, max_length=256, description="Defaults to '<action>-<suffix>'"
    )
    status: RunStatus = RunStatus.SUCCEEDED
    arguments: Arguments = Field(default_factory=dict)
    started_at: str | None = Field(default=None, description="Defaults to the mock's clock")
    ended_at: str | None = Field(default=None, description="Defaults to started_at if ended")
    nodes: list[NodeSeed] | None = Field(
        default=None, description="Defaults to the nodes a run of this status gets"
    )

    _times = field_validator("started_at", "ended_at", mode="before")(wire_time)


class ActionSeed(SeedModel):
    workspace: str = Field(pattern=NAME_PATTERN)
    dataset: str = Field(pattern=NAME_PATTERN)
    name: str = Field(pattern=NAME_PATTERN)
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    payload: FreeText = ""
    edition: int = Field(default=1, ge=1, le=2**31 - 1)
    state: ActionState = ActionState.ENABLED
    created_at: str | None = Field(default=None, description="Defaults to the mock's clock")
    script: ActionScript = Field(default_factory=ActionScript)
    runs: list[RunSeed] = Field(default_factory=list)

    _times = field_validator("created_at", mode="before")(wire_time)
