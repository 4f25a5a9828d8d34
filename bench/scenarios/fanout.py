"""3. Fan-out: N viewers of one shared notebook connected; one write must reach them all."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bench.context import Context
from bench.http import Connection
from bench.loadgen import Recorder, timed
from bench.procstat import Window, rss_mib
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, insert_rows, open_engine, seed_notebooks, seed_notes, seed_users
from bench.server import Server
from bench.stats import percentile, rate, summarize
from bench.wsclient import Fleet, WebSocketUnavailable
from owlistic.kit.time import utcnow
from owlistic.models import Role

API = "/api/v1"
SHARE_CONCURRENCY = 16
DELIVERY_TIMEOUT_SECONDS = 30.0
TARGET_CONNECTIONS = 10_000
TARGET_ALL_MS = 1_000.0
TARGET_RSS_MIB = 1_024.0


async def _share(server: Server, ds: Dataset, viewers: range, bulk_after: int) -> dict[str, Any]:
    """Share with ``viewers``: through the API up to ``bulk_after``, the rest in bulk."""
    owner_headers = {"Authorization": f"Bearer {ds.token(0, server.config.secret())}"}
    path = f"{API}/notebooks/{ds.notebook_id(0, 0)}/shares"
    via_api = list(viewers)[:bulk_after]
    recorder = Recorder()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for v in via_api:
        queue.put_nowait(v)

    async def worker() -> None:
        conn = Connection(server.host, server.port, owner_headers)
        try:
            while not queue.empty():
                v = queue.get_nowait()
                body = {"email": ds.email(v), "role": "viewer"}
                await timed(conn, recorder, ("share", "PUT", path, body))
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(SHARE_CONCURRENCY)))
    seconds = time.perf_counter() - started
    # In completion order: the second half ran with twice as many viewers as the first.
    latencies = recorder.latencies["share"]
    first_half, second_half = latencies[: len(latencies) // 2], latencies[len(latencies) // 2 :]
    bulk = list(viewers)[bulk_after:]
    if bulk:
        engine = open_engine(server.config.database_url)
        now, notebook = utcnow(), ds.notebook_id(0, 0)
        try:
            for i in range(0, len(bulk), 5000):
                rows = [
                    {
                        "id": uuid.uuid4(),
                        "user_id": ds.user_id(v),
                        "resource_id": notebook,
                        "resource_type": "notebook",
                        "role": "viewer",
                        "created_at": now,
                        "updated_at": now,
                        "deleted_at": None,
                        "deleted_batch": None,
                    }
                    for v in bulk[i : i + 5000]
                ]
                async with engine.begin() as conn:
                    await insert_rows(conn, Role.__table__, rows)
        finally:
            await engine.dispose()
    return {
        "via_api": len(via_api),
        "in_bulk": len(bulk),
        "api_errors": sum(recorder.errors.values()),
        "error_samples": recorder.error_samples,
        "api_shares_per_s": rate(len(latencies), seconds),
        "api_share_ms": summarize(latencies),
        "api_share_p50_first_half_ms": round(percentile(sorted(first_half), 50), 2),
        "api_share_p50_second_half_ms": round(percentile(sorted(second_half), 50), 2),
    }


async def _write_and_wait(server: Server, ds: Dataset, fleet: Fleet, n: int) -> dict[str, Any]:
    owner = {"Authorization": f"Bearer {ds.token(0, server.config.secret())}"}
    conn = Connection(server.host, server.port, owner)
    marker = f"fanout-{uuid.uuid4().hex}"
    fleet.expect(marker)
    started = time.perf_counter()
    try:
        response = await conn.request(
            "PUT", f"{API}/blocks/{ds.block_id(0, 0, 0, 0)}", {"content": {"text": marker}}
        )
    finally:
        await conn.close()
    acked = time.perf_counter()
    arrivals = await fleet.wait_all(DELIVERY_TIMEOUT_SECONDS)
    got = sorted((t - started) * 1000 for t in arrivals if t is not None)
    return {
        "status": response.status,
        "ack_ms": round((acked - started) * 1000, 2),
        "received": len(got),
        "missing": n - len(got),
        "first_ms": round(got[0], 2) if got else None,
        "p50_ms": round(percentile(got, 50), 2),
        "all_ms": round(got[-1], 2) if len(got) == n else None,
    }


async def run(ctx: Context) -> dict[str, Any]:
    p = ctx.profile
    most = max(p.fanout_connections)
    ds = Dataset(Shape(users=most + 1, notebooks=1, notes=1, blocks=10), salt="fanout")
    async with ctx.server("fanout") as server:
        engine = open_engine(server.config.database_url)
        try:
            seeding = time.perf_counter()
            await seed_users(engine, ds, range(most + 1))
            await seed_notebooks(engine, ds, [0])
            await seed_notes(engine, ds, range(1))
            seed_seconds = time.perf_counter() - seeding
        finally:
            await engine.dispose()
        sharing = await _share(server, ds, range(1, most + 1), p.fanout_rest_shares)
        secret = server.config.secret()
        fleet = Fleet(server.ws_url)
        await asyncio.sleep(1.0)
        base_rss = rss_mib(server.pid)
        levels = []
        try:
            for n in sorted(p.fanout_connections):
                tokens = [ds.token(v, secret) for v in range(len(fleet) + 1, n + 1)]
                window = Window(server.pid).start_sampling()
                connect_seconds = await fleet.grow(tokens)
                await asyncio.sleep(1.0)  # let the server settle (and attach every socket)
                connected_rss = rss_mib(server.pid)
                writes = [
                    await _write_and_wait(server, ds, fleet, n) for _ in range(p.fanout_writes)
                ]
                usage = await window.finish()
                complete = [w["all_ms"] for w in writes if w["all_ms"] is not None]
                levels.append(
                    {
                        "connections": n,
                        "connect_seconds": round(connect_seconds, 2),
                        "connects_per_s": rate(len(tokens), connect_seconds),
                        "server_rss_mib": connected_rss,
                        "rss_per_connection_kib": round(
                            (connected_rss - base_rss) * 1024 / max(n, 1), 1
                        ),
                        "all_received_ms_median": sorted(complete)[len(complete) // 2]
                        if complete
                        else None,
                        "all_received_ms_max": max(complete) if complete else None,
                        "missing_total": sum(w["missing"] for w in writes),
                        "closed_by_server": fleet.closed_early,
                        "writes": writes,
                        **usage,
                    }
                )
        except WebSocketUnavailable as exc:
            await fleet.close()
            return {"status": "skipped", "reason": str(exc)[:300], "sharing": sharing}
        finally:
            await fleet.close()
    return {
        "websocket_extensions": fleet.extensions or "none",
        "seed_seconds": round(seed_seconds, 2),
        "base_rss_mib": base_rss,
        "sharing": sharing,
        "levels": levels,
    }


def markdown(results: Results) -> list[str]:
    rows, shares = [], []
    for mode, result in ok(results).items():
        for lv in result["levels"]:
            rows.append(
                [
                    mode,
                    str(lv["connections"]),
                    f"{lv['connects_per_s']:.0f}",
                    ms(lv["all_received_ms_median"]),
                    ms(lv["all_received_ms_max"]),
                    str(lv["missing_total"]),
                    f"{lv['server_rss_mib']:.0f}",
                    f"{lv['rss_per_connection_kib']:.0f}",
                    f"{lv['server_cpu_pct']:.0f}%",
                ]
            )
        s = result["sharing"]
        shares.append(
            [
                mode,
                str(s["via_api"]),
                str(s["in_bulk"]),
                f"{s['api_shares_per_s']:.0f}",
                ms(s["api_share_p50_first_half_ms"]),
                ms(s["api_share_p50_second_half_ms"]),
                ms(s["api_share_ms"]["p99_ms"]),
            ]
        )
    if not rows:
        return []
    return [
        "Each write is one `PUT /blocks/{id}` by the notebook's owner; the time runs from "
        "sending it until the last connection received the event (median and worst of the "
        "writes). RSS per connection = (server RSS with N sockets - RSS before) / N. "
        "Negotiated extensions: "
        + ", ".join(f"{m}: `{r['websocket_extensions']}`" for m, r in ok(results).items())
        + ".",
        "",
        *table(
            [
                "mode",
                "connections",
                "connects/s",
                "all received ms (median)",
                "all received ms (max)",
                "missed",
                "server RSS MiB",
                "RSS/connection KiB",
                "server CPU",
            ],
            rows,
        ),
        "",
        "Sharing the notebook (`PUT /notebooks/{id}/shares`, 16 concurrent; beyond the API "
        "count the viewer roles are inserted in bulk):",
        "",
        *table(
            [
                "mode",
                "via API",
                "in bulk",
                "shares/s",
                "p50 ms (first half)",
                "p50 ms (second half)",
                "p99 ms",
            ],
            shares,
        ),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, result in ok(results).items():
        top = max(result["levels"], key=lambda lv: lv["connections"])
        n = top["connections"]
        worst = top["all_received_ms_max"]
        met = (
            worst is not None and worst <= TARGET_ALL_MS and top["server_rss_mib"] <= TARGET_RSS_MIB
        )
        found.append(
            Target(
                what=f"fan-out to {TARGET_CONNECTIONS:,} sockets",
                mode=mode,
                goal=f"all in ≤ {TARGET_ALL_MS:.0f} ms, RSS ≤ 1 GiB",
                measured=f"{ms(worst)} ms, {top['server_rss_mib']:.0f} MiB at {n:,} sockets",
                met=met if n >= TARGET_CONNECTIONS else None,
            )
        )
    return found


SCENARIO = Scenario(
    name="fanout",
    title="3. Fan-out",
    description="N WebSocket connections of viewers of one shared notebook; one write.",
    run=run,
    markdown=markdown,
    targets=targets,
)
