"""graviti-mock: a local, stateful, faithful mock of the Graviti OpenAPI v2 dataset service."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mock_server.app import create_app
    from mock_server.inprocess import InProcessMock, mock_graviti
    from mock_server.settings import Settings
    from mock_server.store import DatasetStore

# Imported on first use: the pytest plugin loads this package in every test run of a
# project that installs it, and FastAPI, SQLAlchemy and urllib3's patching are not free.
_LAZY = {
    "create_app": "mock_server.app",
    "Settings": "mock_server.settings",
    "DatasetStore": "mock_server.store",
    "mock_graviti": "mock_server.inprocess",
    "InProcessMock": "mock_server.inprocess",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "DatasetStore",
    "InProcessMock",
    "Settings",
    "__version__",
    "create_app",
    "mock_graviti",
]
