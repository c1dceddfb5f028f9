"""The copy-on-write record store under sheets: snapshots, their layers and their key indexes.

Invariants (see ``tables``): a snapshot's chain is ``(seq, *bases)``; a key's live row is
the one of the highest ``seq`` in the chain that holds the key, unless that row is a
tombstone (``data`` NULL). Keys are handed out from ``next_key`` (inherited by a new
layer), so a key new in a layer is above every key of its bases, and keys are never
reused within a sheet. ``record_count`` is kept equal to the number of live keys.

Costs: opening a layer is one row; reading a page is one range query per page over
the chain, through the snapshot's ordered key index (``Database.ordered_index``, built
once from the base's index and the layer's own rows); a write touches only the rows it
names.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from mock_server.core.bulk import append_json_rows, insert_rows, int_column
from mock_server.core.database import Database
from mock_server.core.routing import parse_json
from mock_server.resources.versions.tables import RECORD, SNAPSHOT

KEY_DIGITS = 18
# Statement parameters per IN list: well under every supported database's limit.
CHUNK = 500
# Deeper chains are indexed in one scan rather than level by level.
MAX_RECURSION = 200
COLUMNS = ("snapshot_seq", "rkey", "data")

_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def format_key(key: int) -> str:
    return f"{key:0{KEY_DIGITS}d}"


def parse_key(value: Any) -> int | None:
    """The key a ``__record_key`` string names (its 18 digits), or None if it names none."""
    if isinstance(value, str) and len(value) == KEY_DIGITS and value.isascii() and value.isdigit():
        return int(value)
    return None


def encode_row(row: dict[str, Any] | Sequence[dict[str, Any]]) -> str:
    """The row (or list of rows) as compact JSON text (NaN never gets here: rows are
    checked before)."""
    try:
        return orjson.dumps(row).decode()
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits, and what orjson refuses that the standard encoder takes.
        return _encoder.encode(row)


@dataclass(frozen=True, slots=True)
class Snapshot:
    seq: int
    bases: tuple[int, ...]
    record_count: int
    next_key: int

    @property
    def chain(self) -> tuple[int, ...]:
        return (self.seq, *self.bases)


def _bases(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",")) if text else ()


def load_snapshot(conn: Connection, seq: int) -> Snapshot:
    row = conn.execute(select(SNAPSHOT).where(SNAPSHOT.c.seq == seq)).one()
    return Snapshot(row.seq, _bases(row.bases), row.record_count, row.next_key)


def new_snapshot(conn: Connection, dataset_seq: int, base: Snapshot | None) -> Snapshot:
    """A new empty layer on ``base`` (the same records), or a new empty sheet."""
    bases = base.chain if base is not None else ()
    count = base.record_count if base is not None else 0
    next_key = base.next_key if base is not None else 1
    inserted = conn.execute(
        insert(SNAPSHOT).values(
            dataset_seq=dataset_seq,
            bases=",".join(str(seq) for seq in bases),
            record_count=count,
            next_key=next_key,
        )
    ).inserted_primary_key
    assert inserted is not None
    return Snapshot(inserted[0], bases, count, next_key)


def has_own_rows(conn: Connection, seq: int) -> bool:
    found = conn.execute(select(RECORD.c.rkey).where(RECORD.c.snapshot_seq == seq).limit(1))
    return found.first() is not None


def _chunks(keys: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


def _in_chain(chain: tuple[int, ...]) -> Any:
    column = RECORD.c.snapshot_seq
    return column == chain[0] if len(chain) == 1 else column.in_(chain)


def _deepest(rows: Iterable[Any]) -> dict[int, str | None]:
    """Per key, the data of the highest layer holding it (the rows may come in any order)."""
    best: dict[int, tuple[int, str | None]] = {}
    for rkey, seq, data in rows:
        held = best.get(rkey)
        if held is None or seq > held[0]:
            best[rkey] = (seq, data)
    return {rkey: data for rkey, (_, data) in best.items()}


def live_rows(conn: Connection, snap: Snapshot, keys: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The live rows of ``keys`` in ``snap`` (deleted and unknown keys are left out)."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(keys))):
        rows = conn.execute(
            select(RECORD.c.rkey, RECORD.c.snapshot_seq, RECORD.c.data).where(
                _in_chain(snap.chain), RECORD.c.rkey.in_(chunk)
            )
        )
        for rkey, data in _deepest(rows).items():
            if data is not None:
                found[rkey] = parse_json(data)
    return found


def page_rows(
    conn: Connection, snap: Snapshot, keys: Sequence[int]
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of ``keys`` (consecutive live keys of ``snap``, ascending), by one range scan."""
    if not keys:
        return []
    rows = conn.execute(
        select(RECORD.c.rkey, RECORD.c.snapshot_seq, RECORD.c.data).where(
            _in_chain(snap.chain), RECORD.c.rkey.between(keys[0], keys[-1])
        )
    )
    by_key = _deepest(rows)
    return [(key, parse_json(by_key.get(key) or "{}")) for key in keys]


def _set_counts(conn: Connection, snap: Snapshot, record_count: int, next_key: int) -> Snapshot:
    conn.execute(
        update(SNAPSHOT)
        .where(SNAPSHOT.c.seq == snap.seq)
        .values(record_count=record_count, next_key=next_key)
    )
    return Snapshot(snap.seq, snap.bases, record_count, next_key)


def add_rows(conn: Connection, snap: Snapshot, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Append ``rows`` under new keys, in order; answers the keys."""
    keys = list(range(snap.next_key, snap.next_key + len(rows)))
    if rows:
        append_json_rows(
            conn, RECORD, {"snapshot_seq": snap.seq}, "rkey", keys[0], "data", encode_row(rows)
        )
        _set_counts(conn, snap, snap.record_count + len(rows), snap.next_key + len(rows))
    return keys


def put_rows(conn: Connection, snap: Snapshot, rows: dict[int, dict[str, Any]]) -> None:
    """Write new values of live keys into ``snap``'s own layer."""
    keys = sorted(rows)
    for chunk in _chunks(keys):
        conn.execute(
            delete(RECORD).where(RECORD.c.snapshot_seq == snap.seq, RECORD.c.rkey.in_(chunk))
        )
    insert_rows(conn, RECORD, COLUMNS, [(snap.seq, key, encode_row(rows[key])) for key in keys])


def delete_keys(conn: Connection, snap: Snapshot, keys: Sequence[int]) -> None:
    """Delete live ``keys``: gone from the own layer, and hidden from the bases by tombstones."""
    keys = sorted(set(keys))
    for chunk in _chunks(keys):
        conn.execute(
            delete(RECORD).where(RECORD.c.snapshot_seq == snap.seq, RECORD.c.rkey.in_(chunk))
        )
    if snap.bases:
        insert_rows(conn, RECORD, COLUMNS, [(snap.seq, key, None) for key in keys])
    if keys:
        _set_counts(conn, snap, snap.record_count - len(keys), snap.next_key)


def _own_keys(conn: Connection, seq: int) -> list[tuple[int, bool]]:
    rows = conn.execute(
        select(RECORD.c.rkey, RECORD.c.data.is_(None))
        .where(RECORD.c.snapshot_seq == seq)
        .order_by(RECORD.c.rkey)
    )
    return [(rkey, bool(gone)) for rkey, gone in rows]


def _merge(base: Sequence[int], own: list[tuple[int, bool]]) -> array[int]:
    """The live keys of a layer: its base's, less its tombstones, plus its new keys."""
    last = base[-1] if base else 0
    removed = [rkey for rkey, gone in own if gone]
    # Keys above the base's last are new in this layer; the others are updates.
    added = [rkey for rkey, gone in own if not gone and rkey > last]
    if len(removed) > 64:
        dropped = set(removed)
        members = array("q", (rkey for rkey in base if rkey not in dropped))
    else:
        members = array("q", base)
        for rkey in removed:
            position = bisect_left(members, rkey)
            if position < len(members) and members[position] == rkey:
                del members[position]
    members.extend(added)
    return members


def scan_keys(conn: Connection, chain: tuple[int, ...]) -> array[int]:
    rows = conn.execute(
        select(RECORD.c.rkey, RECORD.c.snapshot_seq, RECORD.c.data.is_(None)).where(
            _in_chain(chain)
        )
    )
    best: dict[int, tuple[int, bool]] = {}
    for rkey, seq, gone in rows:
        held = best.get(rkey)
        if held is None or seq > held[0]:
            best[rkey] = (seq, bool(gone))
    return array("q", sorted(rkey for rkey, (_, gone) in best.items() if not gone))


def record_keys(db: Database, chain: tuple[int, ...]) -> Sequence[int]:
    """The live keys of the snapshot whose chain is ``chain``, ascending (cached per layer)."""
    key = ("sheet-keys", chain[0])
    found = db.peek_index(key)
    if found is not None:
        return found
    if len(chain) > MAX_RECURSION:
        return db.ordered_index(key, lambda conn: scan_keys(conn, chain))
    if len(chain) == 1:

        def load_root(conn: Connection) -> Iterable[int]:
            return int_column(
                conn,
                select(RECORD.c.rkey).where(
                    RECORD.c.snapshot_seq == chain[0], RECORD.c.data.is_not(None)
                ),
            )

        return db.ordered_index(key, load_root)
    base = record_keys(db, chain[1:])
    return db.ordered_index(key, lambda conn: _merge(base, _own_keys(conn, chain[0])))


def keys_added(db: Database, seq: int, keys: Sequence[int]) -> None:
    db.index_changed(("sheet-keys", seq), added=keys)


def keys_removed(db: Database, seq: int, keys: Sequence[int]) -> None:
    db.index_changed(("sheet-keys", seq), removed=keys)
