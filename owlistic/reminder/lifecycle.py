"""The reminder scheduler and the push sender, one of each per process, run by the lifespan."""

from __future__ import annotations

from owlistic.kit.db import Database
from owlistic.push.service import PushSender
from owlistic.push.vapid import load_vapid
from owlistic.reminder.scheduler import ReminderScheduler
from owlistic.settings import Settings


class Reminders:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.push = PushSender(settings, db, load_vapid(settings))
        self.scheduler = ReminderScheduler(db, settings, self.push)
        self._db = db

    def start(self) -> None:
        # A write may have queued an earlier reminder than the one the scheduler sleeps for.
        self._db.on_outbox_commit(self.scheduler.wake)
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.push.stop()
