"""Closed-loop load: N clients, each on its own keep-alive connection, no think time."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.http import Connection, HttpError
from bench.stats import rate, summarize

# One request of a client: (operation name, method, path, JSON body or None).
Request = tuple[str, str, str, Any]


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    enabled: bool = True

    def add(self, op: str, millis: float, error: str | None) -> None:
        if not self.enabled:
            return
        if error is None:
            self.latencies[op].append(millis)
        else:
            self.errors[op] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{op}: {error}")

    def result(self, seconds: float) -> dict[str, Any]:
        everything = [x for values in self.latencies.values() for x in values]
        errors = sum(self.errors.values())
        ops = {
            op: {
                **summarize(values),
                "rps": rate(len(values), seconds),
                "errors": self.errors.get(op, 0),
            }
            for op, values in sorted(self.latencies.items())
        }
        return {
            "requests": len(everything) + errors,
            "errors": errors,
            "error_samples": self.error_samples,
            "rps": rate(len(everything), seconds),
            **summarize(everything),
            "ops": ops,
        }


async def timed(conn: Connection, recorder: Recorder, request: Request) -> Any:
    """Send one request; record its latency (or error). Returns the decoded body or None."""
    op, method, path, body = request
    started = time.perf_counter()
    try:
        response = await conn.request(method, path, body)
    except HttpError as exc:
        recorder.add(op, 0.0, str(exc)[:200])
        return None
    millis = (time.perf_counter() - started) * 1000
    if response.status >= 400:
        recorder.add(op, millis, f"HTTP {response.status} {response.body[:160]!r}")
        return None
    recorder.add(op, millis, None)
    return response.body


async def drive(
    clients: Sequence[tuple[Connection, Callable[[], Request]]],
    seconds: float,
    recorder: Recorder,
) -> float:
    """Every client sends ``next_request()`` back to back until ``seconds`` have passed."""
    deadline = time.perf_counter() + seconds

    async def loop(conn: Connection, next_request: Callable[[], Request]) -> None:
        while time.perf_counter() < deadline:
            await timed(conn, recorder, next_request())

    started = time.perf_counter()
    await asyncio.gather(*(loop(c, n) for c, n in clients))
    return time.perf_counter() - started
