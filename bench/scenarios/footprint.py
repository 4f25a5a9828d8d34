"""5. Footprint: how fast a server process is useful after spawn, and its idle memory."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.backends import clean_environment
from bench.context import Context
from bench.procstat import memory_kib
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, open_engine, seed_users
from bench.server import spawn, stop

IDLE_SETTLE_SECONDS = 3.0
TARGET_COLD_START_S = 2.0


def _import_seconds(env: dict[str, str]) -> float:
    """Wall time of a bare interpreter importing the application (the floor of a start)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import owlistic.app"], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


async def run(ctx: Context) -> dict[str, Any]:
    env = clean_environment()
    imports = [await asyncio.to_thread(_import_seconds, env) for _ in range(3)]
    ds = Dataset(Shape(users=1, notebooks=0, notes=0, blocks=0), salt="footprint")
    config = await ctx.backend.fresh("footprint")
    try:
        # First start on empty storage: includes creating the schema.
        server = spawn(config, ctx.out_dir, "footprint")
        try:
            first_health = await server.wait_until("/healthz")
            engine = open_engine(config.database_url)
            try:
                await seed_users(engine, ds, [0])
            finally:
                await engine.dispose()
        finally:
            await stop(server)
        token = ds.token(0, config.secret())
        starts = []
        for i in range(ctx.profile.footprint_restarts):
            server = spawn(config, ctx.out_dir, f"footprint-{i}")
            try:
                health = await server.wait_until("/healthz")
                authed = await server.wait_until("/api/v1/profile", token)
                await asyncio.sleep(IDLE_SETTLE_SECONDS)
                mem = memory_kib(server.pid)
            finally:
                await stop(server)
            starts.append(
                {
                    "healthz_s": round(health, 3),
                    "first_authenticated_s": round(authed, 3),
                    "idle_rss_mib": round(mem.get("VmRSS", 0) / 1024, 1),
                    "peak_rss_mib": round(mem.get("VmHWM", 0) / 1024, 1),
                }
            )
    finally:
        await ctx.backend.release(config)

    def median(key: str) -> float:
        return round(statistics.median(s[key] for s in starts), 3)

    return {
        "import_app_s": round(statistics.median(imports), 3),
        "first_start_healthz_s": round(first_health, 3),
        "healthz_s": median("healthz_s"),
        "first_authenticated_s": median("first_authenticated_s"),
        "idle_rss_mib": median("idle_rss_mib"),
        "peak_rss_mib": median("peak_rss_mib"),
        "starts": starts,
    }


def markdown(results: Results) -> list[str]:
    rows = [
        [
            mode,
            ms(r["import_app_s"] * 1000),
            ms(r["first_start_healthz_s"] * 1000),
            ms(r["healthz_s"] * 1000),
            ms(r["first_authenticated_s"] * 1000),
            f"{r['idle_rss_mib']:.0f}",
            f"{r['peak_rss_mib']:.0f}",
        ]
        for mode, r in ok(results).items()
    ]
    if not rows:
        return []
    return [
        "Times from process spawn (`python -m owlistic serve`). First start: empty storage "
        "(schema created). Restarts (median): existing storage; first authenticated request "
        "is `GET /api/v1/profile`. Idle RSS after 3 s.",
        "",
        *table(
            [
                "mode",
                "import app ms",
                "first start → /healthz ms",
                "restart → /healthz ms",
                "restart → authenticated ms",
                "idle RSS MiB",
                "peak RSS MiB",
            ],
            rows,
        ),
    ]


def targets(results: Results) -> list[Target]:
    r = ok(results).get("embedded")
    if r is None:
        return []
    worst = max(r["first_start_healthz_s"], r["first_authenticated_s"])
    return [
        Target(
            what="embedded cold start",
            mode="embedded",
            goal=f"≤ {TARGET_COLD_START_S:.0f} s",
            measured=f"{r['first_start_healthz_s']:.2f} s first start, "
            f"{r['first_authenticated_s']:.2f} s to an authenticated request",
            met=worst <= TARGET_COLD_START_S,
        )
    ]


SCENARIO = Scenario(
    name="footprint",
    title="5. Footprint",
    description="Cold start and idle memory.",
    run=run,
    markdown=markdown,
    targets=targets,
)
