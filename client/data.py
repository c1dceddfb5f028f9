"""The data calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.data``.

These are the calls the SDK's DataFrame uses (``client.record`` is their twin
under ``/records``). ``columns`` and ``order_by`` are ``|``-separated lists,
sent percent-encoded (``%7C``); rows not ordered by ``order_by`` follow
``__record_key``. Deleting sends its keys in a JSON body on the DELETE, as the
SDK does. Writes answer with a body that is ignored.
"""

from __future__ import annotations

from typing import Any

from client._http import Rows, endpoint, json_object, open_api_do

__all__ = ["add_data", "delete_data", "list_commit_data", "list_draft_data", "update_data"]


def _draft_data(url: str, workspace: str, dataset: str, draft_number: int, sheet: str) -> str:
    return endpoint(
        url, f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/data"
    )


def _list_data(
    access_key: str,
    url: str,
    *,
    columns: str | None,
    order_by: str | None,
    offset: int | None,
    limit: int | None,
) -> dict[str, Any]:
    params = {"columns": columns, "order_by": order_by, "offset": offset, "limit": limit}
    return json_object(open_api_do("GET", access_key, url, params=params))


def list_draft_data(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    columns: str | None = None,
    order_by: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/data``.

    The page is ``{"data", "offset", "record_size", "total_count"}``.
    """  # noqa: E501
    return _list_data(
        access_key,
        _draft_data(url, workspace, dataset, draft_number, sheet),
        columns=columns,
        order_by=order_by,
        offset=offset,
        limit=limit,
    )


def list_commit_data(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    commit_id: str,
    sheet: str,
    columns: str | None = None,
    order_by: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets/{sheet}/data``.

    The page is ``{"data", "offset", "record_size", "total_count"}``.
    """  # noqa: E501
    path = f"/v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets/{sheet}/data"
    return _list_data(
        access_key,
        endpoint(url, path),
        columns=columns,
        order_by=order_by,
        offset=offset,
        limit=limit,
    )


def update_data(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    data: Rows,
) -> None:
    """Execute the OpenAPI ``PATCH /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/data``.

    The body is ``{"data"}``: partial rows, each with its ``__record_key``.
    """  # noqa: E501
    target = _draft_data(url, workspace, dataset, draft_number, sheet)
    open_api_do("PATCH", access_key, target, json={"data": data})


def add_data(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    data: Rows,
    strategy_arguments: dict[str, Any] | None = None,
) -> None:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/data``.

    The body is ``{"data"}`` plus ``strategy_arguments`` when it is not None.
    """  # noqa: E501
    post_data: dict[str, Any] = {"data": data}
    if strategy_arguments is not None:
        post_data["strategy_arguments"] = strategy_arguments
    target = _draft_data(url, workspace, dataset, draft_number, sheet)
    open_api_do("POST", access_key, target, json=post_data)


def delete_data(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    record_keys: list[str],
) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/data``.

    The DELETE carries the body ``{"record_keys"}``.
    """  # noqa: E501
    target = _draft_data(url, workspace, dataset, draft_number, sheet)
    open_api_do("DELETE", access_key, target, json={"record_keys": record_keys})
