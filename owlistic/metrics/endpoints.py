from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette

from owlistic.auth.dependencies import AdminUser
from owlistic.events import repository
from owlistic.kit.periodic import Periodic
from owlistic.kit.responses import errors
from owlistic.metrics import shared
from owlistic.metrics.collect import metrics_of
from owlistic.runtime import Runtime
from owlistic.settings import Settings

router = APIRouter(tags=["admin"])
COPY_SECONDS = 1.0
OUTBOX_SECONDS = 5.0


async def _read_outbox(app: Starlette) -> None:
    runtime: Runtime = app.state.runtime
    async with runtime.db.session(readonly=True) as session:
        metrics_of(app).record_outbox(await repository.stats(session))


async def render(app: Starlette) -> bytes:
    metrics = metrics_of(app)
    metrics.copy_components()
    await _read_outbox(app)
    return generate_latest(metrics.exposed)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}},
        **errors(401, 403),
    },
)
async def metrics(request: Request, _: AdminUser) -> Response:
    """Prometheus metrics of the server (every worker's); admins only (or
    ``OWLISTIC_METRICS_PORT``)."""
    return Response(await render(request.app), media_type=CONTENT_TYPE_LATEST)


async def _copy(app: Starlette) -> None:
    metrics_of(app).copy_components()


async def publish(app: Starlette) -> contextlib.AsyncExitStack:
    """While the app runs, keep its figures current for scrapes that do not go through its
    ``/metrics`` endpoint: those of another worker, or of ``OWLISTIC_METRICS_PORT``, which
    a single process serves itself (bind it where only Prometheus reaches) and the
    supervisor of several workers serves for them all (``shared.py``). Close the returned
    stack to stop."""
    settings: Settings = app.state.runtime.settings
    alone = shared.directory() is None
    stack = contextlib.AsyncExitStack()
    if alone and settings.metrics_port is None:
        return stack
    if alone and settings.metrics_port is not None:
        from prometheus_client import start_http_server

        await render(app)
        server, thread = start_http_server(
            settings.metrics_port, addr=settings.host, registry=metrics_of(app).exposed
        )
        stack.callback(thread.join, 5)
        stack.callback(server.shutdown)
    for periodic in (
        Periodic("metrics-copy", COPY_SECONDS, lambda: _copy(app)),
        Periodic("metrics-outbox", OUTBOX_SECONDS, lambda: _read_outbox(app)),
    ):
        periodic.start()
        stack.push_async_callback(periodic.stop)
    return stack
