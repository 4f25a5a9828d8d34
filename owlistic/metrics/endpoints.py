from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette

from owlistic.auth.dependencies import AdminUser
from owlistic.events import repository
from owlistic.kit.responses import errors
from owlistic.metrics.collect import metrics_of
from owlistic.runtime import Runtime

router = APIRouter(tags=["admin"])
REFRESH_SECONDS = 5.0


async def render(app: Starlette) -> bytes:
    metrics = metrics_of(app)
    runtime: Runtime = app.state.runtime
    async with runtime.db.session(readonly=True) as session:
        metrics.pipeline.outbox = await repository.stats(session)
    return generate_latest(metrics.registry)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}},
        **errors(401, 403),
    },
)
async def metrics(request: Request, _: AdminUser) -> Response:
    """Prometheus metrics of this process; admins only (or ``OWLISTIC_METRICS_PORT``)."""
    return Response(await render(request.app), media_type=CONTENT_TYPE_LATEST)


async def serve_port(app: Starlette, port: int) -> asyncio.Task[None]:
    """``OWLISTIC_METRICS_PORT``: the same metrics without authentication, on their own port
    (bind it where only Prometheus reaches). Listening when this returns; the task keeps
    the outbox figures fresh (every 5 s) and stops the listener when cancelled."""
    from prometheus_client import start_http_server

    metrics = metrics_of(app)
    runtime: Runtime = app.state.runtime
    await render(app)
    server, thread = start_http_server(port, addr=runtime.settings.host, registry=metrics.registry)

    async def refresh() -> None:
        try:
            while True:
                await asyncio.sleep(REFRESH_SECONDS)
                await render(app)
        finally:
            server.shutdown()
            thread.join(5)

    return asyncio.create_task(refresh(), name="owlistic-metrics-port")
