"""Routes of sheets, schemas, records and data, under a draft or a commit.

``/records`` and ``/data`` are one family with two envelopes: ``records`` with
comma-separated ``columns`` and repeated ``sort``, ``data`` with ``|``-separated
``columns`` and ``order_by``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.types import DecoratedCallable
from pydantic import BeforeValidator

from mock_server.core import errors
from mock_server.core.paging import Limit, Offset
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import json_response, plain_digits
from mock_server.resources.datasets.routes import ReadableDataset, WritableDataset
from mock_server.resources.datasets.store import DatasetKey
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

router = ResourceRouter(prefix=PREFIX, tags=["sheets and records"])

D = "/drafts/{draft_number}/sheets"
C = "/commits/{commit_id}/sheets"


def draft_write(
    method: str, path: str, operation_id: str, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """The route decorator of a change to a draft's sheet: answers ``{}``."""
    return router.api_route(
        D + path,
        methods=[method],
        operation_id=operation_id,
        summary=summary,
        response_model=dict[str, Any],
        responses=DRAFT_WRITE,
    )


# ---------------------------------------------------------------------------- sheets


@router.post(
    D,
    operation_id="create_sheet",
    summary="Create a sheet in an OPEN draft",
    response_model=dict[str, Any],
    responses=errors.error_responses(*WRITE, errors.Forbidden, errors.NameConflict),
)
def create_sheet(
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


@draft_write("DELETE", "/{sheet}", "delete_sheet", "Delete a sheet from an OPEN draft")
def delete_sheet(
    found: WritableDataset, draft_number: DraftNumber, sheet: str, versions: Versions
) -> Any:
    versions.delete_sheet(found, draft_number, sheet)
    return json_response({})


@draft_write("PATCH", "/{sheet}/schema", "update_schema", "Replace a draft sheet's schema")
def update_schema(
    found: WritableDataset,
    draft_number: DraftNumber,
    sheet: str,
    body: SchemaUpdate,
    versions: Versions,
) -> Any:
    versions.update_schema(found, draft_number, sheet, body)
    return json_response({})


# ---------------------------------------------------------------------------- records, data


@dataclass(frozen=True, slots=True)
class Page:
    """What a records or data listing asks for, in the store's terms."""

    columns: str | None
    separator: str
    sort: list[str]
    offset: int
    limit: int

    def options(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in self.__slots__}


async def records_page(
    columns: Columns = None,
    sort: Annotated[list[str] | None, Query()] = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Page:
    return Page(columns, ",", sort or [], offset, limit)


async def data_page(
    columns: Columns = None, order_by: Columns = None, offset: Offset = 0, limit: Limit = 128
) -> Page:
    return Page(columns, "|", (order_by or "").split("|"), offset, limit)


@dataclass(frozen=True, slots=True)
class DraftSheet:
    """A sheet of a draft, of a dataset the key may read or change."""

    found: DatasetKey
    draft_number: int
    sheet: str


async def readable_draft_sheet(
    found: ReadableDataset, draft_number: DraftNumber, sheet: str
) -> DraftSheet:
    return DraftSheet(found, draft_number, sheet)


async def writable_draft_sheet(
    found: WritableDataset, draft_number: DraftNumber, sheet: str
) -> DraftSheet:
    return DraftSheet(found, draft_number, sheet)


RecordsPage = Annotated[Page, Depends(records_page)]
DataPageQuery = Annotated[Page, Depends(data_page)]
ReadableSheet = Annotated[DraftSheet, Depends(readable_draft_sheet)]
WritableSheet = Annotated[DraftSheet, Depends(writable_draft_sheet)]


def _page(envelope: str, rows: list[dict[str, Any]], total: int, offset: int) -> Any:
    return json_response(
        {envelope: rows, "offset": offset, "record_size": len(rows), "total_count": total}
    )


@router.get(
    D + "/{sheet}/records",
    operation_id="list_draft_records",
    summary="A page of a draft sheet's records",
    response_model=RecordPage,
    responses=READ,
)
async def list_draft_records(at: ReadableSheet, versions: Versions, page: RecordsPage) -> Any:
    rows, total = versions.list_draft_records(at.found, at.draft_number, at.sheet, **page.options())
    return _page("records", rows, total, page.offset)


@router.get(
    C + "/{sheet}/records",
    operation_id="list_commit_records",
    summary="A page of a commit sheet's records",
    response_model=RecordPage,
    responses=READ,
)
async def list_commit_records(
    found: ReadableDataset, commit_id: str, sheet: str, versions: Versions, page: RecordsPage
) -> Any:
    rows, total = versions.list_commit_records(found, commit_id, sheet, **page.options())
    return _page("records", rows, total, page.offset)


@router.get(
    D + "/{sheet}/data",
    operation_id="list_draft_data",
    summary="A page of a draft sheet's rows",
    response_model=DataPage,
    responses=READ,
)
async def list_draft_data(at: ReadableSheet, versions: Versions, page: DataPageQuery) -> Any:
    rows, total = versions.list_draft_records(at.found, at.draft_number, at.sheet, **page.options())
    return _page("data", rows, total, page.offset)


@router.get(
    C + "/{sheet}/data",
    operation_id="list_commit_data",
    summary="A page of a commit sheet's rows",
    response_model=DataPage,
    responses=READ,
)
async def list_commit_data(
    found: ReadableDataset, commit_id: str, sheet: str, versions: Versions, page: DataPageQuery
) -> Any:
    rows, total = versions.list_commit_records(found, commit_id, sheet, **page.options())
    return _page("data", rows, total, page.offset)


@draft_write("POST", "/{sheet}/records", "add_records", "Append records")
def add_records(at: WritableSheet, body: RecordsAdd, versions: Versions) -> Any:
    versions.add_records(at.found, at.draft_number, at.sheet, body.records)
    return json_response({})


@draft_write("PATCH", "/{sheet}/records", "update_records", "Merge fields into records")
def update_records(at: WritableSheet, body: RecordsUpdate, versions: Versions) -> Any:
    versions.update_records(at.found, at.draft_number, at.sheet, body.records)
    return json_response({})


@draft_write("DELETE", "/{sheet}/records", "delete_records", "Delete records by key")
def delete_records(at: WritableSheet, body: KeysDelete, versions: Versions) -> Any:
    versions.delete_records(at.found, at.draft_number, at.sheet, body.record_keys)
    return json_response({})


@draft_write("POST", "/{sheet}/data", "add_data", "Append rows")
def add_data(at: WritableSheet, body: DataAdd, versions: Versions) -> Any:
    versions.add_records(at.found, at.draft_number, at.sheet, body.data)
    return json_response({})


@draft_write("PATCH", "/{sheet}/data", "update_data", "Merge fields into rows")
def update_data(at: WritableSheet, body: DataUpdate, versions: Versions) -> Any:
    versions.update_records(at.found, at.draft_number, at.sheet, body.data)
    return json_response({})


@draft_write("DELETE", "/{sheet}/data", "delete_data", "Delete rows by key")
def delete_data(at: WritableSheet, body: KeysDelete, versions: Versions) -> Any:
    versions.delete_records(at.found, at.draft_number, at.sheet, body.record_keys)
    return json_response({})
