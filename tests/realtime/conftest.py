"""Fixtures of the real-time tests; tests that need a shared broker exist only in that run."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from owlistic.settings import Settings
from tests.conftest import LiveServer, running_server

SHARED_BROKER = os.environ.get("OWLISTIC_TEST_BROKER_URL", "").startswith("kafka://")
POSTGRES = os.environ.get("OWLISTIC_TEST_DATABASE_URL", "").startswith("postgresql")

# Some behaviour exists only with a shared broker or with PostgreSQL: those modules are not
# collected at all in the other runs (rather than skipped), and always run in theirs.
collect_ignore = [
    *(
        []
        if SHARED_BROKER
        else ["test_cluster.py", "test_kafka_outage.py", "test_revocation_cluster.py"]
    ),
    *([] if POSTGRES else ["test_pg_wakeup.py"]),
    *([] if SHARED_BROKER and POSTGRES else ["test_workers.py", "test_metrics_workers.py"]),
]


ExtraServerFactory = Callable[..., AbstractAsyncContextManager[LiveServer]]


@pytest.fixture
def extra_server(settings: Settings, server: LiveServer) -> ExtraServerFactory:
    """Another in-process instance on the same database, with some settings changed,
    run with the WebSocket options ``owlistic serve`` uses."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[LiveServer]:
        custom = settings.model_copy(update=overrides)
        async with running_server(custom) as live:
            yield live

    return start
