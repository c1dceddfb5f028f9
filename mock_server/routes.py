"""The Graviti OpenAPI v2 routes: parse the request, call the store, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import APIKeyHeader
from starlette.responses import Response

from mock_server import encode, errors
from mock_server.fastroute import FastRoute
from mock_server.models import (
    DatasetCreate,
    DatasetList,
    DatasetPublic,
    DatasetUpdate,
    UserPublic,
    WorkspacePublic,
)
from mock_server.store import Caller, DatasetStore

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1

# Declared for the OpenAPI document; the key itself is checked by the store, so a
# missing header is a Graviti 401 rather than FastAPI's own error.
access_key_header = APIKeyHeader(name="X-Token", auto_error=False, description="Access key")


# Async, so FastAPI calls them in the event loop instead of a worker thread.
async def get_store(request: Request) -> DatasetStore:
    store: DatasetStore = request.app.state.store
    return store


Store = Annotated[DatasetStore, Depends(get_store)]


async def authenticate(
    store: Store, key: Annotated[str | None, Depends(access_key_header)]
) -> Caller:
    return store.authenticate(key)


Auth = Annotated[Caller, Depends(authenticate)]


def _store_of(request: Request) -> DatasetStore:
    store: DatasetStore = request.app.state.store
    return store


def _caller_of(request: Request) -> Caller:
    # What access_key_header gives authenticate: the header, an empty one being None.
    return _store_of(request).authenticate(request.headers.get("x-token") or None)


class V2Route(FastRoute):
    resolvers = {get_store: _store_of, authenticate: _caller_of}


# Any call may find the database busy, read-only or full (503), or hit a bug (500).
router = APIRouter(
    prefix="/v2",
    route_class=V2Route,
    responses=errors.error_responses(errors.GravitiError, errors.ServiceUnavailable),
)

AUTH_ERRORS = (errors.Unauthorized,)
BODY_ERRORS = (errors.InvalidParams, errors.ParamsMissing, errors.PayloadTooLarge)
ON_DATASET = (errors.AccessDenied, errors.ResourceNotExist)


def _json(content: Any) -> Response:
    # Returning a Response skips a second validation of what the store already shaped;
    # ``response_model`` still documents the shape.
    return _raw_json(encode.encode(content))


def _raw_json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


@router.post(
    "/datasets",
    operation_id="create_dataset",
    summary="Create a dataset in the caller's workspace",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, errors.NameConflict),
)
async def create_dataset(body: DatasetCreate, caller: Auth, store: Store) -> Any:
    return _json(store.create_dataset(caller, body))


@router.get(
    "/datasets",
    operation_id="list_datasets",
    summary="List the caller's datasets in creation order",
    response_model=DatasetList,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams),
)
async def list_datasets(
    caller: Auth,
    store: Store,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 128,
) -> Any:
    return _raw_json(store.list_datasets_json(caller, offset, limit))


@router.get(
    "/datasets/{workspace}/{dataset}",
    operation_id="get_dataset",
    summary="Get one dataset",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
async def get_dataset(workspace: str, dataset: str, caller: Auth, store: Store) -> Any:
    return _raw_json(store.get_dataset_json(caller, workspace, dataset))


@router.patch(
    "/datasets/{workspace}/{dataset}",
    operation_id="update_dataset",
    summary="Rename a dataset, or change its alias or default branch",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET, errors.NameConflict),
)
async def update_dataset(
    workspace: str, dataset: str, body: DatasetUpdate, caller: Auth, store: Store
) -> Any:
    return _json(store.update_dataset(caller, workspace, dataset, body))


@router.delete(
    "/datasets/{workspace}/{dataset}",
    operation_id="delete_dataset",
    summary="Delete a dataset",
    response_model=dict[str, Any],
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
async def delete_dataset(workspace: str, dataset: str, caller: Auth, store: Store) -> Any:
    store.delete_dataset(caller, workspace, dataset)
    return _json({})


def _workspace(fields: dict[str, Any]) -> dict[str, Any]:
    return {field: fields[field] for field in WorkspacePublic.model_fields}


@router.get(
    "/current-workspace",
    operation_id="get_current_workspace",
    summary="The workspace of the access key",
    response_model=WorkspacePublic,
    responses=errors.error_responses(*AUTH_ERRORS),
)
async def get_current_workspace(caller: Auth, store: Store) -> Any:
    return _json(_workspace(store.get_workspace(caller)))


@router.get(
    "/current-user",
    operation_id="get_current_user",
    summary="The user of the access key",
    response_model=UserPublic,
    responses=errors.error_responses(*AUTH_ERRORS),
)
async def get_current_user(caller: Auth, store: Store) -> Any:
    return _json(store.get_user(caller))


@router.get(
    "/workspaces/{workspace}",
    operation_id="get_workspace",
    summary="A workspace by name",
    response_model=WorkspacePublic,
    responses=errors.error_responses(*AUTH_ERRORS, errors.ResourceNotExist),
)
async def get_workspace(workspace: str, caller: Auth, store: Store) -> Any:
    return _json(_workspace(store.get_workspace(caller, workspace)))
