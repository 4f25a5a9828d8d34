"""``owlistic serve --workers 2`` on PostgreSQL + Kafka: one address, two processes, and a
WebSocket on either worker receives the writes handled by the other.

Collected only when PostgreSQL and a shared broker are configured (see conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from bench.procstat import children
from owlistic.settings import Settings
from tests.api.helpers import API, notebook_with_note, ok
from tests.conftest import Account, drop_topics, register, run_database
from tests.realtime.processes import ServerProcess, owlistic_servers
from tests.realtime.wsclient import WAIT, next_event, ws_connect

pytestmark = [pytest.mark.multiprocess, pytest.mark.kafka]

WORKERS = 2
MIN_CLIENTS = 6
MAX_CLIENTS = 40  # connections are accepted by whichever worker wakes first
WRITES = 4
COLD_START = 60.0


def worker_pids(server: ServerProcess) -> list[int]:
    """The worker processes: the supervisor's only children (``owlistic/workers.py``)."""
    return children(server.pid)


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def _accepted_sockets(server_port: int) -> dict[int, int]:
    """Client port -> inode of the server's end of each loopback TCP connection."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if local_port == server_port and remote_port:
                    found[remote_port] = int(fields[9])
    return found


def owner(ws: ClientConnection, server: ServerProcess, workers: list[int]) -> int | None:
    """The worker process holding the server side of ``ws``."""
    return owner_of(ws.local_address[1], server, workers)


def owner_of(client_port: int, server: ServerProcess, workers: list[int]) -> int | None:
    """The worker process holding the server side of the connection from ``client_port``."""
    port = urlsplit(server.url).port
    assert port is not None
    inode = _accepted_sockets(port).get(client_port)
    for pid in workers:
        if inode is not None and inode in _socket_inodes(pid):
            return pid
    return None


@contextlib.asynccontextmanager
async def workers_server(
    settings: Settings,
    tmp_path: Path,
    *,
    env: Mapping[str, str | None] | None = None,
    port_variables: Sequence[str] = (),
) -> AsyncIterator[tuple[ServerProcess, Settings]]:
    """``owlistic serve --workers 2`` on a fresh database and its own topics, with the
    settings it runs on; ``env`` and ``port_variables`` as for ``owlistic_servers``."""
    custom = settings.model_copy(update={"kafka_topic_prefix": f"owlw{uuid.uuid4().hex[:8]}."})
    async with run_database(tmp_path / "unused.db") as url:
        custom = custom.model_copy(update={"database_url": url})
        try:
            async with owlistic_servers(
                custom,
                tmp_path,
                1,
                args=["--workers", str(WORKERS)],
                env=env,
                port_variables=port_variables,
            ) as (server,):
                yield server, custom
        finally:
            await drop_topics(custom)


async def connect_across_workers(
    stack: AsyncExitStack, server: ServerProcess, alice: Account, workers: list[int]
) -> dict[ClientConnection, int]:
    """At least ``MIN_CLIENTS`` sockets, and more until every worker holds one."""
    placed: dict[ClientConnection, int] = {}
    while len(placed) < MAX_CLIENTS:
        if len(placed) >= MIN_CLIENTS and set(placed.values()) == set(workers):
            return placed
        ws = await stack.enter_async_context(ws_connect(server, alice))
        for _ in range(50):  # the server side is registered right after the handshake
            pid = owner(ws, server, workers)
            if pid is not None:
                placed[ws] = pid
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("no worker holds the socket")
        await asyncio.sleep(0.05)  # let the other worker's accept loop win sometimes
    raise AssertionError(f"{MAX_CLIENTS} sockets, all on {set(placed.values())} of {workers}")


async def updated_titles(
    ws: ClientConnection, note_id: str, count: int, timeout: float = WAIT
) -> list[str]:
    """The titles of the next ``count`` updates of the note (fewer if they stop coming)."""
    titles: list[str] = []
    with contextlib.suppress(TimeoutError):
        while len(titles) < count:
            event = await next_event(ws, "note.updated", timeout=timeout)
            assert event["payload"]["note_id"] == note_id, event
            titles.append(event["payload"]["title"])
    return titles


async def test_websockets_on_every_worker_get_writes_of_any_worker(
    settings: Settings, tmp_path: Path
) -> None:
    # No configured JWT secret: it is generated into the data dir and must be the same in
    # both workers (a token issued by one is checked by the other).
    async with workers_server(settings, tmp_path, env={"OWLISTIC_JWT_SECRET": None}) as (
        server,
        _,
    ):
        # No keep-alive: each request is a new connection, accepted by either worker.
        fresh = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=fresh) as client:
            ok(await client.get("/healthz"))
            workers = worker_pids(server)
            assert len(workers) == WORKERS, workers
            alice = await register(client)
            _, note = await notebook_with_note(client, alice)
            async with AsyncExitStack() as stack:
                placed = await connect_across_workers(stack, server, alice, workers)
                # Fresh topics: the first publish may wait for partition leaders (slow on a
                # busy machine). Not what this test is about, so it is waited for first.
                put = f"{API}/notes/{note['id']}"
                ok(await client.put(put, json={"title": "warm-up"}, headers=alice.headers))
                warm = await asyncio.gather(
                    *(updated_titles(ws, note["id"], 1, COLD_START) for ws in placed)
                )
                assert all(got == ["warm-up"] for got in warm), warm
                titles = [f"from any worker {i}" for i in range(WRITES)]
                for title in titles:
                    ok(await client.put(put, json={"title": title}, headers=alice.headers))
                seen = await asyncio.gather(
                    *(updated_titles(ws, note["id"], len(titles)) for ws in placed)
                )
                by_worker = [(placed[ws], got) for ws, got in zip(placed, seen, strict=True)]
                assert all(got == titles for got in seen), by_worker
            assert sorted(worker_pids(server)) == sorted(workers)  # nobody crashed meanwhile
            # A worker that dies is replaced by a new fork, which serves too.
            os.kill(workers[0], signal.SIGKILL)
            replaced: list[int] = []
            for _ in range(int(COLD_START / 0.1)):
                replaced = worker_pids(server)
                if len(replaced) == WORKERS and workers[0] not in replaced:
                    break
                await asyncio.sleep(0.1)
            assert workers[0] not in replaced, replaced
            assert len(replaced) == WORKERS, replaced
            for _ in range(MIN_CLIENTS):  # fresh connections, taken by either worker
                ok(await client.get(f"{API}/profile", headers=alice.headers))
