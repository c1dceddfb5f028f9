"""A controllable clock and id source, so timestamps, ids and ordering can be asserted exactly.

Every time the mock stamps or accepts is UTC and within ``EARLIEST``..``LATEST``: the
wire format ``YYYY-MM-DDTHH:MM:SSZ`` has four-digit years, and the SDK parses nothing
else. A time outside that range (to set, to advance to, or in a seed) is a ``ValueError``
(a 400 at the edge), never a stamp the SDK cannot read or an overflow.
"""

from __future__ import annotations

import math
import random
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
RANGE = "1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z"


def in_range(moment: datetime) -> datetime:
    """``moment`` in UTC, whole seconds; a ``ValueError`` outside what the wire carries."""
    try:
        moment = moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        raise ValueError(f"it is outside {RANGE}") from None
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(f"it is outside {RANGE}")
    return moment


def parse_time(value: str) -> datetime:
    """Accept the wire format or any ISO 8601 time within range; naive times are UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("it is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return in_range(moment)


@lru_cache(maxsize=64)
def format_time(moment: datetime) -> str:
    """The wire's form of ``moment`` (remembered: stamps repeat within each second)."""
    moment = moment.astimezone(UTC)
    # strftime's %Y drops leading zeros on some platforms; the wire has four digits.
    return f"{moment.year:04d}" + moment.strftime(WIRE_FORMAT.removeprefix("%Y"))


class Clock:
    """Real UTC time by default; frozen, set and advanced on demand."""

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen_at = frozen_at

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> datetime:
        frozen_at = self._frozen_at
        if frozen_at is not None:
            return frozen_at
        return datetime.now(UTC).replace(microsecond=0)

    def stamp(self) -> str:
        return format_time(self.now())

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock at ``at``; without it, where it is (a frozen clock stays put)."""
        with self._lock:
            if at is not None:
                self._frozen_at = in_range(at)
            elif self._frozen_at is None:
                self._frozen_at = datetime.now(UTC).replace(microsecond=0)

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        """Move a frozen clock forward (freezing it at the current time first if needed).

        A ``ValueError``, with the clock unchanged, if that leaves the range.
        """
        if not math.isfinite(seconds):
            raise ValueError("the seconds to advance must be a finite number")
        with self._lock:
            start = self._frozen_at or datetime.now(UTC).replace(microsecond=0)
            try:
                moved = start + timedelta(seconds=seconds)
            except OverflowError:
                raise ValueError(f"it would leave {RANGE}") from None
            self._frozen_at = in_range(moved)


class IdFactory:
    """32-hex-digit ids: time-ordered by default, a reproducible sequence when seeded.

    A default id is the real time in milliseconds (12 hex digits) and 80 random bits, as
    a UUIDv7 orders them: ids made one after another sort next to each other, so a new
    row's id lands at the end of its table's id index instead of on a random page of it
    (at 100,000 datasets a create wrote a random index page each time).
    """

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self.seed = seed
            self._random = random.Random(seed) if seed is not None else None

    def state(self) -> tuple[int | None, object]:
        """Where the sequence is, for ``restore`` after a change that was refused."""
        with self._lock:
            return self.seed, (self._random.getstate() if self._random else None)

    def restore(self, state: tuple[int | None, object]) -> None:
        seed, position = state
        with self._lock:
            self.seed = seed
            self._random = None
            if position is not None:
                self._random = random.Random()
                self._random.setstate(position)  # type: ignore[arg-type]

    @property
    def seeded(self) -> bool:
        """Whether ids come from a reproducible sequence (which may repeat on a kept database)."""
        return self._random is not None

    def new(self) -> str:
        if self._random is None:
            return f"{time.time_ns() // 1_000_000:012x}{secrets.randbits(80):020x}"
        with self._lock:
            return f"{self._random.getrandbits(128):032x}"
