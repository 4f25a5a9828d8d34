"""Reminders fire once, at their time, as a WebSocket event, an encrypted Web Push and an
e-mail; snooze and done; push subscriptions and their limits."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import http_ece
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from owlistic.models import OutboxEvent, PushSubscription, Reminder
from owlistic.settings import Settings
from tests.api.helpers import API, error_of, ok
from tests.conftest import Account, LiveServer, MailSink, register, run_database, running_server
from tests.realtime.wsclient import assert_silent, next_event, ws_connect
from tests.reminders.conftest import PushService

WAIT = 20.0


def in_seconds(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def reminders_of(server: LiveServer, task_id: str) -> list[Any]:
    """The task's reminder rows (kind, status, sent_at, late, channels), oldest first."""
    async with server.app.state.runtime.db.session(readonly=True) as session:
        rows = await session.execute(
            select(
                Reminder.kind, Reminder.status, Reminder.sent_at, Reminder.late, Reminder.channels
            )
            .where(Reminder.task_id == uuid.UUID(task_id))
            .order_by(Reminder.created_at)
        )
        return list(rows)


async def reminder_events(server: LiveServer, task_id: str) -> int:
    async with server.app.state.runtime.db.session(readonly=True) as session:
        rows = await session.scalars(
            select(OutboxEvent.id).where(
                OutboxEvent.event == "task.reminder", OutboxEvent.resource_id == task_id
            )
        )
        return len(list(rows))


async def new_task(client: httpx.AsyncClient, who: Account, **body: object) -> dict[str, object]:
    r = await client.post(
        f"{API}/tasks", json={"title": "water the plants", **body}, headers=who.headers
    )
    return ok(r, 201)  # type: ignore[no-any-return]


async def snooze_for_a_second(client: httpx.AsyncClient, who: Account, task_id: str) -> None:
    """On a loaded machine the second may be over when the server reads it ("until is in the
    past", 409): then it is asked again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    url = f"{API}/tasks/{task_id}/snooze"
    while (
        r := await client.post(url, json={"until": in_seconds(1)}, headers=who.headers)
    ).status_code == 409:
        assert "in the past" in error_of(r, 409)
        assert loop.time() < deadline, r.text
    ok(r)


async def test_reminder_fires_once_as_an_event_and_snooze_fires_it_again(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    ann, bob = await register(client), await register(client)
    async with ws_connect(server, ann) as ws, ws_connect(server, bob) as bob_ws:
        t = await new_task(client, ann, due_at=in_seconds(62), remind_before_minutes=1)
        message = await next_event(ws, "task.reminder", timeout=WAIT)
        payload = message["payload"]
        assert (payload["task_id"], payload["title"]) == (t["id"], "water the plants")
        assert payload["late"] is False
        assert payload["kind"] == "due"
        assert payload["remind_before_minutes"] == 1
        await assert_silent(bob_ws, 0.5)  # only the task's owner is reminded

        await snooze_for_a_second(client, ann, str(t["id"]))
        again = await next_event(ws, "task.reminder", timeout=WAIT)
        assert (again["payload"]["task_id"], again["payload"]["kind"]) == (t["id"], "snooze")
    rows = await reminders_of(server, str(t["id"]))
    assert [(r.kind, r.status) for r in rows] == [("due", "sent"), ("snooze", "sent")]
    assert all(r.sent_at is not None and r.channels.get("event") for r in rows)
    assert await reminder_events(server, str(t["id"])) == 2


async def test_a_new_reminder_wakes_the_scheduler_instead_of_waiting_for_a_poll(
    settings: Settings, tmp_path: Path
) -> None:
    """With a poll interval far beyond the wait, only the commit's announcement can make
    the scheduler fire a reminder queued while it sleeps."""
    async with run_database(tmp_path / "wake.db") as url:
        config = settings.model_copy(update={"database_url": url, "scheduler_poll_seconds": 3600})
        async with (
            running_server(config) as live,
            httpx.AsyncClient(base_url=live.url, timeout=30) as client,
        ):
            ann = await register(client)
            async with ws_connect(live, ann) as ws:
                later = await new_task(client, ann, remind_at=in_seconds(600))
                sooner = await new_task(client, ann, remind_at=in_seconds(2))
                message = await next_event(ws, "task.reminder", timeout=WAIT)
            assert message["payload"]["task_id"] == sooner["id"]
            assert [r.status for r in await reminders_of(live, str(later["id"]))] == ["pending"]


async def test_done_before_the_reminder_cancels_it(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    ann = await register(client)
    t = await new_task(client, ann, remind_at=in_seconds(2))
    ok(await client.put(f"{API}/tasks/{t['id']}", json={"is_completed": True}, headers=ann.headers))
    # A second task fired after the first one's time proves the scheduler went past it.
    probe = await new_task(client, ann, remind_at=in_seconds(3))
    async with ws_connect(server, ann) as ws:
        message = await next_event(ws, "task.reminder", timeout=WAIT)
    assert message["payload"]["task_id"] == probe["id"]
    assert await reminders_of(server, str(t["id"])) == []
    assert await reminder_events(server, str(t["id"])) == 0


async def test_push_payload_is_encrypted_for_the_device_and_gone_devices_are_removed(
    server: LiveServer, client: httpx.AsyncClient, push_service: PushService
) -> None:
    ann = await register(client)
    phone, old_laptop = push_service.device(), push_service.device()
    old_laptop.status = 410
    for device in (phone, old_laptop):
        r = await client.post(
            f"{API}/push/subscriptions",
            json=device.subscription(push_service.base),
            headers=ann.headers,
        )
        ok(r, 201)
    server_key = ok(await client.get(f"{API}/push/key", headers=ann.headers))["public_key"]

    t = await new_task(client, ann, remind_at=in_seconds(1))
    headers, body = await asyncio.wait_for(phone.received.get(), WAIT)
    await asyncio.wait_for(old_laptop.received.get(), WAIT)

    assert headers["Content-Encoding"] == "aes128gcm"
    plain = http_ece.decrypt(
        body, private_key=phone.private_key, auth_secret=phone.auth, version="aes128gcm"
    )
    message = json.loads(plain)
    assert message["type"] == "task.reminder"
    assert (message["task_id"], message["title"]) == (t["id"], "water the plants")
    # VAPID (RFC 8292): signed with the key the browser subscribed with.
    scheme, _, params = headers["Authorization"].partition(" ")
    fields = dict(p.split("=", 1) for p in params.split(","))
    assert scheme == "vapid"
    assert fields["k"] == server_key
    jwt_head, jwt_claims, signature = fields["t"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(jwt_claims + "=" * (-len(jwt_claims) % 4)))
    assert claims["aud"] == push_service.base
    raw_sig = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    der = _der_signature(raw_sig)
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), base64.urlsafe_b64decode(server_key + "=" * (-len(server_key) % 4))
    )
    public.verify(der, f"{jwt_head}.{jwt_claims}".encode(), ec.ECDSA(hashes.SHA256()))

    # The delivery record is written after both answered.
    row = await recorded(server, str(t["id"]), "push")
    assert (row.channels["push"], row.channels["push_removed"]) == (1, 1)
    async with server.app.state.runtime.db.session(readonly=True) as session:
        endpoints = set(
            await session.scalars(
                select(PushSubscription.endpoint).where(
                    PushSubscription.user_id == uuid.UUID(ann.id)
                )
            )
        )
    assert endpoints == {phone.subscription(push_service.base)["endpoint"]}


async def recorded(server: LiveServer, task_id: str, channel: str) -> Any:
    """The task's one reminder, once the delivery through ``channel`` is recorded on it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        [row] = await reminders_of(server, task_id)
        if channel in row.channels:
            return row
        assert loop.time() < deadline, f"no {channel} delivery recorded: {row.channels}"
        await asyncio.sleep(0.1)


def _der_signature(raw: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


async def test_email_reminder_for_users_who_opted_in(
    server: LiveServer, client: httpx.AsyncClient, mail_sink: MailSink
) -> None:
    ann = await register(client)
    ok(await client.put(f"{API}/profile", json={"email_reminders": True}, headers=ann.headers))
    t = await new_task(client, ann, title="call mum", remind_at=in_seconds(1))
    row = await recorded(server, str(t["id"]), "email")
    assert row.channels["email"] is True
    mine = [m for m in mail_sink.messages if m["To"] == ann.email]
    assert [m["Subject"] for m in mine] == ["Reminder: call mum"]


async def test_push_subscription_bad_input(
    client: httpx.AsyncClient, push_service: PushService, server: LiveServer
) -> None:
    ann = await register(client)
    good = push_service.device().subscription(push_service.base)
    url = f"{API}/push/subscriptions"

    async def post(body: object) -> httpx.Response:
        return await client.post(url, json=body, headers=ann.headers)

    long = {**good, "endpoint": push_service.base + "/push/" + "a" * 5000}
    assert "longer" in error_of(await post(long), 422)
    error_of(await post({**good, "endpoint": "ftp://push.example.com/x"}), 422)
    error_of(await post({**good, "endpoint": "javascript:alert(1)"}), 422)
    error_of(await post({**good, "endpoint": 'https://5:85/"x y'}), 422)
    gone = await client.request(
        "DELETE", url, json={"endpoint": "https://a b/"}, headers=ann.headers
    )
    error_of(gone, 422)
    error_of(await post({"endpoint": good["endpoint"]}), 422)
    error_of(await post({**good, "keys": {"p256dh": "x" * 5000, "auth": "y" * 22}}), 422)
    error_of(await post({**good, "keys": {"p256dh": "!" * 87, "auth": "y" * 22}}), 422)
    ok(await post(good), 201)
    ok(await post(good), 201)  # the same browser again: still one subscription
    limit = server.settings.push_max_subscriptions_per_user
    for _ in range(limit - 1):
        ok(await post(push_service.device().subscription(push_service.base)), 201)
    error_of(await post(push_service.device().subscription(push_service.base)), 409)
    r = await client.request(
        "DELETE", url, json={"endpoint": good["endpoint"]}, headers=ann.headers
    )
    assert r.status_code == 204
    r = await client.request(
        "DELETE", url, json={"endpoint": good["endpoint"]}, headers=ann.headers
    )
    error_of(r, 404)
    error_of(await client.post(url, json=good), 401)
