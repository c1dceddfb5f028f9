"""The object calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.object``.

``get_object_permission`` sends ``actions`` as given (``GET``, ``PUT`` or
``GET|PUT``, the ``|`` percent-encoded) and ``is_internal`` as the Python word
``True`` or ``False``. ``copy_objects`` answers ``{"keys"}``, the new keys in
the order of the request.
"""

from __future__ import annotations

from typing import Any, cast

from client._http import endpoint, json_object, open_api_do

__all__ = ["copy_objects", "get_object_permission"]


def get_object_permission(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    actions: str,
    is_internal: bool | None = None,
    expired: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/objects/permissions``.

    The answer is ``{"backend_type", "expire_at", "permission"}``.
    """
    params = {"actions": actions, "is_internal": is_internal, "expired": expired}
    path = f"/v2/datasets/{workspace}/{dataset}/objects/permissions"
    return json_object(open_api_do("GET", access_key, endpoint(url, path), params=params))


def copy_objects(
    access_key: str,
    url: str,
    workspace: str,
    target_dataset: str,
    *,
    source_dataset: str,
    keys: list[str],
) -> dict[str, list[str]]:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{target_dataset}/objects/copy``.

    The body is ``{"source_dataset", "keys"}``.
    """
    post_data = {"source_dataset": source_dataset, "keys": keys}
    path = f"/v2/datasets/{workspace}/{target_dataset}/objects/copy"
    response = open_api_do("POST", access_key, endpoint(url, path), json=post_data)
    return cast(dict[str, list[str]], json_object(response))
