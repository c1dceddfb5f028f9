"""The control plane under ``/_mock/``: probes, reset, seeding, state and snapshots.

Health and readiness are always on. The rest is mounted only when ``settings.control``
is true and, when ``settings.control_token`` is set, answers 401 without a matching
``X-Mock-Token`` header. The journal, faults, clock and ids are in
``mock_server.control.process``. Snapshots live in the process that serves the call:
with several workers each has its own. Calls that change or export the database run
in a worker thread, so health and readiness answer while they wait.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from mock_server.control import process
from mock_server.control.common import (
    CONTROL_ERRORS,
    TAG,
    Admin,
    Control,
    ControlState,
    Snapshot,
    guarded_router,
    require_token,
)
from mock_server.control.interceptor import Interceptor
from mock_server.control.journal import Journal
from mock_server.core import errors
from mock_server.core.clock import format_time, parse_time
from mock_server.core.handlers import error_response
from mock_server.core.names import NAME_RE
from mock_server.core.resolved import run_blocking
from mock_server.core.resource import Resource
from mock_server.seeding import Seed, decode_seed, load_seed, parse_seed
from mock_server.settings import Settings
from mock_server.state import StateAdmin, Step

# Health and readiness stay on when the rest of the control plane is turned off.
probes = APIRouter(prefix="/_mock", tags=[TAG])
router = guarded_router()


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
    app.include_router(process.router)
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


def back_to_startup(
    app: FastAPI,
    *,
    to: str,
    id_seed: int | None,
    seed: Seed | None = None,
    on_commit: Callable[[], None] | None = None,
) -> dict[str, int] | None:
    """Database, ids, clock and strictness as at start-up (or empty), then ``seed``.

    The database part (emptying, the start-up seed, the registered keys, ``seed``) is
    one transaction; the clock and ``on_commit`` follow only once it committed, so a
    reset that is refused changes nothing. Answers ``seed``'s summary.
    """
    from mock_server.app import register_access_keys

    settings: Settings = app.state.settings
    admin: StateAdmin = app.state.admin
    backend = admin.backend
    steps: list[Step] = []
    if to == "seed":
        startup_seed: Seed | None = getattr(app.state, "startup_seed", None)
        if startup_seed is not None:
            steps.append(startup_seed)
        steps.append(lambda conn: register_access_keys(backend, settings, conn))
    if seed is not None:
        steps.append(seed)

    def committed() -> None:
        if settings.frozen_time:
            backend.clock.freeze(parse_time(settings.frozen_time))
        else:
            backend.clock.unfreeze()
        if on_commit is not None:
            on_commit()

    summaries = admin.apply_seeds(
        steps,
        replace=True,
        ids=id_seed if id_seed is not None else settings.id_seed,
        on_commit=committed,
    )
    return summaries[-1] if seed is not None else None


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
    seed = parse_seed(body.seed, admin.seed_model) if body.seed is not None else None

    def clear() -> None:
        control.journal.clear()
        control.faults.clear()

    # Per-test resets are the hot path: on the event loop when the database is free.
    seeded = await run_blocking(
        request,
        lambda: back_to_startup(
            request.app, to=target, id_seed=body.id_seed, seed=seed, on_commit=clear
        ),
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
    return await run_in_threadpool(lambda: admin.apply_seed(document, replace=replace))


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
    exported = (await run_in_threadpool(admin.export_seed)).model_dump(mode="json")
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
    control.snapshots[_check_name(name)] = snapshot = Snapshot(
        await run_in_threadpool(admin.snapshot)
    )
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
    await run_in_threadpool(admin.restore, snapshot.rows)
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
