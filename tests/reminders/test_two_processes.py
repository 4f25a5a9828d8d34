"""Two server processes on one PostgreSQL database fire every reminder exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from owlistic.settings import Settings
from tests.api.helpers import API, ok
from tests.conftest import register, run_database
from tests.realtime.processes import owlistic_servers
from tests.realtime.wsclient import next_event, ws_connect
from tests.reminders.db import engine_for, reminder_event_counts, reminder_rows
from tests.reminders.test_restart import WAIT, all_sent, wait_for

COUNT = 40


async def test_each_reminder_fires_once_with_two_processes(
    settings: Settings, tmp_path: Path
) -> None:
    async with run_database(tmp_path / "unused.db") as url, engine_for(url) as engine:
        config = settings.model_copy(update={"database_url": url})
        async with owlistic_servers(config, tmp_path, 2) as servers:
            clients = [httpx.AsyncClient(base_url=s.url, timeout=30) for s in servers]
            try:
                ann = await register(clients[0])
                async with ws_connect(servers[0], ann) as ws:
                    # The other server's events reach this socket through Kafka: wait until
                    # that path is live (fresh topics get their leaders first).
                    r = await clients[1].post(
                        f"{API}/tasks", json={"title": "warm-up"}, headers=ann.headers
                    )
                    await next_event(ws, "task.created", timeout=60)
                    at = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
                    ids = []
                    for i in range(COUNT):  # written through both servers
                        r = await clients[i % 2].post(
                            f"{API}/tasks",
                            json={"title": f"t{i}", "remind_at": at},
                            headers=ann.headers,
                        )
                        ids.append(str(ok(r, 201)["id"]))
                    await wait_for(all_sent(engine, ids))
                    seen = []
                    for _ in range(COUNT):
                        message = await next_event(ws, "task.reminder", timeout=WAIT)
                        seen.append(message["payload"]["task_id"])
            finally:
                for c in clients:
                    await c.aclose()
        assert sorted(seen) == sorted(ids), "every reminder arrived"
        # Both processes have stopped, so whatever either fired is in the outbox by now: one
        # event each (rather than watching the socket for a while for a second one).
        rows = await reminder_rows(engine, ids)
        assert len(rows) == COUNT
        assert {r.status for r in rows} == {"sent"}
        assert await reminder_event_counts(engine, ids) == dict.fromkeys(ids, 1)
