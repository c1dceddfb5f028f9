"""The draft calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.draft``.

A draft is ``{"number", "title", "description", "branch", "state",
"parent_commit_id", "creator", "created_at", "updated_at"}``.
``create_draft`` leaves a falsy ``description`` or ``branch`` out of the body
(the SDK tests truthiness there); ``update_draft`` leaves out only None.
"""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = ["create_draft", "get_draft", "list_drafts", "update_draft"]


def create_draft(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    title: str,
    branch: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/drafts``.

    The body is ``{"title"}``, then ``description`` and ``branch`` when they
    are truthy (in that order); the answer is the new draft.
    """
    post_data = {"title": title}
    if description:
        post_data["description"] = description
    if branch:
        post_data["branch"] = branch
    path = f"/v2/datasets/{workspace}/{dataset}/drafts"
    return json_object(open_api_do("POST", access_key, endpoint(url, path), json=post_data))


def list_drafts(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    state: str | None = None,
    branch: str | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/drafts`` and return a page.

    The page is ``{"drafts", "offset", "record_size", "total_count"}``;
    ``state`` is ``OPEN``, ``CLOSED``, ``COMMITTED`` or ``ALL``.
    """
    params = {"state": state, "branch": branch, "offset": offset, "limit": limit}
    path = f"/v2/datasets/{workspace}/{dataset}/drafts"
    return json_object(open_api_do("GET", access_key, endpoint(url, path), params=params))


def get_draft(
    access_key: str, url: str, workspace: str, dataset: str, *, draft_number: int
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}``."""
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}"
    return json_object(open_api_do("GET", access_key, endpoint(url, path)))


def update_draft(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    state: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``PATCH /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}``.

    The body holds ``state``, ``title`` and ``description`` when they are not
    None (``{}`` when all are); the answer is the draft after the change.
    """
    patch_data: dict[str, Any] = {}
    if state is not None:
        patch_data["state"] = state
    if title is not None:
        patch_data["title"] = title
    if description is not None:
        patch_data["description"] = description
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}"
    return json_object(open_api_do("PATCH", access_key, endpoint(url, path), json=patch_data))
