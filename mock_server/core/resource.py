"""What a resource package declares to the registry: its store, routes and seed sections.

The app mounts every ``router``, the backend builds every ``store``, and the seed format,
state export, reset and snapshots are built from the ``seeds`` and the tables the
package registers on the shared metadata. Adding a resource is one package and one line
in ``mock_server.resources.RESOURCES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Connection, Table

from mock_server.core.backend import Backend, Store


@dataclass(frozen=True, eq=False)
class SeedSection:
    """One list in the seed format, e.g. ``datasets:``."""

    key: str
    model: type[BaseModel]
    # Adds the items that are not there yet, in the caller's transaction; answers how many
    # (or a count for each name in ``counts``).
    apply: Callable[[Backend, Connection, Sequence[Any]], int | Mapping[str, int]]
    # Every item there is, in the seed format, so that ``apply`` can load it back.
    export: Callable[[Backend, Connection], list[Any]]
    description: str = ""
    # What the seed summary counts for this section; by default the section's key.
    counts: tuple[str, ...] = ()

    def summary_keys(self) -> tuple[str, ...]:
        return self.counts or (self.key,)


class OutsideState(Protocol):
    """State a resource keeps outside the database (files), reset and snapshotted with it."""

    def clear(self) -> None:
        """Forget everything: called once a reset (or a replacing seed) has committed."""

    def mark(self) -> list[dict[str, Any]]:
        """What a snapshot keeps of it."""
        ...

    def rewind(self, mark: Sequence[dict[str, Any]]) -> None:
        """Back to a ``mark``, as far as it can: called once a restore has committed."""


@dataclass(frozen=True, eq=False)
class Resource:
    name: str
    store: type[Store] | None = None
    router: APIRouter | None = None
    seeds: tuple[SeedSection, ...] = field(default_factory=tuple)
    # Routes of the test double's own for this resource, mounted under /_mock/.
    control: APIRouter | None = None
    # The tables it owns: reset, snapshots and schema checks cover exactly these.
    tables: tuple[Table, ...] = field(default_factory=tuple)
    # What it keeps outside the database, if anything (given the backend).
    outside: Callable[[Backend], OutsideState] | None = None
    # Paths whose bodies stream (object uploads): the route bounds them itself, so the
    # app's body limit skips them, and the journal does not keep them.
    streamed: Callable[[str], bool] | None = None
