"""The control plane under ``/_mock/``: health, readiness and state management."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mock_server.routes import Store

# Health and readiness stay on when the rest of the control plane is turned off.
probes = APIRouter(prefix="/_mock", tags=["control plane"])
router = APIRouter(prefix="/_mock", tags=["control plane"])


@probes.get("/health", operation_id="mock_health", summary="The server is alive")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@probes.get("/ready", operation_id="mock_ready", summary="Start-up seeding has finished")
async def ready(request: Request) -> Any:
    if not getattr(request.app.state, "ready", False):
        return JSONResponse(
            {"code": None, "message": "Start-up is not finished."},
            status_code=503,
        )
    return {"status": "ready"}


@router.post("/reset", operation_id="mock_reset", summary="Drop all state")
async def reset(store: Store) -> dict[str, str]:
    store.reset()
    return {"status": "reset"}
