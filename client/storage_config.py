"""The storage-config calls of the Graviti OpenAPI v2, as ``graviti.openapi.storage_config``.

``update_storage_configs`` sends the body key ``deafault_storage_config``,
misspelt exactly as the SDK spells it, since that is what the service gets.
"""

from __future__ import annotations

from typing import Any

from client._http import SortParam, endpoint, json_object, open_api_do

__all__ = ["get_storage_config", "list_storage_configs", "update_storage_configs"]


def list_storage_configs(
    access_key: str,
    url: str,
    workspace: str,
    *,
    sort: SortParam = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/workspaces/{workspace}/storage-configs`` and return a page.

    The page is ``{"default_storage_config", "storage_configs", "offset",
    "record_size", "total_count"}``; parameters left at None are not sent.
    """
    params = {"sort": sort, "offset": offset, "limit": limit}
    response = open_api_do(
        "GET",
        access_key,
        endpoint(url, f"/v2/workspaces/{workspace}/storage-configs"),
        params=params,
    )
    return json_object(response)


def get_storage_config(
    access_key: str, url: str, workspace: str, storage_config: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/workspaces/{workspace}/storage-configs/{storage_config}``."""
    path = f"/v2/workspaces/{workspace}/storage-configs/{storage_config}"
    return json_object(open_api_do("GET", access_key, endpoint(url, path)))


def update_storage_configs(
    access_key: str, url: str, workspace: str, *, default_storage_config: str
) -> None:
    """Execute the OpenAPI ``PATCH /v2/workspaces/{workspace}/storage-configs``.

    The body is ``{"deafault_storage_config": default_storage_config}``; the
    answer's body is ignored.
    """
    patch_data = {"deafault_storage_config": default_storage_config}
    open_api_do(
        "PATCH",
        access_key,
        endpoint(url, f"/v2/workspaces/{workspace}/storage-configs"),
        json=patch_data,
    )
