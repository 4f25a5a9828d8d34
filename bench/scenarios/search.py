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
from bench.profiles import Shape
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import Dataset, open_engine, seed_notebooks, seed_notes, seed_users
from owlistic.index.rows import refresh_blocks
from owlistic.migrations.runner import downgrade, upgrade

API = "/api/v1"
USERS, NOTEBOOKS, BLOCKS_PER_NOTE = 10, 10, 40
RARE_NOTES = 50  # written through the API (so indexed by the server) at each size
WRITES = 200
P99_GOAL_MS, WRITE_COST_GOAL = 50.0, 0.20


def _rare_word(size: int, i: int) -> str:
    return "zq" + uuid.uuid5(uuid.NAMESPACE_OID, f"{size}:{i}").hex[:10]


def _queries(words: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query): a rare word, a rare word typed halfway (prefix), a common word with a
    rare one, a phrase; and the worst case, a word in every block."""
    out = []
    for _ in range(len(words)):
        w = rng.choice(words)
        out += [
            ("rare word", w),
            ("prefix while typing", w[:7]),
            ("common + rare", f"lorem {w}"),
            ("phrase", f'"{w} paragraph"'),
        ]
    return out


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
                # The bulk load bypassed the server: index it the way an existing database
                # is indexed on upgrade, by running migration 0006 again (timed: the build).
                await downgrade(engine, "0005")
                started = time.perf_counter()
                await upgrade(engine)
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
                queries = _queries(words, rng)
                rng.shuffle(queries)
                began = time.perf_counter()
                for kind, q in queries[: ctx.profile.growth_requests]:
                    await timed(conn, recorder, (kind, "GET", f"{API}/search?q={quote(q)}", None))
                result = recorder.result(time.perf_counter() - began)
                worst = Recorder()
                for _ in range(max(5, ctx.profile.growth_requests // 40)):
                    await timed(conn, worst, ("every block", "GET", f"{API}/search?q=lorem", None))
                steps.append(
                    {
                        "blocks": seeded * BLOCKS_PER_NOTE,
                        "index_build_seconds": round(build_seconds, 2),
                        "requests": result["requests"],
                        "errors": result["errors"] + worst.result(1.0)["errors"],
                        "p50_ms": result["p50_ms"],
                        "p99_ms": result["p99_ms"],
                        "by_kind": dict(result["ops"]),
                        "every_block": worst.result(1.0),
                        "write": await _write_cost(engine, conn, ds, rng, seeded),
                    }
                )
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
            await engine.dispose()
    return {"steps": steps, "client": "one client, sequential requests"}


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
                    *(
                        ms(kinds.get(k, {}).get("p99_ms"))
                        for k in ("rare word", "prefix while typing", "common + rare", "phrase")
                    ),
                    f"{ms(step['every_block']['p50_ms'])} / {ms(step['every_block']['p99_ms'])}",
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
        "blocks (bulk-loaded, then indexed by running migration 0006 on it, as when an "
        "existing database is upgraded) plus 50 notes written through the API, each with a "
        "rare word. `lorem` is in every block: the worst case, every row ranked.",
        "",
        *table(
            [
                "mode",
                "blocks",
                "p50 ms",
                "p99 ms",
                "rare p99",
                "prefix p99",
                "common+rare p99",
                "phrase p99",
                "`lorem` (in every block) p50 / p99",
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
