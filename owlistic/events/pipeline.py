"""The events pipeline as one component: broker, outbox relay and, on PostgreSQL, the
``LISTEN`` connection that wakes the relay for other instances' writes.

Started by the app's lifespan in two steps, so consumers of this instance (the WebSocket
hub) can subscribe between them: ``open()`` connects the broker, ``start_relay()`` begins
sending, including the backlog, which must find those consumers subscribed.
"""

from __future__ import annotations

import logging

from owlistic.events import handoff, wakeup
from owlistic.events.broker import Broker, BrokerUnavailable, create_broker, entity_topics
from owlistic.events.relay import OutboxRelay
from owlistic.events.wakeup import PgListener, asyncpg_dsn
from owlistic.kit.db import Database
from owlistic.settings import Settings

log = logging.getLogger("owlistic.events")


class EventPipeline:
    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self.broker: Broker = create_broker(settings)
        self.relay = OutboxRelay(db, self.broker, settings)
        self.topics = entity_topics(settings)
        self._listener: PgListener | None = None

    async def open(self) -> None:
        try:
            await self.broker.start()
        except BrokerUnavailable as exc:
            # Serve anyway: writes keep succeeding and the relay delivers once it is back.
            log.warning("broker unavailable at start-up: %s", exc)

    def start_relay(self) -> None:
        self._db.on_outbox_commit(self.relay.wake)
        if self._db.is_sqlite:
            handoff.register(self._db.engine.sync_engine, self.relay.rows_committed)
        else:
            self._listener = PgListener(
                asyncpg_dsn(self._db.engine.url),
                self.relay.wake,
                retry_seconds=self._settings.relay_poll_seconds,
                origin=wakeup.register_origin(self._db.engine.sync_engine),
            )
            self._listener.start()
        self.relay.start()

    async def stop_relay(self) -> None:
        handoff.unregister(self._db.engine.sync_engine)
        wakeup.unregister_origin(self._db.engine.sync_engine)
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        await self.relay.stop()

    async def close(self) -> None:
        await self.broker.stop()
