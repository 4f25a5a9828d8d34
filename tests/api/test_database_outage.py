"""While the database is away, requests get 503 with Retry-After (never 500), and the server
recovers by itself. A scratch PostgreSQL database of this test is made unreachable by
terminating its connections and renaming it. Collected only on PostgreSQL (conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from owlistic.settings import Settings
from tests.api.helpers import API, error_of, ok
from tests.conftest import register, run_database, running_server


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _rename(url: str, old: str, new: str) -> None:
    # The server reconnects by itself (relay, listener): try until no session is left.
    for _ in range(50):
        try:
            await _admin(
                url,
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{old}'",
                f'ALTER DATABASE "{old}" RENAME TO "{new}"',
            )
            return
        except DBAPIError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"could not rename {old}")


@pytest.fixture
async def own_database(tmp_path: Path) -> AsyncIterator[str]:
    async with run_database(tmp_path / "unused.db") as url:
        yield url


async def test_writes_and_reads_get_503_while_the_database_is_away(
    settings: Settings, own_database: str
) -> None:
    custom = settings.model_copy(update={"database_url": own_database})
    name = make_url(own_database).database
    assert name is not None
    async with (
        running_server(custom) as live,
        httpx.AsyncClient(base_url=live.url, timeout=30) as c,
    ):
        ann = await register(c)
        nb = ok(await c.post(f"{API}/notebooks", json={"name": "n"}, headers=ann.headers), 201)
        await _rename(own_database, name, f"{name}_away")
        try:
            for r in (
                await c.post(f"{API}/notebooks", json={"name": "m"}, headers=ann.headers),
                await c.get(f"{API}/notebooks/{nb['id']}", headers=ann.headers),
                await c.post(f"{API}/login", json={"email": ann.email, "password": ann.password}),
            ):
                assert "unavailable" in error_of(r, 503)
                assert int(r.headers["Retry-After"]) > 0
            assert (await c.get("/readyz")).status_code == 503
        finally:
            await _rename(own_database, f"{name}_away", name)
        ok(await c.post(f"{API}/notebooks", json={"name": "back"}, headers=ann.headers), 201)
