"""Waking relays: ``NOTIFY`` in the writing transaction (sent by the outbox insert itself),
``LISTEN`` on a dedicated connection.

In one process the commit wakes the relay directly (``Database.on_outbox_commit``); on
PostgreSQL every instance also listens, so a write on one instance wakes the relays of all.
The notification names the instance that wrote (its payload, an id of the instance's
engine) and that instance's own listener ignores it: its relay was woken by the commit
already, and a second run found nothing but cost four round trips (lock, read, commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import URL, Engine

log = logging.getLogger("owlistic.relay")

CHANNEL = "owlistic_outbox"
# Engines whose commits wake their own relay, with the id their notifications carry. An
# engine not listed (another process's, a script's) notifies with an empty origin, which
# every listener acts on.
_origins: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def register_origin(engine: Engine) -> str:
    """The id ``engine``'s notifications carry from now on (for its listener to ignore)."""
    origin = uuid.uuid4().hex
    _origins[engine] = origin
    return origin


def unregister_origin(engine: Engine) -> None:
    _origins.pop(engine, None)


def notification(engine: Engine) -> tuple[str, str] | None:
    """What a commit on ``engine`` notifies (channel, origin), sent by the outbox insert
    (``events/repository.py: insert_rows``); None where nobody listens (SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    return CHANNEL, _origins.get(engine, "")


def asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    """Calls ``on_notify`` for each NOTIFY on the outbox channel but those from ``origin``
    (this instance's own commits, which wake its relay directly); reconnects when dropped."""

    def __init__(
        self,
        dsn: str,
        on_notify: Callable[[], None],
        *,
        retry_seconds: float,
        origin: str = "",
    ) -> None:
        self._dsn = dsn
        self._on_notify = on_notify
        self._origin = origin
        self._retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="owlistic-outbox-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _callback(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if not self._origin or payload != self._origin:
            self._on_notify()

    async def _listen_until_closed(self) -> None:
        import asyncpg  # PostgreSQL only: the embedded server never loads the driver

        conn = await asyncpg.connect(self._dsn)
        try:
            closed = asyncio.Event()
            conn.add_termination_listener(lambda _conn: closed.set())
            await conn.add_listener(CHANNEL, self._callback)
            # Something may have been written while we were not listening.
            self._on_notify()
            await closed.wait()
            log.warning("outbox LISTEN connection lost; reconnecting")
        finally:
            if not conn.is_closed():
                await asyncio.shield(conn.close(timeout=2))

    async def _run(self) -> None:
        import asyncpg

        while True:
            try:
                await self._listen_until_closed()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("outbox LISTEN connection failed: %s", exc)
            except Exception:
                # Never let the listener die: relays would silently fall back to polling.
                log.exception("outbox LISTEN loop failed")
            await asyncio.sleep(self._retry_seconds)
