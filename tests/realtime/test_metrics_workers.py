"""``/metrics`` of ``owlistic serve --workers 2``: whichever process answers the scrape (a
worker on the main port, the supervisor on ``OWLISTIC_METRICS_PORT``), the figures are those
of the whole server, and the workers' shared directory is gone when the server stops.

Collected only when PostgreSQL and a shared broker are configured (see conftest.py).
"""

from __future__ import annotations

import asyncio
import glob
import os
import tempfile
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from owlistic.auth import repository
from owlistic.kit.db import Database
from owlistic.metrics.shared import PREFIX
from owlistic.settings import Settings
from owlistic.user.service import user as users
from tests.api.helpers import API, ok
from tests.api.test_metrics import samples
from tests.conftest import Account, register
from tests.realtime.processes import ServerProcess
from tests.realtime.test_workers import (
    WORKERS,
    connect_across_workers,
    owner_of,
    worker_pids,
    workers_server,
)

pytestmark = [pytest.mark.multiprocess, pytest.mark.kafka]

COUNTED = "/api/v1/notebooks"  # the route whose requests are counted; nothing else calls it
MIN_EACH = 3  # requests each worker answers at least
MAX_REQUESTS = 80  # a new connection goes to whichever worker accepts first
Sample = tuple[str, frozenset[tuple[str, str]]]
METRICS_PORT = "OWLISTIC_METRICS_PORT"
SETTLE = 30.0  # workers copy their figures every second; generous for a loaded machine


async def make_admin(settings: Settings, account: Account) -> None:
    db = Database(settings)
    try:
        async with db.session() as session:
            user = await repository.live_by_id(session, uuid.UUID(account.id))
            assert user is not None
            await users.grant_admin(session, user)
    finally:
        await db.dispose()


async def spread_requests(
    server: ServerProcess, alice: Account, workers: list[int]
) -> Counter[int]:
    """``GET COUNTED`` on new connections until every worker answered ``MIN_EACH``; the
    answering worker of each is read from the connection, still open after the response."""
    answered: Counter[int] = Counter()
    for _ in range(MAX_REQUESTS):
        if len(answered) == len(workers) and min(answered.values()) >= MIN_EACH:
            return answered
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            r = await client.get(f"{API}/notebooks", headers=alice.headers)
            assert r.status_code == 200, r.text
            _, client_port = r.extensions["network_stream"].get_extra_info("client_addr")
            pid = owner_of(client_port, server, workers)
        assert pid is not None, "no worker holds the connection"
        answered[pid] += 1
        await asyncio.sleep(0.05)  # let the other worker's accept loop win sometimes
    raise AssertionError(f"{MAX_REQUESTS} requests, answered {dict(answered)} by {workers}")


async def settled(
    scrape: Callable[[], Awaitable[str]],
    expected: dict[tuple[str, frozenset[tuple[str, str]]], float],
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The scraped samples once they show ``expected`` (or the last ones after ``SETTLE``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE
    while True:
        found = samples(await scrape())
        if all(found.get(key) == value for key, value in expected.items()):
            return found
        if loop.time() > deadline:
            return found
        await asyncio.sleep(0.2)


def text_of(r: httpx.Response) -> str:
    assert r.status_code == 200, r.text
    return r.text


def shared_directory(server: ServerProcess) -> Path:
    """The metrics directory of ``server``: the parent's own values are in it too."""
    pattern = os.path.join(tempfile.gettempdir(), f"{PREFIX}*", f"*_{server.pid}.db")
    found = {Path(name).parent for name in glob.glob(pattern)}
    assert len(found) == 1, found
    return found.pop()


async def test_metrics_add_up_every_worker(settings: Settings, tmp_path: Path) -> None:
    async with workers_server(settings, tmp_path, port_variables=[METRICS_PORT]) as (
        server,
        custom,
    ):
        metrics_port = server.ports[METRICS_PORT]
        fresh = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=fresh) as client:
            ok(await client.get("/healthz"))
            workers = worker_pids(server)
            assert len(workers) == WORKERS, workers
            directory = shared_directory(server)
            alice, admin = await register(client), await register(client)
            await make_admin(custom, admin)
            answered = await spread_requests(server, alice, workers)

            async def from_port() -> str:
                return text_of(await client.get(f"http://127.0.0.1:{metrics_port}/metrics"))

            async def from_worker() -> str:
                return text_of(await client.get("/metrics", headers=admin.headers))

            counted = (
                "owlistic_http_requests_total",
                frozenset({("route", COUNTED), ("method", "GET"), ("status", "200")}),
            )
            timed = (
                "owlistic_http_request_duration_seconds_count",
                frozenset({("route", COUNTED), ("method", "GET")}),
            )
            total = sum(answered.values())
            async with AsyncExitStack() as stack:
                placed = await connect_across_workers(stack, server, alice, workers)
                expected = {
                    counted: float(total),
                    timed: float(total),
                    ("owlistic_websockets_open", frozenset()): float(len(placed)),
                }
                for scrape in (from_port, from_worker, from_worker):
                    found = await settled(scrape, expected)
                    assert {key: found.get(key) for key in expected} == expected, (
                        scrape.__name__,
                        answered,
                        sorted(placed.values()),
                    )
                    assert ("owlistic_outbox_pending", frozenset()) in found
                    assert ("owlistic_events_published_total", frozenset()) in found
            closed: dict[Sample, float] = {("owlistic_websockets_open", frozenset()): 0.0}
            found = await settled(from_port, closed)
            assert found[("owlistic_websockets_open", frozenset())] == 0.0
            assert sorted(worker_pids(server)) == sorted(workers)  # nobody crashed meanwhile
    assert not directory.exists(), "the shared directory is removed when the server stops"
