"""The served OpenAPI document, corrected to say what the mock really answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from mock_server import errors

# Every /v2 operation reads the database, which can be busy, read-only or full.
ALWAYS = (errors.GravitiError, errors.ServiceUnavailable)
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def correct(document: dict[str, Any]) -> dict[str, Any]:
    """Drop FastAPI's 422 (bad input is a Graviti 400) and add the 5xx every call may get."""
    always = errors.error_responses(*ALWAYS)
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.get("responses", {})
            responses.pop("422", None)
            if not path.startswith("/v2/"):
                continue
            for status, entry in always.items():
                responses.setdefault(
                    str(status),
                    {
                        "description": entry["description"],
                        "content": {"application/json": {"schema": error_ref}},
                    },
                )
    schemas = document.get("components", {}).get("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return document


def install(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = correct(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
