"""Identity routes: the key's workspace and user, and any workspace by name.

Reads run on the event loop (they never wait: see ``mock_server.core.database``); a step
that writes runs in a worker thread, so a write waiting for a lock never stalls the loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import json_response
from mock_server.resources.identity.models import Caller, UserPublic, WorkspacePublic
from mock_server.resources.identity.store import IdentityStore

# Declared for the OpenAPI document; the key itself is checked by the store, so a
# missing header is a Graviti 401 rather than FastAPI's own error.
access_key_header = APIKeyHeader(name="X-Token", auto_error=False, description="Access key")

Identity = Annotated[IdentityStore, Depends(store_dependency(IdentityStore))]


async def authenticate(
    request: Request, identity: Identity, key: Annotated[str | None, Depends(access_key_header)]
) -> Caller:
    if key is not None and len(request.headers.getlist("x-token")) > 1:
        # Which one would count is a guess the service does not document: refuse both.
        raise errors.InvalidParams("The X-Token header is given more than once.")
    caller = identity.known_caller(key)
    if caller is not None:
        return caller
    # Provisioning a new key writes, and a write may wait for the database's lock:
    # it waits in a worker thread, never on the event loop.
    return await run_in_threadpool(identity.authenticate, key)


Auth = Annotated[Caller, Depends(authenticate)]
AUTH_ERRORS = (errors.Unauthorized, errors.InvalidParams)

router = ResourceRouter(prefix="/v2", tags=["identity"])


def _workspace(fields: dict[str, Any]) -> dict[str, Any]:
    return {field: fields[field] for field in WorkspacePublic.model_fields}


@router.get(
    "/current-workspace",
    operation_id="get_current_workspace",
    summary="The workspace of the access key",
    response_model=WorkspacePublic,
    responses=errors.error_responses(*AUTH_ERRORS),
)
async def get_current_workspace(caller: Auth, identity: Identity) -> Any:
    return json_response(_workspace(identity.get_workspace(caller)))


@router.get(
    "/current-user",
    operation_id="get_current_user",
    summary="The user of the access key",
    response_model=UserPublic,
    responses=errors.error_responses(*AUTH_ERRORS),
)
async def get_current_user(caller: Auth, identity: Identity) -> Any:
    return json_response(identity.get_user(caller))


@router.get(
    "/workspaces/{workspace}",
    operation_id="get_workspace",
    summary="A workspace by name",
    response_model=WorkspacePublic,
    responses=errors.error_responses(*AUTH_ERRORS, errors.ResourceNotExist),
)
async def get_workspace(workspace: str, caller: Auth, identity: Identity) -> Any:
    return json_response(_workspace(identity.get_workspace(caller, workspace)))
