"""Search routes (``.../searches``): histories created, listed, read and deleted; records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BeforeValidator

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.paging import Limit, Offset
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import json_response, plain_digits
from mock_server.resources.datasets.routes import (
    BODY_ERRORS,
    ON_DATASET,
    ReadableDataset,
    WritableDataset,
)
from mock_server.resources.identity.routes import AUTH_ERRORS, Auth
from mock_server.resources.searches.models import (
    SearchCreate,
    SearchHistoryList,
    SearchHistoryPublic,
    SearchRecords,
)
from mock_server.resources.searches.store import SearchStore

Searches = Annotated[SearchStore, Depends(store_dependency(SearchStore))]
Sort = Annotated[list[str] | None, Query()]
# The digits rule on the whole optional value (as for a sheet listing's limit): "0.0" or
# "1e0" is not a draft number.
DraftFilter = Annotated[int | None, BeforeValidator(plain_digits), Query(ge=1, le=2**31 - 1)]

PREFIX = "/datasets/{workspace}/{dataset}/searches"
ON_SEARCH = errors.error_responses(*AUTH_ERRORS, *ON_DATASET, errors.InvalidParams)

router = ResourceRouter(prefix="/v2", tags=["searches"])


@router.post(
    PREFIX,
    operation_id="create_search_history",
    summary="Search a sheet of a commit or a draft",
    response_model=SearchHistoryPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET),
)
def create_search_history(
    body: SearchCreate, caller: Auth, found: ReadableDataset, searches: Searches
) -> Any:
    return json_response(searches.create_search_history(caller, found, body))


@router.get(
    PREFIX,
    operation_id="list_search_histories",
    summary="List the dataset's searches in creation order",
    response_model=SearchHistoryList,
    responses=ON_SEARCH,
)
async def list_search_histories(
    found: ReadableDataset,
    searches: Searches,
    commit_id: str | None = None,
    draft_number: DraftFilter = None,
    sheet: str | None = None,
    sort: Sort = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    listing = searches.list_search_histories(
        found,
        commit_id=commit_id,
        draft_number=draft_number,
        sheet=sheet,
        sort=sort or [],
        offset=offset,
        limit=limit,
    )
    return json_response(listing)


@router.get(
    PREFIX + "/{search_id}",
    operation_id="get_search_history",
    summary="Get one search",
    response_model=SearchHistoryPublic,
    responses=ON_SEARCH,
)
async def get_search_history(search_id: str, found: ReadableDataset, searches: Searches) -> Any:
    return json_response(searches.get_search_history(found, search_id))


@router.delete(
    PREFIX + "/{search_id}",
    operation_id="delete_search_history",
    summary="Delete a search",
    response_model=dict[str, Any],
    responses=ON_SEARCH,
)
def delete_search_history(search_id: str, found: WritableDataset, searches: Searches) -> Any:
    searches.delete_search_history(found, search_id)
    return json_response({})


@router.get(
    PREFIX + "/{search_id}/record-count",
    operation_id="get_search_record_count",
    summary="How many records the search finds (a bare JSON integer)",
    response_model=int,
    responses=ON_SEARCH,
)
async def get_search_record_count(
    search_id: str, found: ReadableDataset, searches: Searches
) -> Any:
    return json_response(searches.get_search_record_count(found, search_id))


@router.get(
    PREFIX + "/{search_id}/records",
    operation_id="list_search_records",
    summary="A page of the records the search finds, in record order",
    response_model=SearchRecords,
    responses=ON_SEARCH,
)
async def list_search_records(
    search_id: str,
    found: ReadableDataset,
    searches: Searches,
    sort: Sort = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    records = searches.list_search_records(found, search_id, sort or [], offset, limit)
    return json_response({"records": records})
