"""Write -> WebSocket latency: how long after a REST write its event reaches another client.

Starts ``python -m owlistic serve`` itself (embedded mode: SQLite + in-process broker, in a
temporary directory), registers a user, opens a WebSocket, then performs N sequential
``PUT /api/v1/blocks/{id}`` and times each from just before the request is sent until the
matching ``block.updated`` arrives on the WebSocket (a second connection of the same user).

    python -m bench.ws_latency                      # embedded, 1000 writes
    python -m bench.ws_latency -n 200 \\
        --database-url postgresql+asyncpg://user:pw@127.0.0.1:5432/db \\
        --broker-url kafka://127.0.0.1:9092        # production mode
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import shlex
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.backends import ServerConfig, clean_environment
from bench.server import running

EVENT_TIMEOUT = 10.0


def standalone_config(args: argparse.Namespace, workdir: Path) -> ServerConfig:
    """A server for a run of this module on its own (the harness brings its own)."""
    env = clean_environment() | {
        "OWLISTIC_ENV": "test",
        "OWLISTIC_DATA_DIR": str(workdir),
        "OWLISTIC_JWT_SECRET": secrets.token_urlsafe(48),
        "OWLISTIC_BROKER_URL": args.broker_url,
        "OWLISTIC_KAFKA_TOPIC_PREFIX": "owlbench.",
        "OWLISTIC_WEB_DIST": str(workdir / "no-web-build"),
    }
    if args.database_url:
        env["OWLISTIC_DATABASE_URL"] = args.database_url
    return ServerConfig(
        mode="production" if args.database_url else "embedded",
        data_dir=workdir,
        database_url=args.database_url or f"sqlite+aiosqlite:///{workdir / 'owlistic.db'}",
        broker_url=args.broker_url,
        topic_prefix="owlbench.",
        jwt_secret=env["OWLISTIC_JWT_SECRET"],
        env=env,
    )


async def setup(client: httpx.AsyncClient) -> tuple[dict[str, str], str, str]:
    """A fresh user with one note holding one block: (auth headers, token, block id)."""
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    password = secrets.token_urlsafe(16)
    (
        await client.post("/api/v1/register", json={"email": email, "password": password})
    ).raise_for_status()
    login = await client.post("/api/v1/login", json={"email": email, "password": password})
    login.raise_for_status()
    token = login.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    nb = await client.post("/api/v1/notebooks", json={"name": "bench"}, headers=headers)
    nb.raise_for_status()
    note = await client.post(
        "/api/v1/notes", json={"notebook_id": nb.json()["id"], "title": "bench"}, headers=headers
    )
    note.raise_for_status()
    block = await client.post(
        "/api/v1/blocks",
        headers=headers,
        json={"note_id": note.json()["id"], "type": "text", "content": {"text": "start"}},
    )
    block.raise_for_status()
    return headers, token, str(block.json()["id"])


async def read_events(ws: ClientConnection, waiters: dict[str, asyncio.Future[float]]) -> None:
    async for raw in ws:
        message: dict[str, Any] = json.loads(raw)
        if message.get("event") != "block.updated":
            continue
        text = (message.get("payload") or {}).get("content", {}).get("text")
        waiter = waiters.pop(text, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.perf_counter())


async def measure(url: str, writes: int, warmup: int) -> tuple[list[float], list[float]]:
    """(write->event latencies, write->HTTP response latencies), in seconds."""
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        headers, token, block_id = await setup(client)
        async with connect(f"{url.replace('http', 'ws', 1)}/ws?token={token}") as ws:
            waiters: dict[str, asyncio.Future[float]] = {}
            reader = asyncio.create_task(read_events(ws, waiters))
            event_latency: list[float] = []
            http_latency: list[float] = []
            for i in range(warmup + writes):
                marker = f"bench-{i}"
                waiters[marker] = arrived = loop.create_future()
                started = time.perf_counter()
                r = await client.put(
                    f"/api/v1/blocks/{block_id}",
                    headers=headers,
                    json={"content": {"text": marker}},
                )
                responded = time.perf_counter()
                r.raise_for_status()
                received = await asyncio.wait_for(arrived, EVENT_TIMEOUT)
                if i >= warmup:
                    event_latency.append(received - started)
                    http_latency.append(responded - started)
            reader.cancel()
    return event_latency, http_latency


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def summary(label: str, values: list[float]) -> str:
    v = sorted(values)
    ms = {name: percentile(v, p) * 1000 for name, p in (("p50", 50), ("p95", 95), ("p99", 99))}
    return (
        f"{label:<28} p50 {ms['p50']:7.2f} ms   p95 {ms['p95']:7.2f} ms   "
        f"p99 {ms['p99']:7.2f} ms   max {v[-1] * 1000:7.2f} ms"
    )


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--writes", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--database-url", default="", help="default: SQLite in a temporary directory"
    )
    parser.add_argument("--broker-url", default="memory://")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="owlistic-bench-") as tmp:
        config = standalone_config(args, Path(tmp))
        async with running(config, Path(tmp), "ws_latency") as server:
            events, http = await measure(server.base_url, args.writes, args.warmup)
    argv = [a if not a.startswith("postgresql") else redact(a) for a in sys.argv[1:]]
    print("command:", shlex.join(["python", "-m", "bench.ws_latency", *argv]))
    print(
        f"mode: database={redact(args.database_url) or 'sqlite (temporary)'} "
        f"broker={args.broker_url}; {args.writes} writes after {args.warmup} warm-up"
    )
    print(summary("write -> WebSocket event", events))
    print(summary("write -> HTTP response", http))
    print(summary("HTTP response -> event", [e - h for e, h in zip(events, http, strict=True)]))


if __name__ == "__main__":
    asyncio.run(main())
