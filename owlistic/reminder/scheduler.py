"""Fires due reminders, once each, from inside the server process.

A reminder is claimed and marked sent in the same transaction that writes its
``task.reminder`` outbox event, so the in-app notification is sent exactly once: with
several instances on PostgreSQL each claims rows with ``FOR UPDATE SKIP LOCKED`` and never
sees the rows another is firing; on SQLite there is one process. A reminder due while no
server ran is still pending at the next start and fires then, marked late. Push and e-mail
go out after the commit (at most once: a crash in between loses them, never doubles them)
and what they reached is recorded on the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError

from owlistic.events.outbox import emit
from owlistic.kit.db import Database
from owlistic.kit.time import utcnow
from owlistic.push.service import PushSender
from owlistic.reminder import repository
from owlistic.reminder.email import send_reminder
from owlistic.settings import Settings
from owlistic.task import schedule
from owlistic.task.events import TaskReminderFired

log = logging.getLogger("owlistic.reminders")

# Deliveries (push, e-mail) in flight at once; the firing loop never waits for them.
MAX_DELIVERIES = 32


@dataclass(frozen=True)
class Fired:
    reminder_id: Any
    user_id: Any
    email: str | None
    payload: dict[str, Any]


class ReminderScheduler:
    """Sleeps until the earliest pending reminder. Reminders queued by this process are
    announced by ``queued`` after their commit, so it never polls for them; the table is
    read again only after firing and every ``scheduler_poll_seconds``, for what other
    instances queued or withdrew."""

    def __init__(self, db: Database, settings: Settings, push: PushSender) -> None:
        self.db, self.settings, self.push = db, settings, push
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(MAX_DELIVERIES)
        # The earliest pending time known (None: none, or not known yet) and when the table
        # was last read; times announced since the loop last looked.
        self._next: datetime | None = None
        self._read_at = -math.inf
        self._announced: datetime | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reminder-scheduler")

    def queued(self, at: datetime) -> None:
        """A committed unit of work queued a reminder for ``at``."""
        if self._announced is None or at < self._announced:
            self._announced = at
        self._wake.set()

    async def stop(self) -> None:
        # Python 3.11's wait_for swallows a cancel that lands as the wake-up fires (the loop
        # then waits a whole poll again): cancel until the task has really ended.
        while self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=1.0)
        if self._deliveries:
            await asyncio.wait(self._deliveries, timeout=self.settings.push_timeout_seconds)

    async def _run(self) -> None:
        poll = self.settings.scheduler_poll_seconds
        while True:
            # Cleared before looking, so an announcement made meanwhile ends the next wait.
            self._wake.clear()
            announced, self._announced = self._announced, None
            if announced is not None and (self._next is None or announced < self._next):
                self._next = announced
            delay = poll
            try:
                if time.monotonic() - self._read_at >= poll:
                    await self._read_next()
                due = self._next is not None and self._next <= utcnow()
                if due and await self.fire_due() >= self.settings.scheduler_batch_size:
                    continue  # more are due right now
                if self._next is not None:
                    delay = max(0.0, min(poll, (self._next - utcnow()).total_seconds()))
            except (DBAPIError, OSError) as exc:
                log.warning("reminder scheduler: %s", exc)
                self._read_at = -math.inf
            except Exception:
                log.exception("reminder scheduler failed; retrying")
                self._read_at = -math.inf
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)

    async def _read_next(self) -> None:
        async with self.db.session(readonly=True) as session:
            self._next = await repository.nearest_pending(session)
        self._read_at = time.monotonic()

    async def fire_due(self) -> int:
        """Claim and fire what is due now, then read the next pending time in the same
        transaction; returns how many rows were claimed."""
        now = utcnow()
        late_after = timedelta(seconds=self.settings.reminder_late_seconds)
        fired: list[Fired] = []
        async with self.db.session() as session:
            rows = await repository.claim_due(
                session, now, self.settings.scheduler_batch_size, skip_locked=not self.db.is_sqlite
            )
            for reminder, task, email, wants_email, has_push in rows:
                if task.deleted_at is not None or task.is_completed:
                    reminder.status = "cancelled"
                    continue
                reminder.status, reminder.sent_at = "sent", now
                reminder.late = now - reminder.fire_at > late_after
                reminder.channels = {"event": True}
                await emit(session, TaskReminderFired.fired(task, reminder))
                email = email if wants_email and self.settings.smtp_host else None
                if not (has_push or email):
                    continue  # the event is all there is to send
                fired.append(
                    Fired(
                        reminder.id,
                        reminder.user_id,
                        email,
                        {
                            "type": "task.reminder",
                            "task_id": str(task.id),
                            "title": task.title,
                            "due_date": schedule.due_text(
                                task.due_at, task.due_all_day, task.time_zone
                            ),
                            "late": reminder.late,
                        },
                    )
                )
            if len(rows) < self.settings.scheduler_batch_size:
                self._next = await repository.nearest_pending(session)  # flushes the claim
                self._read_at = time.monotonic()
        if fired:  # the commit has woken the relay: the events are on their way
            for item in fired:
                delivery = asyncio.create_task(self._deliver(item))
                self._deliveries.add(delivery)
                delivery.add_done_callback(self._deliveries.discard)
        return len(rows)

    async def _deliver(self, item: Fired) -> None:
        async with self._slots:
            channels: dict[str, Any] = {"event": True}
            try:
                channels["push"], channels["push_removed"] = await self.push.send_to_user(
                    item.user_id, item.payload
                )
            except Exception:
                log.exception("push delivery failed")
            if item.email:
                try:
                    when = item.payload["due_date"] or "now"
                    await send_reminder(self.settings, item.email, item.payload["title"], when)
                    channels["email"] = True
                except OSError as exc:  # smtplib errors included
                    log.warning("reminder e-mail failed: %s", exc)
                    channels["email"] = False
            async with self.db.session() as session:
                await repository.record_channels(session, item.reminder_id, channels)
