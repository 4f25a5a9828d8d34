"""Engine and sessions. Nothing is created at import time: ``Database`` is built at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry

from owlistic.kit import sqlite_driver
from owlistic.settings import Settings

# Set by whatever writes outbox rows (events/outbox.py): the commit then wakes the relay.
OUTBOX_WRITTEN = "owlistic.outbox_pending"
_READONLY = "owlistic.readonly"


class ReadOnlyViolation(RuntimeError):
    """A write in a read-only unit of work: a bug in the route's choice of session."""


def _refuse_flush(session: Session, _flush: object, _instances: object) -> None:
    if session.info.get(_READONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation("this unit of work is read-only; the route needs a WriteSession")


def _refuse_dml(state: ORMExecuteState) -> None:
    if state.session.info.get(_READONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlyViolation("this unit of work is read-only; the route needs a WriteSession")


def _install_readonly_guard() -> None:
    if not event.contains(Session, "before_flush", _refuse_flush):
        event.listen(Session, "before_flush", _refuse_flush)
        event.listen(Session, "do_orm_execute", _refuse_dml)


def _configure_sqlite(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling is turned off so that we decide how BEGIN is
    # issued: writers take the write lock up front (BEGIN IMMEDIATE) and wait for it via
    # busy_timeout, instead of failing with "database is locked" on a read->write upgrade.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_creator(url: str) -> Callable[[], Awaitable[sqlite_driver.Connection]]:
    """Connections of ``kit.sqlite_driver`` (one thread hop per statement) opened with what
    the URL's dialect would have passed to sqlite3."""
    parsed = make_url(url)
    (database, *_), options = parsed.get_dialect()().create_connect_args(parsed)
    return sqlite_driver.connector(str(database), **options)


_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _postgres_connect_args(url: str) -> dict[str, Any]:
    """asyncpg negotiates TLS whenever the server offers it (``sslmode=prefer``): on the
    loopback that is encryption of nothing, paid on every connect and in every round trip.
    A URL that names ``ssl``/``sslmode`` keeps its choice."""
    parsed = make_url(url)
    if parsed.host in _LOOPBACK and not {"ssl", "sslmode"} & set(parsed.query):
        return {"ssl": False}
    return {}


class Database:
    def __init__(self, settings: Settings) -> None:
        url = settings.effective_database_url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": settings.database_echo}
        if self.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            # A fixed pool: each connection is a thread plus PRAGMAs to open.
            kwargs |= {"pool_size": 16, "max_overflow": 0, "async_creator": _sqlite_creator(url)}
        else:
            # No pre-ping round trip per checkout; a dropped connection is invalidated on
            # its first error and old ones are recycled.
            kwargs |= {
                "pool_size": settings.database_pool_size,
                "max_overflow": 20,
                "pool_recycle": 1800,
                "connect_args": _postgres_connect_args(url),
            }
        self.url = url
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
            read_engine = self.engine.execution_options(sqlite_begin="DEFERRED")
        else:
            read_engine = self.engine
        # SQLite has one writer at a time. Queue writers here, in order, instead of letting
        # them spin in SQLite's busy handler (which is unfair and sleeps in steps).
        self._write_turn: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessionmaker = async_sessionmaker(
            read_engine, expire_on_commit=False, info={_READONLY: True}
        )
        _install_readonly_guard()
        self._after_outbox_commit: list[Callable[[], None]] = []
        self._before_commit: list[Callable[[AsyncSession], Awaitable[None]]] = []
        self._after_commit: list[Callable[[AsyncSession], None]] = []

    def on_commit(
        self,
        before: Callable[[AsyncSession], Awaitable[None]],
        after: Callable[[AsyncSession], None],
    ) -> None:
        """``before`` runs in every write unit of work just before it commits (it may still
        write), ``after`` once it has committed."""
        self._before_commit.append(before)
        self._after_commit.append(after)

    def on_outbox_commit(self, callback: Callable[[], None]) -> None:
        """``callback`` runs after every commit of this process that wrote outbox rows."""
        self._after_outbox_commit.append(callback)

    @asynccontextmanager
    async def session(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits on success, rolls back on any error."""
        maker = self.read_sessionmaker if readonly else self.sessionmaker
        turn = self._write_turn if not readonly and self._write_turn else nullcontext()
        async with turn, maker() as session:
            try:
                yield session
                if readonly:
                    await session.rollback()
                else:
                    for before in self._before_commit:
                        await before(session)
                    await session.commit()
            except BaseException:
                await session.rollback()
                raise
            wrote_outbox = bool(session.info.get(OUTBOX_WRITTEN))
        if not readonly:
            for after in self._after_commit:
                after(session)
        if wrote_outbox:
            for callback in self._after_outbox_commit:
                callback()

    async def dispose(self) -> None:
        await self.engine.dispose()
