"""The schema call of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.schema``."""

from __future__ import annotations

from typing import Any

from client._http import endpoint, open_api_do

__all__ = ["update_schema"]


def update_schema(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    patch: list[dict[str, Any]] | None = None,
    _schema: str,
    _avro_schema: str,
    _arrow_schema: str | None = None,
) -> None:
    """Execute the OpenAPI ``PATCH /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/schema``.

    The body is ``{"_schema", "_avro_schema"}`` plus ``_arrow_schema`` and then
    ``patch`` when they are not None; the answer's body is ignored.
    """  # noqa: E501
    patch_data: dict[str, Any] = {"_schema": _schema, "_avro_schema": _avro_schema}
    if _arrow_schema is not None:
        patch_data["_arrow_schema"] = _arrow_schema
    if patch is not None:
        patch_data["patch"] = patch
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}/schema"
    open_api_do("PATCH", access_key, endpoint(url, path), json=patch_data)
