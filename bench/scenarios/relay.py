"""4. Relay throughput: events per second from the outbox to the broker, and the lag."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.context import Context
from bench.counters import EventCounter, KafkaCounter, WebSocketCounter
from bench.dbutil import any_pending, pending_events
from bench.http import Connection
from bench.loadgen import Recorder, Request, drive
from bench.procstat import Window
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Backlog, Dataset, open_engine, seed_dataset, seed_outbox
from bench.server import Server
from bench.stats import rate

API = "/api/v1"
DRAIN_TIMEOUT_SECONDS = 120.0
TARGET_EVENTS_PER_S = 5_000.0


class PendingSampler:
    """Undispatched outbox rows (``events.dispatched = false``), sampled every 100 ms."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.samples: list[int] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> PendingSampler:
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            self.samples.append(await pending_events(self._engine))
            await asyncio.sleep(0.1)

    async def stop(self) -> dict[str, Any]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        s = self.samples or [0]
        return {"pending_max": max(s), "pending_mean": round(sum(s) / len(s), 1)}


async def _wait_drained(engine: AsyncEngine) -> float:
    """Seconds until no outbox row is pending."""
    started = time.perf_counter()
    while await any_pending(engine):
        if time.perf_counter() - started > DRAIN_TIMEOUT_SECONDS:
            break
        await asyncio.sleep(0.01)
    return time.perf_counter() - started


def _edit(ds: Dataset, u: int, rng: random.Random) -> Request:
    b = rng.randrange(ds.shape.blocks)
    if ds.is_task(b):
        b -= 1
    body = {"content": {"text": f"relay {rng.random()}"}}
    return "update_block", "PUT", f"{API}/blocks/{ds.block_id(u, 0, 0, b)}", body


async def _sustained(
    ctx: Context, server: Server, ds: Dataset, engine: AsyncEngine, counter: EventCounter
) -> dict[str, Any]:
    """Writers update blocks back to back; every successful write is exactly one event."""
    secret = server.config.secret()
    clients = []
    for u in range(ds.shape.users):
        next_request = functools.partial(_edit, ds, u, random.Random(u))
        headers = {"Authorization": f"Bearer {ds.token(u, secret)}"}
        clients.append((Connection(server.host, server.port, headers), next_request))
    recorder = Recorder()
    base = counter.count
    sampler = PendingSampler(engine).start()
    window = Window(server.pid).start_sampling()
    started = time.perf_counter()
    try:
        seconds = await drive(clients, ctx.profile.relay_seconds, recorder)
    finally:
        for conn, _ in clients:
            await conn.close()
    writes_done = time.perf_counter()
    writes = recorder.result(seconds)
    expected = writes["requests"] - writes["errors"]
    complete = await counter.wait_for(base + expected, DRAIN_TIMEOUT_SECONDS)
    lag = await sampler.stop()
    usage = await window.finish()
    delivered = counter.count - base
    span = (counter.last_at - started) if delivered else 0.0
    return {
        "writers": len(clients),
        "writes": writes["requests"],
        "write_errors": writes["errors"],
        "writes_per_s": writes["rps"],
        "write_p50_ms": writes["p50_ms"],
        "write_p99_ms": writes["p99_ms"],
        "events_expected": expected,
        "events_counted": delivered,
        "complete": complete,
        "events_per_s": rate(delivered, span),
        "drain_after_writes_ms": round(max(0.0, counter.last_at - writes_done) * 1000, 1),
        **lag,
        **usage,
    }


async def _backlog(
    ctx: Context, server: Server, ds: Dataset, engine: AsyncEngine, counter: EventCounter
) -> dict[str, Any]:
    """A burst's worth of committed, undispatched events: how fast does the relay move it?"""
    await _wait_drained(engine)
    size = ctx.profile.relay_backlog
    users = ds.shape.users
    backlogs = [  # spread over the users so no single socket is flooded
        Backlog(
            count=size // users + (1 if u < size % users else 0),
            user_id=ds.user_id(u),
            note_id=ds.note_id(u, 0, 0),
            block_id=ds.block_id(u, 0, 0, 0),
        )
        for u in range(users)
    ]
    base = counter.count  # before the commit: the relay's fallback poll may start at once
    await seed_outbox(engine, backlogs)
    window = Window(server.pid).start_sampling()
    # Rows inserted behind the server's back wake nothing; one ordinary write wakes the relay.
    headers = {"Authorization": f"Bearer {ds.token(0, server.config.secret())}"}
    conn = Connection(server.host, server.port, headers)
    started = time.perf_counter()
    try:
        body = {"content": {"text": "wake the relay"}}
        await conn.request("PUT", f"{API}/blocks/{ds.block_id(0, 0, 0, 0)}", body)
    finally:
        await conn.close()
    dispatched_seconds = await _wait_drained(engine)
    complete = await counter.wait_for(base + size + 1, DRAIN_TIMEOUT_SECONDS)
    usage = await window.finish()
    delivered = counter.count - base
    return {
        "backlog": size,
        "dispatched_seconds": round(dispatched_seconds, 3),
        "dispatched_per_s": rate(size + 1, dispatched_seconds),
        "events_counted": delivered,
        "complete": complete,
        "events_per_s": rate(delivered, counter.last_at - started) if delivered else 0.0,
        **usage,
    }


async def _counter(ctx: Context, server: Server, ds: Dataset) -> EventCounter:
    if ctx.mode == "production":
        bootstrap = server.config.broker_url.removeprefix("kafka://")
        kafka = KafkaCounter(bootstrap, server.config.topic_prefix)
        try:
            return await kafka.start()
        except BaseException:
            await kafka.close()
            raise
    secret = server.config.secret()
    counter = WebSocketCounter(server.ws_url)
    return await counter.start([ds.token(u, secret) for u in range(ds.shape.users)])


async def run(ctx: Context) -> dict[str, Any]:
    ds = Dataset(Shape(users=ctx.profile.relay_clients, notebooks=1, notes=1, blocks=40), "relay")
    async with ctx.server("relay") as server:
        engine = open_engine(server.config.database_url)
        try:
            await seed_dataset(engine, ds)
            counter = await _counter(ctx, server, ds)
            try:
                sustained = await _sustained(ctx, server, ds, engine, counter)
                backlog = await _backlog(ctx, server, ds, engine, counter)
                broker_total = closed = None
                if isinstance(counter, KafkaCounter):
                    broker_total = await counter.end_offsets() - counter.offsets_at_start
                if isinstance(counter, WebSocketCounter):
                    closed = counter.fleet.closed_early
            finally:
                await counter.close()
        finally:
            await engine.dispose()
    return {
        "counted_at": counter.source,
        "sustained": sustained,
        "backlog": backlog,
        # Kafka only: messages appended to the topics during both phases (end offsets).
        "broker_messages": broker_total,
        # embedded only: sockets the server closed (e.g. 1013, queue overflow: too slow)
        "sockets_closed_by_server": closed,
        "events_expected": sustained["events_expected"] + backlog["backlog"] + 1,
    }


def markdown(results: Results) -> list[str]:
    rows = []
    for mode, result in ok(results).items():
        s, b = result["sustained"], result["backlog"]
        rows.append(
            [
                mode,
                f"{s['writes_per_s']:.0f}",
                f"{s['events_per_s']:.0f}",
                f"{s['pending_max']}",
                ms(s["drain_after_writes_ms"]),
                f"{b['backlog']:,}",
                f"{b['dispatched_per_s']:.0f}",
                f"{b['events_per_s']:.0f}",
                ("yes" if s["complete"] and b["complete"] else "NO")
                + (
                    f" ({result['sockets_closed_by_server']} sockets closed by the server)"
                    if result.get("sockets_closed_by_server")
                    else ""
                ),
                "-"
                if result.get("broker_messages") is None
                else f"{result['broker_messages']:,} / {result['events_expected']:,}",
                result["counted_at"],
            ]
        )
    if not rows:
        return []
    return [
        "Sustained: writers update blocks back to back (one event per write). Backlog: "
        "undispatched events inserted in bulk, then the relay is woken; dispatched/s is how "
        "fast the outbox empties, delivered/s how fast the events arrive where counted. "
        "Kafka messages = growth of the topics' end offsets (more than the events means "
        "a batch was published twice after a broker error: delivery is at least once).",
        "",
        *table(
            [
                "mode",
                "writes/s",
                "events/s delivered",
                "max pending",
                "drain after stop ms",
                "backlog",
                "backlog dispatched/s",
                "backlog delivered/s",
                "all arrived",
                "Kafka messages / events",
                "counted at",
            ],
            rows,
        ),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, result in ok(results).items():
        b = result["backlog"]
        best = min(b["dispatched_per_s"], b["events_per_s"] or b["dispatched_per_s"])
        found.append(
            Target(
                what="relay throughput",
                mode=mode,
                goal=f"≥ {TARGET_EVENTS_PER_S:,.0f} events/s",
                measured=f"{best:,.0f} events/s (backlog of {b['backlog']:,})",
                met=best >= TARGET_EVENTS_PER_S,
            )
        )
    return found


SCENARIO = Scenario(
    name="relay",
    title="4. Relay throughput",
    description="Outbox to broker: sustained writes, then a bulk backlog.",
    run=run,
    markdown=markdown,
    targets=targets,
)
