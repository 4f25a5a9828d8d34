"""The embedded database's connection (``kit/sqlite_driver.py``): one hand-off to the
connection's thread per statement, with everything SQLAlchemy reads from a cursor."""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from owlistic.kit import sqlite_driver
from owlistic.kit.db import Database
from owlistic.settings import Settings

# Long enough (about a second) to be cancelled while it runs.
SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
async def db(tmp_path: Path, settings: Settings) -> AsyncIterator[Database]:
    database = Database(
        settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"})
    )
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield database
    await database.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """How many jobs were handed to connection threads, by kind."""
    counted: collections.Counter[str] = collections.Counter()
    original = sqlite_driver.Connection._run

    async def run(self: sqlite_driver.Connection, job: Any) -> Any:
        counted[getattr(job, "__name__", "job")] += 1
        return await original(self, job)

    monkeypatch.setattr(sqlite_driver.Connection, "_run", run)
    return counted


async def test_a_write_unit_of_work_costs_one_hand_off_per_statement(
    db: Database, hand_offs: collections.Counter[str]
) -> None:
    async with db.session() as session:
        inserted = await session.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
        assert getattr(inserted, "rowcount", None) == 2
        rows = (await session.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
    assert [name for _, name in rows] == ["a", "b"]
    # BEGIN IMMEDIATE, the two statements and COMMIT; the pool's reset of a connection
    # whose transaction has ended costs nothing.
    assert sum(hand_offs.values()) == 4, hand_offs
    assert hand_offs["commit"] == 1
    assert hand_offs["rollback"] == 0


async def test_cursor_answers_rows_in_pieces_last_row_id_and_errors(db: Database) -> None:
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, sqlite_driver.Connection)
        cursor = driver.cursor()
        await cursor.execute("INSERT INTO t (name) VALUES (?)", ("x",))
        assert cursor.lastrowid == 1
        assert cursor.rowcount == 1
        await cursor.executemany("INSERT INTO t (name) VALUES (?)", [("y",), ("z",)])
        assert cursor.rowcount == 2
        await cursor.execute("SELECT name FROM t ORDER BY id")
        assert [d[0] for d in cursor.description] == ["name"]
        assert await cursor.fetchone() == ("x",)
        assert await cursor.fetchmany(5) == [("y",), ("z",)]
        assert await cursor.fetchone() is None
        assert await cursor.fetchall() == []
        await driver.rollback()

    with pytest.raises(IntegrityError):
        async with db.session() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('dup'), ('dup')"))
    async with db.session(readonly=True) as session:
        count = await session.scalar(text("SELECT count(*) FROM t WHERE name = 'dup'"))
    assert count == 0, "the failed statement's transaction was rolled back"


async def test_a_cancelled_statement_leaves_its_connection_usable(db: Database) -> None:
    slow = text(SLOW)

    async def read() -> Any:
        async with db.session(readonly=True) as session:
            return await session.scalar(slow)

    task = asyncio.create_task(read())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Every pooled connection still answers (the cancelled one finished its statement in
    # its thread and was returned or discarded by the pool).
    answers = await asyncio.gather(*(_one(db) for _ in range(20)))
    assert answers == [1] * 20


async def test_a_rollback_after_cancelled_statements_waits_for_them(tmp_path: Path) -> None:
    """A request cancelled while its BEGIN still waits behind a slow statement: the pool's
    rollback must run after that BEGIN (the connection would go back to the pool inside a
    transaction), not be skipped because no transaction is open yet."""
    connection = await sqlite_driver.connector(str(tmp_path / "r.db"))()
    try:
        slow = asyncio.create_task(connection.cursor().execute(SLOW))
        begin = asyncio.create_task(connection.cursor().execute("BEGIN"))
        await asyncio.sleep(0.05)
        for task in (slow, begin):
            task.cancel()
        await asyncio.gather(slow, begin, return_exceptions=True)
        await asyncio.wait_for(connection.rollback(), 30)
        await connection.cursor().execute("SELECT 1")  # after everything queued before it
        assert not connection._conn.in_transaction, "the connection was left in a transaction"
    finally:
        await connection.close()


async def _one(db: Database) -> Any:
    async with db.session(readonly=True) as session:
        return await session.scalar(text("SELECT 1"))


async def test_a_closed_connection_says_so_and_closing_again_returns(tmp_path: Path) -> None:
    """Closing again right after a close must not queue a job behind the one that ended
    the connection's thread: its caller would wait for ever (seen once in a loaded CI
    run). Many rounds, each bounded, so a hang fails instead of stalling the suite."""
    for _ in range(50):
        connection = await sqlite_driver.connector(str(tmp_path / "c.db"))()
        await asyncio.wait_for(connection.close(), 5)
        await asyncio.wait_for(connection.close(), 5)
        connection.stop()  # as harmless
        with pytest.raises(ValueError, match="no active connection"):
            await asyncio.wait_for(connection.cursor().execute("SELECT 1"), 5)
        with pytest.raises(ValueError, match="no active connection"):
            await asyncio.wait_for(connection.commit(), 5)


async def test_a_missing_directory_is_an_operational_error(tmp_path: Path) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    path = str(tmp_path / "missing" / "d.db")
    before = threading.active_count()
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}", async_creator=sqlite_driver.connector(path)
    )
    try:
        with pytest.raises(OperationalError):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while threading.active_count() > before:  # the failed connection's thread ended
        assert loop.time() < deadline, "a thread was left waiting for jobs"
        await asyncio.sleep(0.01)
