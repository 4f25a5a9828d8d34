"""``OWLISTIC_LOG_FORMAT=json``: one JSON object per log line, with the request id that the
response header and error body carry."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from owlistic.settings import Settings
from tests.conftest import LiveServer
from tests.realtime.processes import owlistic_servers


async def test_json_logs_carry_the_request_id(
    server: LiveServer, settings: Settings, tmp_path: Path
) -> None:
    async with owlistic_servers(settings, tmp_path, 1, env={"OWLISTIC_LOG_FORMAT": "json"}) as (
        one,
    ):
        async with httpx.AsyncClient(base_url=one.url, timeout=30) as c:
            r = await c.get("/api/v1/profile", headers={"X-Request-ID": "json-log-42"})
            assert r.status_code == 401
            assert r.json()["request_id"] == "json-log-42"
        for _ in range(100):
            text = await asyncio.to_thread(one.log.read_text)
            if "json-log-42" in text:
                break
            await asyncio.sleep(0.05)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message", "request_id"} <= r.keys() for r in records)
    access = [r for r in records if r["request_id"] == "json-log-42"]
    assert access, text[-2000:]
    assert "/api/v1/profile" in access[0]["message"]
    assert "401" in access[0]["message"]
