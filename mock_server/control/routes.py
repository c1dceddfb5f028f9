"""The control plane under ``/_mock/``: probes, reset, seeding, state, journal, faults, clock.

Health and readiness are always on. The rest is mounted only when ``settings.control``
is true and, when ``settings.control_token`` is set, answers 401 without a matching
``X-Mock-Token`` header. Journal, faults, clock and snapshots live in the process that
serves the call: with several workers each has its own.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mock_server.control.faults import Fault, FaultList, FaultPlan, FaultSpec
from mock_server.control.interceptor import Interceptor
from mock_server.control.journal import Journal, JournalPage
from mock_server.core import errors
from mock_server.core.backend import Backend
from mock_server.core.clock import format_time, parse_time
from mock_server.core.handlers import error_response
from mock_server.core.names import NAME_RE
from mock_server.core.resource import Resource
from mock_server.seeding import Seed, decode_seed, load_seed, parse_seed
from mock_server.settings import Settings
from mock_server.state import StateAdmin

TAG = "control plane"

# Health and readiness stay on when the rest of the control plane is turned off.
probes = APIRouter(prefix="/_mock", tags=[TAG])

token_header = APIKeyHeader(
    name="X-Mock-Token",
    scheme_name="MockToken",
    auto_error=False,
    description="The control token, when the server was started with one",
)


async def require_token(
    request: Request, token: Annotated[str | None, Depends(token_header)]
) -> None:
    expected: str | None = request.app.state.settings.control_token
    if expected is None:
        return
    if token is None or not secrets.compare_digest(token.encode(), expected.encode()):
        raise errors.Unauthorized("The control plane needs the right X-Mock-Token header.")


CONTROL_ERRORS = errors.error_responses(errors.Unauthorized, errors.InvalidParams)
router = APIRouter(
    prefix="/_mock", tags=[TAG], dependencies=[Depends(require_token)], responses=CONTROL_ERRORS
)


# ---------------------------------------------------------------------------- state


@dataclass
class Snapshot:
    rows: dict[str, list[dict[str, Any]]]
    created_at: float = field(default_factory=time.time)


@dataclass
class ControlState:
    """What the control plane keeps besides the database, per process."""

    settings: Settings
    journal: Journal
    faults: FaultPlan = field(default_factory=FaultPlan)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)


async def get_control(request: Request) -> ControlState:
    state: ControlState = request.app.state.control
    return state


Control = Annotated[ControlState, Depends(get_control)]


async def get_admin(request: Request) -> StateAdmin:
    admin: StateAdmin = request.app.state.admin
    return admin


Admin = Annotated[StateAdmin, Depends(get_admin)]


def install(app: FastAPI, settings: Settings, resources: Sequence[Resource] = ()) -> None:
    """Mount the control plane on ``app``, with its journal and fault middleware.

    A resource may add control routes of its own (``Resource.control``): they are
    mounted under ``/_mock`` behind the same token.
    """
    state = ControlState(settings=settings, journal=Journal(settings.journal_size))
    app.state.control = state
    from mock_server.app import streamed_paths

    app.add_middleware(
        Interceptor,
        journal=state.journal,
        faults=state.faults,
        streamed=streamed_paths(resources),
    )
    app.include_router(router)
    for resource in resources:
        if resource.control is not None:
            app.include_router(
                resource.control,
                prefix="/_mock",
                tags=[TAG],
                dependencies=[Depends(require_token)],
                responses=CONTROL_ERRORS,
            )


def startup(app: FastAPI) -> None:
    """Apply the start-up seed: called by the lifespan before the app reports ready."""
    settings: Settings = app.state.settings
    admin: StateAdmin = app.state.admin
    seed = load_seed(settings.seed, admin.seed_model) if settings.seed else None
    app.state.startup_seed = seed
    if seed is not None:
        admin.apply_seed(seed)


def back_to_startup(app: FastAPI, *, to: str, id_seed: int | None) -> None:
    """Database, ids, clock and strictness as they were at start-up (or empty)."""
    from mock_server.app import register_access_keys

    settings: Settings = app.state.settings
    admin: StateAdmin = app.state.admin
    backend = admin.backend
    backend.ids.reseed(id_seed if id_seed is not None else settings.id_seed)
    if settings.frozen_time:
        backend.clock.freeze(parse_time(settings.frozen_time))
    else:
        backend.clock.unfreeze()
    backend.strict = settings.strict
    startup_seed: Seed | None = getattr(app.state, "startup_seed", None)
    if to == "seed":
        if startup_seed is not None:
            admin.apply_seed(startup_seed, replace=True)
        else:
            admin.reset()
        register_access_keys(backend, settings)
    else:
        admin.reset()


# ---------------------------------------------------------------------------- probes


@probes.get("/health", operation_id="mock_health", summary="The server is alive")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@probes.get(
    "/ready",
    operation_id="mock_ready",
    summary="Start-up seeding has finished",
    responses={503: {"model": errors.ErrorBody, "description": "Still starting"}},
)
async def ready(request: Request) -> Any:
    if not getattr(request.app.state, "ready", False):
        return error_response(errors.ServiceUnavailable("Start-up is not finished."))
    return {"status": "ready"}


# ---------------------------------------------------------------------------- reset


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["empty", "seed"] | None = Field(
        default=None, description="'empty' (the default) or 'seed': the start-up seed"
    )
    id_seed: int | None = Field(
        default=None, description="Reseed generated ids (default: the server's id_seed)"
    )
    seed: dict[str, Any] | None = Field(
        default=None, description="A seed to apply on top, in the same call"
    )


class ResetResult(BaseModel):
    status: Literal["reset"] = "reset"
    to: Literal["empty", "seed"]
    seeded: dict[str, int] | None = None


@router.post(
    "/reset",
    operation_id="mock_reset",
    summary="Drop all state, or go back to the start-up seed",
    description="Also clears the journal and the faults, and puts the clock, the id "
    "sequence and strict mode back as the server was started. Snapshots are kept.",
    response_model=ResetResult,
)
async def reset(
    request: Request,
    admin: Admin,
    control: Control,
    to: Annotated[Literal["empty", "seed"], Query(description="empty or seed")] = "empty",
    body: Annotated[ResetRequest | None, Body()] = None,
) -> ResetResult:
    body = body or ResetRequest()
    target = body.to or to
    back_to_startup(request.app, to=target, id_seed=body.id_seed)
    control.journal.clear()
    control.faults.clear()
    seeded = (
        admin.apply_seed(parse_seed(body.seed, admin.seed_model)) if body.seed is not None else None
    )
    return ResetResult(to=target, seeded=seeded)


# ---------------------------------------------------------------------------- seed and state

SEED_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A seed, as JSON or YAML",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Seed"}},
            "application/yaml": {"schema": {"$ref": "#/components/schemas/Seed"}},
        },
    }
}


@router.post(
    "/seed",
    operation_id="mock_seed",
    summary="Add workspaces, users, keys, storage configs and datasets",
    description="Adds what the seed lists (JSON, or YAML with a YAML content type); what "
    "already exists is kept. With `replace=true` the state is emptied first, in the same "
    "transaction. A bad seed is a 400 and changes nothing.",
    response_model=dict[str, int],
    openapi_extra=SEED_BODY,
    responses=errors.error_responses(errors.NameConflict),
)
async def seed(
    request: Request,
    admin: Admin,
    replace: Annotated[bool, Query(description="Empty the state first")] = False,
) -> dict[str, int]:
    document = decode_seed(
        await request.body(), request.headers.get("content-type", ""), admin.seed_model
    )
    return admin.apply_seed(document, replace=replace)


@router.get(
    "/state",
    operation_id="mock_state",
    summary="Export the whole state in the seed format",
    description="`POST /_mock/seed?replace=true` takes the answer back. `format=yaml` "
    "answers YAML.",
    response_model=Seed,
    responses={200: {"content": {"application/yaml": {}}}},
)
async def state(
    admin: Admin,
    format: Annotated[Literal["json", "yaml"], Query(description="json or yaml")] = "json",
) -> Any:
    exported = admin.export_seed().model_dump(mode="json")
    if format == "yaml":
        return Response(yaml.safe_dump(exported, sort_keys=False), media_type="application/yaml")
    return JSONResponse(exported)


# ---------------------------------------------------------------------------- snapshots


class SnapshotInfo(BaseModel):
    name: str
    created_at: str
    datasets: int


class SnapshotList(BaseModel):
    snapshots: list[SnapshotInfo]


def _info(name: str, snapshot: Snapshot) -> SnapshotInfo:
    return SnapshotInfo(
        name=name,
        created_at=format_time(datetime.fromtimestamp(snapshot.created_at, UTC)),
        datasets=len(snapshot.rows.get("dataset", [])),
    )


def _snapshot(control: ControlState, name: str) -> Snapshot:
    found = control.snapshots.get(name)
    if found is None:
        raise errors.ResourceNotExist(f"Snapshot '{name}' does not exist.")
    return found


def _check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise errors.InvalidParams(
            f"Invalid snapshot name '{name}': 1 to 128 letters, digits, '-' or '_'."
        )
    return name


@router.post(
    "/snapshots/{name}",
    operation_id="mock_save_snapshot",
    summary="Save the current state under a name (replacing one of that name)",
    response_model=SnapshotInfo,
)
async def save_snapshot(name: str, admin: Admin, control: Control) -> SnapshotInfo:
    control.snapshots[_check_name(name)] = snapshot = Snapshot(admin.snapshot())
    return _info(name, snapshot)


@router.post(
    "/snapshots/{name}/restore",
    operation_id="mock_restore_snapshot",
    summary="Replace the state by a saved snapshot",
    response_model=SnapshotInfo,
    responses=errors.error_responses(errors.ResourceNotExist),
)
async def restore_snapshot(name: str, admin: Admin, control: Control) -> SnapshotInfo:
    snapshot = _snapshot(control, name)
    admin.restore(snapshot.rows)
    return _info(name, snapshot)


@router.get(
    "/snapshots",
    operation_id="mock_list_snapshots",
    summary="The saved snapshots",
    response_model=SnapshotList,
)
async def list_snapshots(control: Control) -> SnapshotList:
    return SnapshotList(
        snapshots=[_info(name, snap) for name, snap in sorted(control.snapshots.items())]
    )


@router.delete(
    "/snapshots/{name}",
    operation_id="mock_delete_snapshot",
    summary="Forget a snapshot",
    response_model=SnapshotInfo,
    responses=errors.error_responses(errors.ResourceNotExist),
)
async def delete_snapshot(name: str, control: Control) -> SnapshotInfo:
    snapshot = _snapshot(control, name)
    del control.snapshots[name]
    return _info(name, snapshot)


# ---------------------------------------------------------------------------- journal


@router.get(
    "/requests",
    operation_id="mock_list_requests",
    summary="The request journal, oldest first",
    description="Every call outside `/_mock/` since the last reset or clear, up to the "
    "server's journal_size (older ones are dropped). Access keys are masked.",
    response_model=JournalPage,
)
async def list_requests(
    control: Control,
    operation: Annotated[
        str | None, Query(description="Only this operation, e.g. create_dataset")
    ] = None,
) -> JournalPage:
    return control.journal.page(operation)


@router.delete(
    "/requests",
    operation_id="mock_clear_requests",
    summary="Empty the request journal",
)
async def clear_requests(control: Control) -> dict[str, str]:
    control.journal.clear()
    return {"status": "cleared"}


# ---------------------------------------------------------------------------- faults


@router.post(
    "/faults",
    operation_id="mock_add_fault",
    summary="Inject a fault into the next calls of an operation",
    description="Faults apply in the order they were added: a call takes one use of the "
    "first fault for its operation (or '*'), before the operation runs. A fault answers "
    "`status` with `{code, message}`, or drops the connection, after `latency_ms`; a "
    "fault with only `latency_ms` delays the real answer.",
    response_model=Fault,
)
async def add_fault(spec: FaultSpec, control: Control) -> Fault:
    return control.faults.add(spec)


@router.get(
    "/faults",
    operation_id="mock_list_faults",
    summary="The pending faults",
    response_model=FaultList,
)
async def list_faults(control: Control) -> FaultList:
    return control.faults.list()


@router.delete("/faults", operation_id="mock_clear_faults", summary="Remove every fault")
async def clear_faults(control: Control) -> dict[str, str]:
    control.faults.clear()
    return {"status": "cleared"}


@router.delete(
    "/faults/{fault_id}",
    operation_id="mock_delete_fault",
    summary="Remove one fault",
    responses=errors.error_responses(errors.ResourceNotExist),
)
async def delete_fault(fault_id: int, control: Control) -> dict[str, str]:
    if not control.faults.remove(fault_id):
        raise errors.ResourceNotExist(f"Fault {fault_id} does not exist.")
    return {"status": "deleted"}


# ---------------------------------------------------------------------------- clock and ids


class ClockChange(BaseModel):
    """Exactly one of the four changes."""

    model_config = ConfigDict(extra="forbid")

    freeze: bool | None = Field(default=None, description="true: stop the clock now")
    set: str | None = Field(default=None, description="Freeze the clock at this ISO 8601 time")
    advance: float | None = Field(
        default=None, description="Move the clock forward by seconds (freezing it)"
    )
    unfreeze: bool | None = Field(default=None, description="true: back to real time")

    @model_validator(mode="after")
    def _exactly_one(self) -> ClockChange:
        given = [name for name in ("freeze", "set", "advance", "unfreeze") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of freeze, set, advance and unfreeze")
        return self


class ClockState(BaseModel):
    now: str = Field(description="The time the mock stamps now")
    frozen: bool


def _clock_state(backend: Backend) -> ClockState:
    return ClockState(now=backend.clock.stamp(), frozen=backend.clock.frozen)


@router.get(
    "/clock", operation_id="mock_get_clock", summary="The mock's clock", response_model=ClockState
)
async def get_clock(admin: Admin) -> ClockState:
    return _clock_state(admin.backend)


@router.post(
    "/clock",
    operation_id="mock_set_clock",
    summary="Freeze, set, advance or unfreeze the clock",
    response_model=ClockState,
)
async def set_clock(change: ClockChange, admin: Admin) -> ClockState:
    clock = admin.backend.clock
    if change.set is not None:
        try:
            clock.freeze(parse_time(change.set))
        except ValueError:
            raise errors.InvalidParams(f"'{change.set}' is not an ISO 8601 time.") from None
    elif change.advance is not None:
        clock.advance(change.advance)
    elif change.freeze:
        clock.freeze()
    else:
        clock.unfreeze()
    return _clock_state(admin.backend)


class IdsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int | None = Field(description="A seed for a reproducible sequence; null: random")


@router.post(
    "/ids",
    operation_id="mock_seed_ids",
    summary="Reseed the generated ids",
)
async def seed_ids(change: IdsChange, admin: Admin) -> dict[str, int | None]:
    admin.backend.ids.reseed(change.seed)
    return {"seed": change.seed}
