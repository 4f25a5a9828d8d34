"""5. Footprint: how fast a server process is useful after spawn, and its idle memory."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.backends import ServerConfig, clean_environment
from bench.context import Context
from bench.procstat import memory_kib, pss_kib
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, open_engine, seed_users
from bench.server import ServerFailed, spawn, stop

IDLE_SETTLE_SECONDS = 3.0
TARGET_COLD_START_S = 1.0
TARGET_IDLE_MIB = {"embedded": 60.0, "production": 150.0}


def _import_seconds(env: dict[str, str]) -> float:
    """Wall time of a bare interpreter importing the application (the floor of a start)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import owlistic.app"], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


@dataclass
class _Code:
    """One checkout under test: its storage and what its starts measured."""

    label: str
    code: Path | None
    config: ServerConfig
    token: str = ""
    first_health: float = 0.0
    imports: list[float] = field(default_factory=list)
    starts: list[dict[str, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # starts that never became ready


async def _first_start(ctx: Context, side: _Code, ds: Dataset) -> None:
    """On empty storage: includes creating the schema; then the user the restarts log in as."""
    server = spawn(side.config, ctx.out_dir, side.label, side.code)
    try:
        side.first_health = await server.wait_until("/healthz")
        engine = open_engine(side.config.database_url)
        try:
            await seed_users(engine, ds, [0])
        finally:
            await engine.dispose()
    finally:
        await stop(server)
    side.token = ds.token(0, side.config.secret())


async def _restart(ctx: Context, side: _Code, i: int) -> None:
    server = spawn(side.config, ctx.out_dir, f"{side.label}-{i}", side.code)
    try:
        health = await server.wait_until("/healthz")
        authed = await server.wait_until("/api/v1/profile", side.token)
        await asyncio.sleep(IDLE_SETTLE_SECONDS)
        mem = memory_kib(server.pid)
        pss = pss_kib(server.pid)
    finally:
        await stop(server)
    side.starts.append(
        {
            "healthz_s": round(health, 3),
            "first_authenticated_s": round(authed, 3),
            "idle_rss_mib": round(mem.get("VmRSS", 0) / 1024, 1),
            "idle_pss_mib": round(pss / 1024, 1),
            "peak_rss_mib": round(mem.get("VmHWM", 0) / 1024, 1),
        }
    )


async def _attempt(side: _Code, start: Coroutine[Any, Any, None]) -> None:
    try:
        await start
    except ServerFailed as exc:
        if side.code is None:
            raise
        # The baseline failing to start is a finding, not the end of the run.
        side.failures.append(str(exc).splitlines()[0])


def _summary(side: _Code) -> dict[str, Any]:
    def median(key: str) -> float:
        return round(statistics.median(s[key] for s in side.starts), 3)

    return {
        "import_app_s": round(statistics.median(side.imports), 3),
        "first_start_healthz_s": round(side.first_health, 3),
        "healthz_s": median("healthz_s"),
        "first_authenticated_s": median("first_authenticated_s"),
        "idle_rss_mib": median("idle_rss_mib"),
        "idle_pss_mib": median("idle_pss_mib"),
        "peak_rss_mib": median("peak_rss_mib"),
        "starts": side.starts,
        "failures": side.failures,
    }


async def run(ctx: Context) -> dict[str, Any]:
    """With ``--baseline``, the baseline checkout's starts alternate with this one's (the
    order swapping every round), so a noisy neighbour slows both alike."""
    env = clean_environment()
    ds = Dataset(Shape(users=1, notebooks=0, notes=0, blocks=0), salt="footprint")
    sides = [_Code("footprint", None, await ctx.backend.fresh("footprint"))]
    try:
        if ctx.baseline is not None:
            config = await ctx.backend.fresh("footprint-baseline")
            sides.append(_Code("footprint-baseline", ctx.baseline, config))
        for _ in range(3):
            for side in sides:
                code_env = env if side.code is None else env | {"PYTHONPATH": str(side.code)}
                side.imports.append(await asyncio.to_thread(_import_seconds, code_env))
        for side in sides:
            await _attempt(side, _first_start(ctx, side, ds))
        for i in range(ctx.profile.footprint_restarts):
            for side in sides if i % 2 == 0 else sides[::-1]:
                if side.token:
                    await _attempt(side, _restart(ctx, side, i))
    finally:
        for side in sides:
            await ctx.backend.release(side.config)
    result = _summary(sides[0])
    if len(sides) > 1:
        base = sides[1]
        result["baseline"] = _summary(base) if base.starts else {"failures": base.failures}
    return result


COLUMNS = (
    ("import_app_s", "import app ms", 1000.0),
    ("first_start_healthz_s", "first start → /healthz ms", 1000.0),
    ("healthz_s", "restart → /healthz ms", 1000.0),
    ("first_authenticated_s", "restart → authenticated ms", 1000.0),
    ("idle_rss_mib", "idle RSS MiB", 1.0),
    ("idle_pss_mib", "idle PSS MiB", 1.0),
    ("peak_rss_mib", "peak RSS MiB", 1.0),
)


def markdown(results: Results) -> list[str]:
    rows = []
    for mode, r in ok(results).items():
        base = r.get("baseline")
        rows.append([mode, "this" if base else "", *(_cell(r.get(k), f) for k, _, f in COLUMNS)])
        if base:
            rows.append([mode, "baseline", *(_cell(base.get(k), f) for k, _, f in COLUMNS)])
            rows.append(
                [
                    mode,
                    "this ÷ baseline",
                    *(_ratio(r.get(k), base.get(k)) for k, _, _ in COLUMNS),
                ]
            )
    if not rows:
        return []
    failed = [
        f"- {mode}, baseline: {len(r['baseline']['failures'])} start(s) never ready "
        f"({r['baseline']['failures'][0]})"
        for mode, r in ok(results).items()
        if r.get("baseline", {}).get("failures")
    ]
    return [
        "Times from process spawn (`python -m owlistic serve`). First start: empty storage "
        "(schema created). Restarts (median): existing storage; first authenticated request "
        "is `GET /api/v1/profile`. Idle memory 3 s later, summed over the server's processes "
        "(with workers: the parent and each worker): RSS counts a page shared by k processes "
        "k times, PSS once. With `--baseline`, the baseline checkout's starts alternate with "
        "this one's.",
        "",
        *table(["mode", "code", *(label for _, label, _ in COLUMNS)], rows),
        *(["", *failed] if failed else []),
    ]


def _cell(value: Any, factor: float) -> str:
    if value is None:
        return "-"
    return ms(value * factor) if factor != 1.0 else f"{value:.0f}"


def _ratio(value: Any, before: Any) -> str:
    return "-" if not value or not before else f"{value / before:.2f}"


def targets(results: Results) -> list[Target]:
    found = []
    for mode, r in ok(results).items():
        if mode == "embedded":
            worst = max(r["first_start_healthz_s"], r["first_authenticated_s"])
            found.append(
                Target(
                    what="embedded cold start",
                    mode=mode,
                    goal=f"≤ {TARGET_COLD_START_S:.0f} s",
                    measured=f"{r['first_start_healthz_s']:.2f} s first start, "
                    f"{r['first_authenticated_s']:.2f} s to an authenticated request",
                    met=worst <= TARGET_COLD_START_S,
                )
            )
        goal = TARGET_IDLE_MIB[mode]
        # One process: RSS, as the issue measured it. Workers share the parent's pages, which
        # the summed RSS counts once per process: PSS is what the machine gives up.
        key = "idle_rss_mib" if mode == "embedded" else "idle_pss_mib"
        found.append(
            Target(
                what="idle memory",
                mode=mode,
                goal=f"≤ {goal:.0f} MiB {'RSS' if mode == 'embedded' else 'PSS, all processes'}",
                measured=f"{r['idle_rss_mib']:.0f} MiB RSS, {r['idle_pss_mib']:.0f} MiB PSS",
                met=r[key] <= goal,
            )
        )
    return found


SCENARIO = Scenario(
    name="footprint",
    title="5. Footprint",
    description="Cold start and idle memory.",
    run=run,
    markdown=markdown,
    targets=targets,
)
