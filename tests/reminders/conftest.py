"""Fixtures of the reminder tests: a local Web Push service and database access."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import bound_socket

POSTGRES = os.environ.get("OWLISTIC_TEST_DATABASE_URL", "").startswith("postgresql")
# Several server processes firing one reminder is a PostgreSQL (SKIP LOCKED) story.
collect_ignore = [] if POSTGRES else ["test_two_processes.py"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Device:
    """A browser's push subscription: its own key pair and auth secret (RFC 8291)."""

    path: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    # What the push service answers; 410 means "this subscription is gone".
    status: int = 201
    received: asyncio.Queue[tuple[dict[str, str], bytes]] = field(default_factory=asyncio.Queue)

    def subscription(self, base: str) -> dict[str, object]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{base}{self.path}",
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }


@dataclass
class PushService:
    """A real HTTP push service on 127.0.0.1 that stores what it is sent, per device."""

    base: str
    devices: dict[str, Device] = field(default_factory=dict)

    def device(self) -> Device:
        d = Device(path=f"/push/{secrets.token_hex(8)}")
        self.devices[d.path] = d
        return d


@pytest.fixture
async def push_service() -> AsyncIterator[PushService]:
    sock = bound_socket()
    service = PushService(base=f"http://127.0.0.1:{sock.getsockname()[1]}")

    async def receive(request: web.Request) -> web.Response:
        device = service.devices.get(request.path)
        if device is None:
            return web.Response(status=404)
        await device.received.put((dict(request.headers), await request.read()))
        return web.Response(status=device.status)

    app = web.Application()
    app.router.add_post("/push/{id}", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield service
    finally:
        await runner.cleanup()
        sock.close()
