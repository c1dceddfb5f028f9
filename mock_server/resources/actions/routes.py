"""Action and run routes, nested under a dataset (``/v2/datasets/{workspace}/{dataset}/actions``).

Reading needs a dataset the key may read (its own, or another workspace's public one);
anything that changes an action or a run needs the key's own workspace.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Path

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.paging import MAX_OFFSET, Limit, Offset, Sort
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import PlainInt, json_response
from mock_server.resources.actions.models import (
    ActionCreate,
    ActionList,
    ActionPublic,
    ActionUpdate,
    NodeLog,
    RunCreate,
    RunDetail,
    RunList,
    RunPublic,
)
from mock_server.resources.actions.store import ActionStore
from mock_server.resources.datasets.routes import (
    BODY_ERRORS,
    ON_DATASET,
    ReadableDataset,
    WritableDataset,
)
from mock_server.resources.identity.routes import AUTH_ERRORS

Actions = Annotated[ActionStore, Depends(store_dependency(ActionStore))]
RunNumber = Annotated[PlainInt, Path(ge=1, le=MAX_OFFSET)]

router = ResourceRouter(prefix="/v2/datasets/{workspace}/{dataset}/actions", tags=["actions"])


@router.post(
    "",
    operation_id="create_action",
    summary="Create an action in a dataset",
    response_model=ActionPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET, errors.NameConflict),
)
def create_action(found: WritableDataset, body: ActionCreate, actions: Actions) -> Any:
    return json_response(actions.create_action(found, body))


@router.get(
    "",
    operation_id="list_actions",
    summary="List a dataset's actions in creation order (or sorted)",
    response_model=ActionList,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams, *ON_DATASET),
)
async def list_actions(
    found: ReadableDataset,
    actions: Actions,
    sort: Sort = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    return json_response(actions.list_actions(found, sort, offset, limit))


@router.get(
    "/{action}",
    operation_id="get_action",
    summary="Get one action",
    response_model=ActionPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
async def get_action(found: ReadableDataset, action: str, actions: Actions) -> Any:
    return json_response(actions.get_action(found, action))


@router.patch(
    "/{action}",
    operation_id="update_action",
    summary="Rename an action, enable or disable it, or change its payload",
    description="A new payload adds one to `edition`.",
    response_model=ActionPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET, errors.NameConflict),
)
def update_action(found: WritableDataset, action: str, body: ActionUpdate, actions: Actions) -> Any:
    return json_response(actions.update_action(found, action, body))


@router.delete(
    "/{action}",
    operation_id="delete_action",
    summary="Delete an action and its runs",
    response_model=dict[str, Any],
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
def delete_action(found: WritableDataset, action: str, actions: Actions) -> Any:
    actions.delete_action(found, action)
    return json_response({})


@router.post(
    "/{action}/runs",
    operation_id="create_action_run",
    summary="Run an action",
    description="The body is optional (the SDK sends none without arguments). A run "
    "succeeds at once unless the control plane scripted the action otherwise.",
    response_model=RunPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET, errors.Forbidden),
)
def create_action_run(
    found: WritableDataset,
    action: str,
    actions: Actions,
    body: Annotated[RunCreate | None, Body()] = None,
) -> Any:
    arguments = body.arguments if body is not None and body.arguments is not None else {}
    return json_response(actions.create_action_run(found, action, arguments))


@router.get(
    "/{action}/runs",
    operation_id="list_action_runs",
    summary="List an action's runs by number (or sorted)",
    response_model=RunList,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams, *ON_DATASET),
)
async def list_action_runs(
    found: ReadableDataset,
    action: str,
    actions: Actions,
    sort: Sort = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    return json_response(actions.list_action_runs(found, action, sort, offset, limit))


@router.get(
    "/{action}/runs/{run_number}",
    operation_id="get_action_run",
    summary="Get one run, with its nodes",
    response_model=RunDetail,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams, *ON_DATASET),
)
async def get_action_run(
    found: ReadableDataset, action: str, run_number: RunNumber, actions: Actions
) -> Any:
    return json_response(actions.get_action_run(found, action, run_number))


@router.post(
    "/{action}/runs/{run_number}/cancel",
    operation_id="cancel_action_run",
    summary="Cancel a run that has not ended",
    response_model=RunDetail,
    responses=errors.error_responses(
        *AUTH_ERRORS, errors.InvalidParams, *ON_DATASET, errors.Forbidden
    ),
)
def cancel_action_run(
    found: WritableDataset, action: str, run_number: RunNumber, actions: Actions
) -> Any:
    return json_response(actions.cancel_action_run(found, action, run_number))


@router.get(
    "/{action}/runs/{run_number}/nodes/{node_id}/logs",
    operation_id="get_action_run_node_log",
    summary="The log of one node of a run",
    description="The SDK hands back the raw response; here it is JSON `{node_id, log}`.",
    response_model=NodeLog,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams, *ON_DATASET),
)
async def get_action_run_node_log(
    found: ReadableDataset, action: str, run_number: RunNumber, node_id: str, actions: Actions
) -> Any:
    return json_response(actions.get_action_run_node_log(found, action, run_number, node_id))
