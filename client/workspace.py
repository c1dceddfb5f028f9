"""The workspace calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.workspace``."""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = ["get_current_workspace", "get_workspace"]


def get_current_workspace(access_key: str, url: str) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/current-workspace`` and return the key's workspace."""
    return json_object(open_api_do("GET", access_key, endpoint(url, "/v2/current-workspace")))


def get_workspace(access_key: str, url: str, workspace: str) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/workspaces/{workspace}`` and return that workspace."""
    response = open_api_do("GET", access_key, endpoint(url, f"/v2/workspaces/{workspace}"))
    return json_object(response)
