"""The server under test: ``python -m owlistic serve`` in its own process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from bench.backends import ServerConfig
from bench.http import Connection, HttpError

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 20.0


def raise_fd_limit(wanted: int = 65_536) -> int:
    """Raise this process's open-file limit (children inherit it); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for target in (max(wanted, hard), hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, max(target, hard)))
            return target
        except (ValueError, OSError):
            continue
    return soft


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


class ServerFailed(RuntimeError):
    """The server exited or never became ready."""


@dataclass
class Server:
    config: ServerConfig
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    spawned_at: float

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def host(self) -> str:
        return HOST

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/ws"

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def wait_until(self, path: str = "/healthz", token: str | None = None) -> float:
        """Poll ``path`` every 5 ms until it answers 200; seconds since the process spawned."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        deadline = time.perf_counter() + READY_TIMEOUT_SECONDS
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            conn = Connection(HOST, self.port, headers)
            try:
                if (await conn.request("GET", path)).status == 200:
                    return time.perf_counter() - self.spawned_at
            except HttpError:
                pass
            finally:
                await conn.close()
            await asyncio.sleep(0.005)
        raise ServerFailed(f"{path} not ready after {READY_TIMEOUT_SECONDS}s:\n{self.log_tail()}")


def spawn(config: ServerConfig, log_dir: Path, label: str, code: Path | None = None) -> Server:
    """``code``: a checkout whose ``owlistic`` package runs instead of this one (``--baseline``)."""
    port = free_port()
    env = config.env if code is None else config.env | {"PYTHONPATH": str(code)}
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{config.mode}-{label}.log"
    command = [sys.executable, "-m", "owlistic", "serve", "--host", HOST, "--port", str(port)]
    with log_path.open("ab") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command,
            cwd=config.data_dir,  # no stray .env from the working tree
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(config=config, port=port, proc=proc, log_path=log_path, spawned_at=started)


async def stop(server: Server) -> int | None:
    """SIGINT (uvicorn's graceful shutdown; with workers the supervisor stops them), then
    SIGTERM, then SIGKILL to the server's whole process group (workers included)."""
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_SECONDS), (signal.SIGTERM, 5.0)):
        if server.proc.poll() is not None:
            break
        server.proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(server.proc.wait, wait)
    if server.proc.poll() is None:
        # Not yet reaped, so the group id (its pid, ``start_new_session``) is still ours.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait()
    return server.proc.returncode


@contextlib.asynccontextmanager
async def running(
    config: ServerConfig, log_dir: Path, label: str, code: Path | None = None
) -> AsyncIterator[Server]:
    server = spawn(config, log_dir, label, code)
    try:
        await server.wait_until("/healthz")
        yield server
    finally:
        await stop(server)
