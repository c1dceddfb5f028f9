"""Injected faults: make the next calls of an operation fail, wait, or drop the connection."""

from __future__ import annotations

import itertools
import threading
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mock_server.core.errors import code_for_status

ANY_OPERATION = "*"


class FaultSpec(BaseModel):
    """A fault to inject; at least one of status, latency_ms and drop_connection."""

    model_config = ConfigDict(extra="forbid")

    operation: str = Field(
        default=ANY_OPERATION,
        description="An operation id such as create_dataset, or '*' for every call",
        min_length=1,
        max_length=64,
    )
    status: int | None = Field(
        default=None, ge=400, le=599, description="Answer this status instead of running it"
    )
    code: str | None = Field(
        default=None,
        description="The Graviti error code; defaults to the one the SDK pairs with status "
        "(null for 503)",
    )
    message: str | None = Field(default=None, description="The error message")
    times: int | None = Field(
        default=1, ge=1, description="How many calls it applies to; null for every call"
    )
    latency_ms: int = Field(default=0, ge=0, le=600_000, description="Wait this long first")
    drop_connection: bool = Field(
        default=False, description="Close the connection without any answer"
    )

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if self.status is None and not self.latency_ms and not self.drop_connection:
            raise ValueError("a fault needs status, latency_ms or drop_connection")
        if self.status is not None and self.drop_connection:
            raise ValueError("status and drop_connection exclude each other")
        return self


class Fault(FaultSpec):
    """A fault as listed: its spec, an id, and how many calls are still to be hit."""

    id: int
    remaining: int | None = Field(description="Calls still to be hit; null for unlimited")
    hits: int = 0

    def body(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message or ""}


class FaultList(BaseModel):
    faults: list[Fault]


class FaultPlan:
    """Faults in the order they were added; a call takes the first one that matches it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        # Read without the lock on the hot path: a stale False only delays a new fault by
        # the calls already in flight, which a client cannot tell apart from ordering.
        self.active = False

    def add(self, spec: FaultSpec) -> Fault:
        fields = spec.model_dump()
        if spec.status is not None:
            if "code" not in spec.model_fields_set:
                fields["code"] = code_for_status(spec.status)
            if spec.message is None:
                fields["message"] = f"Injected fault: {spec.status} on {spec.operation}."
        with self._lock:
            fault = Fault(id=next(self._ids), remaining=spec.times, **fields)
            self._faults.append(fault)
            self.active = True
        return fault

    def take(self, operation: str | None) -> Fault | None:
        """Consume one use of the first fault for ``operation``; a copy of it, or None."""
        with self._lock:
            for fault in self._faults:
                if fault.operation not in (ANY_OPERATION, operation):
                    continue
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                        self.active = bool(self._faults)
                return fault.model_copy()
        return None

    def list(self) -> FaultList:
        with self._lock:
            return FaultList(faults=[fault.model_copy() for fault in self._faults])

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            for fault in self._faults:
                if fault.id == fault_id:
                    self._faults.remove(fault)
                    self.active = bool(self._faults)
                    return True
        return False

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.active = False
