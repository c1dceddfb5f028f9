"""The commit and revision calls of the Graviti OpenAPI v2, as ``graviti.openapi.commit``.

A commit is ``{"commit_id", "parent_commit_id", "title", "description",
"committer", "committed_at"}``; a revision is the same plus ``"type"``
(``BRANCH``, ``TAG`` or ``COMMIT``). ``commit_draft`` leaves a falsy
``description`` (None or ``""``) out of the body, as the SDK does.
"""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = ["commit_draft", "get_commit", "get_revision", "list_commits"]


def commit_draft(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    title: str,
    description: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/commits``.

    The body is ``{"draft_number", "title"}`` plus ``description`` when it is
    truthy; the answer is the new commit.
    """
    post_data: dict[str, Any] = {"draft_number": draft_number, "title": title}
    if description:
        post_data["description"] = description
    path = f"/v2/datasets/{workspace}/{dataset}/commits"
    return json_object(open_api_do("POST", access_key, endpoint(url, path), json=post_data))


def list_commits(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    revision: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/commits`` and return a page.

    The page is ``{"commits", "offset", "record_size", "total_count"}``, the
    revision's commit first, then its ancestors.
    """
    params = {"revision": revision, "offset": offset, "limit": limit}
    path = f"/v2/datasets/{workspace}/{dataset}/commits"
    return json_object(open_api_do("GET", access_key, endpoint(url, path), params=params))


def get_commit(
    access_key: str, url: str, workspace: str, dataset: str, *, commit_id: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/commits/{commit_id}``."""
    path = f"/v2/datasets/{workspace}/{dataset}/commits/{commit_id}"
    return json_object(open_api_do("GET", access_key, endpoint(url, path)))


def get_revision(
    access_key: str, url: str, workspace: str, dataset: str, *, revision: str
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/revisions/{revision}``.

    ``revision`` is a branch name, a tag name or a commit id.
    """
    path = f"/v2/datasets/{workspace}/{dataset}/revisions/{revision}"
    return json_object(open_api_do("GET", access_key, endpoint(url, path)))
