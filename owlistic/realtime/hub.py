"""Process-wide fan-out: consume the broker once, deliver to local connections by audience."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable

from starlette.applications import Starlette

from owlistic.auth.revocation import Revocation
from owlistic.events.broker import Broker, Message
from owlistic.events.broker.consume import consume_forever
from owlistic.realtime.connection import Connection, Outgoing
from owlistic.realtime.registry import ConnectionRegistry

log = logging.getLogger("owlistic.ws")

# Delivery is at least once (a relay retry can publish twice): remember recent event ids.
RECENT_EVENT_IDS = 10_000


def hub_of(app: Starlette) -> Hub:
    """This process's hub, started by the app's lifespan."""
    hub = app.state.hub
    if not isinstance(hub, Hub):
        raise RuntimeError("the WebSocket hub is not running (app lifespan not started)")
    return hub


class Hub:
    def __init__(
        self,
        broker: Broker,
        topics: list[str],
        *,
        registry: ConnectionRegistry,
        revocation_topic: str,
    ) -> None:
        self._broker = broker
        self._topics = topics
        self.registry = registry
        self._revocation_topic = revocation_topic
        self._by_user: dict[str, set[Connection]] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._task: asyncio.Task[None] | None = None
        self.received_total = 0  # broker messages taken in (read by /metrics)
        self._ready = asyncio.Event()
        self._listeners: list[Callable[[Message], None]] = []

    @property
    def connection_count(self) -> int:
        return sum(len(c) for c in self._by_user.values())

    async def start(self, *, wait_seconds: float = 15.0) -> None:
        """Returns once subscribed (so nothing published afterwards is missed), or after
        ``wait_seconds`` if the broker is unreachable; it keeps trying in the background."""
        self._task = asyncio.create_task(self._run(), name="owlistic-ws-hub")
        ready = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=wait_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        ready.cancel()
        if self._task in done:
            self._task.result()
        if not self._ready.is_set():
            log.warning("WebSocket hub not subscribed yet; the broker is unreachable")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def listen(self, callback: Callable[[Message], None]) -> None:
        """Also hand every (de-duplicated) event to ``callback``."""
        self._listeners.append(callback)

    def attach(self, connection: Connection) -> None:
        self._by_user.setdefault(connection.user_id, set()).add(connection)

    def detach(self, connection: Connection) -> None:
        connections = self._by_user.get(connection.user_id)
        if connections is not None:
            connections.discard(connection)
            if not connections:
                del self._by_user[connection.user_id]

    def deliver(self, message: Message) -> None:
        self.received_total += 1
        event_id = message.event_id
        if event_id:
            if event_id in self._recent:
                return
            self._recent[event_id] = None
            if len(self._recent) > RECENT_EVENT_IDS:
                self._recent.popitem(last=False)
        if message.topic == self._revocation_topic:
            self._revoke(message)
            return
        for listener in self._listeners:
            listener(message)
        item = Outgoing(message.value.decode(), event_id or None)
        for user_id in message.audience:
            for connection in self._by_user.get(user_id, ()):
                connection.offer(item)

    def _revoke(self, message: Message) -> None:
        try:
            revocation = Revocation.from_data(json.loads(message.value)["payload"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed revocation on %s", message.topic)
            return
        closed = self.registry.revoke(revocation)
        if closed:
            log.info(
                "closed %d socket(s) of user %s: %s", closed, revocation.user_id, revocation.reason
            )

    async def _run(self) -> None:
        await consume_forever(
            self._broker,
            self._topics,
            self.deliver,
            ready=self._ready,
            name="WebSocket hub",
            log=log,
        )
