"""1. REST mix: the five things an editing client does most, on a seeded dataset."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

from bench import ceiling
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


def _client(
    ds: Dataset, rng: random.Random, ops: tuple[str, ...] = OPERATIONS
) -> tuple[int, Callable[[], Request]]:
    """A client acting as one random user, touching only that user's data; each request is
    one of ``ops``, with equal probability."""
    shape = ds.shape
    u = rng.randrange(shape.users)
    tasks_per_note = shape.blocks // shape.task_every
    counter = 0

    def next_request() -> Request:
        nonlocal counter
        counter += 1
        op = rng.choice(ops)
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


MIX = "mix"


async def _level(
    ctx: Context, server: Server, ds: Dataset, clients: int, ops: tuple[str, ...]
) -> dict[str, Any]:
    rng = random.Random(clients)
    secret = server.config.secret()
    pairs = []
    for _ in range(clients):
        u, next_request = _client(ds, random.Random(rng.random()), ops)
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


async def _seeded(ctx: Context, server: Server, ds: Dataset) -> dict[str, Any]:
    engine = open_engine(server.config.database_url)
    try:
        print(f"[bench]   seeding {ds.shape.total_blocks:,} blocks ...", flush=True)
        seeded = await seed_dataset(engine, ds)
        await analyze(engine)
    finally:
        await engine.dispose()
    return seeded


def _plan(ctx: Context) -> list[tuple[str, int]]:
    """The mix at every client count, then each operation alone."""
    mix = [(MIX, c) for c in ctx.profile.rest_clients]
    return mix + [(op, c) for op in OPERATIONS for c in ctx.profile.rest_op_clients]


async def _series(ctx: Context, servers: dict[str, Server], ds: Dataset) -> dict[str, Any]:
    """Every (series, clients) on each server in turn, the order alternating, so a noisy
    neighbour slows both sides of a comparison alike."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {name: {} for name in servers}
    names = list(servers)
    for i, (series, clients) in enumerate(_plan(ctx)):
        ops = OPERATIONS if series == MIX else (series,)
        for name in names if i % 2 == 0 else names[::-1]:
            level = await _level(ctx, servers[name], ds, clients, ops)
            found[name].setdefault(series, []).append(level)
    return found


async def run(ctx: Context) -> dict[str, Any]:
    ds = Dataset(ctx.profile.rest_shape, salt="rest")
    async with contextlib.AsyncExitStack() as stack:
        servers = {"this": await stack.enter_async_context(ctx.server("rest_mix"))}
        if ctx.baseline is not None:
            servers["baseline"] = await stack.enter_async_context(
                ctx.server("rest_mix-baseline", code=ctx.baseline, profile=False)
            )
        seeded = {name: await _seeded(ctx, server, ds) for name, server in servers.items()}
        captured = await ceiling.capture(ctx, ds)
        found = await _series(ctx, servers, ds)
        # Last: the replayed inserts grow the notes the series read.
        pg_ceiling = (
            await ceiling.replay(ctx, servers["this"], captured)
            if ctx.mode == "production"
            else None
        )
    this = found["this"]
    return {
        "dataset": seeded["this"],
        "operations": list(OPERATIONS),
        "mix": "each request picks one of the operations with equal probability",
        "levels": this[MIX],
        "series": this,
        "baseline": found.get("baseline"),
        "statements": {op: found[0].summary() for op, found in captured.items()},
        "ceiling": pg_ceiling,
    }


def _ratio(this: float, before: float) -> str:
    return f"{this / before:.2f}x" if before else "-"


def _series_rows(mode: str, result: dict[str, Any]) -> list[list[str]]:
    rows = []
    baseline = result.get("baseline") or {}
    for series, levels in result.get("series", {}).items():
        before_levels = {lv["clients"]: lv for lv in baseline.get(series, [])}
        for level in levels:
            row = [
                mode,
                series,
                str(level["clients"]),
                f"{level['rps']:.0f}",
                ms(level["p50_ms"]),
                ms(level["p99_ms"]),
                str(level["errors"]),
            ]
            before = before_levels.get(level["clients"])
            if baseline:
                row += (
                    [
                        f"{before['rps']:.0f}",
                        ms(before["p50_ms"]),
                        _ratio(level["rps"], before["rps"]),
                        _ratio(before["p50_ms"] or 0, level["p50_ms"] or 0),
                    ]
                    if before
                    else ["-"] * 4
                )
            rows.append(row)
    return rows


def _ceiling_rows(mode: str, result: dict[str, Any]) -> list[list[str]]:
    found = result.get("ceiling") or {}
    if found.get("status") != "ok":
        return []
    rows = []
    for op, levels in found["levels"].items():
        served = {lv["clients"]: lv for lv in result.get("series", {}).get(op, [])}
        for level in levels:
            server = served.get(level["clients"])
            share = f"{100 * server['rps'] / level['tps']:.0f}%" if server and level["tps"] else "-"
            rows.append(
                [
                    mode,
                    op,
                    str(level["clients"]),
                    f"{level['tps']:.0f}",
                    ms(level["latency_avg_ms"]),
                    f"{server['rps']:.0f}" if server else "-",
                    share,
                ]
            )
    return rows


def markdown(results: Results) -> list[str]:
    rows, series, statements, ceilings = [], [], [], []
    compared = False
    variants = 0
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
        compared = compared or bool(result.get("baseline"))
        series += _series_rows(mode, result)
        ceilings += _ceiling_rows(mode, result)
        variants = max(variants, (result.get("ceiling") or {}).get("variants", 0))
        for op, counted in (result.get("statements") or {}).items():
            statements.append([mode, op, str(counted["statements"]), str(counted["writes"])])
    if not rows:
        return []
    dataset = next(iter(ok(results).values()))["dataset"]
    headers = ["mode", "series", "clients", "req/s", "p50 ms", "p99 ms", "errors"]
    if compared:
        headers += ["baseline req/s", "baseline p50 ms", "req/s ratio", "p50 speed-up"]
    lines = [
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
        "Each operation alone (`mix` = the table above)"
        + (
            "; with `--baseline`, the same series on the baseline checkout's server, run "
            "in turn with this one (ratio > 1: this code is faster):"
            if compared
            else ":"
        ),
        "",
        *table(headers, series),
    ]
    if statements:
        lines += [
            "",
            "Statements one request sends to the database (captured from a real request; "
            "BEGIN/COMMIT not counted):",
            "",
            *table(["mode", "operation", "statements", "of them writes"], statements),
        ]
    if ceilings:
        lines += [
            "",
            "PostgreSQL ceiling: each operation's captured statements replayed by `pgbench` "
            "(`--protocol=prepared`, one transaction per request, no TLS, "
            f"{variants} different requests per operation) on the same machine, against the "
            "server's req/s for the "
            "same operation alone:",
            "",
            *table(
                [
                    "mode",
                    "operation",
                    "clients",
                    "pgbench tx/s",
                    "pgbench latency avg ms",
                    "server req/s",
                    "server / database",
                ],
                ceilings,
            ),
        ]
    return lines


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
