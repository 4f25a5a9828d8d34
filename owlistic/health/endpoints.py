"""Liveness, readiness and the outbox backlog."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from owlistic.auth.dependencies import CurrentUser
from owlistic.events import repository
from owlistic.kit.responses import errors
from owlistic.kit.time import utcnow
from owlistic.runtime import Runtime, RuntimeDep

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 3.0


class Status(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: bool
    broker: bool


class OutboxBacklog(BaseModel):
    pending: int
    oldest_pending_age_seconds: float | None
    last_dispatched_seq: int | None
    relay_error: str | None


@router.get("/healthz", response_model=Status)
@router.get("/health", response_model=Status, include_in_schema=False)
async def healthz() -> Status:
    """The process is alive (no dependency is checked)."""
    return Status(status="ok")


async def _database_ok(runtime: Runtime) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            async with runtime.db.session(readonly=True) as session:
                await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Ready for traffic: the database answers and the broker is reachable."""
    database = await _database_ok(runtime)
    broker = await runtime.events.broker.healthy()
    ready = database and broker
    body = Readiness(status="ok" if ready else "unavailable", database=database, broker=broker)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/api/v1/admin/outbox", response_model=OutboxBacklog, responses=errors(401))
async def outbox_backlog(runtime: RuntimeDep, _: CurrentUser) -> OutboxBacklog:
    """Counts only, never payloads (they may hold other users' data)."""
    async with runtime.db.session(readonly=True) as session:
        stats = await repository.stats(session)
    age = None
    if stats.oldest_pending_at is not None:
        age = max(0.0, (utcnow() - stats.oldest_pending_at).total_seconds())
    return OutboxBacklog(
        pending=stats.pending,
        oldest_pending_age_seconds=age,
        last_dispatched_seq=stats.last_dispatched_seq,
        relay_error=runtime.events.relay.last_error,
    )
