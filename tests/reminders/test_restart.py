"""A reminder fires once across a restart of the server (a real ``owlistic serve``
process): one sent while it ran is not sent again, one due while it was down fires when it
is back, marked late."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from owlistic.models import Reminder, Task
from owlistic.settings import Settings
from tests.api.helpers import API, ok
from tests.conftest import Account, register, run_database
from tests.realtime.processes import owlistic_servers
from tests.reminders.db import engine_for, reminder_event_counts, reminder_rows

# Fired more than this after its time counts as late: far more than a loaded machine delays
# a reminder due while the server runs, far less than the one due while it is down is late.
LATE = timedelta(minutes=10)
WAIT = 120.0


async def wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def task_reminding_at(client: httpx.AsyncClient, who: Account, at: datetime) -> str:
    body = {"title": f"remind at {at.isoformat()}", "remind_at": at.isoformat()}
    return str(ok(await client.post(f"{API}/tasks", json=body, headers=who.headers), 201)["id"])


def all_sent(engine: AsyncEngine, task_ids: list[str]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return [r.status for r in await reminder_rows(engine, task_ids)] == ["sent"] * len(task_ids)

    return check


async def test_reminders_fire_once_across_a_restart(settings: Settings, tmp_path: Path) -> None:
    async with run_database(tmp_path / "restart.db") as url, engine_for(url) as engine:
        config = settings.model_copy(update={"database_url": url})
        env = {"OWLISTIC_REMINDER_LATE_SECONDS": str(LATE.total_seconds())}
        async with (
            owlistic_servers(config, tmp_path, 1, env=env) as [first],
            httpx.AsyncClient(base_url=first.url, timeout=30) as client,
        ):
            ann = await register(client)
            on_time = await task_reminding_at(client, ann, datetime.now(UTC))
            # Due only tomorrow: it cannot fire while this server runs.
            while_down = await task_reminding_at(client, ann, datetime.now(UTC) + timedelta(days=1))
            await wait_for(all_sent(engine, [on_time]))
        assert [r.status for r in await reminder_rows(engine, [while_down])] == ["pending"]

        # Its time passes while the server is down: moved into the past rather than waited for.
        past = datetime.now(UTC) - 2 * LATE
        async with engine.begin() as conn:
            key = uuid.UUID(while_down)
            await conn.execute(update(Task).where(Task.id == key).values(remind_at=past))
            await conn.execute(update(Reminder).where(Reminder.task_id == key).values(fire_at=past))

        async with (
            owlistic_servers(config, tmp_path, 1, env=env) as [second],
            httpx.AsyncClient(base_url=second.url, timeout=30) as client,
        ):
            await wait_for(all_sent(engine, [while_down]))
            # Queued once that is done and due at once: the pass that fires it would claim
            # anything still (or again) pending, so a second firing would show below.
            barrier = await task_reminding_at(client, ann, datetime.now(UTC))
            await wait_for(all_sent(engine, [barrier]))
        rows = {str(r.task_id): r for r in await reminder_rows(engine, [on_time, while_down])}
        assert (rows[on_time].status, rows[on_time].late) == ("sent", False)
        assert (rows[while_down].status, rows[while_down].late) == ("sent", True)
        assert len(await reminder_rows(engine, [on_time, while_down, barrier])) == 3
        counts = await reminder_event_counts(engine, [on_time, while_down, barrier])
        assert counts == {on_time: 1, while_down: 1, barrier: 1}
