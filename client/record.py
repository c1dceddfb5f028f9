"""The record calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.record``.

``/records`` is the twin of ``/data`` (``client.data``): the same rows under
the envelope key ``records``, listed with ``columns`` comma-separated and
``sort`` (one key, or an iterable sent as a repeated parameter) instead of
``|``-separated ``columns`` and ``order_by``. Deleting sends its keys in a
JSON body on the DELETE, as the SDK does. Writes answer with a body that is
ignored.
"""

from __future__ import annotations

from typing import Any

from client._http import Rows, SortParam, endpoint, json_object, open_api_do

__all__ = [
    "add_records",
    "delete_records",
    "list_commit_records",
    "list_draft_records",
    "update_records",
]


def _draft_records(url: str, workspace: str, dataset: str, draft_number: int, sheet: str) -> str:
    return endpoint(
        url, f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/records"
    )


def _list_records(
    access_key: str,
    url: str,
    *,
    columns: str | None,
    sort: SortParam,
    offset: int | None,
    limit: int | None,
) -> dict[str, Any]:
    params = {"columns": columns, "sort": sort, "offset": offset, "limit": limit}
    return json_object(open_api_do("GET", access_key, url, params=params))


def list_draft_records(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    columns: str | None = None,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/records``.

    The page is ``{"records", "offset", "record_size", "total_count"}``.
    """  # noqa: E501
    return _list_records(
        access_key,
        _draft_records(url, workspace, dataset, draft_number, sheet),
        columns=columns,
        sort=sort,
        offset=offset,
        limit=limit,
    )


def list_commit_records(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    commit_id: str,
    sheet: str,
    columns: str | None = None,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets/{sheet}/records``.

    The page is ``{"records", "offset", "record_size", "total_count"}``.
    """  # noqa: E501
    path = f"/v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets/{sheet}/records"
    return _list_records(
        access_key, endpoint(url, path), columns=columns, sort=sort, offset=offset, limit=limit
    )


def update_records(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    records: Rows,
) -> None:
    """Execute the OpenAPI ``PATCH /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/records``.

    The body is ``{"records"}``, each row carrying its ``__record_key``.
    """  # noqa: E501
    patch_data = {"records": records}
    target = _draft_records(url, workspace, dataset, draft_number, sheet)
    open_api_do("PATCH", access_key, target, json=patch_data)


def add_records(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    records: Rows,
    strategy_arguments: dict[str, Any] | None = None,
) -> None:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/records``.

    The body is ``{"records"}`` plus ``strategy_arguments`` when it is not None.
    """  # noqa: E501
    post_data: dict[str, Any] = {"records": records}
    if strategy_arguments is not None:
        post_data["strategy_arguments"] = strategy_arguments
    target = _draft_records(url, workspace, dataset, draft_number, sheet)
    open_api_do("POST", access_key, target, json=post_data)


def delete_records(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    record_keys: list[str],
) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/records``.

    The DELETE carries the body ``{"record_keys"}``.
    """  # noqa: E501
    target = _draft_records(url, workspace, dataset, draft_number, sheet)
    open_api_do("DELETE", access_key, target, json={"record_keys": record_keys})
