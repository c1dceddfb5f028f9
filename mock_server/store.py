"""The dataset store: the operations of the service over the SQLModel tables.

Routes call these methods and shape HTTP; the store never builds a response, and a
failed lookup raises a domain error from ``mock_server.errors`` once, here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from mock_server import encode, errors
from mock_server.clock import Clock, IdFactory, parse_time
from mock_server.db import Checkpointer, create_schema, make_engine, sqlite_file
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
UNAVAILABLE = "The database is unavailable (busy, read-only or full); nothing was changed."

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


ID_ATTEMPTS = 8


class _IdTaken(Exception):
    """A generated dataset id is stored already."""


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


# ---------------------------------------------------------------------------- SQLite fast path
#
# On SQLite the dataset and identity operations run as prepared DB-API statements on the
# store's own connection, and their results are remembered between requests. The caches
# are checked before every use against (PRAGMA data_version, total_changes): the first
# moves when another connection (another worker, another store) commits, the second
# whenever this connection changes a row, whatever code path did it. Either dropping the
# whole cache; the store's own dataset writes update it in place instead.

_COLUMNS = ", ".join(DATASET_FIELDS)
_SQL_CALLER = (
    'SELECT account.name, account.workspace FROM access_key JOIN account ON access_key."user" = '
    'account.name WHERE access_key."key" = ?'
)
_SQL_DEFAULT_STORAGE = (
    "SELECT name, backend_type FROM storage_config WHERE workspace = ? AND is_default = 1"
)
_SQL_STORAGE = "SELECT name, backend_type FROM storage_config WHERE workspace = ? AND name = ?"
_SQL_INSERT_DATASET = (
    f"INSERT INTO dataset ({_COLUMNS}) VALUES ({', '.join('?' * len(DATASET_FIELDS))})"
)
_SQL_INSERT_BRANCH = "INSERT INTO branch (dataset_seq, name, commit_id) VALUES (?, ?, NULL)"
_SQL_INSERT_DRAFT = (
    "INSERT INTO draft (dataset_seq, number, branch, title, status) VALUES (?, 1, ?, '', 'OPEN')"
)
_SQL_DATASET = f"SELECT seq, {_COLUMNS} FROM dataset WHERE workspace = ? AND name = ?"
_SQL_SEQS = "SELECT seq FROM dataset WHERE workspace = ? ORDER BY seq"
_SQL_COUNT = "SELECT count(*) FROM dataset WHERE workspace = ?"
_SQL_OFFSET_PAGE = (
    f"SELECT seq, {_COLUMNS} FROM dataset WHERE workspace = ? ORDER BY seq LIMIT ? OFFSET ?"
)
_SQL_PAGE = (
    f"SELECT seq, {_COLUMNS} FROM dataset WHERE workspace = ? AND seq BETWEEN ? AND ? ORDER BY seq"
)
_SQL_BRANCH = "SELECT 1 FROM branch WHERE dataset_seq = ? AND name = ?"
_SQL_DELETE = "DELETE FROM dataset WHERE workspace = ? AND name = ? RETURNING seq"
_IS_PUBLIC = DATASET_FIELDS.index("is_public")

# Bounds on what one worker remembers (the resident-memory budget is 200 MB).
MAX_CACHED_CALLERS = 10_000
MAX_CACHED_DATASETS = 20_000
MAX_CACHED_LISTINGS = 256
MAX_CACHED_PAGE_BYTES = 8 << 20


class _Dataset(NamedTuple):
    seq: int
    is_public: bool
    body: bytes  # the wire JSON


@dataclass(slots=True)
class _Listing:
    """One workspace's dataset seqs in listing order, and rendered pages of it."""

    seqs: array[int]
    pages: dict[tuple[int, int], bytes] = field(default_factory=dict)


class _Cache:
    """What a SQLite store remembers between requests; see the section comment above."""

    def __init__(self) -> None:
        self.stamp: tuple[int, int] = (-1, -1)
        self.callers: dict[str, Caller] = {}
        self.storage: dict[tuple[str, str | None], tuple[str, str]] = {}
        self.datasets: dict[tuple[str, str], _Dataset] = {}
        self.listings: dict[str, _Listing] = {}
        # Workspaces listed once since the last clear, not yet worth a listing.
        self.listed: set[str] = set()
        self.page_bytes = 0

    def clear(self) -> None:
        self.callers.clear()
        self.storage.clear()
        self.datasets.clear()
        self.listings.clear()
        self.listed.clear()
        self.page_bytes = 0

    def note_listed(self, workspace: str) -> None:
        if len(self.listed) >= 4 * MAX_CACHED_LISTINGS:
            self.listed.clear()
        self.listed.add(workspace)

    def remember_dataset(self, workspace: str, name: str, entry: _Dataset) -> None:
        if len(self.datasets) >= MAX_CACHED_DATASETS:
            self.datasets.clear()
        self.datasets[workspace, name] = entry

    def add_listing(self, workspace: str, seqs: array[int]) -> _Listing:
        if len(self.listings) >= MAX_CACHED_LISTINGS:
            self.listings.clear()
            self.page_bytes = 0
        listing = self.listings[workspace] = _Listing(seqs)
        return listing

    def remember_page(self, listing: _Listing, key: tuple[int, int], body: bytes) -> None:
        if self.page_bytes + len(body) > MAX_CACHED_PAGE_BYTES:
            for other in self.listings.values():
                other.pages.clear()
            self.page_bytes = 0
        listing.pages[key] = body
        self.page_bytes += len(body)

    def listing_changed(
        self, workspace: str, *, added: int | None = None, removed: int | None = None
    ) -> None:
        """Keep a workspace's listing in step with a create or delete by this store."""
        listing = self.listings.get(workspace)
        if listing is None:
            return
        self.page_bytes -= sum(len(body) for body in listing.pages.values())
        listing.pages.clear()
        seqs = listing.seqs
        if added is not None:
            if seqs and added <= seqs[-1]:
                del self.listings[workspace]
            else:
                seqs.append(added)
        if removed is not None:
            index = bisect_left(seqs, removed)
            if index < len(seqs) and seqs[index] == removed:
                del seqs[index]
            else:
                del self.listings[workspace]


def _dataset_entry(row: Any) -> _Dataset:
    """A cache entry from a row of ``seq`` then the dataset columns."""
    values = row[1:]
    return _Dataset(
        row[0], bool(values[_IS_PUBLIC]), encode.encode(encode.dataset_from_row(values))
    )


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
        # The same DB-API connection, for the SQLite fast path (None on other databases,
        # which take the dialect-neutral SQLAlchemy path and cache nothing).
        raw = self._conn.connection.driver_connection if self._sqlite else None
        self._raw: sqlite3.Connection | None = raw if isinstance(raw, sqlite3.Connection) else None
        self._cache = _Cache()
        path = sqlite_file(engine)
        self._checkpointer = Checkpointer(path).start() if path else None

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> DatasetStore:
        return cls(make_engine(url), **kwargs)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
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
                raise errors.ServiceUnavailable(UNAVAILABLE) from exc
            finally:
                if write:
                    self.invalidate_caches()

    def invalidate_caches(self) -> None:
        """Forget everything remembered; for writes that bypass the store's methods."""
        with self._lock:
            self._cache.clear()

    @contextmanager
    def _fast(self) -> Iterator[sqlite3.Connection]:
        """The raw SQLite connection under the lock, with the cache checked for freshness."""
        raw = self._raw
        assert raw is not None
        with self._lock:
            try:
                cache = self._cache
                stamp = (raw.execute("PRAGMA data_version").fetchone()[0], raw.total_changes)
                if stamp != cache.stamp:
                    cache.clear()
                    cache.stamp = stamp
                yield raw
            except sqlite3.OperationalError as exc:
                logger.warning("database error: %s", exc)
                raise errors.ServiceUnavailable(UNAVAILABLE) from exc

    @contextmanager
    def _fast_write(self, raw: sqlite3.Connection) -> Iterator[None]:
        """One write transaction; afterwards the cache counts the changes as its own."""
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield
            raw.execute("COMMIT")
        except BaseException:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise
        # Only this transaction changed rows since the check in _fast(), and the caller
        # updates the cache for it.
        self._cache.stamp = (self._cache.stamp[0], raw.total_changes)

    # ------------------------------------------------------------------ identity

    def authenticate(self, key: str | None) -> Caller:
        """The caller behind an ``X-Token``; new well-formed keys are provisioned unless strict."""
        if not key:
            raise errors.Unauthorized("The X-Token header with an access key is required.")
        if not is_well_formed_key(key):
            raise errors.Unauthorized("The access key is not valid.")
        caller = self._lookup_caller(key)
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

    def _lookup_caller(self, key: str) -> Caller | None:
        if self._raw is None:
            with self._tx() as conn:
                return self._find_caller(conn, key)
        with self._fast() as raw:
            callers = self._cache.callers
            caller = callers.get(key)
            if caller is None:
                row = raw.execute(_SQL_CALLER, (key,)).fetchone()
                if row is None:
                    return None
                if len(callers) >= MAX_CACHED_CALLERS:
                    callers.clear()
                caller = callers[key] = Caller(key=key, user=row[0], workspace=row[1])
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

    def _new_dataset(
        self, caller: Caller, body: DatasetCreate, now: str, storage: str, backend_type: str
    ) -> dict[str, Any]:
        """The fields of a dataset about to be created in the caller's workspace."""
        return {
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
            "storage_config": storage,
            "backend_type": backend_type,
        }

    def create_dataset(self, caller: Caller, body: DatasetCreate) -> dict[str, Any]:
        # A seeded id sequence restarted on a kept database may hand out an id that is
        # stored already: take the next one rather than answer a false NameConflict.
        for _ in range(ID_ATTEMPTS):
            try:
                if self._raw is not None:
                    return self._fast_create_dataset(caller, body)
                return self._neutral_create_dataset(caller, body)
            except _IdTaken:
                continue
        raise errors.GravitiError("No fresh dataset id could be generated.")

    def _create_refused(self, workspace: str, name: str) -> Exception:
        """What a unique-constraint failure on create means: a taken name, or a taken id."""
        with self._tx() as conn:
            taken = conn.execute(
                select(DATASET.c.seq).where(
                    DATASET.c.workspace == workspace, DATASET.c.name == name
                )
            ).first()
        if taken is None:
            return _IdTaken()
        return errors.NameConflict(f"Dataset '{name}' already exists in workspace '{workspace}'.")

    def _neutral_create_dataset(self, caller: Caller, body: DatasetCreate) -> dict[str, Any]:
        now = self.clock.stamp()
        try:
            with self._tx(write=True) as conn:
                storage = self._storage_config(conn, caller.workspace, body.storage_config)
                values = self._new_dataset(caller, body, now, storage.name, storage.backend_type)
                inserted = conn.execute(insert(DATASET).values(values)).inserted_primary_key
                assert inserted is not None
                seq = inserted[0]
                conn.execute(insert(BRANCH).values(dataset_seq=seq, name=DEFAULT_BRANCH))
                if body.with_draft:
                    conn.execute(
                        insert(DRAFT).values(dataset_seq=seq, number=1, branch=DEFAULT_BRANCH)
                    )
        except IntegrityError as exc:
            raise self._create_refused(caller.workspace, body.name) from exc
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
            raise self._no_storage_config(workspace, name)
        return row

    @staticmethod
    def _no_storage_config(workspace: str, name: str | None) -> errors.GravitiError:
        if name is None:
            return errors.InvalidParams(f"Workspace '{workspace}' has no default storage config.")
        return errors.InvalidParams(
            f"Storage config '{name}' does not exist in workspace '{workspace}'."
        )

    def get_dataset(self, caller: Caller, workspace: str, name: str) -> dict[str, Any]:
        if self._raw is not None:
            found: dict[str, Any] = json.loads(self.get_dataset_json(caller, workspace, name))
            return found
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
        if self._raw is not None:
            page = json.loads(self.list_datasets_json(caller, offset, limit))
            return page["datasets"], page["total_count"]
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
        if self._raw is not None:
            return self._fast_update_dataset(workspace, name, body)
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
        if self._raw is not None:
            return self._fast_delete_dataset(workspace, name)
        with self._tx(write=True) as conn:
            deleted = conn.execute(
                delete(DATASET).where(DATASET.c.workspace == workspace, DATASET.c.name == name)
            ).rowcount
        if not deleted:
            raise errors.DatasetNotFound(workspace, name)

    # The two reads the routes answer with, as wire JSON: cached on SQLite.

    def get_dataset_json(self, caller: Caller, workspace: str, name: str) -> bytes:
        """``get_dataset`` as the JSON bytes of the answer."""
        if self._raw is None:
            return encode.encode(self.get_dataset(caller, workspace, name))
        with self._fast() as raw:
            key = (workspace, name)
            entry = self._cache.datasets.get(key)
            if entry is None:
                row = raw.execute(_SQL_DATASET, key).fetchone()
                if row is not None:
                    entry = _dataset_entry(row)
                    self._cache.remember_dataset(workspace, name, entry)
        if entry is None or (workspace != caller.workspace and not entry.is_public):
            self._deny_foreign(caller, workspace)
            raise errors.DatasetNotFound(workspace, name)
        return entry.body

    def list_datasets_json(self, caller: Caller, offset: int, limit: int) -> bytes:
        """The JSON bytes of a list answer: a page, its offset and size, and the total count."""
        if self._raw is None:
            datasets, total = self.list_datasets(caller, offset, limit)
            return encode.listing(map(encode.encode, datasets), offset, len(datasets), total)
        workspace = caller.workspace
        with self._fast() as raw:
            cache = self._cache
            listing = cache.listings.get(workspace)
            body = listing.pages.get((offset, limit)) if listing is not None else None
            if body is not None:
                return body
            # One read transaction, so the count, the listing and the page are one snapshot.
            raw.execute("BEGIN")
            try:
                if listing is None and workspace not in cache.listed:
                    # Building a listing costs a scan of the workspace; it pays off from
                    # the second list with no write by another process in between, so the
                    # first is answered by SQL (OFFSET) and only noted.
                    cache.note_listed(workspace)
                    total = raw.execute(_SQL_COUNT, (workspace,)).fetchone()[0]
                    rows = raw.execute(_SQL_OFFSET_PAGE, (workspace, limit, offset)).fetchall()
                else:
                    listing, rows = self._fast_page(raw, workspace, offset, limit)
                    total = len(listing.seqs)
            finally:
                raw.execute("COMMIT")
            body = encode.listing(
                (_dataset_entry(row).body for row in rows), offset, len(rows), total
            )
            if listing is not None:
                cache.remember_page(listing, (offset, limit), body)
            return body

    def _fast_page(
        self, raw: sqlite3.Connection, workspace: str, offset: int, limit: int
    ) -> tuple[_Listing, list[Any]]:
        cached = self._cache.listings.get(workspace)
        for listing in (cached, None):
            if listing is None:
                seqs = array("q", [row[0] for row in raw.execute(_SQL_SEQS, (workspace,))])
                listing = self._cache.add_listing(workspace, seqs)
            wanted = listing.seqs[offset : offset + limit]
            if not wanted:
                return listing, []
            # A range of seqs instead of OFFSET: no scan of the rows before the page.
            rows = raw.execute(_SQL_PAGE, (workspace, wanted[0], wanted[-1])).fetchall()
            if [row[0] for row in rows] == wanted.tolist():
                return listing, rows
            # The cached listing is older than this snapshot: rebuild it once.
        raise AssertionError("a listing rebuilt in this transaction disagrees with it")

    def _fast_create_dataset(self, caller: Caller, body: DatasetCreate) -> dict[str, Any]:
        now = self.clock.stamp()
        workspace = caller.workspace
        with self._fast() as raw:
            cache = self._cache
            try:
                with self._fast_write(raw):
                    storage = cache.storage.get((workspace, body.storage_config))
                    if storage is None:
                        if body.storage_config is None:
                            found = raw.execute(_SQL_DEFAULT_STORAGE, (workspace,)).fetchone()
                        else:
                            found = raw.execute(
                                _SQL_STORAGE, (workspace, body.storage_config)
                            ).fetchone()
                        if found is None:
                            raise self._no_storage_config(workspace, body.storage_config)
                        storage = cache.storage[workspace, body.storage_config] = (
                            found[0],
                            found[1],
                        )
                    fields = self._new_dataset(caller, body, now, storage[0], storage[1])
                    values = tuple(fields[column] for column in DATASET_FIELDS)
                    seq = raw.execute(_SQL_INSERT_DATASET, values).lastrowid
                    assert seq is not None
                    raw.execute(_SQL_INSERT_BRANCH, (seq, DEFAULT_BRANCH))
                    if body.with_draft:
                        raw.execute(_SQL_INSERT_DRAFT, (seq, DEFAULT_BRANCH))
            except sqlite3.IntegrityError as exc:
                raise self._create_refused(workspace, body.name) from exc
            cache.remember_dataset(
                workspace, body.name, _Dataset(seq, False, encode.encode(fields))
            )
            cache.listing_changed(workspace, added=seq)
        return fields

    def _fast_update_dataset(
        self, workspace: str, name: str, body: DatasetUpdate
    ) -> dict[str, Any]:
        with self._fast() as raw:
            cache = self._cache
            try:
                with self._fast_write(raw):
                    row = raw.execute(_SQL_DATASET, (workspace, name)).fetchone()
                    if row is None:
                        raise errors.DatasetNotFound(workspace, name)
                    seq = row[0]
                    result = encode.dataset_from_row(row[1:])
                    changes = {
                        field: value
                        for field, value in body.model_dump(exclude_none=True).items()
                        if value != result[field]
                    }
                    branch = changes.get("default_branch")
                    if (
                        branch is not None
                        and not raw.execute(_SQL_BRANCH, (seq, branch)).fetchone()
                    ):
                        raise errors.InvalidParams(
                            f"Branch '{branch}' does not exist in dataset '{workspace}/{name}'."
                        )
                    if changes:
                        changes["updated_at"] = self.clock.stamp()
                        # Column names come from DatasetUpdate's fields, never from input.
                        assignments = ", ".join(f"{column} = ?" for column in changes)
                        raw.execute(
                            f"UPDATE dataset SET {assignments} WHERE seq = ?",
                            (*changes.values(), seq),
                        )
                        result.update(changes)
            except sqlite3.IntegrityError as exc:
                raise errors.NameConflict(
                    f"Dataset '{body.name}' already exists in workspace '{workspace}'."
                ) from exc
            if changes:
                cache.datasets.pop((workspace, name), None)
                cache.remember_dataset(
                    workspace,
                    result["name"],
                    _Dataset(seq, result["is_public"], encode.encode(result)),
                )
                cache.listing_changed(workspace)
        return result

    def _fast_delete_dataset(self, workspace: str, name: str) -> None:
        with self._fast() as raw:
            with self._fast_write(raw):
                # fetchall: RETURNING rows must be drained before the COMMIT.
                deleted = raw.execute(_SQL_DELETE, (workspace, name)).fetchall()
            if not deleted:
                raise errors.DatasetNotFound(workspace, name)
            self._cache.datasets.pop((workspace, name), None)
            self._cache.listing_changed(workspace, removed=deleted[0][0])

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
