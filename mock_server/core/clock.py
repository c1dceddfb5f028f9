"""A controllable clock and id source, so timestamps, ids and ordering can be asserted exactly."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_time(value: str) -> datetime:
    """Accept the wire format or any ISO 8601 time; naive times are UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(WIRE_FORMAT)


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
        with self._lock:
            self._frozen_at = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        """Move a frozen clock forward (freezing it at the current time first if needed)."""
        with self._lock:
            start = self._frozen_at or datetime.now(UTC).replace(microsecond=0)
            self._frozen_at = start + timedelta(seconds=seconds)


class IdFactory:
    """32-hex-digit ids: random by default, a reproducible sequence when seeded."""

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

    def new(self) -> str:
        if self._random is None:
            return uuid.uuid4().hex
        with self._lock:
            return f"{self._random.getrandbits(128):032x}"
