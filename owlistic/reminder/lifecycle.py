"""Start and stop the reminder scheduler and the push sender with the app."""

from __future__ import annotations

from dataclasses import dataclass

from owlistic.push.service import PushSender
from owlistic.push.vapid import load_vapid
from owlistic.reminder.scheduler import ReminderScheduler
from owlistic.runtime import Runtime

COMPONENT = "reminders"


@dataclass
class Reminders:
    push: PushSender
    scheduler: ReminderScheduler


def reminders_of(runtime: Runtime) -> Reminders:
    reminders: Reminders = runtime.components[COMPONENT]
    return reminders


async def start_reminders(runtime: Runtime) -> None:
    push = PushSender(runtime.settings, runtime.db, load_vapid(runtime.settings))
    scheduler = ReminderScheduler(runtime, push)
    # A write may have queued an earlier reminder than the one the scheduler sleeps for.
    runtime.on_outbox_committed(scheduler.wake)
    scheduler.start()
    runtime.components[COMPONENT] = Reminders(push=push, scheduler=scheduler)


async def stop_reminders(runtime: Runtime) -> None:
    reminders: Reminders | None = runtime.components.pop(COMPONENT, None)
    if reminders is not None:
        await reminders.scheduler.stop()
        await reminders.push.stop()
