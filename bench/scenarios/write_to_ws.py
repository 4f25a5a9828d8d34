"""2. Write -> WebSocket latency, measured with ``bench/ws_latency.py``'s ``measure``."""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.procstat import Window
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.stats import summarize
from bench.ws_latency import measure

TARGET_P99_MS = {"embedded": 10.0, "production": 50.0}


async def run(ctx: Context) -> dict[str, Any]:
    writes = ctx.profile.ws_samples
    warmup = max(2, writes // 20)
    async with ctx.server("ws_latency") as server:
        window = Window(server.pid).start_sampling()
        events, responses = await measure(server.base_url, writes, warmup)
        usage = await window.finish()
    return {
        "writes": writes,
        "warmup": warmup,
        "client": "one writer (httpx, sequential PUT /blocks/{id}), one WebSocket of the same user",
        "write_to_event": summarize([e * 1000 for e in events]),
        "write_to_response": summarize([r * 1000 for r in responses]),
        "response_to_event": summarize(
            [(e - r) * 1000 for e, r in zip(events, responses, strict=True)]
        ),
        **usage,
    }


def markdown(results: Results) -> list[str]:
    rows = []
    for mode, r in ok(results).items():
        for key, label in (
            ("write_to_event", "write → event on WebSocket"),
            ("write_to_response", "write → HTTP response"),
            ("response_to_event", "HTTP response → event"),
        ):
            s = r[key]
            rows.append(
                [mode, label, ms(s["p50_ms"]), ms(s["p95_ms"]), ms(s["p99_ms"]), ms(s["max_ms"])]
            )
    if not rows:
        return []
    writes = next(iter(ok(results).values()))["writes"]
    return [
        f"{writes} sequential `PUT /api/v1/blocks/{{id}}` (after a warm-up); each timed from "
        "sending until the matching `block.updated` arrives on another connection of the "
        "same user.",
        "",
        *table(["mode", "interval", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, r in ok(results).items():
        goal = TARGET_P99_MS[mode]
        p99 = r["write_to_event"]["p99_ms"]
        found.append(
            Target(
                what="write → WebSocket p99",
                mode=mode,
                goal=f"≤ {goal:.0f} ms",
                measured=f"{p99:.1f} ms",
                met=p99 <= goal,
            )
        )
    return found


SCENARIO = Scenario(
    name="ws_latency",
    title="2. Write → WebSocket latency",
    description="From a REST write to its event on the writer's other connection.",
    run=run,
    markdown=markdown,
    targets=targets,
)
