"""Health of the service (no authentication: load balancers call it)."""

from __future__ import annotations

from fastapi import APIRouter

from habitue import __version__
from habitue.api.deps import WorkspaceDep

router = APIRouter(tags=["system"])


@router.get("/health")
def health(ws: WorkspaceDep) -> dict:
    ws.require_schema()
    return {"status": "ok", "version": __version__}
