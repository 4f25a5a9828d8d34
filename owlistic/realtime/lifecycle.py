"""Start and stop the real-time pipeline: broker, WebSocket hub, outbox relay, listener."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from owlistic.auth import revocation
from owlistic.events import handoff
from owlistic.events.broker import (
    Broker,
    BrokerUnavailable,
    create_broker,
    entity_topics,
    topic_name,
)
from owlistic.events.relay import OutboxRelay
from owlistic.events.wakeup import PgListener, asyncpg_dsn, install_notify_hook
from owlistic.realtime.hub import Hub
from owlistic.realtime.registry import ConnectionRegistry
from owlistic.runtime import Runtime

log = logging.getLogger("owlistic.realtime")

COMPONENT = "realtime"


@dataclass
class Realtime:
    broker: Broker
    hub: Hub
    relay: OutboxRelay
    listener: PgListener | None

    @property
    def registry(self) -> ConnectionRegistry:
        """Where every kind of socket registers, so revocations and the per-user cap reach it."""
        return self.hub.registry


def realtime_of(runtime: Runtime) -> Realtime:
    realtime: Realtime = runtime.components[COMPONENT]
    return realtime


async def start_realtime(runtime: Runtime) -> None:
    settings = runtime.settings
    install_notify_hook()
    broker = create_broker(settings)
    try:
        await broker.start()
    except BrokerUnavailable as exc:
        # Serve anyway: writes keep succeeding and the relay delivers once it is back.
        log.warning("broker unavailable at start-up: %s", exc)
    hub = Hub(
        broker,
        entity_topics(settings),
        registry=ConnectionRegistry(settings.ws_max_per_user),
        revocation_topic=topic_name(settings.kafka_topic_prefix, revocation.ENTITY),
    )
    await hub.start()  # before the relay, so the backlog it sends reaches this instance
    relay = OutboxRelay(runtime.db, broker, settings)
    runtime.on_outbox_committed(relay.wake)
    listener = None
    if runtime.db.is_sqlite:
        handoff.register(runtime.db.engine.sync_engine, relay.rows_committed)
    else:
        listener = PgListener(
            asyncpg_dsn(runtime.db.engine.url),
            relay.wake,
            retry_seconds=settings.relay_poll_seconds,
        )
        listener.start()
    relay.start()
    runtime.components[COMPONENT] = Realtime(broker=broker, hub=hub, relay=relay, listener=listener)


async def stop_realtime(runtime: Runtime) -> None:
    realtime: Realtime | None = runtime.components.pop(COMPONENT, None)
    if realtime is None:
        return
    handoff.unregister(runtime.db.engine.sync_engine)
    if realtime.listener is not None:
        await realtime.listener.stop()
    await realtime.relay.stop()
    await realtime.hub.stop()
    await realtime.broker.stop()
