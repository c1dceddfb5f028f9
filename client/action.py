"""The action and action-run calls of the Graviti OpenAPI v2, as ``graviti.openapi.action``.

An action is ``{"id", "name", "edition", "state", "payload"}``; a run is
``{"id", "number", "name", "workflow_id", "status", "arguments",
"started_at", "ended_at"[, "nodes"]}``. ``create_action_run`` with
``arguments`` None sends no body and no Content-Type at all, as the SDK does;
``get_action_run_node_log`` returns the response itself (a log is text).
"""

from __future__ import annotations

from typing import Any

from requests import Response

from client._http import SortParam, endpoint, json_object, open_api_do

__all__ = [
    "cancel_action_run",
    "create_action",
    "create_action_run",
    "delete_action",
    "get_action",
    "get_action_run",
    "get_action_run_node_log",
    "list_action_runs",
    "list_actions",
    "update_action",
]


def _actions(url: str, workspace: str, dataset: str, rest: str = "") -> str:
    return endpoint(url, f"/v2/datasets/{workspace}/{dataset}/actions{rest}")


def create_action(
    access_key: str, url: str, workspace: str, dataset: str, *, name: str, payload: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/actions``.

    The body is ``{"name", "payload"}``; the answer is the new action.
    """
    post_data = {"name": name, "payload": payload}
    target = _actions(url, workspace, dataset)
    return json_object(open_api_do("POST", access_key, target, json=post_data))


def list_actions(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/actions`` and return a page.

    The page is ``{"actions", "offset", "record_size", "total_count"}``.
    """
    params = {"sort": sort, "offset": offset, "limit": limit}
    target = _actions(url, workspace, dataset)
    return json_object(open_api_do("GET", access_key, target, params=params))


def get_action(
    access_key: str, url: str, workspace: str, dataset: str, *, action: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/actions/{action}``."""
    return json_object(
        open_api_do("GET", access_key, _actions(url, workspace, dataset, f"/{action}"))
    )


def update_action(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    action: str,
    name: str | None = None,
    state: str | None = None,
    payload: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``PATCH /v2/datasets/{workspace}/{dataset}/actions/{action}``.

    The body holds ``name``, ``state`` (``ENABLED`` or ``DISABLED``) and
    ``payload`` when they are not None (``{}`` when all are); the answer is
    the action after the change.
    """
    patch_data: dict[str, Any] = {}
    if name is not None:
        patch_data["name"] = name
    if state is not None:
        patch_data["state"] = state
    if payload is not None:
        patch_data["payload"] = payload
    target = _actions(url, workspace, dataset, f"/{action}")
    return json_object(open_api_do("PATCH", access_key, target, json=patch_data))


def delete_action(access_key: str, url: str, workspace: str, dataset: str, *, action: str) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/actions/{action}``.

    The body of the answer is ignored.
    """
    open_api_do("DELETE", access_key, _actions(url, workspace, dataset, f"/{action}"))


def create_action_run(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    action: str,
    arguments: dict[str, Any] | None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/actions/{action}/runs``.

    The body is ``{"arguments"}``, or nothing at all when ``arguments`` is
    None; the answer is the new run.
    """
    post_data = {"arguments": arguments} if arguments is not None else None
    target = _actions(url, workspace, dataset, f"/{action}/runs")
    return json_object(open_api_do("POST", access_key, target, json=post_data))


def list_action_runs(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    action: str,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/actions/{action}/runs``.

    The page is ``{"runs", "offset", "record_size", "total_count"}``.
    """
    params = {"sort": sort, "offset": offset, "limit": limit}
    target = _actions(url, workspace, dataset, f"/{action}/runs")
    return json_object(open_api_do("GET", access_key, target, params=params))


def get_action_run(
    access_key: str, url: str, workspace: str, dataset: str, *, action: str, run_number: int
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/actions/{action}/runs/{run_number}``.

    The answer is the run with its ``nodes``.
    """  # noqa: E501
    target = _actions(url, workspace, dataset, f"/{action}/runs/{run_number}")
    return json_object(open_api_do("GET", access_key, target))


def cancel_action_run(
    access_key: str, url: str, workspace: str, dataset: str, *, action: str, run_number: int
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/actions/{action}/runs/{run_number}/cancel``.

    No body is sent; the answer is the run after cancelling.
    """  # noqa: E501
    target = _actions(url, workspace, dataset, f"/{action}/runs/{run_number}/cancel")
    return json_object(open_api_do("POST", access_key, target))


def get_action_run_node_log(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    action: str,
    run_number: int,
    node_id: str,
) -> Response:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/actions/{action}/runs/{run_number}/nodes/{node_id}/logs``.

    The response is returned as it came, whatever its body and content type.
    """  # noqa: E501
    target = _actions(url, workspace, dataset, f"/{action}/runs/{run_number}/nodes/{node_id}/logs")
    return open_api_do("GET", access_key, target)
