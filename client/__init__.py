"""A requests client for the Graviti OpenAPI v2, wire-compatible with the SDK.

Every endpoint function of ``graviti.openapi`` (``graviti==0.13.1``) is here,
with the SDK's signature, in a module of the same name as the SDK's
(``client.branch``, ``client.draft``, ...), plus ``iter_datasets``.
"""

from client._http import DEFAULT_TIMEOUT, X_SOURCE
from client._version import __version__
from client.action import (
    cancel_action_run,
    create_action,
    create_action_run,
    delete_action,
    get_action,
    get_action_run,
    get_action_run_node_log,
    list_action_runs,
    list_actions,
    update_action,
)
from client.branch import (
    create_branch,
    delete_branch,
    get_branch,
    list_branches,
)
from client.commit import (
    commit_draft,
    get_commit,
    get_revision,
    list_commits,
)
from client.data import (
    add_data,
    delete_data,
    list_commit_data,
    list_draft_data,
    update_data,
)
from client.dataset import (
    create_dataset,
    delete_dataset,
    get_dataset,
    iter_datasets,
    list_datasets,
    update_dataset,
)
from client.draft import (
    create_draft,
    get_draft,
    list_drafts,
    update_draft,
)
from client.exceptions import (
    AccessDeniedError,
    ForbiddenError,
    InternalServerError,
    InvalidParamsError,
    NameConflictError,
    NotFoundError,
    RequestParamsMissingError,
    ResourceNotExistError,
    ResponseError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from client.object import (
    copy_objects,
    get_object_permission,
)
from client.record import (
    add_records,
    delete_records,
    list_commit_records,
    list_draft_records,
    update_records,
)
from client.schema import (
    update_schema,
)
from client.search import (
    create_search_history,
    delete_search_history,
    get_search_history,
    get_search_record_count,
    list_search_histories,
    list_search_records,
)
from client.sheet import (
    create_sheet,
    delete_sheet,
    get_commit_sheet,
    get_draft_sheet,
    list_commit_sheets,
    list_draft_sheets,
)
from client.storage_config import (
    get_storage_config,
    list_storage_configs,
    update_storage_configs,
)
from client.tag import (
    create_tag,
    delete_tag,
    get_tag,
    list_tags,
)
from client.user import (
    get_current_user,
)
from client.workspace import (
    get_current_workspace,
    get_workspace,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "X_SOURCE",
    "AccessDeniedError",
    "ForbiddenError",
    "InternalServerError",
    "InvalidParamsError",
    "NameConflictError",
    "NotFoundError",
    "RequestParamsMissingError",
    "ResourceNotExistError",
    "ResponseError",
    "ServiceUnavailableError",
    "UnauthorizedError",
    "__version__",
    "add_data",
    "add_records",
    "cancel_action_run",
    "commit_draft",
    "copy_objects",
    "create_action",
    "create_action_run",
    "create_branch",
    "create_dataset",
    "create_draft",
    "create_search_history",
    "create_sheet",
    "create_tag",
    "delete_action",
    "delete_branch",
    "delete_data",
    "delete_dataset",
    "delete_records",
    "delete_search_history",
    "delete_sheet",
    "delete_tag",
    "get_action",
    "get_action_run",
    "get_action_run_node_log",
    "get_branch",
    "get_commit",
    "get_commit_sheet",
    "get_current_user",
    "get_current_workspace",
    "get_dataset",
    "get_draft",
    "get_draft_sheet",
    "get_object_permission",
    "get_revision",
    "get_search_history",
    "get_search_record_count",
    "get_storage_config",
    "get_tag",
    "get_workspace",
    "iter_datasets",
    "list_action_runs",
    "list_actions",
    "list_branches",
    "list_commit_data",
    "list_commit_records",
    "list_commit_sheets",
    "list_commits",
    "list_datasets",
    "list_draft_data",
    "list_draft_records",
    "list_draft_sheets",
    "list_drafts",
    "list_search_histories",
    "list_search_records",
    "list_storage_configs",
    "list_tags",
    "update_action",
    "update_data",
    "update_dataset",
    "update_draft",
    "update_records",
    "update_schema",
    "update_storage_configs",
]
