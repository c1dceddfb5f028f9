"""The search-history calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.search``.

A search history is ``{"id", "commit_id" | "draft_number", "sheet",
"criteria", "creator", "created_at", "record_count"}``.
``get_search_record_count`` answers a bare JSON integer; anything else is a
``ResponseError``.
"""

from __future__ import annotations

from typing import Any

from client._http import SortParam, endpoint, json_integer, json_object, open_api_do

__all__ = [
    "create_search_history",
    "delete_search_history",
    "get_search_history",
    "get_search_record_count",
    "list_search_histories",
    "list_search_records",
]


def _searches(url: str, workspace: str, dataset: str, rest: str = "") -> str:
    return endpoint(url, f"/v2/datasets/{workspace}/{dataset}/searches{rest}")


def create_search_history(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    commit_id: str | None = None,
    draft_number: int | None = None,
    sheet: str,
    criteria: dict[str, Any],
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/searches``.

    The body is ``{"sheet", "criteria"}`` plus ``commit_id`` and
    ``draft_number`` when they are not None; the answer is the new history.
    """
    post_data: dict[str, Any] = {"sheet": sheet, "criteria": criteria}
    if commit_id is not None:
        post_data["commit_id"] = commit_id
    if draft_number is not None:
        post_data["draft_number"] = draft_number
    target = _searches(url, workspace, dataset)
    return json_object(open_api_do("POST", access_key, target, json=post_data))


def list_search_histories(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    commit_id: str | None = None,
    draft_number: int | None = None,
    sheet: str | None = None,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/searches`` and return a page.

    The page is ``{"searches", "offset", "record_size", "total_count"}``.
    """
    params = {
        "commit_id": commit_id,
        "draft_number": draft_number,
        "sheet": sheet,
        "sort": sort,
        "offset": offset,
        "limit": limit,
    }
    target = _searches(url, workspace, dataset)
    return json_object(open_api_do("GET", access_key, target, params=params))


def get_search_history(
    access_key: str, url: str, workspace: str, dataset: str, *, search_id: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/searches/{search_id}``."""
    target = _searches(url, workspace, dataset, f"/{search_id}")
    return json_object(open_api_do("GET", access_key, target))


def delete_search_history(
    access_key: str, url: str, workspace: str, dataset: str, *, search_id: str
) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/searches/{search_id}``.

    The body of the answer is ignored.
    """
    open_api_do("DELETE", access_key, _searches(url, workspace, dataset, f"/{search_id}"))


def get_search_record_count(
    access_key: str, url: str, workspace: str, dataset: str, *, search_id: str
) -> int:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/searches/{search_id}/record-count``.

    The answer is a bare JSON integer.
    """  # noqa: E501
    target = _searches(url, workspace, dataset, f"/{search_id}/record-count")
    return json_integer(open_api_do("GET", access_key, target))


def list_search_records(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    search_id: str,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/searches/{search_id}/records``.

    The page is ``{"records", ...}``: the rows the search matched.
    """  # noqa: E501
    params = {"sort": sort, "offset": offset, "limit": limit}
    target = _searches(url, workspace, dataset, f"/{search_id}/records")
    return json_object(open_api_do("GET", access_key, target, params=params))
