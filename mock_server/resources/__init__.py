"""The registry: every resource the mock serves, lowest first (each may use those above it).

The app's routers, the backend's stores, the seed format (in this order), state export,
reset and snapshots are all built from this list.
"""

from mock_server.core.resource import Resource
from mock_server.resources import (
    actions,
    datasets,
    identity,
    objects,
    searches,
    storage_configs,
    versions,
)

RESOURCES: tuple[Resource, ...] = (
    identity.resource,
    storage_configs.resource,
    datasets.resource,
    versions.resource,
    searches.resource,
    actions.resource,
    objects.resource,
)

__all__ = ["RESOURCES"]
