"""Fixtures of the real-time tests; tests that need a shared broker exist only in that run."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
import uvicorn

from owlistic.app import create_app
from owlistic.realtime.server_options import uvicorn_ws_options
from owlistic.settings import Settings
from tests.conftest import LiveServer, free_port

SHARED_BROKER = os.environ.get("OWLISTIC_TEST_BROKER_URL", "").startswith("kafka://")
POSTGRES = os.environ.get("OWLISTIC_TEST_DATABASE_URL", "").startswith("postgresql")

# Some behaviour exists only with a shared broker or with PostgreSQL: those modules are not
# collected at all in the other runs (rather than skipped), and always run in theirs.
collect_ignore = [
    *([] if SHARED_BROKER else ["test_cluster.py", "test_kafka_outage.py"]),
    *([] if POSTGRES else ["test_pg_wakeup.py"]),
]


ExtraServerFactory = Callable[..., AbstractAsyncContextManager[LiveServer]]


@pytest.fixture
def extra_server(settings: Settings, server: LiveServer) -> ExtraServerFactory:
    """Another in-process instance on the same database, with some settings changed,
    run with the WebSocket options ``owlistic serve`` uses."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[LiveServer]:
        custom = settings.model_copy(update=overrides)
        app = create_app(custom)
        port = free_port()
        uv = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_ws_options(custom)
            )
        )
        task = asyncio.create_task(uv.serve())
        for _ in range(600):
            if uv.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        live = LiveServer(url=f"http://127.0.0.1:{port}", settings=custom, app=app)
        try:
            yield live
        finally:
            uv.should_exit = True
            await task

    return start
