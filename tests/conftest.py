"""One real server per test session, on the database and broker named by the environment.

``OWLISTIC_TEST_DATABASE_URL`` (default: a fresh SQLite file) and ``OWLISTIC_TEST_BROKER_URL``
(default ``memory://``) choose the run; ``make test`` runs the suite once per combination.
Tests isolate themselves by creating their own users, so nothing is shared between them.

Tests that do not depend on the stack (``tests/unit``, and modules marked ``once``) run in the
embedded run only: the production run would repeat them word for word.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from owlistic.app import create_app
from owlistic.events.broker.kafka import parse_bootstrap
from owlistic.realtime.server_options import uvicorn_ws_options
from owlistic.settings import Settings

TEST_SECRET = "test-secret-" + "x" * 40
# Every test registers and logs in from 127.0.0.1: the suite's servers allow that many
# attempts; the rate-limit tests run their own server with the defaults.
TEST_RATE_LIMITS = {
    name: 1_000_000
    for name in Settings.model_fields
    if name.startswith("rate_limit_") and name != "rate_limit_window_seconds"
}
# Password hashes at the lowest cost: registering and logging in is most tests' first step,
# and Argon2id's production cost (a quarter of a second of CPU each) added up to minutes.
TEST_PASSWORD_COST = {"password_hash_time_cost": 1, "password_hash_memory_kib": 1024}
ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
ATTACHMENT_QUOTA_BYTES = 5 * 1024 * 1024
# Generous: on a loaded machine a server (uvicorn's worker processes above all) can take
# 40 s to start.
START_TIMEOUT = 180.0
KEEP_ALIVE_SECONDS = 300
# Starts on a port that turned out to be taken, before giving up.
PORT_ATTEMPTS = 5

T = TypeVar("T")


UNIT_TESTS = Path(__file__).resolve().parent / "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("OWLISTIC_TEST_DATABASE_URL"):
        return
    keep: list[pytest.Item] = []
    once: list[pytest.Item] = []
    for item in items:
        stackless = item.get_closest_marker("once") or UNIT_TESTS in item.path.parents
        (once if stackless else keep).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = keep


def free_port() -> int:
    """A port that was free a moment ago: another process may take it before it is bound, so
    a server started on it goes through ``on_free_port`` (or binds ``bound_socket()``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def bound_socket() -> socket.socket:
    """A socket bound to a port of the kernel's choosing, to hand to a server: no other
    process can take the port in between."""
    sock = socket.socket()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
    except BaseException:
        sock.close()
        raise
    return sock


def port_taken(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE


def on_free_port(start: Callable[[int], T]) -> T:
    """``start(port)`` on a free port, again on another if it was taken meanwhile."""
    for _ in range(PORT_ATTEMPTS - 1):
        try:
            return start(free_port())
        except OSError as exc:
            if not port_taken(exc):
                raise
    return start(free_port())


async def create_scratch_database(url: str) -> str:
    """A fresh database beside the configured one, so concurrent runs never collide."""
    base = make_url(url)
    name = f"{base.database}_{uuid.uuid4().hex[:10]}"
    engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


async def drop_scratch_database(url: str) -> None:
    target = make_url(url)
    engine = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("owlistic-data")


@asynccontextmanager
async def run_database(sqlite_file: Path) -> AsyncIterator[str]:
    """This run's kind of database: a scratch PostgreSQL one if configured, else SQLite."""
    configured = os.environ.get("OWLISTIC_TEST_DATABASE_URL")
    if not configured:
        yield f"sqlite+aiosqlite:///{sqlite_file}"
        return
    url = await create_scratch_database(configured)
    try:
        yield url
    finally:
        await drop_scratch_database(url)


@pytest.fixture(scope="session")
async def database_url(data_dir: Path) -> AsyncIterator[str]:
    async with run_database(data_dir / "test.db") as url:
        yield url


@pytest.fixture(scope="session")
def broker_url() -> str:
    return os.environ.get("OWLISTIC_TEST_BROKER_URL", "memory://")


@dataclass
class MailSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping what it received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
        self, _server: object, _session: object, envelope: Any
    ) -> str:
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture(scope="session")
def storage_url() -> str | None:
    """``OWLISTIC_TEST_STORAGE_URL`` (an ``s3://`` store) under a prefix of this run's own,
    or None for the embedded default (a folder in the data dir)."""
    configured = os.environ.get("OWLISTIC_TEST_STORAGE_URL")
    if not configured:
        return None
    parts = urlsplit(configured)
    prefix = f"{parts.path.strip('/')}/run-{uuid.uuid4().hex[:10]}".lstrip("/")
    return urlunsplit(parts._replace(path=f"/{prefix}"))


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    def start(port: int) -> tuple[MailSink, Controller]:
        sink = MailSink(port=port)
        # aiosmtpd's default of 1 s to answer is too short on a loaded machine.
        controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=START_TIMEOUT)
        try:
            controller.start()
        except BaseException:
            controller.loop.close()  # its thread ended without closing it
            raise
        return sink, controller

    sink, controller = on_free_port(start)
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def settings(
    data_dir: Path,
    database_url: str,
    broker_url: str,
    storage_url: str | None,
    mail_sink: MailSink,
) -> Settings:
    base = Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        broker_url=broker_url,
        jwt_secret=SecretStr(TEST_SECRET),
        max_body_bytes=256 * 1024,
        kafka_topic_prefix=f"owltest{uuid.uuid4().hex[:8]}.",
        web_dist=data_dir / "no-web-build",
        storage_url=storage_url,
        attachment_max_bytes=ATTACHMENT_MAX_BYTES,
        attachment_quota_bytes=ATTACHMENT_QUOTA_BYTES,
        attachment_max_image_pixels=4_000_000,
        attachment_preview_pixels=64,
        # Reminder tests run their own push service and SMTP server on 127.0.0.1.
        push_allow_http=True,
        smtp_host="127.0.0.1",
        smtp_port=mail_sink.port,
        smtp_starttls=False,
    )
    return base.model_copy(update={**TEST_RATE_LIMITS, **TEST_PASSWORD_COST})


@dataclass
class LiveServer:
    url: str
    settings: Settings
    app: FastAPI  # ``app.state.runtime`` is the running server's Runtime (db, events)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


@asynccontextmanager
async def running_server(settings: Settings) -> AsyncIterator[LiveServer]:
    """A real uvicorn serving ``create_app(settings)`` on a free port, in this event loop."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,  # as ``owlistic serve``: the app reads trusted proxies itself
        # Not uvicorn's 5 s: the client shares this event loop, and when a loaded machine
        # stalls it that long between two requests, the server closes the connection just as
        # the client reuses it (a ReadError).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        **uvicorn_ws_options(settings),
    )
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    try:
        await _started(uv, task)
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    finally:
        uv.should_exit = True
        await task
        sock.close()


async def _started(uv: uvicorn.Server, task: asyncio.Task[None]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while not uv.started:
        if task.done():
            task.result()  # raises what stopped it, if anything did
            raise RuntimeError("test server exited while starting (see its log above)")
        if loop.time() > deadline:
            raise RuntimeError(f"test server did not start in {START_TIMEOUT} s")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    async with running_server(settings) as live:
        yield live
    if settings.broker_url.startswith("kafka://"):
        await drop_topics(settings)


async def drop_topics(settings: Settings) -> None:
    """Each run uses its own topic prefix; remove its topics so brokers do not accumulate them."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=parse_bootstrap(settings.broker_url))
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith(settings.kafka_topic_prefix)]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


@pytest.fixture
async def client(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        yield c


@dataclass
class Account:
    id: str
    email: str
    password: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client: httpx.AsyncClient, email: str | None = None, **extra: str) -> Account:
    """A new account, logged in (``email`` defaults to a random one)."""
    email = email or f"u{uuid.uuid4().hex[:12]}@example.com"
    password = "correct horse battery staple"
    r = await client.post("/api/v1/register", json={"email": email, "password": password, **extra})
    assert r.status_code == 201, r.text
    r2 = await client.post("/api/v1/login", json={"email": email, "password": password})
    assert r2.status_code == 200, r2.text
    body = r2.json()
    return Account(
        id=r.json()["id"],
        email=email,
        password=password,
        token=body["token"],
        refresh_token=body["refresh_token"],
    )


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Account:
    return await register(client)


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> Account:
    return await register(client)
