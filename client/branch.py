"""The branch calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.branch``.

A branch answers as a named commit: ``{"name", "commit_id",
"parent_commit_id", "title", "description", "committer", "committed_at"}``.
Branch names go into the path as they are (a ``/`` makes more segments), like
the SDK does.
"""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = ["create_branch", "delete_branch", "get_branch", "list_branches"]


def create_branch(
    access_key: str, url: str, workspace: str, dataset: str, *, name: str, revision: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/branches``.

    The body is ``{"name", "revision"}``; the answer is the new branch.
    """
    post_data = {"name": name, "revision": revision}
    path = f"/v2/datasets/{workspace}/{dataset}/branches"
    return json_object(open_api_do("POST", access_key, endpoint(url, path), json=post_data))


def list_branches(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/branches`` and return a page.

    The page is ``{"branches", "offset", "record_size", "total_count"}``.
    """
    params = {"offset": offset, "limit": limit}
    path = f"/v2/datasets/{workspace}/{dataset}/branches"
    return json_object(open_api_do("GET", access_key, endpoint(url, path), params=params))


def get_branch(
    access_key: str, url: str, workspace: str, dataset: str, *, branch: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/branches/{branch}``."""
    path = f"/v2/datasets/{workspace}/{dataset}/branches/{branch}"
    return json_object(open_api_do("GET", access_key, endpoint(url, path)))


def delete_branch(access_key: str, url: str, workspace: str, dataset: str, *, branch: str) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/branches/{branch}``.

    The body of the answer is ignored.
    """
    path = f"/v2/datasets/{workspace}/{dataset}/branches/{branch}"
    open_api_do("DELETE", access_key, endpoint(url, path))
