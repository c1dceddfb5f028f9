"""The read cache in front of every resource: results keyed by call, checked by change stamp.

An entry is whatever the operation returned (an immutable value), stored under a key
naming the operation and its arguments and filed under tags naming what it depends on
(``dataset:ws/name``, ``datasets:ws``). The cache is valid only while the database's
change stamp is the one it was filled under: a commit by any other connection (another
worker, another process) moves the stamp and empties the whole cache. A write through
the owning ``Database`` names the tags it touched; those entries go, the rest stay.

The cache is bounded by weight, not by count: an entry weighs one, or what its
operation says (a listing page weighs its items), and when the total passes
``MAX_WEIGHT`` every entry goes. Its memory stays in the tens of megabytes however
large the workspaces it has served.

Ordered indexes serve paged listings: the sorted keys of one listing (``seq`` values),
so that a page is a slice rather than an ``OFFSET`` scan. A write that adds or removes
one member tells the index, which stays in step instead of being rebuilt.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

# A database's change stamp (see ``Database``): a token, and the count of own changes.
Stamp = tuple[object, int]

MAX_WEIGHT = 10_000
MAX_INDEXES = 256


class ReadCache:
    def __init__(self) -> None:
        self.stamp: Stamp | None = None
        self._entries: dict[Hashable, tuple[Any, tuple[str, ...], int]] = {}
        self.weight = 0
        self._tagged: dict[str, set[Hashable]] = {}
        self._indexes: dict[Hashable, array[int]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def index_count(self) -> int:
        return len(self._indexes)

    def clear(self) -> None:
        self._clear_entries()
        self._indexes.clear()

    def _clear_entries(self) -> None:
        self._entries.clear()
        self._tagged.clear()
        self.weight = 0

    def get(self, key: Hashable) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        return (False, None) if entry is None else (True, entry[0])

    def put(self, key: Hashable, tags: tuple[str, ...], value: Any, weight: int = 1) -> None:
        if self.weight + weight > MAX_WEIGHT:
            self._clear_entries()
        replaced = self._entries.get(key)
        if replaced is not None:
            self.weight -= replaced[2]
        self._entries[key] = (value, tags, weight)
        self.weight += weight
        for tag in tags:
            self._tagged.setdefault(tag, set()).add(key)

    def invalidate(self, tags: Iterable[str]) -> None:
        for tag in tags:
            for key in self._tagged.pop(tag, ()):
                entry = self._entries.pop(key, None)
                if entry is not None:
                    self.weight -= entry[2]

    # ------------------------------------------------------------------ ordered indexes

    def index(self, key: Hashable) -> array[int] | None:
        return self._indexes.get(key)

    def put_index(self, key: Hashable, members: Iterable[int]) -> array[int]:
        if len(self._indexes) >= MAX_INDEXES:
            self._indexes.clear()
        found = self._indexes[key] = array("q", members)
        return found

    def index_added(self, key: Hashable, added: Sequence[int]) -> None:
        """Members added: appended if they are ascending and sort last, else the index
        is dropped."""
        members = self._indexes.get(key)
        if members is None or not added:
            return
        last = members[-1] if members else None
        if (last is not None and added[0] <= last) or any(
            later <= earlier for earlier, later in zip(added, added[1:], strict=False)
        ):
            del self._indexes[key]
        else:
            members.extend(added)

    def index_removed(self, key: Hashable, member: int) -> None:
        members = self._indexes.get(key)
        if members is None:
            return
        position = bisect_left(members, member)
        if position < len(members) and members[position] == member:
            del members[position]
        else:
            del self._indexes[key]
