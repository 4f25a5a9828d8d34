"""Web Push: subscriptions and sending encrypted notifications (RFC 8291 via pywebpush)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from py_vapid import Vapid02
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.kit.db import Database
from owlistic.kit.errors import Conflict, NotFound, Unprocessable
from owlistic.models import PushSubscription
from owlistic.push import repository
from owlistic.push.schemas import ENDPOINT_REST, SubscriptionIn
from owlistic.settings import Settings

if TYPE_CHECKING:  # the HTTP client and pywebpush load on the first push, not at start-up
    import aiohttp

log = logging.getLogger("owlistic.push")

# The push service says the subscription is gone for good: forget it.
GONE = frozenset({404, 410})


def check_endpoint(endpoint: str, settings: Settings) -> None:
    if len(endpoint) > settings.push_max_endpoint_length:
        raise Unprocessable(f"endpoint longer than {settings.push_max_endpoint_length} characters")
    scheme = "https?" if settings.push_allow_http else "https"
    if not re.match(f"^{scheme}{ENDPOINT_REST}", endpoint):
        raise Unprocessable("endpoint must be an https:// URL of a push service")


async def subscribe(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, body: SubscriptionIn
) -> PushSubscription:
    """Idempotent per endpoint; a browser that logs in as someone else moves to them."""
    check_endpoint(body.endpoint, settings)
    existing = await repository.by_endpoint(session, body.endpoint)
    if existing is None:
        if await repository.count_of(session, user_id) >= settings.push_max_subscriptions_per_user:
            raise Conflict(
                f"at most {settings.push_max_subscriptions_per_user} push subscriptions per user"
            )
        existing = PushSubscription(endpoint=body.endpoint, user_id=user_id)
        session.add(existing)
    existing.user_id, existing.p256dh, existing.auth = user_id, body.keys.p256dh, body.keys.auth
    await session.flush()
    return existing


async def unsubscribe(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, endpoint: str
) -> None:
    check_endpoint(endpoint, settings)
    if not await repository.remove(session, user_id, endpoint):
        raise NotFound("no such push subscription")


class PushSender:
    """Holds the VAPID key and one HTTP client session for the process."""

    def __init__(self, settings: Settings, db: Database, vapid: Vapid02) -> None:
        self.settings, self.db, self.vapid = settings, db, vapid
        self._http: aiohttp.ClientSession | None = None

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()

    def _client(self) -> aiohttp.ClientSession:
        import aiohttp

        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.push_timeout_seconds)
            )
        return self._http

    async def send_to_user(self, user_id: uuid.UUID, payload: dict[str, Any]) -> tuple[int, int]:
        """Push ``payload`` to every device of the user; returns (delivered, removed)."""
        async with self.db.session(readonly=True) as session:
            subs = await repository.of_user(session, user_id)
        if not subs:
            return 0, 0
        data = json.dumps(payload, separators=(",", ":"))
        results = await asyncio.gather(*(self._send(sub, data) for sub in subs))
        gone = [sub.id for sub, status in zip(subs, results, strict=True) if status in GONE]
        if gone:
            async with self.db.session() as session:
                await repository.remove_ids(session, gone)
        return sum(1 for status in results if status is not None and status < 300), len(gone)

    async def _send(self, sub: Any, data: str) -> int | None:
        """The push service's status, or None when it could not be reached."""
        import aiohttp
        from pywebpush import WebPushException, webpush_async

        try:
            await webpush_async(
                {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                data=data,
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.settings.vapid_subject},
                ttl=3600,
                aiohttp_session=self._client(),
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status", None) or getattr(
                exc.response, "status_code", None
            )
            log.info("push to %s failed: %s", urlsplit(sub.endpoint).hostname, status)
            return int(status) if status else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.info("push to %s failed: %r", urlsplit(sub.endpoint).hostname, exc)
            return None
        return 201


async def get_push(request: Request) -> PushSender:
    """This process's sender (started with the reminder scheduler by the lifespan)."""
    sender: PushSender = request.app.state.push
    return sender


PushDep = Annotated[PushSender, Depends(get_push)]
