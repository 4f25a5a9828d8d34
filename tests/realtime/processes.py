"""Run ``owlistic serve`` in a subprocess, configured like the test session's server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from owlistic.settings import Settings
from tests.conftest import (
    PORT_ATTEMPTS,
    START_TIMEOUT,
    TEST_PASSWORD_COST,
    TEST_RATE_LIMITS,
    TEST_SECRET,
    free_port,
)


@dataclass
class ServerProcess:
    url: str
    log: Path
    pid: int
    ports: dict[str, int] = field(default_factory=dict)  # by ``port_variables`` name

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


class PortTaken(RuntimeError):
    """The server exited because one of its ports was already taken."""


def server_env(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWLISTIC_")}
    return env | {
        "OWLISTIC_ENV": "test",
        "OWLISTIC_DATA_DIR": str(data_dir),
        "OWLISTIC_DATABASE_URL": settings.effective_database_url,
        "OWLISTIC_BROKER_URL": settings.broker_url,
        "OWLISTIC_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
        "OWLISTIC_JWT_SECRET": TEST_SECRET,
        "OWLISTIC_WEB_DIST": str(data_dir / "no-web-build"),
        **{
            f"OWLISTIC_{k.upper()}": str(v)
            for k, v in {**TEST_RATE_LIMITS, **TEST_PASSWORD_COST}.items()
        },
    }


@asynccontextmanager
async def owlistic_servers(
    settings: Settings,
    base_dir: Path,
    count: int,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
    port_variables: Sequence[str] = (),
) -> AsyncIterator[list[ServerProcess]]:
    """Starts ``count`` servers at once; yields when all answer ``/readyz`` with 200.

    ``args`` are added to ``owlistic serve``; ``env`` overrides the environment (``None``
    removes a variable); each of ``port_variables`` is set to a free port of its own
    (``ServerProcess.ports``)."""
    procs: list[asyncio.subprocess.Process] = []
    try:
        async with asyncio.TaskGroup() as group:
            starting = [
                group.create_task(
                    _start(settings, base_dir / f"server-{i}", args, env, port_variables, procs)
                )
                for i in range(count)
            ]
        yield [t.result() for t in starting]
    finally:
        await asyncio.gather(*(_stop(p) for p in procs))


async def _start(
    settings: Settings,
    data_dir: Path,
    args: Sequence[str],
    env: Mapping[str, str | None] | None,
    port_variables: Sequence[str],
    procs: list[asyncio.subprocess.Process],
) -> ServerProcess:
    """A ready server; started again on other ports while its ports turn out to be taken
    (they are picked free, but another process may bind one before the server does)."""
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    environment = server_env(settings, data_dir)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    log = data_dir / "server.log"
    attempt = 0
    while True:
        attempt += 1
        port = free_port()
        ports = {name: free_port() for name in port_variables}
        # A file, not a pipe: nobody reads a pipe while the test runs, and a full pipe would
        # block the server's logging.
        with log.open("wb") as out:
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "owlistic",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *args,
                    env=environment | {name: str(p) for name, p in ports.items()},
                    cwd=data_dir,  # no stray .env read
                    stdout=out,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,  # its own process group, workers included
                )
            )
        server = ServerProcess(f"http://127.0.0.1:{port}", log, procs[-1].pid, ports)
        try:
            await _wait_ready(server, procs[-1])
            return server
        except PortTaken:
            if attempt == PORT_ATTEMPTS:
                raise


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            # Not reaped yet, so its group (workers included) is still ours to kill.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


def _cause(log: str) -> str:
    """The first traceback of a server's log (a worker's failure, not the others' shutdown),
    and how it ended."""
    first = log.find("Traceback")
    head = log[first : first + 4000] + "\n[...]\n" if first >= 0 else ""
    return head + log[-1500:]


async def _wait_ready(server: ServerProcess, proc: asyncio.subprocess.Process) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        while loop.time() < deadline:
            if proc.returncode is not None:
                output = await asyncio.to_thread(server.log.read_text)
                if "address already in use" in output:
                    raise PortTaken(output[-2000:])
                raise RuntimeError(f"server exited with {proc.returncode}: {_cause(output)}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {server.url} not ready after {START_TIMEOUT}s")
