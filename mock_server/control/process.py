"""The control plane's per-process tools: the request journal, faults, the clock and ids.

Each lives in the process that serves the call (with several workers, each has its own).
A fault can only name an operation the app has (or '*'); the clock stays within what
the wire format carries (``mock_server.core.clock``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mock_server.control.common import Admin, Control, guarded_router
from mock_server.control.faults import ANY_OPERATION, Fault, FaultList, FaultSpec
from mock_server.control.interceptor import OperationIndex
from mock_server.control.journal import JournalPage
from mock_server.core import errors
from mock_server.core.backend import Backend
from mock_server.core.clock import parse_time
from mock_server.core.routing import PlainInt

router = guarded_router()


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
async def add_fault(request: Request, spec: FaultSpec, control: Control) -> Fault:
    known = OperationIndex(list(request.app.routes)).operations
    if spec.operation != ANY_OPERATION and spec.operation not in known:
        # A misspelt name would wait forever for a call that never comes.
        raise errors.InvalidParams(
            f"Unknown operation '{spec.operation}': use '*' or one of {', '.join(known)}."
        )
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
async def delete_fault(fault_id: PlainInt, control: Control) -> dict[str, str]:
    if not control.faults.remove(fault_id):
        raise errors.ResourceNotExist(f"Fault {fault_id} does not exist.")
    return {"status": "deleted"}


# ---------------------------------------------------------------------------- clock and ids


class ClockChange(BaseModel):
    """Exactly one of the four changes."""

    model_config = ConfigDict(extra="forbid")

    freeze: bool | None = Field(
        default=None, description="true: stop the clock where it is (now, or where it was set)"
    )
    set: str | None = Field(
        default=None,
        description="Freeze the clock at this ISO 8601 time, 1000-01-01T00:00:00Z to "
        "9999-12-31T23:59:59Z",
    )
    advance: float | None = Field(
        default=None,
        allow_inf_nan=False,
        description="Move the clock forward by seconds (freezing it), staying before year 10000",
    )
    unfreeze: bool | None = Field(default=None, description="true: back to real time")

    @model_validator(mode="after")
    def _exactly_one(self) -> ClockChange:
        given = [
            name
            for name in ("freeze", "set", "advance", "unfreeze")
            # false says "not this one"; 0 is an advance like any other.
            if getattr(self, name) is not None and getattr(self, name) is not False
        ]
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
        except ValueError as exc:
            raise errors.InvalidParams(f"Invalid 'set' time '{change.set}': {exc}.") from None
    elif change.advance is not None:
        try:
            clock.advance(change.advance)
        except ValueError as exc:
            raise errors.InvalidParams(f"Cannot advance by {change.advance}: {exc}.") from None
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
