"""The backend: the shared services and one store per resource, built from the registry.

A resource's store subclasses ``Store`` and gets the backend, through which it reaches
the database, the clock, the id source and the stores of the resources below it
(``self.backend.get(OtherStore)``). Routes ask for a store with ``store_dependency``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, Table, bindparam, select
from starlette.requests import Request

from mock_server.core.clock import Clock, IdFactory
from mock_server.core.database import Database

S = TypeVar("S", bound="Store")


class Store:
    """Base of the resources' stores: operations named after the service's."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.db = backend.db

    def close(self) -> None:
        """Release what the store holds besides the database (files, folders)."""

    def new_id(self, conn: Connection, table: Table) -> str:
        """A generated id that no row of ``table`` holds yet.

        A seeded id sequence restarted on a kept database (or reseeded at run time)
        repeats ids it handed out before: the next one is taken instead. Default ids
        (80 random bits within each millisecond) are not looked up: they do not repeat.
        """
        if not self.backend.ids.seeded:
            return self.backend.ids.new()
        taken = _id_lookup(table)
        for _ in range(64):
            candidate = self.backend.ids.new()
            if conn.execute(taken, {"id": candidate}).first() is None:
                return candidate
        raise RuntimeError(f"no free id for {table.name} in 64 tries")


_ID_LOOKUPS: dict[Table, Select[Any]] = {}


def _id_lookup(table: Table) -> Select[Any]:
    # Built once per table, so SQLAlchemy compiles it once.
    lookup = _ID_LOOKUPS.get(table)
    if lookup is None:
        lookup = _ID_LOOKUPS[table] = select(table.c.id).where(table.c.id == bindparam("id"))
    return lookup


class Backend:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        strict: bool = False,
        stores: Iterable[type[Store]] = (),
    ) -> None:
        self.db = db
        self.clock = clock or Clock()
        self.ids = ids or IdFactory()
        # Accept only registered access keys: the start-up setting. A seed's change is
        # kept in the database (identity's mock_setting), so every worker sees it.
        self.strict = strict
        self._stores: dict[type[Store], Store] = {}
        for cls in stores:
            self._stores[cls] = cls(self)

    def get(self, cls: type[S]) -> S:
        store = self._stores.get(cls)
        if store is None:
            raise LookupError(f"{cls.__name__} is not registered")
        assert isinstance(store, cls)
        return store

    def close(self) -> None:
        for store in reversed(list(self._stores.values())):
            store.close()
        self.db.close()


def store_dependency(cls: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A FastAPI dependency giving the app's store of ``cls``."""

    # Async, so FastAPI calls it in the event loop instead of a worker thread.
    async def dependency(request: Request) -> S:
        backend: Backend = request.app.state.backend
        return backend.get(cls)

    dependency.__name__ = f"get_{cls.__name__}"
    return dependency
