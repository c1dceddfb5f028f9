"""The seed format: start-up state from a JSON or YAML file, a POST body, or a state export.

A seed is ``options`` plus one list per seed section of the registered resources
(``workspaces``, ``users``, ``storage_configs``, ``datasets``, ...), applied in registry
order. Everything but names is optional. ``GET /_mock/state`` answers this same
format, so an export can be seeded back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, create_model, field_validator

from mock_server.core import errors
from mock_server.core.resource import Resource, SeedSection
from mock_server.core.seeds import SeedModel, wire_time

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class SeedOptions(SeedModel):
    strict: bool | None = Field(
        default=None, description="Accept only the access keys the seed or settings list"
    )
    id_seed: int | None = Field(default=None, description="Reseed generated ids first")
    frozen_time: str | None = Field(default=None, description="Freeze the clock at this time")

    _times = field_validator("frozen_time", mode="before")(wire_time)


class Seed(SeedModel):
    """A whole state: what ``--seed FILE`` and ``POST /_mock/seed`` take.

    The sections are added per registry by ``seed_model``; ``Seed`` itself is the
    default registry's document.
    """

    options: SeedOptions = Field(default_factory=SeedOptions)


def sections(resources: Sequence[Resource]) -> tuple[SeedSection, ...]:
    return tuple(section for resource in resources for section in resource.seeds)


@cache
def seed_model(resources: tuple[Resource, ...]) -> type[Seed]:
    """The seed document of a registry: ``options`` and one list per section."""
    fields: dict[str, Any] = {
        section.key: (
            list[section.model],  # type: ignore[name-defined]
            Field(default_factory=list, description=section.description or None),
        )
        for section in sections(resources)
    }
    model: type[Seed] = create_model("Seed", __base__=Seed, **fields)
    return model


def default_model() -> type[Seed]:
    from mock_server.resources import RESOURCES

    return seed_model(RESOURCES)


def combine(first: Seed, second: Seed) -> Seed:
    """One seed doing what ``first`` then ``second`` do (both of one registry's model)."""
    options = {
        **first.options.model_dump(exclude_none=True),
        **second.options.model_dump(exclude_none=True),
    }
    lists = {
        name: [*getattr(first, name), *getattr(second, name)]
        for name in type(first).model_fields
        if name != "options"
    }
    return type(first)(options=SeedOptions(**options), **lists)


def _problems(exc: ValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(part) for part in problem["loc"]) or "seed"
        parts.append(f"{where}: {problem['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def parse_seed(data: Any, model: type[Seed] | None = None) -> Seed:
    """A validated seed from decoded JSON/YAML data; a Graviti 400 if it is not one."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise errors.InvalidParams("Invalid seed: it must be a mapping (a JSON object).")
    try:
        return (model or default_model()).model_validate(data)
    except ValidationError as exc:
        raise errors.InvalidParams(f"Invalid seed: {_problems(exc)}.") from None
    except RecursionError:
        raise errors.InvalidParams("Invalid seed: it is nested too deeply.") from None


def decode_seed(raw: bytes | str, content_type: str = "", model: type[Seed] | None = None) -> Seed:
    """A seed from JSON or YAML text (YAML is a superset, so it reads either)."""
    try:
        if content_type.split(";")[0].strip().lower() in YAML_TYPES:
            data = yaml.safe_load(raw)
        else:
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise errors.InvalidParams(f"Invalid seed: not JSON or YAML ({exc}).") from None
    except RecursionError:
        raise errors.InvalidParams("Invalid seed: it is nested too deeply.") from None
    return parse_seed(data, model)


def load_seed(path: Path | str, model: type[Seed] | None = None) -> Seed:
    """A seed from a ``.json``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise errors.InvalidParams(f"Cannot read seed file '{path}': {exc.strerror}.") from None
    kind = "application/yaml" if path.suffix.lower() in (".yaml", ".yml") else "application/json"
    try:
        return decode_seed(raw, kind, model)
    except errors.InvalidParams as exc:
        raise errors.InvalidParams(f"{path}: {exc.message}") from None
