"""GET /health: for load balancers and monitors; 200 when the service can answer queries."""

from typing import Literal

import anyio
from fastapi import APIRouter
from pydantic import BaseModel

from phakhi.api.deps import EngineDep
from phakhi.graph.remote import RemoteStore

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    store: Literal["embedded", "remote"]
    dataset_version: str


@router.get(
    "/health",
    summary="Whether the service can answer",
    responses={503: {"description": "The remote store cannot be reached (store_unavailable)."}},
)
async def health(engine: EngineDep) -> Health:
    """200 with the dataset version; over a remote store, only when the store answers (its
    version is read: a 503 store_unavailable or 504 store_timeout otherwise)."""
    if isinstance(engine, RemoteStore):
        await anyio.to_thread.run_sync(engine.check_version)
        return Health(status="ok", store="remote", dataset_version=engine.version)
    return Health(status="ok", store="embedded", dataset_version=engine.version)
