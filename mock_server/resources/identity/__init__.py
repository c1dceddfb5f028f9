"""Identity: access keys, users and workspaces (``/v2/current-*``, ``/v2/workspaces``)."""

from mock_server.core.resource import Resource, SeedSection
from mock_server.resources.identity.models import UserSeed, WorkspaceSeed
from mock_server.resources.identity.routes import router
from mock_server.resources.identity.store import (
    IdentityStore,
    apply_users,
    apply_workspaces,
    export_users,
    export_workspaces,
)
from mock_server.resources.identity.tables import ACCESS_KEY, SETTING, USER, WORKSPACE

resource = Resource(
    name="identity",
    store=IdentityStore,
    router=router,
    seeds=(
        SeedSection("workspaces", WorkspaceSeed, apply_workspaces, export_workspaces),
        SeedSection("users", UserSeed, apply_users, export_users, counts=("users", "access_keys")),
    ),
    tables=(WORKSPACE, USER, ACCESS_KEY, SETTING),
)
