"""The user call of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.user``."""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = ["get_current_user"]


def get_current_user(access_key: str, url: str) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/current-user`` and return the key's user."""
    return json_object(open_api_do("GET", access_key, endpoint(url, "/v2/current-user")))
