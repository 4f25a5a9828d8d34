"""A revocation travels through the broker: a logout on one process closes the socket that
another process serves. Collected only when a shared broker is configured (conftest.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from owlistic.realtime.registry import CLOSE_REVOKED
from owlistic.settings import Settings
from tests.api.helpers import API, ok
from tests.conftest import LiveServer, register
from tests.realtime.processes import owlistic_servers
from tests.realtime.test_revocation import closed_with, second_login, still_open
from tests.realtime.wsclient import ws_connect

pytestmark = [pytest.mark.multiprocess, pytest.mark.kafka]


async def test_logout_on_one_process_closes_the_socket_on_another(
    server: LiveServer, settings: Settings, tmp_path: Path
) -> None:
    async with (
        owlistic_servers(settings, tmp_path, 2) as (one, two),
        httpx.AsyncClient(base_url=one.url, timeout=30) as on_one,
    ):
        ann = await register(on_one)
        other_device = await second_login(on_one, ann)
        async with ws_connect(two, ann) as ws, ws_connect(two, other_device) as other_ws:
            await still_open(ws)
            ok(await on_one.post(f"{API}/logout", headers=ann.headers))
            assert await closed_with(ws) == (CLOSE_REVOKED, "logged out")
            await still_open(other_ws)
            ok(
                await on_one.put(
                    f"{API}/users/{ann.id}/password",
                    json={
                        "current_password": ann.password,
                        "new_password": "another long passphrase",
                    },
                    headers=other_device.headers,
                )
            )
            assert await closed_with(other_ws) == (CLOSE_REVOKED, "password changed")
