"""graviti-mock: a local, stateful, faithful mock of the Graviti OpenAPI v2 dataset service."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mock_server.app import create_app
    from mock_server.control_client import MockControl
    from mock_server.inprocess import InProcessMock, mock_graviti
    from mock_server.resources.identity.store import user_for_key, workspace_for_key
    from mock_server.settings import Settings

# Imported on first use: the pytest plugin loads this package in every test run of a
# project that installs it, and FastAPI, SQLAlchemy and urllib3's patching are not free.
_LAZY = {
    "create_app": "mock_server.app",
    "Settings": "mock_server.settings",
    "MockControl": "mock_server.control_client",
    "workspace_for_key": "mock_server.resources.identity.store",
    "user_for_key": "mock_server.resources.identity.store",
    "mock_graviti": "mock_server.inprocess",
    "InProcessMock": "mock_server.inprocess",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "InProcessMock",
    "MockControl",
    "Settings",
    "__version__",
    "create_app",
    "mock_graviti",
    "user_for_key",
    "workspace_for_key",
]
