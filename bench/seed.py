"""Bulk seeding with SQLAlchemy Core into the server's database (after it migrated it).

Every id is derived from the row's coordinates (user, notebook, note, block) with a keyed
hash, so load generators can address any row without the bench holding millions of ids,
and ids are as random as ``uuid4`` (no artificially sequential index inserts).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Dialect, event, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bench.profiles import Shape
from owlistic.auth.passwords import hash_password
from owlistic.auth.tokens import issue, new_family
from owlistic.kit.time import utcnow
from owlistic.kit.types import UTCDateTime
from owlistic.models import Block, Note, Notebook, OutboxEvent, Role, Task, User
from owlistic.settings import Settings

PASSWORD = "bench-password-1"
BATCH_ROWS = 5_000
TOKEN_LIFETIME = timedelta(hours=12)


def open_engine(url: str) -> AsyncEngine:
    """An engine on the server's database; SQLite waits for the server's write lock."""
    engine = create_async_engine(url)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


@dataclass
class Dataset:
    """Users each owning ``notebooks`` notebooks; notes are numbered globally (``note_of``)."""

    shape: Shape
    salt: str = "bench"
    _tokens: dict[tuple[int, str], str] = field(default_factory=dict)

    def ident(self, *parts: object) -> uuid.UUID:
        key = f"{self.salt}:{parts}".encode()
        return uuid.UUID(bytes=hashlib.blake2b(key, digest_size=16).digest(), version=4)

    def user_id(self, u: int) -> uuid.UUID:
        return self.ident("user", u)

    def email(self, u: int) -> str:
        return f"{self.salt}.u{u}@example.com"

    def notebook_id(self, u: int, nb: int) -> uuid.UUID:
        return self.ident("notebook", u, nb)

    def note_id(self, u: int, nb: int, n: int) -> uuid.UUID:
        return self.ident("note", u, nb, n)

    def block_id(self, u: int, nb: int, n: int, b: int) -> uuid.UUID:
        return self.ident("block", u, nb, n, b)

    def task_id(self, u: int, nb: int, n: int, b: int) -> uuid.UUID:
        return self.ident("task", u, nb, n, b)

    def is_task(self, b: int) -> bool:
        return b % self.shape.task_every == self.shape.task_every - 1

    @property
    def total_notes(self) -> int:
        return self.shape.users * self.shape.notebooks * self.shape.notes

    def note_of(self, k: int) -> tuple[int, int, int]:
        """Global note number -> (user, notebook, note): spread evenly over users first."""
        users, notebooks = self.shape.users, self.shape.notebooks
        return k % users, (k // users) % notebooks, k // (users * notebooks)

    def token(self, u: int, secret: str) -> str:
        if (u, secret) not in self._tokens:  # one dataset may be seeded into several servers
            self._tokens[u, secret] = issue(
                secret,
                user_id=self.user_id(u),
                email=self.email(u),
                version=0,
                kind="access",
                lifetime=TOKEN_LIFETIME,
                family=new_family(),
            ).token
        return self._tokens[u, secret]


def _chunks(
    rows: Iterator[dict[str, Any]], size: int = BATCH_ROWS
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# The schedule columns of a task without due date, reminder or repetition.
UNSCHEDULED: dict[str, Any] = {
    "due_at": None,
    "due_all_day": False,
    "time_zone": "UTC",
    "remind_at": None,
    "remind_before_minutes": None,
    "recurrence": None,
    "series_start": None,
}


def _stamp(now: datetime) -> dict[str, Any]:
    return {"created_at": now, "updated_at": now, "deleted_at": None, "deleted_batch": None}


def _role(
    ds: Dataset, user: uuid.UUID, resource: uuid.UUID, kind: str, role: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": ds.ident("role", user, resource),
        "user_id": user,
        "resource_id": resource,
        "resource_type": kind,
        "role": role,
        **_stamp(now),
    }


class _Inserter:
    """``INSERT`` compiled once for the engine's dialect; rows converted with SQLAlchemy's own
    bind processors and sent with the driver's ``executemany`` (several times faster than
    ``conn.execute(insert(table), rows)`` for millions of rows). Values that repeat (the
    seeding timestamp) are converted once. Columns are those of the first row."""

    def __init__(self, table: Any, dialect: Dialect, keys: list[str]) -> None:
        compiled = insert(table).compile(dialect=dialect, column_keys=keys)
        self.sql = str(compiled)
        order = compiled.positiontup or keys
        self.keys = list(order)
        self.processors: list[Callable[[Any], Any] | None] = []
        for key in self.keys:
            column = table.c[key]
            proc = column.type._cached_bind_processor(dialect)
            if proc is not None and isinstance(column.type, UTCDateTime):
                proc = _memoized(proc)
            self.processors.append(proc)

    def params(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        pairs = list(zip(self.keys, self.processors, strict=True))
        return [
            tuple(proc(row[key]) if proc is not None else row[key] for key, proc in pairs)
            for row in rows
        ]


def _memoized(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value not in cache:
            cache[value] = proc(value)
        return cache[value]

    return convert


async def insert_rows(conn: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        inserter = _Inserter(table, conn.dialect, list(rows[0]))
        await conn.exec_driver_sql(inserter.sql, inserter.params(rows))


async def _insert(engine: AsyncEngine, table: Any, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for batch in _chunks(rows):
        async with engine.begin() as conn:
            await insert_rows(conn, table, batch)
        count += len(batch)
    return count


async def seed_users(
    engine: AsyncEngine, ds: Dataset, users: Sequence[int], *, admin: Sequence[int] = ()
) -> int:
    # One hash for everyone, at the server's default cost: argon2 is slow on purpose.
    password_hash = hash_password(PASSWORD, Settings())
    now = utcnow()

    def user_rows() -> Iterator[dict[str, Any]]:
        for u in users:
            yield {
                "id": ds.user_id(u),
                "email": ds.email(u),
                "password_hash": password_hash,
                "username": f"{ds.salt}-u{u}",
                "display_name": f"Bench user {u}",
                "profile_pic": "",
                "preferences": None,
                "token_version": 0,
                "time_zone": None,
                "email_reminders": False,
                **_stamp(now),
            }

    def role_rows() -> Iterator[dict[str, Any]]:
        for u in users:
            uid = ds.user_id(u)
            yield _role(ds, uid, uid, "user", "admin" if u in admin else "owner", now)

    count = await _insert(engine, User.__table__, user_rows())
    await _insert(engine, Role.__table__, role_rows())
    return count


async def seed_notebooks(engine: AsyncEngine, ds: Dataset, users: Sequence[int]) -> int:
    now = utcnow()
    pairs = [(u, nb) for u in users for nb in range(ds.shape.notebooks)]
    notebooks = (
        {
            "id": ds.notebook_id(u, nb),
            "user_id": ds.user_id(u),
            "name": f"Notebook {nb}",
            "description": "seeded by the benchmark",
            **_stamp(now),
        }
        for u, nb in pairs
    )
    roles = (
        _role(ds, ds.user_id(u), ds.notebook_id(u, nb), "notebook", "owner", now) for u, nb in pairs
    )
    count = await _insert(engine, Notebook.__table__, notebooks)
    await _insert(engine, Role.__table__, roles)
    return count


def _block_rows(ds: Dataset, k: int, now: datetime) -> Iterator[tuple[str, dict[str, Any]]]:
    u, nb, n = ds.note_of(k)
    uid, note = ds.user_id(u), ds.note_id(u, nb, n)
    for b in range(ds.shape.blocks):
        bid = ds.block_id(u, nb, n, b)
        text = f"Seeded paragraph {b} of note {n} in notebook {nb}: lorem ipsum dolor sit amet."
        meta: dict[str, Any] = {}
        if ds.is_task(b):
            tid = ds.task_id(u, nb, n, b)
            meta = {"is_completed": False, "task_id": str(tid)}
            yield (
                "task",
                {
                    "id": tid,
                    "user_id": uid,
                    "note_id": note,
                    "block_id": bid,
                    "title": text,
                    "description": "",
                    "is_completed": False,
                    **UNSCHEDULED,
                    "metadata": {"block_id": str(bid), "note_id": str(note)},
                    **_stamp(now),
                },
            )
        yield (
            "block",
            {
                "id": bid,
                "user_id": uid,
                "note_id": note,
                "type": "task" if ds.is_task(b) else "text",
                "content": {"text": text},
                "metadata": meta,
                "order": float((b + 1) * 1000),
                **_stamp(now),
            },
        )


async def seed_notes(engine: AsyncEngine, ds: Dataset, notes: range) -> dict[str, int]:
    """Notes ``notes`` (global numbers) with their blocks, tasks and owner roles."""
    now = utcnow()
    counts = {"notes": 0, "blocks": 0, "tasks": 0}
    step = max(1, BATCH_ROWS // max(ds.shape.blocks, 1))
    for start in range(notes.start, notes.stop, step):
        ks = range(start, min(start + step, notes.stop))
        note_rows: list[dict[str, Any]] = []
        role_rows: list[dict[str, Any]] = []
        blocks: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        for k in ks:
            u, nb, n = ds.note_of(k)
            nid = ds.note_id(u, nb, n)
            note_rows.append(
                {
                    "id": nid,
                    "user_id": ds.user_id(u),
                    "notebook_id": ds.notebook_id(u, nb),
                    "title": f"Note {n} of notebook {nb}",
                    "tags": None,
                    "pinned": False,
                    **_stamp(now),
                }
            )
            role_rows.append(_role(ds, ds.user_id(u), nid, "note", "owner", now))
            for kind, row in _block_rows(ds, k, now):
                (tasks if kind == "task" else blocks).append(row)
        # Tasks reference blocks; the SQLite server enforces foreign keys.
        async with engine.begin() as conn:
            await insert_rows(conn, Note.__table__, note_rows)
            await insert_rows(conn, Role.__table__, role_rows)
            await insert_rows(conn, Block.__table__, blocks)
            await insert_rows(conn, Task.__table__, tasks)
        counts["notes"] += len(note_rows)
        counts["blocks"] += len(blocks)
        counts["tasks"] += len(tasks)
    return counts


async def seed_dataset(
    engine: AsyncEngine, ds: Dataset, *, admin: Sequence[int] = ()
) -> dict[str, Any]:
    """Everything in ``ds.shape``; returns row counts and the seconds it took."""
    started = time.perf_counter()
    users = range(ds.shape.users)
    await seed_users(engine, ds, users, admin=admin)
    await seed_notebooks(engine, ds, users)
    counts = await seed_notes(engine, ds, range(ds.total_notes))
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    return {
        "users": ds.shape.users,
        **counts,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else 0,
    }


@dataclass(frozen=True)
class Backlog:
    """``count`` pending events for ``user_id``, all about one block of one note."""

    count: int
    user_id: uuid.UUID
    note_id: uuid.UUID
    block_id: uuid.UUID


async def seed_outbox(engine: AsyncEngine, backlogs: Sequence[Backlog]) -> int:
    """A backlog of undispatched ``block.updated`` events, as a burst of writes leaves.

    One transaction: the relay's fallback poll must not find part of it before the rest
    (it would be relayed, and counted, before the measurement starts)."""
    now = utcnow()

    def rows(backlog: Backlog) -> Iterator[dict[str, Any]]:
        for i in range(backlog.count):
            yield {
                "id": uuid.uuid4(),
                "event": "block.updated",
                "version": 1,
                "entity": "block",
                "timestamp": now,
                "data": {
                    "block_id": str(backlog.block_id),
                    "note_id": str(backlog.note_id),
                    "user_id": str(backlog.user_id),
                    "block_type": "text",
                    "order": 1000.0,
                    "content": {"text": f"backlog {i}"},
                    "metadata": {},
                    "updated_at": now.isoformat(),
                },
                "key": str(backlog.note_id),
                "resource_type": "block",
                "resource_id": str(backlog.block_id),
                "audience": [str(backlog.user_id)],
                "status": "pending",
                "dispatched": False,
                "dispatched_at": None,
            }

    count = 0
    async with engine.begin() as conn:
        for backlog in backlogs:
            for batch in _chunks(rows(backlog)):
                await insert_rows(conn, OutboxEvent.__table__, batch)
                count += len(batch)
    return count
