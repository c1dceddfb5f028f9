"""Bookmarks into a listing that never changes: where its members at some positions are.

A listing here is the members of one query in ascending key order (a search's matches
over a commit's records). A bookmark ``(position, key)`` says "the member at
``position`` has ``key``", so the page at ``position + n`` is the query restricted to
keys >= ``key``, skipping ``n``: a range read from the nearest bookmark instead of an
``OFFSET`` scan from the start, and it ends at the first bookmark at or past its end,
if one is known (a sparse listing's page then stops there instead of reading on to the
end of the records). Reading a page records where the next one starts, so
a client paging through a listing never scans what it already passed; a walk over
keys records one bookmark every ``STRIDE`` members (or every ``KEY_GAP`` keys, for
sparse listings). The total, once reached, is kept too.

Bookmarks are facts about an unchanging listing, so they only ever grow; they are shared
through the read cache (``Database.keep``) under a name that says what the listing is
(records that never change and the query over them). A listing that may change (a
draft's records) gets a fresh, unkept ``Bookmarks`` per call: it starts at position 0
and is dropped after the call.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable

# A walk over keys bookmarks every STRIDE-th member, and any member KEY_GAP keys past
# the previous bookmark, so no page is more than that many members or keys from one.
STRIDE = 64
KEY_GAP = 4096
# Bookmarks per listing at most (16 bytes each); past it, only the total is still kept.
MAX_MARKS = 1 << 16


class Bookmarks:
    def __init__(self, *, kept: bool) -> None:
        # Whether these bookmarks outlive the call (a listing that never changes).
        self.kept = kept
        self.total: int | None = None
        self._lock = threading.Lock()
        self._positions = array("q")
        self._keys = array("q")

    def __len__(self) -> int:
        return len(self._positions)

    def before(self, position: int) -> tuple[int, int | None]:
        """The nearest bookmark at or before ``position``: (its position, its key).

        ``(0, None)`` when there is none: the listing's start, no lower bound on keys.
        """
        with self._lock:
            index = bisect_right(self._positions, position) - 1
            if index < 0:
                return 0, None
            return self._positions[index], self._keys[index]

    def after(self, position: int) -> int | None:
        """The key of the nearest bookmark at or after ``position``; None if there is none."""
        with self._lock:
            index = bisect_left(self._positions, position)
            return self._keys[index] if index < len(self._keys) else None

    def last(self) -> tuple[int, int | None]:
        """The furthest bookmark, or ``(0, None)``."""
        with self._lock:
            if not self._positions:
                return 0, None
            return self._positions[-1], self._keys[-1]

    def mark(self, position: int, key: int) -> None:
        """The member at ``position`` has ``key``."""
        with self._lock:
            index = bisect_right(self._positions, position) - 1
            if index >= 0 and self._positions[index] == position:
                return
            if len(self._positions) >= MAX_MARKS:
                return
            insort(self._positions, position)
            self._keys.insert(index + 1, key)

    def walk(self, start: int, keys: Iterable[int]) -> tuple[int, int | None]:
        """``keys`` are the members from ``start`` on, in order: bookmark along them.

        Answers how many keys there were and the last one.
        """
        seen, last, marked = 0, None, None
        for key in keys:
            if seen % STRIDE == 0 or marked is None or key - marked >= KEY_GAP:
                self.mark(start + seen, key)
                marked = key
            seen, last = seen + 1, key
        return seen, last

    def reached_end(self, total: int, last: int | None) -> None:
        """The listing has ``total`` members, the last of them ``last`` (None if empty)."""
        if last is not None:
            self.mark(total - 1, last)
        self.total = total
