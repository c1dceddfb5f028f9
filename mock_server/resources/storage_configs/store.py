"""Storage configs: the default one every workspace gets, more by seed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from pydantic import Field
from sqlalchemy import Connection, bindparam, insert, select, update

from mock_server.core import errors
from mock_server.core.backend import Backend, Store
from mock_server.core.names import NAME_PATTERN
from mock_server.core.seeds import SeedModel
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.storage_configs.tables import STORAGE_CONFIG, BackendType

DEFAULT_STORAGE_CONFIG = "default"


_OF_WORKSPACE = select(STORAGE_CONFIG.c.name, STORAGE_CONFIG.c.backend_type).where(
    STORAGE_CONFIG.c.workspace == bindparam("workspace")
)
_DEFAULT = _OF_WORKSPACE.where(STORAGE_CONFIG.c.is_default.is_(True))
_NAMED = _OF_WORKSPACE.where(STORAGE_CONFIG.c.name == bindparam("name"))


class StorageConfig(NamedTuple):
    name: str
    backend_type: str


class StorageConfigSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    workspace: str = Field(pattern=NAME_PATTERN)
    backend_type: BackendType = BackendType.OSS
    default: bool = False


class StorageConfigStore(Store):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        backend.get(IdentityStore).on_new_workspace(self.add_default)

    def add_default(self, conn: Connection, workspace: str) -> None:
        """The config a new workspace starts with."""
        conn.execute(
            insert(STORAGE_CONFIG).values(
                workspace=workspace,
                name=DEFAULT_STORAGE_CONFIG,
                backend_type=BackendType.OSS.value,
                is_default=True,
            )
        )

    def resolve(self, conn: Connection, workspace: str, name: str | None) -> StorageConfig:
        """The config ``name`` of a workspace, or its default one; a 400 if there is none."""
        if name is None:
            row = conn.execute(_DEFAULT, {"workspace": workspace}).first()
        else:
            row = conn.execute(_NAMED, {"workspace": workspace, "name": name}).first()
        if row is None:
            if name is None:
                raise errors.InvalidParams(
                    f"Workspace '{workspace}' has no default storage config."
                )
            raise errors.InvalidParams(
                f"Storage config '{name}' does not exist in workspace '{workspace}'."
            )
        return StorageConfig(row.name, row.backend_type)

    def put(
        self, conn: Connection, workspace: str, name: str, backend_type: str, *, default: bool
    ) -> bool:
        """Add a config, or make an existing one the default; True if one was added."""
        if default:
            conn.execute(
                update(STORAGE_CONFIG)
                .where(STORAGE_CONFIG.c.workspace == workspace)
                .values(is_default=False)
            )
        existing = conn.execute(
            select(STORAGE_CONFIG.c.seq).where(
                STORAGE_CONFIG.c.workspace == workspace, STORAGE_CONFIG.c.name == name
            )
        ).first()
        if existing is not None:
            if default:
                conn.execute(
                    update(STORAGE_CONFIG)
                    .where(STORAGE_CONFIG.c.seq == existing.seq)
                    .values(is_default=True)
                )
            return False
        conn.execute(
            insert(STORAGE_CONFIG).values(
                workspace=workspace, name=name, backend_type=backend_type, is_default=default
            )
        )
        return True


# ---------------------------------------------------------------------------- seed section


def apply_seed(backend: Backend, conn: Connection, items: Sequence[Any]) -> int:
    identity = backend.get(IdentityStore)
    configs = backend.get(StorageConfigStore)
    added = 0
    for seed in items:
        identity.ensure_workspace(conn, seed.workspace)
        added += configs.put(
            conn, seed.workspace, seed.name, seed.backend_type.value, default=seed.default
        )
    return added


def export_seed(_backend: Backend, conn: Connection) -> list[Any]:
    rows = conn.execute(
        select(STORAGE_CONFIG).order_by(STORAGE_CONFIG.c.workspace, STORAGE_CONFIG.c.seq)
    ).all()
    return [
        StorageConfigSeed(
            name=row.name,
            workspace=row.workspace,
            backend_type=BackendType(row.backend_type),
            default=row.is_default,
        )
        for row in rows
    ]
