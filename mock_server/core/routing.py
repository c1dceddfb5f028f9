"""What every resource's routes share: the JSON answer and the error responses of any call."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

# Starlette's JSONResponse settings: compact, UTF-8, no NaN.
_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def json_response(content: Any, status_code: int = 200) -> Response:
    """An answer from what a store returned; ``response_model`` still documents the shape.

    Returning a Response skips FastAPI's second validation and encoding of a value the
    store already shaped.
    """
    if isinstance(content, BaseModel):
        body = content.__pydantic_serializer__.to_json(content)
    else:
        body = _encoder.encode(content).encode("utf-8")
    return Response(body, status_code=status_code, media_type="application/json")
