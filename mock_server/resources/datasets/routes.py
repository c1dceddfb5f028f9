"""Dataset routes (``/v2/datasets``), and the ``{workspace}/{dataset}`` reference that every
resource nested under a dataset resolves the same way.

Routes that read are ``async def`` and run on the event loop (a read never waits, see
``mock_server.core.database``); routes that write are plain ``def``: on the event loop
when their write can take the database's lock at once, else in a worker thread (one at
a time, see ``mock_server.core.resolved``), so a write waiting for the lock never stalls
the loop. Every resource's routes follow the same rule.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.paging import Limit, Offset
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import json_response
from mock_server.resources.datasets.models import (
    DatasetCreate,
    DatasetList,
    DatasetPublic,
    DatasetUpdate,
)
from mock_server.resources.datasets.store import DatasetKey, DatasetStore
from mock_server.resources.identity.routes import AUTH_ERRORS, Auth

Datasets = Annotated[DatasetStore, Depends(store_dependency(DatasetStore))]


async def readable_dataset(
    workspace: str, dataset: str, caller: Auth, datasets: Datasets
) -> DatasetKey:
    return datasets.find(caller, workspace, dataset, write=False)


async def writable_dataset(
    workspace: str, dataset: str, caller: Auth, datasets: Datasets
) -> DatasetKey:
    return datasets.find(caller, workspace, dataset, write=True)


# The dataset a nested route works on, for reading or for writing.
ReadableDataset = Annotated[DatasetKey, Depends(readable_dataset)]
WritableDataset = Annotated[DatasetKey, Depends(writable_dataset)]

BODY_ERRORS = (errors.InvalidParams, errors.ParamsMissing, errors.PayloadTooLarge)
ON_DATASET = (errors.AccessDenied, errors.ResourceNotExist)

router = ResourceRouter(prefix="/v2", tags=["datasets"])


@router.post(
    "/datasets",
    operation_id="create_dataset",
    summary="Create a dataset in the caller's workspace",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, errors.NameConflict),
)
def create_dataset(body: DatasetCreate, caller: Auth, datasets: Datasets) -> Any:
    return json_response(datasets.create_dataset(caller, body))


@router.get(
    "/datasets",
    operation_id="list_datasets",
    summary="List the caller's datasets in creation order",
    response_model=DatasetList,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams),
)
async def list_datasets(
    caller: Auth, datasets: Datasets, offset: Offset = 0, limit: Limit = 128
) -> Any:
    return json_response(datasets.list_datasets(caller, offset, limit))


@router.get(
    "/datasets/{workspace}/{dataset}",
    operation_id="get_dataset",
    summary="Get one dataset",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
async def get_dataset(found: ReadableDataset) -> Any:
    return json_response(found.public)


@router.patch(
    "/datasets/{workspace}/{dataset}",
    operation_id="update_dataset",
    summary="Rename a dataset, or change its alias or default branch",
    response_model=DatasetPublic,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET, errors.NameConflict),
)
def update_dataset(
    workspace: str, dataset: str, body: DatasetUpdate, caller: Auth, datasets: Datasets
) -> Any:
    return json_response(datasets.update_dataset(caller, workspace, dataset, body))


@router.delete(
    "/datasets/{workspace}/{dataset}",
    operation_id="delete_dataset",
    summary="Delete a dataset",
    response_model=dict[str, Any],
    responses=errors.error_responses(*AUTH_ERRORS, *ON_DATASET),
)
def delete_dataset(workspace: str, dataset: str, caller: Auth, datasets: Datasets) -> Any:
    datasets.delete_dataset(caller, workspace, dataset)
    return json_response({})
