"""The tag calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.tag``.

A tag answers as a named commit: ``{"name", "commit_id", "parent_commit_id",
"title", "description", "committer", "committed_at"}``. Tag names go into the
path as they are, like the SDK does.
"""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = ["create_tag", "delete_tag", "get_tag", "list_tags"]


def create_tag(
    access_key: str, url: str, workspace: str, dataset: str, *, name: str, revision: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/tags``.

    The body is ``{"name", "revision"}``; the answer is the new tag.
    """
    post_data = {"name": name, "revision": revision}
    path = f"/v2/datasets/{workspace}/{dataset}/tags"
    return json_object(open_api_do("POST", access_key, endpoint(url, path), json=post_data))


def list_tags(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/tags`` and return a page.

    The page is ``{"tags", "offset", "record_size", "total_count"}``.
    """
    params = {"offset": offset, "limit": limit}
    path = f"/v2/datasets/{workspace}/{dataset}/tags"
    return json_object(open_api_do("GET", access_key, endpoint(url, path), params=params))


def get_tag(access_key: str, url: str, workspace: str, dataset: str, *, tag: str) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/tags/{tag}``."""
    path = f"/v2/datasets/{workspace}/{dataset}/tags/{tag}"
    return json_object(open_api_do("GET", access_key, endpoint(url, path)))


def delete_tag(access_key: str, url: str, workspace: str, dataset: str, *, tag: str) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/tags/{tag}``.

    The body of the answer is ignored.
    """
    path = f"/v2/datasets/{workspace}/{dataset}/tags/{tag}"
    open_api_do("DELETE", access_key, endpoint(url, path))
