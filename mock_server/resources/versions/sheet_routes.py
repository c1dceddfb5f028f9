"""Routes of sheets, schemas, records and data, under a draft or a commit.

``/records`` and ``/data`` are one family with two envelopes: ``records`` with
comma-separated ``columns`` and repeated ``sort``, ``data`` with ``|``-separated
``columns`` and ``order_by``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from mock_server.core import errors
from mock_server.core.paging import Limit, Offset
from mock_server.core.resolved import ResolvedRoute
from mock_server.core.routing import json_response, plain_digits
from mock_server.resources.datasets.routes import ReadableDataset, WritableDataset
from mock_server.resources.versions.models import (
    DataAdd,
    DataPage,
    DataUpdate,
    KeysDelete,
    RecordPage,
    RecordsAdd,
    RecordsUpdate,
    SchemaFormat,
    SchemaUpdate,
    SheetCreate,
    SheetDetail,
    SheetList,
)
from mock_server.resources.versions.routes import PREFIX, READ, WRITE, DraftNumber, Versions

DRAFT_WRITE = errors.error_responses(*WRITE, errors.Forbidden)
Columns = Annotated[str | None, Query(max_length=4096)]
WithCount = Annotated[bool, Query()]
# The digits rule on the whole optional value: Query metadata on a member of a union
# makes pydantic warn (and FastAPI builds route state lazily, on a first request).
SheetLimit = Annotated[int | None, BeforeValidator(plain_digits), Query(ge=1, le=1000)]

router = APIRouter(prefix=PREFIX, tags=["sheets and records"], route_class=ResolvedRoute)

D = "/drafts/{draft_number}/sheets"
C = "/commits/{commit_id}/sheets"


# ---------------------------------------------------------------------------- sheets


@router.post(
    D,
    operation_id="create_sheet",
    summary="Create a sheet in an OPEN draft",
    response_model=dict[str, Any],
    responses=errors.error_responses(*WRITE, errors.Forbidden, errors.NameConflict),
)
async def create_sheet(
    found: WritableDataset, draft_number: DraftNumber, body: SheetCreate, versions: Versions
) -> Any:
    versions.create_sheet(found, draft_number, body)
    return json_response({})


@router.get(
    D,
    operation_id="list_draft_sheets",
    summary="A draft's sheets",
    response_model=SheetList,
    responses=READ,
)
async def list_draft_sheets(
    found: ReadableDataset,
    draft_number: DraftNumber,
    versions: Versions,
    with_record_count: WithCount = False,
    offset: Offset = 0,
    limit: SheetLimit = None,
) -> Any:
    return json_response(
        versions.list_draft_sheets(found, draft_number, with_record_count, offset, limit)
    )


@router.get(
    C,
    operation_id="list_commit_sheets",
    summary="A commit's sheets",
    response_model=SheetList,
    responses=READ,
)
async def list_commit_sheets(
    found: ReadableDataset,
    commit_id: str,
    versions: Versions,
    with_record_count: WithCount = False,
    offset: Offset = 0,
    limit: SheetLimit = None,
) -> Any:
    return json_response(
        versions.list_commit_sheets(found, commit_id, with_record_count, offset, limit)
    )


@router.get(
    D + "/{sheet}",
    operation_id="get_draft_sheet",
    summary="A draft's sheet with its schema",
    response_model=SheetDetail,
    responses=READ,
)
async def get_draft_sheet(
    found: ReadableDataset,
    draft_number: DraftNumber,
    sheet: str,
    versions: Versions,
    with_record_count: WithCount = False,
    schema_format: SchemaFormat | None = None,
) -> Any:
    return json_response(
        versions.get_draft_sheet(found, draft_number, sheet, with_record_count, schema_format)
    )


@router.get(
    C + "/{sheet}",
    operation_id="get_commit_sheet",
    summary="A commit's sheet with its schema",
    response_model=SheetDetail,
    responses=READ,
)
async def get_commit_sheet(
    found: ReadableDataset,
    commit_id: str,
    sheet: str,
    versions: Versions,
    with_record_count: WithCount = False,
    schema_format: SchemaFormat | None = None,
) -> Any:
    return json_response(
        versions.get_commit_sheet(found, commit_id, sheet, with_record_count, schema_format)
    )


@router.delete(
    D + "/{sheet}",
    operation_id="delete_sheet",
    summary="Delete a sheet from an OPEN draft",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def delete_sheet(
    found: WritableDataset, draft_number: DraftNumber, sheet: str, versions: Versions
) -> Any:
    versions.delete_sheet(found, draft_number, sheet)
    return json_response({})


@router.patch(
    D + "/{sheet}/schema",
    operation_id="update_schema",
    summary="Replace a draft sheet's schema",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def update_schema(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: SchemaUpdate,
    versions: Versions,
) -> Any:
    versions.update_schema(found, draft_number, sheet, body)
    return json_response({})


# ---------------------------------------------------------------------------- records, data


def _records(rows: list[dict[str, Any]], total: int, offset: int) -> Any:
    return json_response(
        {"records": rows, "offset": offset, "record_size": len(rows), "total_count": total}
    )


def _data(rows: list[dict[str, Any]], total: int, offset: int) -> Any:
    return json_response(
        {"data": rows, "offset": offset, "record_size": len(rows), "total_count": total}
    )


@router.get(
    D + "/{sheet}/records",
    operation_id="list_draft_records",
    summary="A page of a draft sheet's records",
    response_model=RecordPage,
    responses=READ,
)
async def list_draft_records(
    found: ReadableDataset,
    draft_number: DraftNumber,
    sheet: str,
    versions: Versions,
    columns: Columns = None,
    sort: Annotated[list[str] | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    rows, total = versions.list_draft_records(
        found,
        draft_number,
        sheet,
        columns=columns,
        separator=",",
        sort=sort or [],
        offset=offset,
        limit=limit,
    )
    return _records(rows, total, offset)


@router.get(
    C + "/{sheet}/records",
    operation_id="list_commit_records",
    summary="A page of a commit sheet's records",
    response_model=RecordPage,
    responses=READ,
)
async def list_commit_records(
    found: ReadableDataset,
    commit_id: str,
    sheet: str,
    versions: Versions,
    columns: Columns = None,
    sort: Annotated[list[str] | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    rows, total = versions.list_commit_records(
        found,
        commit_id,
        sheet,
        columns=columns,
        separator=",",
        sort=sort or [],
        offset=offset,
        limit=limit,
    )
    return _records(rows, total, offset)


@router.get(
    D + "/{sheet}/data",
    operation_id="list_draft_data",
    summary="A page of a draft sheet's rows",
    response_model=DataPage,
    responses=READ,
)
async def list_draft_data(
    found: ReadableDataset,
    draft_number: DraftNumber,
    sheet: str,
    versions: Versions,
    columns: Columns = None,
    order_by: Columns = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    rows, total = versions.list_draft_records(
        found,
        draft_number,
        sheet,
        columns=columns,
        separator="|",
        sort=(order_by or "").split("|"),
        offset=offset,
        limit=limit,
    )
    return _data(rows, total, offset)


@router.get(
    C + "/{sheet}/data",
    operation_id="list_commit_data",
    summary="A page of a commit sheet's rows",
    response_model=DataPage,
    responses=READ,
)
async def list_commit_data(
    found: ReadableDataset,
    commit_id: str,
    sheet: str,
    versions: Versions,
    columns: Columns = None,
    order_by: Columns = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    rows, total = versions.list_commit_records(
        found,
        commit_id,
        sheet,
        columns=columns,
        separator="|",
        sort=(order_by or "").split("|"),
        offset=offset,
        limit=limit,
    )
    return _data(rows, total, offset)


@router.post(
    D + "/{sheet}/records",
    operation_id="add_records",
    summary="Append records",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def add_records(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: RecordsAdd,
    versions: Versions,
) -> Any:
    versions.add_records(found, draft_number, sheet, body.records)
    return json_response({})


@router.patch(
    D + "/{sheet}/records",
    operation_id="update_records",
    summary="Merge fields into records",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def update_records(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: RecordsUpdate,
    versions: Versions,
) -> Any:
    versions.update_records(found, draft_number, sheet, body.records)
    return json_response({})


@router.delete(
    D + "/{sheet}/records",
    operation_id="delete_records",
    summary="Delete records by key",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def delete_records(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: KeysDelete,
    versions: Versions,
) -> Any:
    versions.delete_records(found, draft_number, sheet, body.record_keys)
    return json_response({})


@router.post(
    D + "/{sheet}/data",
    operation_id="add_data",
    summary="Append rows",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def add_data(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: DataAdd,
    versions: Versions,
) -> Any:
    versions.add_records(found, draft_number, sheet, body.data)
    return json_response({})


@router.patch(
    D + "/{sheet}/data",
    operation_id="update_data",
    summary="Merge fields into rows",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def update_data(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: DataUpdate,
    versions: Versions,
) -> Any:
    versions.update_records(found, draft_number, sheet, body.data)
    return json_response({})


@router.delete(
    D + "/{sheet}/data",
    operation_id="delete_data",
    summary="Delete rows by key",
    response_model=dict[str, Any],
    responses=DRAFT_WRITE,
)
async def delete_data(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: KeysDelete,
    versions: Versions,
) -> Any:
    versions.delete_records(found, draft_number, sheet, body.record_keys)
    return json_response({})
