"""Identity: access keys, their users and workspaces; new keys are provisioned on first use.

Strict mode lives in the database (``mock_setting``), so a seed or a reset that changes
it holds on every worker at once; without a row it is the server's start-up setting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from mock_server.core import errors
from mock_server.core.backend import Backend, Store
from mock_server.core.names import NAME_RE
from mock_server.resources.identity.models import Caller, UserSeed, WorkspaceSeed
from mock_server.resources.identity.tables import (
    ACCESS_KEY,
    SETTING,
    USER,
    WORKSPACE,
    WorkspaceType,
)

KEY_PREFIXES = ("ACCESSKEY-", "Accesskey-")
KEYS_TAG = "access-keys"
SETTINGS_TAG = "mock-settings"
STRICT = "strict"


def is_well_formed_key(key: str) -> bool:
    return (
        key.startswith(KEY_PREFIXES)
        and 10 < len(key) <= 256
        and key.isascii()
        and key.isprintable()
        and " " not in key
    )


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def workspace_for_key(key: str) -> str:
    """The workspace a new key gets: stable for the same key, on any server, forever."""
    return f"workspace-{key_digest(key)[:10]}"


def user_for_key(key: str) -> str:
    return f"user-{key_digest(key)[:10]}"


def mask_key(key: str) -> str:
    """A key as it may appear in logs: the prefix and the last four characters."""
    prefix = next((p for p in KEY_PREFIXES if key.startswith(p)), "")
    return f"{prefix}****{key[-4:]}" if len(key) > len(prefix) + 8 else f"{prefix}****"


_CALLER = (
    select(USER.c.name, USER.c.workspace)
    .join(ACCESS_KEY, ACCESS_KEY.c.user == USER.c.name)
    .where(ACCESS_KEY.c.key == bindparam("key"))
)


def _find_caller(conn: Connection, key: str) -> Caller | None:
    row = conn.execute(_CALLER, {"key": key}).first()
    return Caller(key=key, user=row.name, workspace=row.workspace) if row else None


def _setting(conn: Connection, name: str) -> str | None:
    value: str | None = conn.execute(
        select(SETTING.c.value).where(SETTING.c.name == name)
    ).scalar_one_or_none()
    return value


class IdentityStore(Store):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self._new_workspace_hooks: list[Callable[[Connection, str], None]] = []

    def on_new_workspace(self, hook: Callable[[Connection, str], None]) -> None:
        """Run ``hook`` in the transaction that creates a workspace (for its defaults)."""
        self._new_workspace_hooks.append(hook)

    def known_caller(self, key: str | None) -> Caller | None:
        """The caller of a registered key; None for a new well-formed key; else a 401.

        Only reads: ``authenticate`` is the step that may write (provision the key).
        """
        if not key:
            raise errors.Unauthorized("The X-Token header with an access key is required.")
        if not is_well_formed_key(key):
            raise errors.Unauthorized("The access key is not valid.")
        return self.db.cached(("caller", key), (KEYS_TAG,), lambda conn: _find_caller(conn, key))

    def authenticate(self, key: str | None) -> Caller:
        """The caller behind an ``X-Token``; new well-formed keys are provisioned unless strict."""
        caller = self.known_caller(key)
        if caller is not None:
            return caller
        assert key is not None
        if self.strict():
            raise errors.Unauthorized("The access key is not valid.")
        try:
            return self.add_access_key(key)
        except IntegrityError:
            # Another worker provisioned the same key first.
            with self.db.read() as conn:
                caller = _find_caller(conn, key)
            if caller is None:
                raise
            return caller

    def strict(self) -> bool:
        """Whether only registered keys are accepted, as the last seed or reset left it."""
        value = self.db.cached(
            ("setting", STRICT), (SETTINGS_TAG,), lambda conn: _setting(conn, STRICT)
        )
        return self.backend.strict if value is None else value == "true"

    def strict_in(self, conn: Connection) -> bool:
        value = self.strict_setting(conn)
        return self.backend.strict if value is None else value

    @staticmethod
    def strict_setting(conn: Connection) -> bool | None:
        """Strict mode as a seed set it; None: never set since the start (or a reset)."""
        value = _setting(conn, STRICT)
        return None if value is None else value == "true"

    def set_strict(self, conn: Connection, strict: bool | None) -> None:
        """Set strict mode for every worker, in the caller's transaction; None: as started."""
        conn.execute(delete(SETTING).where(SETTING.c.name == STRICT))
        if strict is not None:
            conn.execute(insert(SETTING).values(name=STRICT, value="true" if strict else "false"))

    @staticmethod
    def forget_settings(conn: Connection) -> None:
        """Back to the start-up settings: for a server starting on a kept database.

        Called once per start, before any worker serves: a worker starting late must
        not undo what a seed already changed on another.
        """
        if conn.execute(select(SETTING.c.name).limit(1)).first() is not None:
            conn.execute(delete(SETTING))

    def add_access_key(self, key: str, workspace: str | None = None) -> Caller:
        """Register ``key`` with a user of its own in ``workspace`` (created if needed)."""
        with self.db.write((KEYS_TAG,)) as conn:
            return self.add_access_key_in(conn, key, workspace)

    def add_access_key_in(self, conn: Connection, key: str, workspace: str | None = None) -> Caller:
        """``add_access_key`` in the caller's transaction."""
        if not is_well_formed_key(key):
            raise errors.InvalidParams(f"'{mask_key(key)}' is not a well-formed access key.")
        workspace = workspace or workspace_for_key(key)
        if not NAME_RE.match(workspace):
            raise errors.InvalidParams(f"'{workspace}' is not a valid workspace name.")
        user = user_for_key(key)
        existing = _find_caller(conn, key)
        if existing is not None:
            if existing.workspace != workspace:
                raise errors.NameConflict(
                    f"'{mask_key(key)}' already belongs to workspace '{existing.workspace}'."
                )
            return existing
        self.ensure_workspace(conn, workspace)
        if conn.execute(select(USER.c.name).where(USER.c.name == user)).first() is None:
            conn.execute(
                insert(USER).values(
                    name=user,
                    id=self.new_id(conn, USER),
                    workspace=workspace,
                    nickname=user,
                    email=f"{user}@example.com",
                    mobile="",
                    description="",
                    team=None,
                )
            )
        conn.execute(insert(ACCESS_KEY).values(key=key, user=user))
        return Caller(key=key, user=user, workspace=workspace)

    def ensure_workspace(self, conn: Connection, name: str, **fields: Any) -> bool:
        """Create workspace ``name`` unless it exists; True if it was created."""
        if conn.execute(select(WORKSPACE.c.name).where(WORKSPACE.c.name == name)).first():
            return False
        conn.execute(
            insert(WORKSPACE).values(
                name=name,
                id=fields.get("id") or self.new_id(conn, WORKSPACE),
                type=str(fields.get("type", WorkspaceType.USER)),
                alias=fields.get("alias", ""),
                description=fields.get("description", ""),
                email=fields.get("email", ""),
                location=fields.get("location", ""),
            )
        )
        for hook in self._new_workspace_hooks:
            hook(conn, name)
        return True

    def get_workspace(self, caller: Caller, name: str | None = None) -> dict[str, Any]:
        """A workspace's public fields; any key may read any workspace, as on the service."""
        with self.db.read() as conn:
            row = conn.execute(
                select(WORKSPACE).where(WORKSPACE.c.name == (name or caller.workspace))
            ).first()
        if row is None:
            raise errors.ResourceNotExist(f"Workspace '{name}' does not exist.")
        return dict(row._mapping)

    def get_user(self, caller: Caller) -> dict[str, Any]:
        with self.db.read() as conn:
            row = conn.execute(select(USER).where(USER.c.name == caller.user)).one()
        fields = dict(row._mapping)
        fields.pop("name")
        return fields


# ---------------------------------------------------------------------------- seed sections


def apply_workspaces(backend: Backend, conn: Connection, items: Sequence[Any]) -> int:
    identity = backend.get(IdentityStore)
    return sum(
        identity.ensure_workspace(conn, seed.name, **seed.model_dump(exclude={"name"}))
        for seed in items
    )


def export_workspaces(_backend: Backend, conn: Connection) -> list[Any]:
    rows = conn.execute(select(WORKSPACE).order_by(WORKSPACE.c.name)).all()
    return [WorkspaceSeed.model_validate(dict(row._mapping)) for row in rows]


def apply_users(backend: Backend, conn: Connection, items: Sequence[Any]) -> dict[str, int]:
    identity = backend.get(IdentityStore)
    added = added_keys = 0
    for seed in items:
        if conn.execute(select(USER.c.name).where(USER.c.name == seed.name)).first() is None:
            identity.ensure_workspace(conn, seed.workspace)
            conn.execute(
                insert(USER).values(
                    name=seed.name,
                    id=seed.id or identity.new_id(conn, USER),
                    workspace=seed.workspace,
                    nickname=seed.nickname if seed.nickname is not None else seed.name,
                    email=seed.email,
                    mobile=seed.mobile,
                    description=seed.description,
                    team=seed.team,
                )
            )
            added += 1
        for key in seed.access_keys:
            if not is_well_formed_key(key):
                raise errors.InvalidParams(
                    f"Invalid seed: '{mask_key(key)}' of user '{seed.name}' is not a "
                    f"well-formed access key ({' or '.join(KEY_PREFIXES)} and a token)."
                )
            owner = conn.execute(
                select(ACCESS_KEY.c.user).where(ACCESS_KEY.c.key == key)
            ).scalar_one_or_none()
            if owner is None:
                conn.execute(insert(ACCESS_KEY).values(key=key, user=seed.name))
                added_keys += 1
            elif owner != seed.name:
                raise errors.NameConflict(
                    f"Access key '{mask_key(key)}' already belongs to user '{owner}'."
                )
    return {"users": added, "access_keys": added_keys}


def export_users(_backend: Backend, conn: Connection) -> list[Any]:
    users = conn.execute(select(USER).order_by(USER.c.name)).all()
    keys_of: dict[str, list[str]] = {}
    for key in conn.execute(select(ACCESS_KEY).order_by(ACCESS_KEY.c.key)):
        keys_of.setdefault(key.user, []).append(key.key)
    return [
        UserSeed.model_validate({**row._mapping, "access_keys": keys_of.get(row.name, [])})
        for row in users
    ]
