"""What every part of the control plane shares: its tag, its token guard, its state.

``ControlState`` is what the control plane keeps besides the database, per process:
the journal, the faults and the snapshots.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader

from mock_server.control.faults import FaultPlan
from mock_server.control.journal import Journal
from mock_server.core import errors
from mock_server.core.resolved import ResolvedRoute
from mock_server.settings import Settings
from mock_server.state import StateAdmin

TAG = "control plane"

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


def guarded_router() -> APIRouter:
    """A router under ``/_mock`` behind the control token."""
    return APIRouter(
        prefix="/_mock",
        tags=[TAG],
        dependencies=[Depends(require_token)],
        responses=CONTROL_ERRORS,
        route_class=ResolvedRoute,
    )


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
