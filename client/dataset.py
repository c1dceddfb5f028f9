"""The five dataset calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.dataset``.

Signatures, request bodies and query parameters are the SDK's, call for call;
``iter_datasets`` is an addition that pages through ``list_datasets``.
Workspace and dataset names go into the path as they are, like the SDK does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = [
    "create_dataset",
    "delete_dataset",
    "get_dataset",
    "iter_datasets",
    "list_datasets",
    "update_dataset",
]

DEFAULT_PAGE_SIZE = 128


def create_dataset(
    access_key: str,
    url: str,
    name: str,
    *,
    alias: str = "",
    storage_config: str | None = None,
    with_draft: bool | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets`` and return the new dataset.

    The body is ``{"name", "alias"}``, plus ``storage_config`` and
    ``with_draft`` only when they are not None.
    """
    post_data: dict[str, Any] = {"name": name, "alias": alias}
    if storage_config is not None:
        post_data["storage_config"] = storage_config
    if with_draft is not None:
        post_data["with_draft"] = with_draft
    response = open_api_do("POST", access_key, endpoint(url, "/v2/datasets"), json=post_data)
    return json_object(response)


def get_dataset(access_key: str, url: str, workspace: str, dataset: str) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}`` and return the dataset."""
    response = open_api_do("GET", access_key, endpoint(url, f"/v2/datasets/{workspace}/{dataset}"))
    return json_object(response)


def list_datasets(
    access_key: str,
    url: str,
    *,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets`` and return one page.

    The page is ``{"datasets", "offset", "record_size", "total_count"}``. An
    ``offset`` or ``limit`` left at None is not sent, so the service's defaults
    (0 and 128) apply.
    """
    params = {"offset": offset, "limit": limit}
    response = open_api_do("GET", access_key, endpoint(url, "/v2/datasets"), params=params)
    return json_object(response)


def update_dataset(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    name: str | None = None,
    alias: str | None = None,
    default_branch: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``PATCH /v2/datasets/{workspace}/{dataset}`` and return the dataset.

    The body holds only the fields that are not None (``{}`` when all are).
    """
    patch_data: dict[str, Any] = {}
    if name is not None:
        patch_data["name"] = name
    if alias is not None:
        patch_data["alias"] = alias
    if default_branch is not None:
        patch_data["default_branch"] = default_branch
    response = open_api_do(
        "PATCH",
        access_key,
        endpoint(url, f"/v2/datasets/{workspace}/{dataset}"),
        json=patch_data,
    )
    return json_object(response)


def delete_dataset(access_key: str, url: str, workspace: str, dataset: str) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}``; the body is ignored."""
    open_api_do("DELETE", access_key, endpoint(url, f"/v2/datasets/{workspace}/{dataset}"))


def iter_datasets(
    access_key: str, url: str, *, page_size: int = DEFAULT_PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """Yield every dataset of the key's workspace, calling ``GET /v2/datasets`` page by page.

    Pages are requested with ``limit=page_size`` from offset 0; the next offset
    is the previous one plus the number of datasets actually returned, so a
    service that caps ``limit`` below ``page_size`` loses nothing. Paging stops
    once ``total_count`` (as reported by the latest page) datasets have been
    seen, or on an empty page, whichever comes first.

    Raises:
        ValueError: At once, if ``page_size`` is smaller than 1.
        ResponseError: While iterating, as ``list_datasets`` does.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    return _iter_pages(access_key, url, page_size)


def _iter_pages(access_key: str, url: str, page_size: int) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        page = list_datasets(access_key, url, offset=offset, limit=page_size)
        datasets: list[dict[str, Any]] = page["datasets"]
        if not datasets:
            return
        yield from datasets
        offset += len(datasets)
        if offset >= page["total_count"]:
            return
