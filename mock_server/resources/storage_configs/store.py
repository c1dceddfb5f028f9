"""Storage configs: the default one every workspace gets, more by seed; list, get and the
change of a workspace's default.

A key reaches only its own workspace's configs: another workspace's are denied (403
``AccessDenied``) whether or not that workspace exists, so nothing about it is confirmed.
Every workspace has exactly one default from its creation on; changing it is one
transaction that clears the old flag and sets the new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, select, update

from mock_server.core import errors
from mock_server.core.backend import Backend, Store
from mock_server.core.sorting import order_by
from mock_server.resources.identity.models import Caller
from mock_server.resources.identity.store import IdentityStore
from mock_server.resources.identity.tables import WORKSPACE
from mock_server.resources.storage_configs.models import (
    StorageConfigList,
    StorageConfigPublic,
    StorageConfigSeed,
)
from mock_server.resources.storage_configs.tables import STORAGE_CONFIG, BackendType, ConfigType

DEFAULT_STORAGE_CONFIG = "default"
PUBLIC = [STORAGE_CONFIG.c[field] for field in StorageConfigPublic.model_fields]
SORTABLE = {
    "name": STORAGE_CONFIG.c.name,
    "config_type": STORAGE_CONFIG.c.config_type,
    "backend_type": STORAGE_CONFIG.c.backend_type,
}


_OF_WORKSPACE = select(STORAGE_CONFIG.c.name, STORAGE_CONFIG.c.backend_type).where(
    STORAGE_CONFIG.c.workspace == bindparam("workspace")
)
_DEFAULT = _OF_WORKSPACE.where(STORAGE_CONFIG.c.is_default.is_(True))
_NAMED = _OF_WORKSPACE.where(STORAGE_CONFIG.c.name == bindparam("name"))


class StorageConfig(NamedTuple):
    name: str
    backend_type: str


def config_id(workspace_id: str, name: str) -> str:
    """The id a config gets unless seeded with one: derived, not drawn from the id source.

    So a workspace's ``default`` config has the same id whenever the workspace has its
    id (an export seeded back, a seeded id sequence), and adding a workspace draws no
    more ids than it always did. Migration 0003 gave existing configs these same ids.
    """
    return hashlib.md5(f"storage-config:{workspace_id}:{name}".encode()).hexdigest()


def generated_id(conn: Connection, workspace: str, name: str) -> str:
    workspace_id = conn.execute(
        select(WORKSPACE.c.id).where(WORKSPACE.c.name == workspace)
    ).scalar_one()
    return config_id(workspace_id, name)


def configs_tag(workspace: str) -> str:
    return f"storage_configs:{workspace}"


def _resolve(conn: Connection, workspace: str, name: str | None) -> StorageConfig:
    if name is None:
        row = conn.execute(_DEFAULT, {"workspace": workspace}).first()
    else:
        row = conn.execute(_NAMED, {"workspace": workspace, "name": name}).first()
    if row is None:
        if name is None:
            raise errors.InvalidParams(f"Workspace '{workspace}' has no default storage config.")
        raise errors.InvalidParams(
            f"Storage config '{name}' does not exist in workspace '{workspace}'."
        )
    return StorageConfig(row.name, row.backend_type)


def _deny_foreign(caller: Caller, workspace: str) -> None:
    if workspace != caller.workspace:
        raise errors.AccessDenied(
            f"The access key may not access storage configs of workspace '{workspace}'."
        )


def _public(row: Any) -> StorageConfigPublic:
    return StorageConfigPublic.model_validate(dict(row._mapping))


class StorageConfigStore(Store):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        backend.get(IdentityStore).on_new_workspace(self.add_default)

    def add_default(self, conn: Connection, workspace: str) -> None:
        """The config a new workspace starts with."""
        conn.execute(
            insert(STORAGE_CONFIG).values(
                id=generated_id(conn, workspace, DEFAULT_STORAGE_CONFIG),
                workspace=workspace,
                name=DEFAULT_STORAGE_CONFIG,
                config_type=ConfigType.GRAVITI.value,
                backend_type=BackendType.OSS.value,
                is_default=True,
            )
        )

    def resolve(self, conn: Connection, workspace: str, name: str | None) -> StorageConfig:
        """The config ``name`` of a workspace, or its default one; a 400 if there is none.

        In the caller's write transaction; from the read cache while nothing changed.
        """
        return self.db.cached_in(
            conn,
            ("storage_config", workspace, name),
            (configs_tag(workspace),),
            lambda conn: _resolve(conn, workspace, name),
        )

    # ------------------------------------------------------------------ operations

    def list_storage_configs(
        self, caller: Caller, workspace: str, sort: Sequence[str] | None, offset: int, limit: int
    ) -> StorageConfigList:
        """One page of a workspace's configs (creation order unless sorted), and its default."""
        _deny_foreign(caller, workspace)
        ordering = order_by(sort, SORTABLE, STORAGE_CONFIG.c.seq)
        mine = STORAGE_CONFIG.c.workspace == workspace
        with self.db.read() as conn:
            total = conn.execute(select(func.count()).where(mine)).scalar_one()
            rows = conn.execute(
                select(*PUBLIC).where(mine).order_by(*ordering).offset(offset).limit(limit)
            ).all()
            default = conn.execute(
                select(STORAGE_CONFIG.c.name).where(mine, STORAGE_CONFIG.c.is_default.is_(True))
            ).scalar()
        configs = [_public(row) for row in rows]
        return StorageConfigList(
            default_storage_config=default,
            storage_configs=configs,
            offset=offset,
            record_size=len(configs),
            total_count=total,
        )

    def get_storage_config(self, caller: Caller, workspace: str, name: str) -> StorageConfigPublic:
        _deny_foreign(caller, workspace)
        with self.db.read() as conn:
            row = conn.execute(
                select(*PUBLIC).where(
                    STORAGE_CONFIG.c.workspace == workspace, STORAGE_CONFIG.c.name == name
                )
            ).first()
        if row is None:
            raise errors.ResourceNotExist(
                f"Storage config '{name}' does not exist in workspace '{workspace}'."
            )
        return _public(row)

    def update_storage_configs(self, caller: Caller, workspace: str, default: str) -> str:
        """Make ``default`` the workspace's default config: new datasets land on it."""
        _deny_foreign(caller, workspace)
        with self.db.write((configs_tag(workspace),)) as conn:
            self.resolve(conn, workspace, default)
            self._set_default(conn, workspace, default)
        return default

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _set_default(conn: Connection, workspace: str, name: str) -> None:
        mine = STORAGE_CONFIG.c.workspace == workspace
        conn.execute(update(STORAGE_CONFIG).where(mine).values(is_default=False))
        conn.execute(
            update(STORAGE_CONFIG)
            .where(mine, STORAGE_CONFIG.c.name == name)
            .values(is_default=True)
        )

    def put(self, conn: Connection, seed: StorageConfigSeed) -> bool:
        """Add a seeded config, or make an existing one the default; True if one was added."""
        existing = conn.execute(
            select(STORAGE_CONFIG.c.seq).where(
                STORAGE_CONFIG.c.workspace == seed.workspace, STORAGE_CONFIG.c.name == seed.name
            )
        ).first()
        if existing is None:
            conn.execute(
                insert(STORAGE_CONFIG).values(
                    id=seed.id or generated_id(conn, seed.workspace, seed.name),
                    workspace=seed.workspace,
                    name=seed.name,
                    config_type=seed.config_type.value,
                    backend_type=seed.backend_type.value,
                    is_default=False,
                )
            )
        if seed.default:
            self._set_default(conn, seed.workspace, seed.name)
        return existing is None


# ---------------------------------------------------------------------------- seed section


def apply_seed(backend: Backend, conn: Connection, items: Sequence[Any]) -> int:
    identity = backend.get(IdentityStore)
    configs = backend.get(StorageConfigStore)
    added = 0
    for seed in items:
        assert isinstance(seed, StorageConfigSeed)
        identity.ensure_workspace(conn, seed.workspace)
        added += configs.put(conn, seed)
    return added


def export_seed(_backend: Backend, conn: Connection) -> list[Any]:
    rows = conn.execute(
        select(STORAGE_CONFIG).order_by(STORAGE_CONFIG.c.workspace, STORAGE_CONFIG.c.seq)
    ).all()
    return [
        StorageConfigSeed(
            name=row.name,
            workspace=row.workspace,
            id=row.id,
            config_type=ConfigType(row.config_type),
            backend_type=BackendType(row.backend_type),
            default=row.is_default,
        )
        for row in rows
    ]
