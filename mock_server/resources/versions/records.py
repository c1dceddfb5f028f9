"""Records of a sheet: added, updated and deleted in an OPEN draft; paged from drafts and commits.

Keys are assigned by the server in insertion order, as 18-digit strings (string order is
key order). An update names a live key and merges the top-level fields it gives; fields
the schema does not name are ignored. A call that names a missing key, or carries a row
that does not fit the schema, is refused whole. Pages are in key order unless a sort is
asked for: that order is worked out from the whole sheet (as a database without that
index would) once, then kept in the read cache while the dataset's versions stay put.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from mock_server.core import errors
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.versions import layers
from mock_server.resources.versions.base import versions_tag
from mock_server.resources.versions.schema import (
    FieldType,
    Schema,
    conform_rows,
    drop_unfit,
    parse_schema,
)
from mock_server.resources.versions.sheets import SheetOperations, SheetView

RECORD_KEY = "__record_key"
SORT_CHUNK = 10_000
# A sorted key list weighs one in the read cache per this many keys (about a kilobyte).
KEYS_PER_WEIGHT = 128


def _keys_of(values: Sequence[Any], what: str) -> list[int]:
    """The keys ``values`` name: a string that is not a key names no record (404)."""
    keys = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise errors.InvalidParams(f"{what}[{index}] has no '{RECORD_KEY}' string.")
        key = layers.parse_key(value)
        if key is None:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise errors.ResourceNotExist(f"No record with key {shown!r} in this sheet.")
        keys.append(key)
    return keys


def _missing(keys: Sequence[int], live: Any) -> None:
    absent = [layers.format_key(key) for key in keys if key not in live]
    if absent:
        shown = ", ".join(absent[:5]) + (" ..." if len(absent) > 5 else "")
        raise errors.ResourceNotExist(f"No record with key {shown} in this sheet.")


def _get(row: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(row, dict):
            return None
        row = row.get(part)
    return row


def _project(
    key: int, row: dict[str, Any], schema: Schema, columns: list[list[str]] | None
) -> dict[str, Any]:
    shaped: dict[str, Any] = {RECORD_KEY: layers.format_key(key)}
    if columns is None:
        for name in schema.names:
            shaped[name] = row.get(name)
        return shaped
    for path in columns:
        target = shaped
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = _get(row, path)
    return shaped


def _field_at(schema: Schema, path: Sequence[str]) -> FieldType | None:
    """The type of the field ``path`` names (through records), or None if it names none.

    Below a field of an imported type (``file.Image``...) any path is taken.
    """
    fields = schema.fields
    kind: FieldType | None = None
    for part in path:
        if kind is not None and kind.kind == "any":
            return kind
        kind = fields.get(part)
        if kind is None:
            return None
        fields = kind.fields if kind.kind == "record" else {}
    return kind


def _columns(text: str | None, separator: str, schema: Schema) -> list[list[str]] | None:
    if text is None or text == "":
        return None
    paths = []
    for column in text.split(separator):
        path = column.strip().lower().split(".")
        if _field_at(schema, path) is None:
            raise errors.InvalidParams(f"Column '{column}' is not a field of the sheet.")
        paths.append(path)
    return paths


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, repr(value))


def _sorts(specs: Sequence[str], schema: Schema) -> list[tuple[list[str], bool]]:
    parsed = []
    for spec in specs:
        name, _, direction = spec.strip().partition(":")
        path = name.lower().split(".")
        if name == RECORD_KEY:
            path = [RECORD_KEY]
        else:
            kind = _field_at(schema, path)
            if kind is None:
                raise errors.InvalidParams(f"Cannot sort by '{name}': not a field of the sheet.")
            if kind.kind in ("array", "record"):
                raise errors.InvalidParams(f"Cannot sort by '{name}': its values have no order.")
        if direction.lower() not in ("", "asc", "desc"):
            raise errors.InvalidParams(f"Sort direction '{direction}' is not asc or desc.")
        parsed.append((path, direction.lower() == "desc"))
    return parsed


def read_rows(
    conn: Connection, snap: layers.Snapshot, keys: Sequence[int], schema: Schema
) -> list[tuple[int, dict[str, Any]]]:
    """``layers.page_rows`` read through the sheet's schema: a stored value its field's
    type no longer holds (a schema update changed it) reads as null."""
    rows = layers.page_rows(conn, snap, keys)
    drop_unfit([row for _, row in rows], schema)
    return rows


class RecordOperations(SheetOperations):
    # ------------------------------------------------------------------ writes

    def add_records(
        self, dataset: DatasetKey, number: int, sheet: str, rows: Sequence[Any]
    ) -> None:
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            view = self.draft_sheet(conn, dataset, number, sheet, write=True)
            schema = parse_schema(view.row.schema)
            conformed = conform_rows(rows, schema)
            keys = layers.add_rows(conn, view.snapshot, conformed)
            if keys:
                self.touch(conn, view)
        layers.keys_added(self.db, view.snapshot.seq, keys)

    def update_records(
        self, dataset: DatasetKey, number: int, sheet: str, rows: Sequence[dict[str, Any]]
    ) -> None:
        keys = _keys_of([row.get(RECORD_KEY) for row in rows], "Row")
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            view = self.draft_sheet(conn, dataset, number, sheet, write=True)
            schema = parse_schema(view.row.schema)
            changes = conform_rows(rows, schema)
            live = layers.live_rows(conn, view.snapshot, keys)
            _missing(keys, live)
            drop_unfit(list(live.values()), schema)
            merged: dict[int, dict[str, Any]] = {}
            for key, change in zip(keys, changes, strict=True):
                merged[key] = {**merged.get(key, live[key]), **change}
            layers.put_rows(conn, view.snapshot, merged)
            if merged:
                self.touch(conn, view)

    def delete_records(
        self, dataset: DatasetKey, number: int, sheet: str, record_keys: Sequence[str]
    ) -> None:
        keys = _keys_of(record_keys, "record_keys")
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            view = self.draft_sheet(conn, dataset, number, sheet, write=True)
            live = layers.live_rows(conn, view.snapshot, keys)
            _missing(keys, live)
            layers.delete_keys(conn, view.snapshot, keys)
            if keys:
                self.touch(conn, view)
        layers.keys_removed(self.db, view.snapshot.seq, sorted(set(keys)))

    # ------------------------------------------------------------------ reads

    def list_draft_records(
        self, dataset: DatasetKey, number: int, sheet: str, **query: Any
    ) -> tuple[list[dict[str, Any]], int]:
        with self.db.read() as conn:
            view = self.draft_sheet(conn, dataset, number, sheet, write=False)
        return self._list(view, **query)

    def list_commit_records(
        self, dataset: DatasetKey, commit_id: str, sheet: str, **query: Any
    ) -> tuple[list[dict[str, Any]], int]:
        with self.db.read() as conn:
            view = self.commit_sheet(conn, dataset, commit_id, sheet)
        return self._list(view, **query)

    def _list(
        self,
        view: SheetView,
        *,
        columns: str | None,
        separator: str,
        sort: Sequence[str],
        offset: int,
        limit: int,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of rows and the sheet's record count."""
        schema = parse_schema(view.row.schema)
        paths = _columns(columns, separator, schema)
        sorts = _sorts([spec for spec in sort if spec.strip()], schema)
        keys = layers.record_keys(self.db, view.snapshot.chain)
        if sorts and sorts != [([RECORD_KEY], False)]:
            page = self._sorted(view, keys, sorts, schema)[offset : offset + limit]
            with self.db.read() as conn:
                found = layers.live_rows(conn, view.snapshot, page)
            rows = [(key, found[key]) for key in page if key in found]
        else:
            with self.db.read() as conn:
                rows = layers.page_rows(conn, view.snapshot, keys[offset : offset + limit])
        drop_unfit([row for _, row in rows], schema)
        return [_project(key, row, schema, paths) for key, row in rows], len(keys)

    def _sorted(
        self,
        view: SheetView,
        keys: Sequence[int],
        sorts: list[tuple[list[str], bool]],
        schema: Schema,
    ) -> Sequence[int]:
        """The sheet's live keys in the order ``sorts`` asks for.

        Worked out once from the whole sheet, then kept in the read cache until the
        dataset's versions change, so that the next pages are slices of it.
        """

        def load(conn: Connection) -> array[int]:
            # Per record its key and the values it sorts by; the rows themselves go.
            entries: list[tuple[int, list[tuple[int, Any]]]] = []
            for start in range(0, len(keys), SORT_CHUNK):
                chunk = read_rows(conn, view.snapshot, keys[start : start + SORT_CHUNK], schema)
                entries.extend(
                    (key, [_sort_key(_get(row, path)) for path, _ in sorts]) for key, row in chunk
                )
            # Stable sorts from the last criterion to the first; key order breaks ties.
            for index in reversed(range(len(sorts))):
                path, descending = sorts[index]
                if path == [RECORD_KEY]:
                    entries.sort(key=itemgetter(0), reverse=descending)
                else:
                    entries.sort(key=lambda entry: entry[1][index], reverse=descending)
            return array("q", (key for key, _ in entries))

        order = tuple((tuple(path), descending) for path, descending in sorts)
        return self.db.cached(
            ("sorted-keys", view.snapshot.chain, order),
            (versions_tag(view.row.dataset_seq),),
            load,
            weigh=lambda sorted_keys: 1 + len(sorted_keys) // KEYS_PER_WEIGHT,
        )
