"""One settings object for the app, the CLI and the pytest plugin (env prefix GRAVITI_MOCK_)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mock_server.core.clock import parse_time

DEFAULT_DATABASE = "sqlite:///./graviti-mock.sqlite"


class Settings(BaseSettings):
    """Everything the mock can be told, from arguments or ``GRAVITI_MOCK_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="GRAVITI_MOCK_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    database: str = DEFAULT_DATABASE
    workers: int = Field(default=1, ge=1, le=64)
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    log_level: str = "info"
    access_log: bool = False

    # Identity: by default any well-formed key gets its own user and workspace on first
    # use; in strict mode only the keys listed here or in the seed are accepted.
    strict: bool = False
    # Entries are ``KEY`` or ``KEY=WORKSPACE``; a comma-separated string in the environment.
    access_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Start-up state, re-applied by a reset to the seed.
    seed: Path | None = None

    # Control plane under /_mock/: on or off, optionally behind a token.
    control: bool = True
    control_token: str | None = None

    # Determinism: a seed for generated ids, and a clock frozen at start-up.
    id_seed: int | None = None
    frozen_time: str | None = None

    # Requests larger than this are refused with 413 before they are read whole.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # The control plane's own limit: it must take back a whole exported state.
    max_control_body_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    journal_size: int = Field(default=1000, ge=0)

    # SQLite only: how long a write waits for another writer's lock before the call answers
    # 503, and an optional cap on the database file in pages (writes past it answer 503,
    # as on a full disk).
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    sqlite_max_pages: int | None = Field(default=None, ge=1)

    # Object storage (OSS, S3 and AZURE files). The folder defaults to one beside the
    # SQLite file (``<file>.objects``), a temporary one for an in-memory database, and
    # ``./graviti-mock.objects`` otherwise. The public URL is the base the storage URLs in
    # permissions are built on; by default, the scheme and Host the permission was asked on.
    objects_dir: Path | None = None
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/?#@]+/?$")
    # Object uploads have their own limit (the 1 MiB body limit does not apply to them).
    max_object_bytes: int = Field(default=5 * 1024**3, ge=1)

    # Seconds SIGTERM waits for open connections before closing them.
    graceful_shutdown: int = Field(default=2, ge=1, le=600)

    @field_validator("access_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("frozen_time")
    @classmethod
    def _time_in_range(cls, value: str | None) -> str | None:
        # The clock carries only what the wire format can: refuse the rest at start.
        if value is not None:
            parse_time(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_certfile else "http"
