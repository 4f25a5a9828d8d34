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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from owlistic.events.outbox import emit
from owlistic.kit.db import Database
from owlistic.kit.time import utcnow
from owlistic.models import Reminder, Task, User
from owlistic.push.service import PushSender
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
    def __init__(self, db: Database, settings: Settings, push: PushSender) -> None:
        self.db, self.settings, self.push = db, settings, push
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(MAX_DELIVERIES)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reminder-scheduler")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._deliveries:
            await asyncio.wait(self._deliveries, timeout=self.settings.push_timeout_seconds)

    async def _run(self) -> None:
        while True:
            delay = self.settings.scheduler_poll_seconds
            try:
                if await self.fire_due() >= self.settings.scheduler_batch_size:
                    continue  # more are due right now
                delay = await self._until_next(delay)
            except (DBAPIError, OSError) as exc:
                log.warning("reminder scheduler: %s", exc)
            except Exception:
                log.exception("reminder scheduler failed; retrying")
            if delay > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)

    async def _until_next(self, cap: float) -> float:
        async with self.db.session(readonly=True) as session:
            nearest = await session.scalar(
                select(func.min(Reminder.fire_at)).where(Reminder.status == "pending")
            )
        if nearest is None:
            return cap
        if nearest.tzinfo is None:  # SQLite's aggregate skips the column type
            nearest = datetime.fromisoformat(str(nearest)).replace(tzinfo=utcnow().tzinfo)
        return max(0.0, min(cap, (nearest - utcnow()).total_seconds()))

    async def fire_due(self) -> int:
        """Claim and fire what is due now; returns how many rows were claimed."""
        now = utcnow()
        late_after = timedelta(seconds=self.settings.reminder_late_seconds)
        fired: list[Fired] = []
        async with self.db.session() as session:
            query = (
                select(Reminder, Task, User.email, User.email_reminders)
                .join(Task, Task.id == Reminder.task_id)
                .join(User, User.id == Reminder.user_id)
                .where(Reminder.status == "pending", Reminder.fire_at <= now)
                .order_by(Reminder.fire_at)
                .limit(self.settings.scheduler_batch_size)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True, of=Reminder)
            rows = (await session.execute(query)).all()
            for reminder, task, email, wants_email in rows:
                if task.deleted_at is not None or task.is_completed:
                    reminder.status = "cancelled"
                    continue
                reminder.status, reminder.sent_at = "sent", now
                reminder.late = now - reminder.fire_at > late_after
                reminder.channels = {"event": True}
                await emit(session, TaskReminderFired.fired(task, reminder))
                fired.append(
                    Fired(
                        reminder.id,
                        reminder.user_id,
                        email if wants_email and self.settings.smtp_host else None,
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
                await session.execute(
                    update(Reminder)
                    .where(Reminder.id == item.reminder_id)
                    .values(channels=channels)
                )
