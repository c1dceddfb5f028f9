"""The Graviti OpenAPI v2 routes: parse the request, call the store, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from mock_server import errors
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

# Any call may find the database busy, read-only or full (503), or hit a bug (500).
router = APIRouter(
    prefix="/v2",
    responses=errors.error_responses(errors.GravitiError, errors.ServiceUnavailable),
)

# Declared for the OpenAPI document; the key itself is checked by the store, so a
# missing header is a Graviti 401 rather than FastAPI's own error.
access_key_header = APIKeyHeader(name="X-Token", auto_error=False, description="Access key")


def get_store(request: Request) -> DatasetStore:
    store: DatasetStore = request.app.state.store
    return store


Store = Annotated[DatasetStore, Depends(get_store)]


def authenticate(store: Store, key: Annotated[str | None, Depends(access_key_header)]) -> Caller:
    return store.authenticate(key)


Auth = Annotated[Caller, Depends(authenticate)]

AUTH_ERRORS = (errors.Unauthorized,)
BODY_ERRORS = (errors.InvalidParams, errors.ParamsMissing, errors.PayloadTooLarge)
ON_DATASET = (errors.AccessDenied, errors.ResourceNotExist)


def _json(content: Any) -> JSONResponse:
    # Returning a Response skips a second validation of what the store already shaped;
    # ``response_model`` still documents the shape.
    return JSONResponse(content)


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
    datasets, total = store.list_datasets(caller, offset, limit)
    return _json(
        {
            "datasets": datasets,
            "offset": offset,
            "record_size": len(datasets),
            "total_count": total,
        }
    )


@router.get(
    "/datasets/{workspace}/{dataset}",
    operation_id="get_dataset",
    summary="Get one dataset",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
async def get_dataset(workspace: str, dataset: str, caller: Auth, store: Store) -> Any:
    return _json(store.get_dataset(caller, workspace, dataset))


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
