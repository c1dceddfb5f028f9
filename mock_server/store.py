"""The dataset store: the operations of the service over the SQLModel tables.

Routes call these methods and shape HTTP; the store never builds a response, and a
failed lookup raises a domain error from ``mock_server.errors`` once, here.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from mock_server import errors
from mock_server.clock import Clock, IdFactory, parse_time
from mock_server.db import create_schema, make_engine
from mock_server.models import (
    DATASET_FIELDS,
    NAME_RE,
    AccessKeyRow,
    BackendType,
    BranchRow,
    DatasetCreate,
    DatasetRow,
    DatasetUpdate,
    DraftRow,
    StorageConfigRow,
    UserRow,
    WorkspaceRow,
    WorkspaceType,
)
from mock_server.seeding import (
    BranchSeed,
    DatasetSeed,
    DraftSeed,
    Seed,
    SeedOptions,
    SeedSummary,
    StorageConfigSeed,
    UserSeed,
    WorkspaceSeed,
)

logger = logging.getLogger("mock_server.store")

KEY_PREFIXES = ("ACCESSKEY-", "Accesskey-")
DEFAULT_BRANCH = "main"
DEFAULT_STORAGE_CONFIG = "default"

WORKSPACE: Table = WorkspaceRow.__table__  # type: ignore[attr-defined]
USER: Table = UserRow.__table__  # type: ignore[attr-defined]
ACCESS_KEY: Table = AccessKeyRow.__table__  # type: ignore[attr-defined]
STORAGE_CONFIG: Table = StorageConfigRow.__table__  # type: ignore[attr-defined]
DATASET: Table = DatasetRow.__table__  # type: ignore[attr-defined]
BRANCH: Table = BranchRow.__table__  # type: ignore[attr-defined]
DRAFT: Table = DraftRow.__table__  # type: ignore[attr-defined]

# Children first, so a reset never trips a foreign key.
ALL_TABLES = (DRAFT, BRANCH, DATASET, STORAGE_CONFIG, ACCESS_KEY, USER, WORKSPACE)
DATASET_COLUMNS = [DATASET.c[field] for field in DATASET_FIELDS]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the access key, its user and that user's workspace."""

    key: str
    user: str
    workspace: str


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


class DatasetStore:
    """The state of the mock: workspaces, keys, storage configs, datasets, branches, drafts."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        strict: bool = False,
    ) -> None:
        self.engine = engine
        self.clock = clock or Clock()
        self.ids = ids or IdFactory()
        self.strict = strict
        self._sqlite = engine.dialect.name == "sqlite"
        # One connection per store, used under a lock: requests are served one at a
        # time per worker, which SQLite wants anyway, and the store is thread-safe for
        # the in-process mode.
        self._lock = threading.RLock()
        self._create_schema()
        self._conn = engine.connect()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> DatasetStore:
        return cls(make_engine(url), **kwargs)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self.engine.dispose()

    def _create_schema(self) -> None:
        # Several workers may start at once on one database: the loser of the race to
        # create a table finds it created.
        for attempt in range(3):
            try:
                create_schema(self.engine)
                return
            except (OperationalError, IntegrityError, DBAPIError):
                if attempt == 2:
                    raise

    @contextmanager
    def _tx(self, *, write: bool = False) -> Iterator[Connection]:
        with self._lock:
            conn = self._conn
            conn.info["write"] = write
            try:
                with conn.begin():
                    yield conn
            except OperationalError as exc:
                logger.warning("database error: %s", exc.orig)
                raise errors.ServiceUnavailable(
                    "The database is unavailable (busy, read-only or full); nothing was changed."
                ) from exc

    # ------------------------------------------------------------------ identity

    def authenticate(self, key: str | None) -> Caller:
        """The caller behind an ``X-Token``; new well-formed keys are provisioned unless strict."""
        if not key:
            raise errors.Unauthorized("The X-Token header with an access key is required.")
        if not is_well_formed_key(key):
            raise errors.Unauthorized("The access key is not valid.")
        with self._tx() as conn:
            caller = self._find_caller(conn, key)
        if caller is not None:
            return caller
        if self.strict:
            raise errors.Unauthorized("The access key is not valid.")
        try:
            return self.add_access_key(key)
        except IntegrityError:
            # Another worker provisioned the same key first.
            with self._tx() as conn:
                caller = self._find_caller(conn, key)
            if caller is None:
                raise
            return caller

    @staticmethod
    def _find_caller(conn: Connection, key: str) -> Caller | None:
        row = conn.execute(
            select(USER.c.name, USER.c.workspace)
            .join(ACCESS_KEY, ACCESS_KEY.c.user == USER.c.name)
            .where(ACCESS_KEY.c.key == key)
        ).first()
        return Caller(key=key, user=row.name, workspace=row.workspace) if row else None

    def add_access_key(self, key: str, workspace: str | None = None) -> Caller:
        """Register ``key`` with a user of its own in ``workspace`` (created if needed)."""
        if not is_well_formed_key(key):
            raise errors.InvalidParams(f"'{mask_key(key)}' is not a well-formed access key.")
        workspace = workspace or workspace_for_key(key)
        if not NAME_RE.match(workspace):
            raise errors.InvalidParams(f"'{workspace}' is not a valid workspace name.")
        user = user_for_key(key)
        with self._tx(write=True) as conn:
            existing = self._find_caller(conn, key)
            if existing is not None:
                if existing.workspace != workspace:
                    raise errors.NameConflict(
                        f"'{mask_key(key)}' already belongs to workspace '{existing.workspace}'."
                    )
                return existing
            self._ensure_workspace(conn, workspace)
            if conn.execute(select(USER.c.name).where(USER.c.name == user)).first() is None:
                conn.execute(
                    insert(USER).values(
                        name=user,
                        id=self.ids.new(),
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

    def ensure_workspace(
        self,
        name: str,
        *,
        type: WorkspaceType = WorkspaceType.USER,
        alias: str = "",
        description: str = "",
        email: str = "",
        location: str = "",
    ) -> None:
        with self._tx(write=True) as conn:
            self._ensure_workspace(
                conn,
                name,
                type=type,
                alias=alias,
                description=description,
                email=email,
                location=location,
            )

    def _ensure_workspace(self, conn: Connection, name: str, **fields: Any) -> None:
        if conn.execute(select(WORKSPACE.c.name).where(WORKSPACE.c.name == name)).first():
            return
        fields.setdefault("type", WorkspaceType.USER)
        conn.execute(
            insert(WORKSPACE).values(
                name=name,
                id=self.ids.new(),
                type=str(fields["type"]),
                alias=fields.get("alias", ""),
                description=fields.get("description", ""),
                email=fields.get("email", ""),
                location=fields.get("location", ""),
            )
        )
        conn.execute(
            insert(STORAGE_CONFIG).values(
                workspace=name,
                name=DEFAULT_STORAGE_CONFIG,
                backend_type=BackendType.OSS.value,
                is_default=True,
            )
        )

    def get_workspace(self, caller: Caller, name: str | None = None) -> dict[str, Any]:
        """A workspace's public fields; any key may read any workspace, as on the service."""
        with self._tx() as conn:
            row = conn.execute(
                select(WORKSPACE).where(WORKSPACE.c.name == (name or caller.workspace))
            ).first()
        if row is None:
            raise errors.ResourceNotExist(f"Workspace '{name}' does not exist.")
        return dict(row._mapping)

    def get_user(self, caller: Caller) -> dict[str, Any]:
        with self._tx() as conn:
            row = conn.execute(select(USER).where(USER.c.name == caller.user)).one()
        fields = dict(row._mapping)
        fields.pop("name")
        return fields

    def add_storage_config(
        self, workspace: str, name: str, backend_type: BackendType, *, default: bool = False
    ) -> None:
        with self._tx(write=True) as conn:
            self._ensure_workspace(conn, workspace)
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
            values = {"backend_type": backend_type.value, "is_default": default}
            if existing:
                conn.execute(
                    update(STORAGE_CONFIG)
                    .where(STORAGE_CONFIG.c.seq == existing.seq)
                    .values(values)
                )
            else:
                conn.execute(
                    insert(STORAGE_CONFIG).values(workspace=workspace, name=name, **values)
                )

    # ------------------------------------------------------------------ datasets

    def create_dataset(self, caller: Caller, body: DatasetCreate) -> dict[str, Any]:
        now = self.clock.stamp()
        try:
            with self._tx(write=True) as conn:
                storage = self._storage_config(conn, caller.workspace, body.storage_config)
                values = {
                    "id": self.ids.new(),
                    "workspace": caller.workspace,
                    "name": body.name,
                    "alias": body.alias,
                    "default_branch": DEFAULT_BRANCH,
                    "commit_id": None,
                    "cover_url": "",
                    "creator": caller.user,
                    "created_at": now,
                    "updated_at": now,
                    "is_public": False,
                    "storage_config": storage.name,
                    "backend_type": storage.backend_type,
                }
                inserted = conn.execute(insert(DATASET).values(values)).inserted_primary_key
                assert inserted is not None
                seq = inserted[0]
                conn.execute(insert(BRANCH).values(dataset_seq=seq, name=DEFAULT_BRANCH))
                if body.with_draft:
                    conn.execute(
                        insert(DRAFT).values(dataset_seq=seq, number=1, branch=DEFAULT_BRANCH)
                    )
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"Dataset '{body.name}' already exists in workspace '{caller.workspace}'."
            ) from exc
        return {field: values[field] for field in DATASET_FIELDS}

    def _storage_config(self, conn: Connection, workspace: str, name: str | None) -> Any:
        query = select(STORAGE_CONFIG.c.name, STORAGE_CONFIG.c.backend_type).where(
            STORAGE_CONFIG.c.workspace == workspace
        )
        if name is None:
            query = query.where(STORAGE_CONFIG.c.is_default.is_(True))
        else:
            query = query.where(STORAGE_CONFIG.c.name == name)
        row = conn.execute(query).first()
        if row is None:
            if name is None:
                raise errors.InvalidParams(
                    f"Workspace '{workspace}' has no default storage config."
                )
            raise errors.InvalidParams(
                f"Storage config '{name}' does not exist in workspace '{workspace}'."
            )
        return row

    def get_dataset(self, caller: Caller, workspace: str, name: str) -> dict[str, Any]:
        with self._tx() as conn:
            row = self._dataset_row(conn, workspace, name)
        if row is None or (workspace != caller.workspace and not row.is_public):
            self._deny_foreign(caller, workspace)
            raise errors.DatasetNotFound(workspace, name)
        return {field: row._mapping[field] for field in DATASET_FIELDS}

    @staticmethod
    def _deny_foreign(caller: Caller, workspace: str) -> None:
        # Another workspace's private datasets are neither shown nor confirmed to exist.
        if workspace != caller.workspace:
            raise errors.AccessDenied(
                f"The access key may not access datasets of workspace '{workspace}'."
            )

    @staticmethod
    def _dataset_row(conn: Connection, workspace: str, name: str) -> Any:
        return conn.execute(
            select(DATASET.c.seq, *DATASET_COLUMNS).where(
                DATASET.c.workspace == workspace, DATASET.c.name == name
            )
        ).first()

    def list_datasets(
        self, caller: Caller, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of the caller's datasets in creation order, and the total count."""
        with self._tx() as conn:
            total = conn.execute(
                select(func.count())
                .select_from(DATASET)
                .where(DATASET.c.workspace == caller.workspace)
            ).scalar_one()
            rows = conn.execute(
                select(*DATASET_COLUMNS)
                .where(DATASET.c.workspace == caller.workspace)
                .order_by(DATASET.c.seq)
                .offset(offset)
                .limit(limit)
            ).all()
        return [dict(row._mapping) for row in rows], total

    def update_dataset(
        self, caller: Caller, workspace: str, name: str, body: DatasetUpdate
    ) -> dict[str, Any]:
        self._deny_foreign(caller, workspace)
        try:
            with self._tx(write=True) as conn:
                row = self._dataset_row(conn, workspace, name)
                if row is None:
                    raise errors.DatasetNotFound(workspace, name)
                changes = {
                    field: value
                    for field, value in body.model_dump(exclude_none=True).items()
                    if value != getattr(row, field)
                }
                if (
                    "default_branch" in changes
                    and not conn.execute(
                        select(BRANCH.c.seq).where(
                            BRANCH.c.dataset_seq == row.seq,
                            BRANCH.c.name == changes["default_branch"],
                        )
                    ).first()
                ):
                    raise errors.InvalidParams(
                        f"Branch '{changes['default_branch']}' does not exist in dataset "
                        f"'{workspace}/{name}'."
                    )
                result = {field: row._mapping[field] for field in DATASET_FIELDS}
                if changes:
                    changes["updated_at"] = self.clock.stamp()
                    conn.execute(update(DATASET).where(DATASET.c.seq == row.seq).values(changes))
                    result.update(changes)
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"Dataset '{body.name}' already exists in workspace '{workspace}'."
            ) from exc
        return result

    def delete_dataset(self, caller: Caller, workspace: str, name: str) -> None:
        self._deny_foreign(caller, workspace)
        with self._tx(write=True) as conn:
            deleted = conn.execute(
                delete(DATASET).where(DATASET.c.workspace == workspace, DATASET.c.name == name)
            ).rowcount
        if not deleted:
            raise errors.DatasetNotFound(workspace, name)

    # ------------------------------------------------------------------ administration

    def reset(self) -> None:
        """Drop every row of every table, in one transaction."""
        with self._tx(write=True) as conn:
            for table in ALL_TABLES:
                conn.execute(delete(table))

    def apply_seed(self, seed: Seed, *, replace: bool = False) -> SeedSummary:
        """Add what ``seed`` lists, in one transaction; what already exists is kept.

        ``replace`` empties every table first, in the same transaction. A seed that is
        inconsistent (an unknown storage config, a draft on a missing branch, a key
        that belongs to another user) changes nothing and raises a Graviti 400 or 409.
        """
        options = seed.options
        if options.id_seed is not None:
            self.ids.reseed(options.id_seed)
        summary = SeedSummary()
        try:
            with self._tx(write=True) as conn:
                if replace:
                    for table in ALL_TABLES:
                        conn.execute(delete(table))
                for workspace in seed.workspaces:
                    summary.workspaces += self._seed_workspace(conn, workspace)
                for user in seed.users:
                    added_user, added_keys = self._seed_user(conn, user)
                    summary.users += added_user
                    summary.access_keys += added_keys
                for config in seed.storage_configs:
                    summary.storage_configs += self._seed_storage_config(conn, config)
                for dataset in seed.datasets:
                    summary.datasets += self._seed_dataset(conn, dataset)
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"The seed conflicts with the current state: {exc.orig}."
            ) from exc
        if options.strict is not None:
            self.strict = options.strict
        if options.frozen_time is not None:
            self.clock.freeze(parse_time(options.frozen_time))
        return summary

    def _workspace_exists(self, conn: Connection, name: str) -> bool:
        found = conn.execute(select(WORKSPACE.c.name).where(WORKSPACE.c.name == name)).first()
        return found is not None

    def _seed_workspace(self, conn: Connection, seed: WorkspaceSeed) -> int:
        if self._workspace_exists(conn, seed.name):
            return 0
        conn.execute(
            insert(WORKSPACE).values(
                name=seed.name,
                id=seed.id or self.ids.new(),
                type=seed.type.value,
                alias=seed.alias,
                description=seed.description,
                email=seed.email,
                location=seed.location,
            )
        )
        conn.execute(
            insert(STORAGE_CONFIG).values(
                workspace=seed.name,
                name=DEFAULT_STORAGE_CONFIG,
                backend_type=BackendType.OSS.value,
                is_default=True,
            )
        )
        return 1

    def _seed_user(self, conn: Connection, seed: UserSeed) -> tuple[int, int]:
        added_user = 0
        existing = conn.execute(select(USER.c.name).where(USER.c.name == seed.name)).first()
        if existing is None:
            self._ensure_workspace(conn, seed.workspace)
            conn.execute(
                insert(USER).values(
                    name=seed.name,
                    id=seed.id or self.ids.new(),
                    workspace=seed.workspace,
                    nickname=seed.nickname if seed.nickname is not None else seed.name,
                    email=seed.email,
                    mobile=seed.mobile,
                    description=seed.description,
                    team=seed.team,
                )
            )
            added_user = 1
        added_keys = 0
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
        return added_user, added_keys

    def _seed_storage_config(self, conn: Connection, seed: StorageConfigSeed) -> int:
        self._ensure_workspace(conn, seed.workspace)
        if seed.default:
            conn.execute(
                update(STORAGE_CONFIG)
                .where(STORAGE_CONFIG.c.workspace == seed.workspace)
                .values(is_default=False)
            )
        existing = conn.execute(
            select(STORAGE_CONFIG.c.seq).where(
                STORAGE_CONFIG.c.workspace == seed.workspace, STORAGE_CONFIG.c.name == seed.name
            )
        ).first()
        if existing is not None:
            if seed.default:
                conn.execute(
                    update(STORAGE_CONFIG)
                    .where(STORAGE_CONFIG.c.seq == existing.seq)
                    .values(is_default=True)
                )
            return 0
        conn.execute(
            insert(STORAGE_CONFIG).values(
                workspace=seed.workspace,
                name=seed.name,
                backend_type=seed.backend_type.value,
                is_default=seed.default,
            )
        )
        return 1

    def _seed_dataset(self, conn: Connection, seed: DatasetSeed) -> int:
        self._ensure_workspace(conn, seed.workspace)
        if self._dataset_row(conn, seed.workspace, seed.name) is not None:
            return 0
        where = f"dataset '{seed.workspace}/{seed.name}'"
        storage = self._storage_config(conn, seed.workspace, seed.storage_config)
        branches = {branch.name: branch.commit_id for branch in seed.branches}
        if seed.default_branch not in branches:
            branches = {seed.default_branch: None, **branches}
        numbers = [draft.number for draft in seed.drafts]
        if len(set(numbers)) != len(numbers):
            raise errors.InvalidParams(f"Invalid seed: {where} has two drafts with one number.")
        for draft in seed.drafts:
            if draft.branch not in branches:
                raise errors.InvalidParams(
                    f"Invalid seed: draft {draft.number} of {where} is on branch "
                    f"'{draft.branch}', which the dataset does not have."
                )
        created_at = seed.created_at or self.clock.stamp()
        inserted = conn.execute(
            insert(DATASET).values(
                id=seed.id or self.ids.new(),
                workspace=seed.workspace,
                name=seed.name,
                alias=seed.alias,
                default_branch=seed.default_branch,
                commit_id=seed.commit_id,
                cover_url=seed.cover_url,
                creator=seed.creator,
                created_at=created_at,
                updated_at=seed.updated_at or created_at,
                is_public=seed.is_public,
                storage_config=storage.name,
                backend_type=(seed.backend_type or BackendType(storage.backend_type)).value,
            )
        ).inserted_primary_key
        assert inserted is not None
        seq = inserted[0]
        conn.execute(
            insert(BRANCH),
            [
                {"dataset_seq": seq, "name": name, "commit_id": commit_id}
                for name, commit_id in branches.items()
            ],
        )
        if seed.drafts:
            conn.execute(
                insert(DRAFT),
                [
                    {
                        "dataset_seq": seq,
                        "number": draft.number,
                        "branch": draft.branch,
                        "title": draft.title,
                        "status": draft.status,
                    }
                    for draft in seed.drafts
                ],
            )
        return 1

    def export_seed(self) -> Seed:
        """The whole state in the seed format, so that ``apply_seed`` can load it back."""
        with self._tx() as conn:
            workspaces = conn.execute(select(WORKSPACE).order_by(WORKSPACE.c.name)).all()
            users = conn.execute(select(USER).order_by(USER.c.name)).all()
            keys = conn.execute(select(ACCESS_KEY).order_by(ACCESS_KEY.c.key)).all()
            configs = conn.execute(
                select(STORAGE_CONFIG).order_by(STORAGE_CONFIG.c.workspace, STORAGE_CONFIG.c.seq)
            ).all()
            datasets = conn.execute(select(DATASET).order_by(DATASET.c.seq)).all()
            branches = conn.execute(select(BRANCH).order_by(BRANCH.c.seq)).all()
            drafts = conn.execute(select(DRAFT).order_by(DRAFT.c.seq)).all()
        keys_of: dict[str, list[str]] = {}
        for key in keys:
            keys_of.setdefault(key.user, []).append(key.key)
        branches_of: dict[int, list[BranchSeed]] = {}
        for branch in branches:
            branches_of.setdefault(branch.dataset_seq, []).append(
                BranchSeed(name=branch.name, commit_id=branch.commit_id)
            )
        drafts_of: dict[int, list[DraftSeed]] = {}
        for draft in drafts:
            drafts_of.setdefault(draft.dataset_seq, []).append(
                DraftSeed(
                    number=draft.number, branch=draft.branch, title=draft.title, status=draft.status
                )
            )
        frozen = self.clock.stamp() if self.clock.frozen else None
        return Seed(
            options=SeedOptions(strict=self.strict, frozen_time=frozen),
            workspaces=[WorkspaceSeed.model_validate(dict(row._mapping)) for row in workspaces],
            users=[
                UserSeed.model_validate({**row._mapping, "access_keys": keys_of.get(row.name, [])})
                for row in users
            ],
            storage_configs=[
                StorageConfigSeed(
                    name=row.name,
                    workspace=row.workspace,
                    backend_type=BackendType(row.backend_type),
                    default=row.is_default,
                )
                for row in configs
            ],
            datasets=[
                DatasetSeed.model_validate(
                    {
                        **{field: row._mapping[field] for field in DATASET_FIELDS},
                        "branches": branches_of.get(row.seq, []),
                        "drafts": drafts_of.get(row.seq, []),
                    }
                )
                for row in datasets
            ],
        )

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, for ``restore``: the fastest way back to a state."""
        with self._tx() as conn:
            return {
                table.name: [dict(row._mapping) for row in conn.execute(select(table))]
                for table in ALL_TABLES
            }

    def restore(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """Replace the whole state by a ``snapshot``, in one transaction."""
        with self._tx(write=True) as conn:
            for table in ALL_TABLES:
                conn.execute(delete(table))
            for table in reversed(ALL_TABLES):
                if rows.get(table.name):
                    conn.execute(insert(table), rows[table.name])
            if not self._sqlite:
                # PostgreSQL's serial sequences do not follow explicit keys on their own.
                for table in ALL_TABLES:
                    if "seq" in table.c:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'seq'), "
                            f"COALESCE((SELECT MAX(seq) FROM {table.name}), 0) + 1, false)"
                        )
