from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from owlistic.auth.dependencies import AdminUser, RuntimeDep
from owlistic.events import repository
from owlistic.kit.responses import errors
from owlistic.metrics.collect import metrics_of
from owlistic.runtime import Runtime

router = APIRouter(tags=["admin"])
REFRESH_SECONDS = 5.0


async def render(runtime: Runtime) -> bytes:
    metrics = metrics_of(runtime)
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
async def metrics(runtime: RuntimeDep, _: AdminUser) -> Response:
    """Prometheus metrics of this process; admins only (or ``OWLISTIC_METRICS_PORT``)."""
    return Response(await render(runtime), media_type=CONTENT_TYPE_LATEST)


async def serve_port(runtime: Runtime, port: int) -> None:
    """``OWLISTIC_METRICS_PORT``: the same metrics without authentication, on their own port
    (bind it where only Prometheus reaches); the outbox figures are refreshed every 5 s."""
    from prometheus_client import start_http_server

    metrics = metrics_of(runtime)
    await render(runtime)
    server, thread = start_http_server(port, addr=runtime.settings.host, registry=metrics.registry)
    try:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            await render(runtime)
    finally:
        server.shutdown()
        thread.join(5)
