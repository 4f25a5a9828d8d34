"""Waking relays: ``NOTIFY`` in the writing transaction, ``LISTEN`` on a dedicated connection.

In one process the commit wakes the relay directly (``Database.on_outbox_commit``); on
PostgreSQL every instance also listens, so a write on one instance wakes the relays of all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from owlistic.kit.db import OUTBOX_WRITTEN

log = logging.getLogger("owlistic.relay")

CHANNEL = "owlistic_outbox"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', '')")


def _notify_if_pending(session: Session) -> None:
    if session.info.get(OUTBOX_WRITTEN) and session.get_bind().dialect.name == "postgresql":
        # Part of the transaction: PostgreSQL delivers it only if the commit succeeds.
        session.execute(_NOTIFY)


def install_notify_hook() -> None:
    """Idempotent; applies to every ORM session, and is a no-op on SQLite."""
    if not event.contains(Session, "before_commit", _notify_if_pending):
        event.listen(Session, "before_commit", _notify_if_pending)


def asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    """Calls ``on_notify`` for each NOTIFY on the outbox channel; reconnects when dropped."""

    def __init__(self, dsn: str, on_notify: Callable[[], None], *, retry_seconds: float) -> None:
        self._dsn = dsn
        self._on_notify = on_notify
        self._retry_seconds = retry_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="owlistic-outbox-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _callback(self, *_: Any) -> None:
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
