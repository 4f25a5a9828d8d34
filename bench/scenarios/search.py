"""7. Search: latency as the database grows, the index build of an existing database, and
what indexing adds to a block write."""

from __future__ import annotations

import contextlib
import random
import statistics
import time
import uuid
from typing import Any
from urllib.parse import quote

from bench.context import Context
from bench.dbutil import analyze
from bench.http import Connection
from bench.loadgen import Recorder, timed
from bench.procstat import Window
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, open_engine, seed_notebooks, seed_notes, seed_users
from owlistic.index.reindex import reindex
from owlistic.index.rows import refresh_blocks
from owlistic.settings import Settings

API = "/api/v1"
USERS, NOTEBOOKS, BLOCKS_PER_NOTE = 10, 10, 40
RARE_NOTES = 50  # written through the API (so indexed by the server) at each size
WRITES = 200
P99_GOAL_MS, WRITE_COST_GOAL = 50.0, 0.20
CLIENT = "one client, sequential requests"
LANGUAGE = Settings.model_fields["search_language"].default  # the server's: not overridden


def _rare_word(size: int, i: int) -> str:
    return "zq" + uuid.uuid5(uuid.NAMESPACE_OID, f"{size}:{i}").hex[:10]


KINDS = (
    "rare word",
    "prefix while typing",
    "common + rare",
    "phrase",
    "common word",
    "common words",
)


def _queries(words: list[str], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, query): a rare word, a rare word typed halfway (prefix), a common word with a
    rare one, a phrase; and words that are in every block (``lorem``; ``seeded lorem``,
    the last as a prefix): no word narrows those, the case of the bounded candidates."""
    out = []
    for _ in range(-(-count // len(KINDS))):
        w = rng.choice(words)
        out += [
            ("rare word", w),
            ("prefix while typing", w[:7]),
            ("common + rare", f"lorem {w}"),
            ("phrase", f'"{w} paragraph"'),
            ("common word", "lorem"),
            ("common words", "seeded lorem"),
        ]
    return out


def _cpu_ms(usage: dict[str, Any], requests: int) -> float:
    cpu_seconds = float(usage["server_cpu_pct"]) / 100 * float(usage["seconds"])
    return round(cpu_seconds * 1000 / max(requests, 1), 2)


async def _write_cost(
    engine: Any, conn: Connection, ds: Dataset, rng: random.Random, seeded: int
) -> dict[str, Any]:
    """PUT /blocks/{id} latency, and the index refresh of the same kind of write timed alone
    (in a transaction rolled back): its share of the write."""
    recorder = Recorder()
    blocks = []
    for i in range(WRITES):
        _, nb, n = ds.note_of(rng.randrange(seeded))
        block = ds.block_id(0, nb, n, 1)  # the bench's client is user 0
        blocks.append(block)
        body = {"content": {"text": f"Edited paragraph {i}, with a new word {_rare_word(-1, i)}"}}
        await timed(conn, recorder, ("put_block", "PUT", f"{API}/blocks/{block}", body))
    refresh_ms = []
    async with engine.connect() as db:
        for block in blocks:
            async with db.begin() as tx:
                started = time.perf_counter()
                await db.run_sync(lambda c, b=block: refresh_blocks(c, [b]))
                refresh_ms.append((time.perf_counter() - started) * 1000)
                await tx.rollback()
    write = recorder.result(1.0)
    refresh_p50 = statistics.median(refresh_ms)
    return {
        "put_p50_ms": write["p50_ms"],
        "put_p99_ms": write["p99_ms"],
        "errors": write["errors"],
        "index_p50_ms": round(refresh_p50, 3),
        "index_share": round(refresh_p50 / max(write["p50_ms"] - refresh_p50, 1e-9), 3),
    }


async def run(ctx: Context) -> dict[str, Any]:
    sizes = sorted(ctx.profile.growth_blocks)
    notes_needed = max(sizes) // BLOCKS_PER_NOTE
    per_notebook = -(-notes_needed // (USERS * NOTEBOOKS))
    ds = Dataset(Shape(USERS, NOTEBOOKS, per_notebook, BLOCKS_PER_NOTE), salt="search")
    steps = []
    async with ctx.server("search") as server:
        engine = open_engine(server.config.database_url)
        auth = {"Authorization": f"Bearer {ds.token(0, server.config.secret())}"}
        conn: Connection | None = None
        try:
            await seed_users(engine, ds, range(USERS))
            await seed_notebooks(engine, ds, range(USERS))
            seeded = 0
            for size in sizes:
                target = size // BLOCKS_PER_NOTE
                print(f"[bench]   search: growing to {size:,} blocks ...", flush=True)
                await seed_notes(engine, ds, range(seeded, target))
                seeded = target
                # The bulk load bypassed the server: index it as `owlistic reindex` does
                # (timed: the build of an existing database's index).
                started = time.perf_counter()
                async with engine.begin() as db:
                    await db.run_sync(lambda c: reindex(c, LANGUAGE))
                build_seconds = time.perf_counter() - started
                await analyze(engine)
                # A new connection: the server drops one left idle through the bulk load.
                if conn is not None:
                    await conn.close()
                conn = Connection(server.host, server.port, auth)
                words = [_rare_word(size, i) for i in range(RARE_NOTES)]
                notebook = ds.notebook_id(0, 0)
                for w in words:
                    note = await conn.request(
                        "POST", f"{API}/notes", {"notebook_id": str(notebook), "title": "Rare"}
                    )
                    assert note.status == 201, note.body
                    note_id = note.json()["id"]
                    text = f"{w} paragraph in the middle of a long note, lorem ipsum"
                    r = await conn.request(
                        "POST",
                        f"{API}/blocks",
                        {"note_id": note_id, "type": "text", "content": {"text": text}},
                    )
                    assert r.status == 201, r.body
                rng = random.Random(size)
                recorder = Recorder()
                queries = _queries(words, rng, ctx.profile.search_requests)
                rng.shuffle(queries)
                began = time.perf_counter()
                window = Window(server.pid)
                for kind, q in queries[: ctx.profile.search_requests]:
                    await timed(conn, recorder, (kind, "GET", f"{API}/search?q={quote(q)}", None))
                result = recorder.result(time.perf_counter() - began)
                usage = await window.finish()
                steps.append(
                    {
                        "blocks": seeded * BLOCKS_PER_NOTE,
                        "index_build_seconds": round(build_seconds, 2),
                        "requests": result["requests"],
                        "errors": result["errors"],
                        "p50_ms": result["p50_ms"],
                        "p99_ms": result["p99_ms"],
                        # What a query costs the server whatever else the machine runs (on
                        # PostgreSQL without the database's own share).
                        "server_cpu_ms_per_query": _cpu_ms(usage, result["requests"]),
                        "machine_cpu_pct": usage["machine_cpu_pct"],
                        "by_kind": dict(result["ops"]),
                        "write": await _write_cost(engine, conn, ds, rng, seeded),
                    }
                )
                ctx.partial({"steps": steps, "client": CLIENT})
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
            await engine.dispose()
    return {"steps": steps, "client": CLIENT}


def _p50_p99(kind: dict[str, Any]) -> str:
    return f"{ms(kind.get('p50_ms'))} / {ms(kind.get('p99_ms'))}"


def markdown(results: Results) -> list[str]:
    rows, writes = [], []
    for mode, result in ok(results).items():
        for step in result["steps"]:
            kinds = step["by_kind"]
            rows.append(
                [
                    mode,
                    f"{step['blocks']:,}",
                    ms(step["p50_ms"]),
                    ms(step["p99_ms"]),
                    ms(step.get("server_cpu_ms_per_query")),
                    f"{step['machine_cpu_pct']:.0f} %" if "machine_cpu_pct" in step else "-",
                    *(_p50_p99(kinds.get(k, {})) for k in KINDS),
                    f"{step['index_build_seconds']:.1f}",
                    str(step["errors"]),
                ]
            )
            w = step["write"]
            writes.append(
                [
                    mode,
                    f"{step['blocks']:,}",
                    ms(w["put_p50_ms"]),
                    ms(w["put_p99_ms"]),
                    f"{w['index_p50_ms']:.2f}",
                    f"{w['index_share'] * 100:.0f} %",
                ]
            )
    if not rows:
        return []
    return [
        "`GET /api/v1/search` by one client, sequential, over a database of notes of 40 "
        "blocks (bulk-loaded, then indexed by `owlistic reindex`, as an existing database "
        "is) plus 50 notes written through the API, each with a "
        "rare word; each query kind in turn, shuffled. `lorem` and `seeded` are in every "
        "block: no word of `lorem` or `seeded lorem` narrows the search, so those rank the "
        "bounded candidates (`OWLISTIC_SEARCH_CANDIDATE_ROWS`). "
        "Server CPU is the server process's CPU time per query (with SQLite inside it; "
        "without PostgreSQL's own): unlike the latencies, it hardly depends on how busy "
        "the machine was.",
        "",
        *table(
            [
                "mode",
                "blocks",
                "p50 ms",
                "p99 ms",
                "server CPU ms/query",
                "machine busy",
                *(f"{k} p50 / p99" for k in KINDS),
                "index build s",
                "errors",
            ],
            rows,
        ),
        "",
        "What indexing adds to a block write: `PUT /api/v1/blocks/{id}` latency, and the "
        "index refresh of one block timed alone (its share of the rest of the write).",
        "",
        *table(
            ["mode", "blocks", "PUT p50 ms", "PUT p99 ms", "index refresh p50 ms", "added"], writes
        ),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, result in ok(results).items():
        last = result["steps"][-1]
        at_1m = last["blocks"] >= 1_000_000
        found.append(
            Target(
                what="search p99 at 1M blocks",
                mode=mode,
                goal=f"≤ {P99_GOAL_MS:.0f} ms",
                measured=f"{ms(last['p99_ms'])} ms at {last['blocks']:,} blocks",
                met=(last["p99_ms"] or 0) <= P99_GOAL_MS if at_1m else None,
            )
        )
        share = last["write"]["index_share"]
        found.append(
            Target(
                what="indexing cost of a block write",
                mode=mode,
                goal=f"≤ {WRITE_COST_GOAL * 100:.0f} %",
                measured=f"{share * 100:.0f} % ({last['write']['index_p50_ms']:.2f} ms)",
                met=share <= WRITE_COST_GOAL,
            )
        )
    return found


SCENARIO = Scenario(
    name="search",
    title="7. Search",
    description="Search latency as blocks grow, index build time, indexing cost of a write.",
    run=run,
    markdown=markdown,
    targets=targets,
)
