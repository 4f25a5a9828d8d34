"""1. REST mix: the five things an editing client does most, on a seeded dataset."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from bench.context import Context
from bench.dbutil import analyze
from bench.http import Connection
from bench.loadgen import Recorder, Request, drive
from bench.procstat import Window
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, open_engine, seed_dataset
from bench.server import Server

API = "/api/v1"
OPERATIONS = ("open_note", "update_block", "create_block", "list_notes", "toggle_task")
TARGET_CLIENTS = 64
TARGET_RPS = 2_000.0
TARGET_P99_MS = 50.0


def _client(ds: Dataset, rng: random.Random) -> tuple[int, Callable[[], Request]]:
    """A client acting as one random user, touching only that user's data."""
    shape = ds.shape
    u = rng.randrange(shape.users)
    tasks_per_note = shape.blocks // shape.task_every
    counter = 0

    def next_request() -> Request:
        nonlocal counter
        counter += 1
        op = rng.choice(OPERATIONS)
        nb, n = rng.randrange(shape.notebooks), rng.randrange(shape.notes)
        note = ds.note_id(u, nb, n)
        if op == "open_note":
            return op, "GET", f"{API}/notes/{note}", None
        if op == "list_notes":
            return op, "GET", f"{API}/notes?notebook_id={ds.notebook_id(u, nb)}", None
        if op == "update_block":
            b = rng.randrange(shape.blocks)
            if ds.is_task(b):
                b -= 1
            edit = {"content": {"text": f"edited by client {u} #{counter}"}}
            return op, "PUT", f"{API}/blocks/{ds.block_id(u, nb, n, b)}", edit
        if op == "create_block":
            new = {"note_id": str(note), "type": "text", "content": {"text": f"new #{counter}"}}
            return op, "POST", f"{API}/blocks", new
        t = rng.randrange(tasks_per_note) * shape.task_every + shape.task_every - 1
        toggle = {"is_completed": rng.random() < 0.5}
        return op, "PUT", f"{API}/tasks/{ds.task_id(u, nb, n, t)}", toggle

    return u, next_request


async def _level(ctx: Context, server: Server, ds: Dataset, clients: int) -> dict[str, Any]:
    rng = random.Random(clients)
    secret = server.config.secret()
    pairs = []
    for _ in range(clients):
        u, next_request = _client(ds, random.Random(rng.random()))
        headers = {"Authorization": f"Bearer {ds.token(u, secret)}"}
        pairs.append((Connection(server.host, server.port, headers), next_request))
    try:
        await drive(pairs, ctx.profile.warmup_seconds, Recorder(enabled=False))
        recorder = Recorder()
        window = Window(server.pid).start_sampling()
        seconds = await drive(pairs, ctx.profile.rest_seconds, recorder)
        usage = await window.finish()
    finally:
        for conn, _ in pairs:
            await conn.close()
    return {"clients": clients, "seconds": round(seconds, 2), **recorder.result(seconds), **usage}


async def run(ctx: Context) -> dict[str, Any]:
    ds = Dataset(ctx.profile.rest_shape, salt="rest")
    async with ctx.server("rest_mix") as server:
        engine = open_engine(server.config.database_url)
        try:
            print(f"[bench]   seeding {ds.shape.total_blocks:,} blocks ...", flush=True)
            seeded = await seed_dataset(engine, ds)
            await analyze(engine)
        finally:
            await engine.dispose()
        levels = [await _level(ctx, server, ds, c) for c in ctx.profile.rest_clients]
    return {
        "dataset": seeded,
        "operations": list(OPERATIONS),
        "mix": "each request picks one of the operations with equal probability",
        "levels": levels,
    }


def markdown(results: Results) -> list[str]:
    rows, per_op = [], []
    for mode, result in ok(results).items():
        for level in result["levels"]:
            rows.append(
                [
                    mode,
                    str(level["clients"]),
                    f"{level['rps']:.0f}",
                    ms(level["p50_ms"]),
                    ms(level["p95_ms"]),
                    ms(level["p99_ms"]),
                    ms(level["max_ms"]),
                    str(level["errors"]),
                    f"{level['server_cpu_pct']:.0f}%",
                    f"{level['server_rss_peak_mib']:.0f}",
                    f"{level['client_cpu_pct']:.0f}%",
                ]
            )
            for op, figures in level["ops"].items():
                per_op.append(
                    [
                        mode,
                        str(level["clients"]),
                        op,
                        f"{figures['rps']:.0f}",
                        ms(figures["p50_ms"]),
                        ms(figures["p99_ms"]),
                        str(figures["errors"]),
                    ]
                )
    if not rows:
        return []
    dataset = next(iter(ok(results).values()))["dataset"]
    return [
        f"Dataset: {dataset['users']} users, {dataset['notes']} notes, {dataset['blocks']} "
        f"blocks, {dataset['tasks']} tasks. Each request is one of open note (GET with all "
        "blocks), update block, create block, list a notebook's notes, toggle a task, "
        "with equal probability.",
        "",
        *table(
            [
                "mode",
                "clients",
                "req/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "errors",
                "server CPU",
                "server RSS MiB",
                "load-gen CPU",
            ],
            rows,
        ),
        "",
        "Per operation:",
        "",
        *table(["mode", "clients", "operation", "req/s", "p50 ms", "p99 ms", "errors"], per_op),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, result in ok(results).items():
        levels = {lv["clients"]: lv for lv in result["levels"]}
        level = levels.get(TARGET_CLIENTS) or levels[max(levels)]
        clients = level["clients"]
        met = level["rps"] >= TARGET_RPS and level["p99_ms"] <= TARGET_P99_MS
        found.append(
            Target(
                what=f"REST mix at {TARGET_CLIENTS} clients",
                mode=mode,
                goal=f"≥ {TARGET_RPS:.0f} req/s, p99 ≤ {TARGET_P99_MS:.0f} ms",
                measured=f"{level['rps']:.0f} req/s, p99 {level['p99_ms']:.1f} ms"
                + ("" if clients == TARGET_CLIENTS else f" (at {clients} clients)"),
                met=met if clients == TARGET_CLIENTS else None,
            )
        )
    return found


SCENARIO = Scenario(
    name="rest_mix",
    title="1. REST mix",
    description="Closed-loop clients, each a random seeded user working on its own data.",
    run=run,
    markdown=markdown,
    targets=targets,
)
