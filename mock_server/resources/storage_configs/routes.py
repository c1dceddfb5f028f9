"""Storage config routes (``/v2/workspaces/{workspace}/storage-configs``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.paging import Limit, Offset, Sort
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import json_response
from mock_server.resources.identity.routes import AUTH_ERRORS, Auth
from mock_server.resources.storage_configs.models import (
    DefaultStorageConfig,
    StorageConfigList,
    StorageConfigPublic,
    StorageConfigsUpdate,
)
from mock_server.resources.storage_configs.store import StorageConfigStore

Configs = Annotated[StorageConfigStore, Depends(store_dependency(StorageConfigStore))]

router = ResourceRouter(
    prefix="/v2/workspaces/{workspace}/storage-configs", tags=["storage configs"]
)


@router.get(
    "",
    operation_id="list_storage_configs",
    summary="List a workspace's storage configs, with its default",
    response_model=StorageConfigList,
    responses=errors.error_responses(*AUTH_ERRORS, errors.InvalidParams, errors.AccessDenied),
)
async def list_storage_configs(
    workspace: str,
    caller: Auth,
    configs: Configs,
    sort: Sort = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    return json_response(configs.list_storage_configs(caller, workspace, sort, offset, limit))


@router.get(
    "/{storage_config}",
    operation_id="get_storage_config",
    summary="Get one storage config",
    response_model=StorageConfigPublic,
    responses=errors.error_responses(*AUTH_ERRORS, errors.AccessDenied, errors.ResourceNotExist),
)
async def get_storage_config(
    workspace: str, storage_config: str, caller: Auth, configs: Configs
) -> Any:
    return json_response(configs.get_storage_config(caller, workspace, storage_config))


@router.patch(
    "",
    operation_id="update_storage_configs",
    summary="Change the workspace's default storage config",
    description="The SDK sends the name as `deafault_storage_config` (sic); "
    "`default_storage_config` is taken too, and both together must agree.",
    response_model=DefaultStorageConfig,
    responses=errors.error_responses(
        *AUTH_ERRORS,
        errors.InvalidParams,
        errors.ParamsMissing,
        errors.PayloadTooLarge,
        errors.AccessDenied,
    ),
)
def update_storage_configs(
    workspace: str, body: StorageConfigsUpdate, caller: Auth, configs: Configs
) -> Any:
    names = {body.deafault_storage_config, body.default_storage_config} - {None}
    if not names:
        raise errors.ParamsMissing("Missing required parameter 'deafault_storage_config'.")
    if len(names) > 1:
        raise errors.InvalidParams(
            "'deafault_storage_config' and 'default_storage_config' name different configs."
        )
    (name,) = names
    assert name is not None
    default = configs.update_storage_configs(caller, workspace, name)
    return json_response(DefaultStorageConfig(default_storage_config=default))
