"""A requests client for the Graviti OpenAPI v2 dataset endpoints, wire-compatible with the SDK."""

from client._http import DEFAULT_TIMEOUT, X_SOURCE
from client._version import __version__
from client.dataset import (
    create_dataset,
    delete_dataset,
    get_dataset,
    iter_datasets,
    list_datasets,
    update_dataset,
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
    "create_dataset",
    "delete_dataset",
    "get_dataset",
    "iter_datasets",
    "list_datasets",
    "update_dataset",
]
