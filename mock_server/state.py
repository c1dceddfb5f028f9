"""The whole state at once: reset, seeding, export and snapshots, over every resource.

Each works from the registry (the resources' seed sections and tables) and runs in one
write transaction: a seed that is refused, or a restore that fails, changes nothing,
and what lives outside the database (id sequence, clock) changes only after the commit
(the id sequence is put back if the transaction fails).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import sort_tables

from mock_server.core import errors
from mock_server.core.backend import Backend
from mock_server.core.bulk import execute_fixed
from mock_server.core.clock import parse_time
from mock_server.core.resource import OutsideState, Resource
from mock_server.resources.identity.store import IdentityStore
from mock_server.seeding import Seed, SeedOptions, sections, seed_model

Rows = dict[str, list[dict[str, Any]]]
# A change made inside a whole-state transaction besides seeds (e.g. registering keys).
Step = Seed | Callable[[Connection], None]


class _Keep:
    """The id sequence stays as it is."""


KEEP_IDS: Final = _Keep()
IdSeed = int | None | _Keep


class StateAdmin:
    def __init__(self, backend: Backend, resources: Sequence[Resource]) -> None:
        self.backend = backend
        self.resources = tuple(resources)
        self.seed_model = seed_model(self.resources)
        self.sections = sections(self.resources)
        # Parents first: inserts go in this order, deletes in the reverse.
        self.tables: list[Table] = sort_tables(
            [table for resource in self.resources for table in resource.tables]
        )
        self._held = select(
            *(select(table).exists().label(f"t{i}") for i, table in enumerate(self.tables))
        )
        self._deletes = [delete(table) for table in self.tables]
        # State kept outside the database (object files), by the key a snapshot files it under.
        self.outside: dict[str, OutsideState] = {
            f"{resource.name}:outside": resource.outside(backend)
            for resource in self.resources
            if resource.outside is not None
        }

    def summary_keys(self) -> list[str]:
        return [key for section in self.sections for key in section.summary_keys()]

    def _empty(self, conn: Connection) -> None:
        # One query tells which tables hold rows; a test touches a few of them, and a
        # DELETE per untouched table is most of a reset's time.
        held = execute_fixed(conn, self._held).one()
        for statement, has_rows in reversed(list(zip(self._deletes, held, strict=True))):
            if has_rows:
                execute_fixed(conn, statement)

    def reset(self) -> None:
        """Drop every row of every table, in one transaction, then the outside state."""
        with self._write() as conn:
            self._empty(conn)
        self._clear_outside()

    def _clear_outside(self) -> None:
        for outside in self.outside.values():
            outside.clear()

    def apply_seed(self, seed: Seed, *, replace: bool = False) -> dict[str, int]:
        """Add what ``seed`` lists, in one transaction; what already exists is kept.

        ``replace`` empties every table first, in the same transaction. A seed that is
        inconsistent (an unknown storage config, a draft on a missing branch, a key
        that belongs to another user) changes nothing and raises a Graviti 400 or 409.
        """
        return self.apply_seeds([seed], replace=replace)[0]

    def apply_seeds(
        self,
        steps: Sequence[Step],
        *,
        replace: bool = False,
        ids: IdSeed = KEEP_IDS,
        on_commit: Callable[[], None] | None = None,
    ) -> list[dict[str, int]]:
        """Seeds and other changes (``Step`` callables) in order, in ONE transaction.

        ``ids`` reseeds the id sequence first (``KEEP_IDS``: as it is); a seed's own
        ``id_seed`` reseeds it where that seed starts. Strictness is written in the
        transaction. If anything is refused, nothing changed: not the rows, not the
        id sequence, not the clock. Once the transaction committed, ``on_commit`` runs,
        then the seeds' frozen times apply in order. Answers one summary per seed.
        """
        identity = self.backend.get(IdentityStore)
        id_source = self.backend.ids
        previous_ids = id_source.state()
        summaries: list[dict[str, int]] = []
        try:
            if ids is not KEEP_IDS:
                assert not isinstance(ids, _Keep)
                id_source.reseed(ids)
            with self._write() as conn:
                if replace:
                    self._empty(conn)
                for step in steps:
                    if not isinstance(step, Seed):
                        step(conn)
                        continue
                    if step.options.id_seed is not None:
                        id_source.reseed(step.options.id_seed)
                    summaries.append(self._apply_sections(conn, step))
                    if step.options.strict is not None:
                        identity.set_strict(conn, step.options.strict)
        except IntegrityError as exc:
            id_source.restore(previous_ids)
            raise errors.NameConflict(
                f"The seed conflicts with the current state: {exc.orig}."
            ) from exc
        except BaseException:
            id_source.restore(previous_ids)
            raise
        if replace:
            # Object files and the like go only once the rows did.
            self._clear_outside()
        if on_commit is not None:
            on_commit()
        for step in steps:
            if isinstance(step, Seed) and step.options.frozen_time is not None:
                self.backend.clock.freeze(parse_time(step.options.frozen_time))
        return summaries

    def _apply_sections(self, conn: Connection, seed: Seed) -> dict[str, int]:
        summary = dict.fromkeys(self.summary_keys(), 0)
        for section in self.sections:
            counted = section.apply(self.backend, conn, getattr(seed, section.key))
            if isinstance(counted, int):
                counted = {section.key: counted}
            for key, value in counted.items():
                summary[key] += value
        return summary

    def export_seed(self) -> Seed:
        """The whole state in the seed format, so that ``apply_seed`` can load it back."""
        with self.backend.db.read() as conn:
            lists = {section.key: section.export(self.backend, conn) for section in self.sections}
            strict = self.backend.get(IdentityStore).strict_in(conn)
        clock = self.backend.clock
        frozen = clock.stamp() if clock.frozen else None
        return self.seed_model(options=SeedOptions(strict=strict, frozen_time=frozen), **lists)

    def snapshot(self) -> Rows:
        """Every row of every table, for ``restore``: the fastest way back to a state.

        Outside state is marked under its own key (objects: the keys present).
        """
        with self.backend.db.read() as conn:
            rows = {
                table.name: [dict(row._mapping) for row in conn.execute(select(table))]
                for table in self.tables
            }
        for name, outside in self.outside.items():
            rows[name] = outside.mark()
        return rows

    def restore(self, rows: Rows) -> None:
        """Replace the whole state by a ``snapshot``, in one transaction."""
        with self._write() as conn:
            self._empty(conn)
            for table in self.tables:
                if rows.get(table.name):
                    conn.execute(insert(table), rows[table.name])
            if self.backend.db.dialect == "postgresql":
                # PostgreSQL's serial sequences do not follow explicit keys on their own.
                for table in self.tables:
                    if "seq" in table.c:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'seq'), "
                            f"COALESCE((SELECT MAX(seq) FROM {table.name}), 0) + 1, false)"
                        )
        for name, outside in self.outside.items():
            outside.rewind(rows.get(name, []))

    def _write(self) -> Any:
        # A whole-state change: the cache forgets everything it remembered.
        return self.backend.db.write(None)
