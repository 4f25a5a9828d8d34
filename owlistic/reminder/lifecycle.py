"""The reminder scheduler and the push sender, one of each per process, run by the lifespan."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.db import Database
from owlistic.push.service import PushSender
from owlistic.push.vapid import load_vapid
from owlistic.reminder.scheduler import ReminderScheduler
from owlistic.settings import Settings
from owlistic.task.reminders import QUEUED


async def _nothing(_: AsyncSession) -> None:
    pass


class Reminders:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.push = PushSender(settings, db, load_vapid(settings))
        self.scheduler = ReminderScheduler(db, settings, self.push)
        self._db = db

    def start(self) -> None:
        self._db.on_commit(_nothing, self._committed)
        self.scheduler.start()

    def _committed(self, session: AsyncSession) -> None:
        at = session.info.pop(QUEUED, None)
        if at is not None:  # may be earlier than the one the scheduler sleeps for
            self.scheduler.queued(at)

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.push.stop()
