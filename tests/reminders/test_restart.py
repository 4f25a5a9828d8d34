"""A reminder fires once across a restart of the server (a real ``owlistic serve``
process): one sent while it ran is not sent again, one due while it was down fires when it
is back, marked late."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from owlistic.settings import Settings
from tests.api.helpers import API, ok
from tests.conftest import register, run_database
from tests.realtime.processes import owlistic_servers
from tests.reminders.db import engine_for, reminder_event_counts, reminder_rows

# Fired more than this after its time counts as late (the server is down meanwhile).
LATE_SECONDS = "1"


async def wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_reminders_fire_once_across_a_restart(settings: Settings, tmp_path: Path) -> None:
    async with run_database(tmp_path / "restart.db") as url, engine_for(url) as engine:
        config = settings.model_copy(update={"database_url": url})
        env = {"OWLISTIC_REMINDER_LATE_SECONDS": LATE_SECONDS}
        async with (
            owlistic_servers(config, tmp_path, 1, env=env) as [first],
            httpx.AsyncClient(base_url=first.url, timeout=30) as client,
        ):
            ann = await register(client)
            now = datetime.now(UTC)

            async def make(title: str, seconds: float) -> str:
                body = {
                    "title": title,
                    "remind_at": (now + timedelta(seconds=seconds)).isoformat(),
                }
                r = await client.post(f"{API}/tasks", json=body, headers=ann.headers)
                return str(ok(r, 201)["id"])

            on_time = await make("while up", 1)
            while_down = await make("while down", 6)

            async def sent_on_time() -> bool:
                return [r.status for r in await reminder_rows(engine, [on_time])] == ["sent"]

            await wait_for(sent_on_time)
        # The server is stopped before the second reminder's time.
        assert [r.status for r in await reminder_rows(engine, [while_down])] == ["pending"]
        await asyncio.sleep(
            max(0.0, (now + timedelta(seconds=7) - datetime.now(UTC)).total_seconds())
        )

        async with owlistic_servers(config, tmp_path, 1, env=env):

            async def fired_after_restart() -> bool:
                rows = await reminder_rows(engine, [while_down])
                return [r.status for r in rows] == ["sent"]

            await wait_for(fired_after_restart)
            await asyncio.sleep(1.5)  # room for a wrong second firing
        rows = {str(r.task_id): r for r in await reminder_rows(engine, [on_time, while_down])}
        assert (rows[on_time].status, rows[on_time].late) == ("sent", False)
        assert (rows[while_down].status, rows[while_down].late) == ("sent", True)
        assert len(await reminder_rows(engine, [on_time, while_down])) == 2
        counts = await reminder_event_counts(engine, [on_time, while_down])
        assert counts == {on_time: 1, while_down: 1}
