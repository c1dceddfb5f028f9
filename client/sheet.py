"""The sheet calls of the Graviti OpenAPI v2, as the SDK's ``graviti.openapi.sheet``.

A sheet lives in a draft (written there) or in a commit (read only). A summary
is ``{"name", "created_at", "updated_at"[, "record_count"]}``; a sheet read on
its own adds ``"schema"`` (a string). ``with_record_count`` goes into the query
as the Python word ``True`` or ``False``, as the SDK sends it.
"""

from __future__ import annotations

from typing import Any

from client._http import endpoint, json_object, open_api_do

__all__ = [
    "create_sheet",
    "delete_sheet",
    "get_commit_sheet",
    "get_draft_sheet",
    "list_commit_sheets",
    "list_draft_sheets",
]


def _list_sheets(
    access_key: str,
    url: str,
    with_record_count: bool | None,
    offset: int | None,
    limit: int | None,
) -> dict[str, Any]:
    params = {"with_record_count": with_record_count, "offset": offset, "limit": limit}
    return json_object(open_api_do("GET", access_key, url, params=params))


def _get_sheet(
    access_key: str, url: str, with_record_count: bool | None, schema_format: str | None
) -> dict[str, Any]:
    params = {"with_record_count": with_record_count, "schema_format": schema_format}
    return json_object(open_api_do("GET", access_key, url, params=params))


def create_sheet(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    name: str,
    schema: str,
    _avro_schema: str,
    _arrow_schema: str | None = None,
    record_key_strategy: str | None = None,
) -> None:
    """Execute the OpenAPI ``POST /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets``.

    The body is ``{"name", "schema", "_avro_schema"}`` plus ``_arrow_schema``
    and ``record_key_strategy`` when they are not None; the answer's body is
    ignored.
    """
    post_data = {"name": name, "schema": schema, "_avro_schema": _avro_schema}
    if _arrow_schema is not None:
        post_data["_arrow_schema"] = _arrow_schema
    if record_key_strategy is not None:
        post_data["record_key_strategy"] = record_key_strategy
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets"
    open_api_do("POST", access_key, endpoint(url, path), json=post_data)


def list_draft_sheets(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    with_record_count: bool | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets``.

    The page is ``{"sheets", "offset", "record_size", "total_count"}``.
    """
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets"
    return _list_sheets(access_key, endpoint(url, path), with_record_count, offset, limit)


def list_commit_sheets(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    commit_id: str,
    with_record_count: bool | None = None,
    offset: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets``.

    The page is ``{"sheets", "offset", "record_size", "total_count"}``.
    """
    path = f"/v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets"
    return _list_sheets(access_key, endpoint(url, path), with_record_count, offset, limit)


def get_draft_sheet(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    draft_number: int,
    sheet: str,
    with_record_count: bool | None = None,
    schema_format: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}``.

    ``schema_format`` is ``JSON`` or ``YAML``. (The SDK's docstring names the
    list endpoint here; the request goes to the sheet's own path.)
    """  # noqa: E501
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}"
    return _get_sheet(access_key, endpoint(url, path), with_record_count, schema_format)


def get_commit_sheet(
    access_key: str,
    url: str,
    workspace: str,
    dataset: str,
    *,
    commit_id: str,
    sheet: str,
    with_record_count: bool | None = None,
    schema_format: str | None = None,
) -> dict[str, Any]:
    """Execute the OpenAPI ``GET /v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets/{sheet}``.

    ``schema_format`` is ``JSON`` or ``YAML``.
    """  # noqa: E501
    path = f"/v2/datasets/{workspace}/{dataset}/commits/{commit_id}/sheets/{sheet}"
    return _get_sheet(access_key, endpoint(url, path), with_record_count, schema_format)


def delete_sheet(
    access_key: str, url: str, workspace: str, dataset: str, *, draft_number: int, sheet: str
) -> None:
    """Execute the OpenAPI ``DELETE /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}``.

    The body of the answer is ignored.
    """  # noqa: E501
    path = f"/v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}"
    open_api_do("DELETE", access_key, endpoint(url, path))
