"""Routes of branches, tags, commits, revisions and drafts under ``/v2/datasets/{ws}/{ds}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from mock_server.core import errors
from mock_server.core.backend import store_dependency
from mock_server.core.paging import Limit, Offset
from mock_server.core.resolved import ResourceRouter
from mock_server.core.routing import PlainInt, json_response
from mock_server.resources.datasets.routes import (
    BODY_ERRORS,
    ON_DATASET,
    ReadableDataset,
    WritableDataset,
)
from mock_server.resources.identity.routes import AUTH_ERRORS, Auth
from mock_server.resources.versions.models import (
    BranchList,
    CommitCreate,
    CommitList,
    CommitPublic,
    DraftCreate,
    DraftList,
    DraftPublic,
    DraftStateFilter,
    DraftUpdate,
    NamedCommit,
    RefCreate,
    RevisionPublic,
    TagList,
)
from mock_server.resources.versions.store import VersionStore

Versions = Annotated[VersionStore, Depends(store_dependency(VersionStore))]
DraftNumber = Annotated[PlainInt, Path(ge=1, le=2**31 - 1)]

PREFIX = "/v2/datasets/{workspace}/{dataset}"
READ = errors.error_responses(*AUTH_ERRORS, *ON_DATASET, errors.InvalidParams)
WRITE = (*AUTH_ERRORS, *BODY_ERRORS, *ON_DATASET)

router = ResourceRouter(prefix=PREFIX, tags=["versions"])


# ---------------------------------------------------------------------------- branches


@router.post(
    "/branches",
    operation_id="create_branch",
    summary="Create a branch at a revision",
    response_model=NamedCommit,
    responses=errors.error_responses(*WRITE, errors.NameConflict),
)
def create_branch(found: WritableDataset, body: RefCreate, versions: Versions) -> Any:
    return json_response(versions.create_branch(found, body))


@router.get(
    "/branches",
    operation_id="list_branches",
    summary="List the branches in creation order",
    response_model=BranchList,
    responses=READ,
)
async def list_branches(
    found: ReadableDataset, versions: Versions, offset: Offset = 0, limit: Limit = 128
) -> Any:
    return json_response(versions.list_branches(found, offset, limit))


@router.get(
    "/branches/{branch}",
    operation_id="get_branch",
    summary="Get a branch and its head commit",
    response_model=NamedCommit,
    responses=READ,
)
async def get_branch(found: ReadableDataset, branch: str, versions: Versions) -> Any:
    return json_response(versions.get_branch(found, branch))


@router.delete(
    "/branches/{branch}",
    operation_id="delete_branch",
    summary="Delete a branch (not the default one)",
    response_model=dict[str, Any],
    responses=errors.error_responses(*WRITE, errors.Forbidden),
)
def delete_branch(found: WritableDataset, branch: str, versions: Versions) -> Any:
    versions.delete_branch(found, branch)
    return json_response({})


# ---------------------------------------------------------------------------- tags


@router.post(
    "/tags",
    operation_id="create_tag",
    summary="Tag a commit",
    response_model=NamedCommit,
    responses=errors.error_responses(*WRITE, errors.NameConflict),
)
def create_tag(found: WritableDataset, body: RefCreate, versions: Versions) -> Any:
    return json_response(versions.create_tag(found, body))


@router.get(
    "/tags",
    operation_id="list_tags",
    summary="List the tags in creation order",
    response_model=TagList,
    responses=READ,
)
async def list_tags(
    found: ReadableDataset, versions: Versions, offset: Offset = 0, limit: Limit = 128
) -> Any:
    return json_response(versions.list_tags(found, offset, limit))


@router.get(
    "/tags/{tag}",
    operation_id="get_tag",
    summary="Get a tag and its commit",
    response_model=NamedCommit,
    responses=READ,
)
async def get_tag(found: ReadableDataset, tag: str, versions: Versions) -> Any:
    return json_response(versions.get_tag(found, tag))


@router.delete(
    "/tags/{tag}",
    operation_id="delete_tag",
    summary="Delete a tag",
    response_model=dict[str, Any],
    responses=errors.error_responses(*WRITE),
)
def delete_tag(found: WritableDataset, tag: str, versions: Versions) -> Any:
    versions.delete_tag(found, tag)
    return json_response({})


# ---------------------------------------------------------------------------- commits


@router.post(
    "/commits",
    operation_id="commit_draft",
    summary="Commit an OPEN draft onto its branch",
    response_model=CommitPublic,
    responses=errors.error_responses(*WRITE, errors.Forbidden, errors.NameConflict),
)
def commit_draft(
    found: WritableDataset, body: CommitCreate, caller: Auth, versions: Versions
) -> Any:
    return json_response(versions.commit_draft(caller, found, body))


@router.get(
    "/commits",
    operation_id="list_commits",
    summary="A revision's commit and its ancestors, newest first",
    response_model=CommitList,
    responses=READ,
)
async def list_commits(
    found: ReadableDataset,
    versions: Versions,
    revision: Annotated[str | None, Query(max_length=256)] = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    return json_response(versions.list_commits(found, revision, offset, limit))


@router.get(
    "/commits/{commit_id}",
    operation_id="get_commit",
    summary="Get a commit",
    response_model=CommitPublic,
    responses=READ,
)
async def get_commit(found: ReadableDataset, commit_id: str, versions: Versions) -> Any:
    return json_response(versions.get_commit(found, commit_id))


@router.get(
    "/revisions/{revision}",
    operation_id="get_revision",
    summary="What a branch, tag or commit id points at",
    response_model=RevisionPublic,
    responses=READ,
)
async def get_revision(found: ReadableDataset, revision: str, versions: Versions) -> Any:
    return json_response(versions.get_revision(found, revision))


# ---------------------------------------------------------------------------- drafts


@router.post(
    "/drafts",
    operation_id="create_draft",
    summary="Open a draft on a branch (the default branch unless named)",
    response_model=DraftPublic,
    responses=errors.error_responses(*WRITE),
)
def create_draft(
    found: WritableDataset, body: DraftCreate, caller: Auth, versions: Versions
) -> Any:
    return json_response(versions.create_draft(caller, found, body))


@router.get(
    "/drafts",
    operation_id="list_drafts",
    summary="List drafts by state (OPEN unless asked) and branch, by number",
    response_model=DraftList,
    responses=READ,
)
async def list_drafts(
    found: ReadableDataset,
    versions: Versions,
    state: DraftStateFilter = DraftStateFilter.OPEN,
    branch: Annotated[str | None, Query(max_length=128)] = None,
    offset: Offset = 0,
    limit: Limit = 128,
) -> Any:
    return json_response(versions.list_drafts(found, state, branch, offset, limit))


@router.get(
    "/drafts/{draft_number}",
    operation_id="get_draft",
    summary="Get a draft",
    response_model=DraftPublic,
    responses=READ,
)
async def get_draft(found: ReadableDataset, draft_number: DraftNumber, versions: Versions) -> Any:
    return json_response(versions.get_draft(found, draft_number))


@router.patch(
    "/drafts/{draft_number}",
    operation_id="update_draft",
    summary="Retitle, describe or close an OPEN draft",
    response_model=DraftPublic,
    responses=errors.error_responses(*WRITE, errors.Forbidden),
)
def update_draft(
    found: WritableDataset, draft_number: DraftNumber, body: DraftUpdate, versions: Versions
) -> Any:
    return json_response(versions.update_draft(found, draft_number, body))
