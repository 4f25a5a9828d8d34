"""One real server per test session, on the database and broker named by the environment.

``OWLISTIC_TEST_DATABASE_URL`` (default: a fresh SQLite file) and ``OWLISTIC_TEST_BROKER_URL``
(default ``memory://``) choose the run; ``make test`` runs the suite once per combination.
Tests isolate themselves by creating their own users, so nothing is shared between them.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from owlistic.app import create_app
from owlistic.settings import Settings

TEST_SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("owlistic-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> str:
    return os.environ.get("OWLISTIC_TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{data_dir / 'test.db'}"
    )


@pytest.fixture(scope="session")
def broker_url() -> str:
    return os.environ.get("OWLISTIC_TEST_BROKER_URL", "memory://")


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str, broker_url: str) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        broker_url=broker_url,
        jwt_secret=SecretStr(TEST_SECRET),
        max_body_bytes=256 * 1024,
        kafka_topic_prefix=f"owltest{uuid.uuid4().hex[:8]}.",
        web_dist=data_dir / "no-web-build",
    )


@dataclass
class LiveServer:
    url: str
    settings: Settings

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    if not settings.is_sqlite:
        await reset_postgres(settings.effective_database_url)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws="websockets-sansio",
    )
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve())
    for _ in range(600):
        if uv.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("test server did not start")
    yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings)
    uv.should_exit = True
    await task


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


async def register(client: httpx.AsyncClient, **extra: str) -> Account:
    email = f"u{uuid.uuid4().hex[:12]}@example.com"
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
