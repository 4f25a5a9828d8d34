"""6. Growth: open-note latency as the database grows (every note has the same 40 blocks)."""

from __future__ import annotations

import contextlib
import random
import time
from typing import Any

from sqlalchemy import select

from bench.context import Context
from bench.dbutil import analyze, plan
from bench.http import Connection
from bench.loadgen import Recorder, timed
from bench.procstat import Window
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, open_engine, seed_notebooks, seed_notes, seed_users
from owlistic.block.repository import ORDERING, live_in
from owlistic.models import Note, Notebook

API = "/api/v1"
USERS, NOTEBOOKS, BLOCKS_PER_NOTE = 10, 10, 40
WARMUP_REQUESTS = 50
TARGET_RATIO = 2.0


def _queries(ds: Dataset, k: int) -> dict[str, Any]:
    """The two queries behind ``GET /notes/{id}`` after authentication."""
    u, nb, n = ds.note_of(k)
    note = ds.note_id(u, nb, n)
    return {
        "note_with_owner": select(Note, Notebook.user_id)
        .join(Notebook, Notebook.id == Note.notebook_id)
        .where(Note.id == note),
        "blocks_of_note": live_in([note]).order_by(*ORDERING),
    }


async def run(ctx: Context) -> dict[str, Any]:
    sizes = sorted(ctx.profile.growth_blocks)
    notes_needed = max(sizes) // BLOCKS_PER_NOTE
    per_notebook = -(-notes_needed // (USERS * NOTEBOOKS))
    ds = Dataset(Shape(USERS, NOTEBOOKS, per_notebook, BLOCKS_PER_NOTE), salt="growth")
    steps = []
    async with ctx.server("growth") as server:
        engine = open_engine(server.config.database_url)
        secret = server.config.secret()
        conns = [
            Connection(server.host, server.port, {"Authorization": f"Bearer {ds.token(u, secret)}"})
            for u in range(USERS)
        ]
        try:
            await seed_users(engine, ds, range(USERS))
            await seed_notebooks(engine, ds, range(USERS))
            seeded = 0
            for size in sizes:
                target_notes = size // BLOCKS_PER_NOTE
                print(f"[bench]   growing to {size:,} blocks ...", flush=True)
                started = time.perf_counter()
                counts = await seed_notes(engine, ds, range(seeded, target_notes))
                seed_seconds = time.perf_counter() - started
                seeded = target_notes
                await analyze(engine)
                rng = random.Random(size)
                warm = Recorder(enabled=False)
                for _ in range(WARMUP_REQUESTS):
                    k = rng.randrange(seeded)
                    u, nb, n = ds.note_of(k)
                    path = f"{API}/notes/{ds.note_id(u, nb, n)}"
                    await timed(conns[u], warm, ("open_note", "GET", path, None))
                recorder = Recorder()
                window = Window(server.pid).start_sampling()
                began = time.perf_counter()
                for _ in range(ctx.profile.growth_requests):
                    k = rng.randrange(seeded)
                    u, nb, n = ds.note_of(k)
                    path = f"{API}/notes/{ds.note_id(u, nb, n)}"
                    await timed(conns[u], recorder, ("open_note", "GET", path, None))
                result = recorder.result(time.perf_counter() - began)
                usage = await window.finish()
                plans = {
                    name: await plan(engine, query)
                    for name, query in _queries(ds, rng.randrange(seeded)).items()
                }
                steps.append(
                    {
                        "blocks": seeded * BLOCKS_PER_NOTE,
                        "notes": seeded,
                        "seeded_now": counts,
                        "seed_seconds": round(seed_seconds, 2),
                        "requests": result["requests"],
                        "errors": result["errors"],
                        "rps": result["rps"],
                        "p50_ms": result["p50_ms"],
                        "p95_ms": result["p95_ms"],
                        "p99_ms": result["p99_ms"],
                        "max_ms": result["max_ms"],
                        "plans": plans,
                        **usage,
                    }
                )
        finally:
            for conn in conns:
                with contextlib.suppress(Exception):
                    await conn.close()
            await engine.dispose()
    first, last = steps[0], steps[-1]
    return {
        "blocks_per_note": BLOCKS_PER_NOTE,
        "client": "one client, sequential requests, random notes across the whole database",
        "steps": steps,
        "p99_ratio_last_first": round(last["p99_ms"] / first["p99_ms"], 2)
        if first["p99_ms"]
        else None,
    }


def markdown(results: Results) -> list[str]:
    rows, plans = [], []
    for mode, result in ok(results).items():
        for step in result["steps"]:
            rows.append(
                [
                    mode,
                    f"{step['blocks']:,}",
                    f"{step['notes']:,}",
                    ms(step["p50_ms"]),
                    ms(step["p99_ms"]),
                    ms(step["max_ms"]),
                    f"{step['rps']:.0f}",
                    str(step["errors"]),
                    f"{step['server_rss_peak_mib']:.0f}",
                ]
            )
        last = result["steps"][-1]
        for name, lines in last["plans"].items():
            plans.append(
                f"- {mode}, `{name}` at {last['blocks']:,} blocks: "
                + "; ".join(f"`{x.strip()}`" for x in lines[:4])
            )
    if not rows:
        return []
    return [
        "`GET /api/v1/notes/{id}` (a note with its 40 blocks), one client, random notes over "
        "the whole database. PostgreSQL gets `ANALYZE` after each bulk load (autovacuum "
        "would soon do the same); SQLite is left as the server leaves it.",
        "",
        *table(
            [
                "mode",
                "blocks in database",
                "notes",
                "p50 ms",
                "p99 ms",
                "max ms",
                "req/s",
                "errors",
                "server RSS MiB",
            ],
            rows,
        ),
        "",
        "Query plans at the largest size:",
        "",
        *plans,
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, result in ok(results).items():
        first, last = result["steps"][0], result["steps"][-1]
        ratio = result["p99_ratio_last_first"]
        found.append(
            Target(
                what="open-note p99 flat as blocks grow",
                mode=mode,
                goal=f"p99 at 1M within {TARGET_RATIO:.0f}x of 10k",
                measured=f"{ms(first['p99_ms'])} → {ms(last['p99_ms'])} ms "
                f"({first['blocks']:,} → {last['blocks']:,} blocks, x{ratio})",
                met=None if last["blocks"] < 1_000_000 else (ratio or 0) <= TARGET_RATIO,
            )
        )
    return found


SCENARIO = Scenario(
    name="growth",
    title="6. Growth",
    description="Open-note latency with more and more blocks in the database.",
    run=run,
    markdown=markdown,
    targets=targets,
)
