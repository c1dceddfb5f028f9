"""What every seed section shares: strict parsing and times normalised to the wire format."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from mock_server.core.clock import RANGE, format_time, parse_time


class SeedModel(BaseModel):
    # Unknown keys are mistakes in a hand-written seed: say so rather than ignore them.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """A seed's text fields hold no NUL, which no name has and PostgreSQL cannot
        store, on every database alike (row values are data, and keep theirs)."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("it must not contain NUL characters")
        return value


def wire_time(value: Any) -> Any:
    """A ``field_validator`` body: any ISO 8601 time, stored in the wire format."""
    if value is None:
        return None
    try:
        return format_time(parse_time(str(value)))
    except ValueError as exc:
        raise ValueError(f"'{value}': {exc} (ISO 8601, {RANGE})") from None
