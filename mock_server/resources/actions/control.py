"""The actions' control routes (under ``/_mock/``): script an action's next runs and move
a run to any status, so that code polling a run can be tested."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.paging import MAX_OFFSET
from mock_server.core.routing import PlainInt, json_response
from mock_server.resources.actions.models import (
    ActionScript,
    RunDetail,
    RunStatusChange,
    ScriptChange,
)
from mock_server.resources.actions.store import ActionStore

Actions = Annotated[ActionStore, Depends(store_dependency(ActionStore))]
RunNumber = Annotated[PlainInt, Path(ge=1, le=MAX_OFFSET)]
ON_ACTION = errors.error_responses(errors.ResourceNotExist)

control = APIRouter(prefix="/actions/{workspace}/{dataset}/{action}")


@control.get(
    "/script",
    operation_id="mock_get_action_script",
    summary="What an action's next runs do",
    response_model=ActionScript,
    responses=ON_ACTION,
)
async def get_script(workspace: str, dataset: str, action: str, actions: Actions) -> Any:
    return json_response(actions.script_action(workspace, dataset, action, None))


@control.post(
    "/script",
    operation_id="mock_script_action",
    summary="Hold an action's new runs, release them, or make the next ones fail",
    description="`hold` (PENDING or RUNNING) keeps new runs at that status until moved; "
    "`release` stops that; `fail_next` makes that many next runs fail at once. Fields "
    "left out are kept.",
    response_model=ActionScript,
    responses=ON_ACTION,
)
def script_action(
    workspace: str, dataset: str, action: str, change: ScriptChange, actions: Actions
) -> Any:
    return json_response(actions.script_action(workspace, dataset, action, change))


@control.post(
    "/runs/{run_number}",
    operation_id="mock_set_run_status",
    summary="Move a run to a status (and add a line to its log)",
    description="An ended status (SUCCEEDED, FAILED, CANCELLED) sets `ended_at` to the "
    "mock's clock; PENDING or RUNNING clears it. The nodes follow the run.",
    response_model=RunDetail,
    responses=ON_ACTION,
)
def set_run_status(
    workspace: str,
    dataset: str,
    action: str,
    run_number: RunNumber,
    change: Annotated[RunStatusChange, Body()],
    actions: Actions,
) -> Any:
    return json_response(actions.set_run_status(workspace, dataset, action, run_number, change))
