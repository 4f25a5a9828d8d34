"""SQLite for asyncio at one thread hop per statement.

SQLAlchemy's aiosqlite adapter sends every DBAPI call to the connection's thread and
waits for the answer: creating a cursor, executing, fetching and closing are four round
trips per statement (a queue put, a thread wake-up, a GIL hand-over and a wake-up of the
event loop each). A REST write made about 45 of them, which was half of its CPU time.

This connection keeps the shape SQLAlchemy's aiosqlite dialect expects (it is given to
the engine through ``async_creator``), but a statement is one job for its thread: execute,
fetch every row, copy the cursor's description, row count and last row id, close. The
cursor the dialect holds only answers from that copy. Statements still never run on the
event loop, so a slow query (a search over a million blocks, a trash cascade) blocks
nothing but its own connection.

Every row is fetched at execute, as the aiosqlite adapter already does for all but
server-side cursors, which nothing here uses on SQLite.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple["asyncio.Future[Any] | None", Callable[[], Any]]
_STOP = object()


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    # The awaiting task may have been cancelled meanwhile: its statement still ran.
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _serve(jobs: _Jobs) -> None:
    while True:
        future, job = jobs.queue.get()
        result: Any = None
        error: BaseException | None = None
        try:
            result = job()
        except BaseException as exc:  # handed to the awaiting task, which re-raises it
            error = exc
        jobs.finished += 1
        if future is not None:
            future.get_loop().call_soon_threadsafe(_settle, future, result, error)
        if result is _STOP:
            return


class _Jobs:
    """A connection's queue (what the aiosqlite dialect calls ``_tx``: it queues the
    ``isolation_level`` setter). ``queued`` is only written by the event loop's thread,
    ``finished`` only by the connection's, so neither loses a count."""

    def __init__(self) -> None:
        self.queue: SimpleQueue[_Job] = SimpleQueue()
        self.queued = 0
        self.finished = 0

    def put_nowait(self, job: _Job) -> None:
        self.queued += 1
        self.queue.put_nowait(job)

    @property
    def idle(self) -> bool:
        """No job waiting or running (one whose awaiting task was cancelled may still be)."""
        return self.finished == self.queued


class _Outcome:
    __slots__ = ("description", "lastrowid", "rowcount", "rows")

    def __init__(self, cursor: sqlite3.Cursor, rows: list[Any]) -> None:
        self.rows = rows
        self.description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid


class Cursor:
    """Answers from the outcome of its last statement; nothing here waits for the thread
    except ``execute``/``executemany``."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self._at = 0
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def _take(self, outcome: _Outcome) -> Cursor:
        self._rows, self._at = outcome.rows, 0
        self.description = outcome.description
        self.rowcount = outcome.rowcount
        self.lastrowid = outcome.lastrowid
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        args = () if parameters is None else (parameters,)
        return await self._one_job(lambda cursor: cursor.execute(sql, *args))

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]) -> Cursor:
        rows = list(seq_of_parameters)
        return await self._one_job(lambda cursor: cursor.executemany(sql, rows))

    async def _one_job(self, statement: Callable[[sqlite3.Cursor], object]) -> Cursor:
        """``statement`` on a fresh sqlite3 cursor, its rows fetched, in one job."""
        conn = self._connection._conn

        def run() -> _Outcome:
            cursor = conn.cursor()
            try:
                statement(cursor)
                return _Outcome(cursor, cursor.fetchall() if cursor.description else [])
            finally:
                cursor.close()

        return self._take(await self._connection._run(run))

    async def fetchone(self) -> Any:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        end = self._at + (size or self.arraysize)
        taken, self._at = self._rows[self._at : end], min(end, len(self._rows))
        return taken

    async def fetchall(self) -> list[Any]:
        taken, self._at = self._rows[self._at :], len(self._rows)
        return taken

    async def close(self) -> None:
        self._rows, self._at = [], 0


class Connection:
    """One sqlite3 connection owned by one thread (``check_same_thread`` is off only so
    that the thread that opened it need not be the one that is asked to close it)."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connector = connect
        self._connection: sqlite3.Connection | None = None
        # Set when the job that ends the thread is queued: no job may follow it (the
        # thread would never run it, and its caller would wait for ever).
        self._closing = False
        self._tx = _Jobs()
        self._thread = threading.Thread(
            target=_serve, args=(self._tx,), name="owlistic-sqlite", daemon=True
        )

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            # The dialect maps this message to an OperationalError.
            raise ValueError("no active connection")
        return self._connection

    async def _run(self, job: Callable[[], T], *, last: bool = False) -> T:
        if self._closing:
            raise ValueError("no active connection")
        self._closing = last
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._tx.put_nowait((future, job))
        return await future

    async def _open(self) -> Connection:
        self._thread.start()
        try:
            self._connection = await self._run(self._connector)
        except BaseException:
            self.stop()  # the thread ends instead of waiting for jobs that never come
            raise
        return self

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._open().__await__()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self)

    # Outside a transaction both are no-ops in sqlite3: the pool's reset of a connection
    # whose transaction already ended (every checkin after a commit) costs no hop. Only
    # when the thread is idle: after a cancelled statement (a BEGIN, say) still running,
    # the rollback must queue behind it, as every other job does.
    def _needless(self) -> bool:
        return self._tx.idle and not self._conn.in_transaction

    async def commit(self) -> None:
        if not self._needless():
            await self._run(self._conn.commit)

    async def rollback(self) -> None:
        if not self._needless():
            await self._run(self._conn.rollback)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        conn = self._conn
        await self._run(lambda: conn.create_function(*args, **kwargs))

    def _closer(self) -> Callable[[], object]:
        def close() -> object:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            return _STOP

        return close

    async def close(self) -> None:
        if not self._closing:
            await self._run(self._closer(), last=True)

    def stop(self) -> None:
        """Close without waiting (the pool terminating a connection outside a task)."""
        if not self._closing:
            self._closing = True
            self._tx.put_nowait((None, self._closer()))


def connector(database: str, **kwargs: Any) -> Callable[[], Awaitable[Connection]]:
    """An ``async_creator`` for ``create_async_engine``: ``database`` and ``kwargs`` are
    what the dialect derives from the URL (``dialect.create_connect_args``)."""
    options = {**kwargs, "check_same_thread": False}

    async def create() -> Connection:
        return await Connection(lambda: sqlite3.connect(database, **options))

    return create
