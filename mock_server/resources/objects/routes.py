"""Object routes: permissions and copies under a dataset, the storage, and the area listing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.resolved import ResourceRouter, in_thread
from mock_server.core.routing import PlainInt, json_response
from mock_server.resources.datasets.routes import BODY_ERRORS, ON_DATASET, WritableDataset
from mock_server.resources.identity.routes import AUTH_ERRORS, Auth
from mock_server.resources.objects.models import (
    CopyRequest,
    CopyResult,
    ObjectList,
    ObjectPermission,
)
from mock_server.resources.objects.storage import storage_routes
from mock_server.resources.objects.store import ObjectStore

Objects = Annotated[ObjectStore, Depends(store_dependency(ObjectStore))]

api = ResourceRouter(prefix="/v2", tags=["objects"])


@api.get(
    "/datasets/{workspace}/{dataset}/objects/permissions",
    operation_id="get_object_permission",
    summary="A permission to GET or PUT the dataset's objects in its storage",
    response_model=ObjectPermission,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams, *ON_DATASET),
)
async def get_object_permission(
    workspace: str,
    dataset: str,
    request: Request,
    caller: Auth,
    objects: Objects,
    actions: Annotated[str, Query(description="GET, PUT or GET|PUT")],
    is_internal: Annotated[bool, Query(description="Accepted; the mock has one network")] = False,
    expired: Annotated[PlainInt, Query(description="Seconds the permission lasts")] = 600,
) -> Any:
    permission = objects.get_object_permission(
        caller,
        workspace,
        dataset,
        actions=actions,
        expired=expired,
        base_url=str(request.base_url),
    )
    return json_response(permission)


@api.post(
    "/datasets/{workspace}/{dataset}/objects/copy",
    operation_id="copy_objects",
    summary="Copy objects of another dataset of the workspace into this one (no upload)",
    response_model=CopyResult,
    responses=errors.error_responses(*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET),
)
@in_thread  # it copies files
def copy_objects(body: CopyRequest, caller: Auth, target: WritableDataset, objects: Objects) -> Any:
    return json_response(objects.copy_objects(caller, target, body))


router = APIRouter()
router.include_router(api)
# The storage itself: raw ASGI endpoints that stream, answering in the storages' XML.
router.routes.extend(storage_routes())

control = APIRouter()


@control.get(
    "/objects",
    operation_id="mock_list_objects",
    summary="Every stored object's key and size",
    response_model=ObjectList,
)
async def list_objects(objects: Objects) -> Any:
    return json_response(objects.list_objects())
