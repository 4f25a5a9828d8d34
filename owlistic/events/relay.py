"""Outbox relay: moves committed outbox rows to the broker, in ``seq`` order, at least once.

Woken directly after a local commit (and by PostgreSQL NOTIFY for other instances' writes);
``relay_poll_seconds`` is only a fallback. While the broker is away rows stay pending and
the relay retries with capped exponential backoff; writers are never blocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.events import repository
from owlistic.events.broker import Broker, BrokerUnavailable, Delivery, Message
from owlistic.events.envelope import OutboxRow, to_message
from owlistic.kit.db import Database
from owlistic.kit.time import utcnow
from owlistic.settings import Settings

log = logging.getLogger("owlistic.relay")

INITIAL_BACKOFF_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 5.0
PRUNE_INTERVAL_SECONDS = 600.0
# PostgreSQL: batches relayed in one transaction (under the relay lock) before committing.
# Bounds what a crash re-publishes, and how long one instance keeps the lock.
MAX_BATCHES_PER_TRANSACTION = 10
# Any constant shared by all instances; held for one transaction.
RELAY_LOCK_KEY = 0x6F776C6973746963  # "owlistic"
# SQLite: how long published rows wait to be marked dispatched, so that the rows of many
# commits are marked in one write transaction instead of one each. A crash in between
# sends them again (delivery is at least once; consumers de-duplicate by event id).
MARK_DELAY_SECONDS = 0.05


class OutboxRelay:
    def __init__(self, db: Database, broker: Broker, settings: Settings) -> None:
        self._db = db
        self._broker = broker
        self._batch_size = settings.relay_batch_size
        self._poll_seconds = settings.relay_poll_seconds
        self._retention = timedelta(hours=settings.outbox_retention_hours)
        self._topic_prefix = settings.kafka_topic_prefix
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_error: str | None = None
        # Read by /metrics: what this process's relay has published, and its failed runs.
        self.published_total = 0
        self.errors_total = 0
        # SQLite only: rows committed in this process, handed over in commit order (see
        # events/handoff.py). Used only while no older row can be pending ("caught up").
        self._handed: list[tuple[int, Message]] = []
        self._caught_up = False
        self._last_scanned: set[int] = set()
        # When caught up, a wake-up with nothing handed over (the second signal of one
        # commit) scans only if the last scan is older than the poll interval: rows
        # written by another process (the CLI) are still found within it.
        self._next_scan = 0.0
        # Published, not yet marked (MARK_DELAY_SECONDS); a scan marks them first, under
        # the lock, so that it never reads a sent row as pending and sends it twice.
        self._unmarked: list[int] = []
        self._marker: asyncio.Task[None] | None = None
        self._mark_lock = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    def rows_committed(self, rows: Sequence[OutboxRow]) -> None:
        """Called right after a local commit with the rows it wrote.

        Registered for SQLite only: with PostgreSQL several instances relay, and rows are
        taken under lock (NOTIFY wakes them).
        """
        self._handed.extend((r.seq, to_message(r, self._topic_prefix)) for r in rows)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="owlistic-outbox-relay")

    async def stop(self) -> None:
        for task in (self._task, self._marker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._marker = None
        try:
            await self._mark_published()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("outbox relay stopped with rows sent but not marked: %s", exc)

    async def relay_once(self) -> int:
        """Publish what is pending (a bounded number of batches); returns how many rows
        were dispatched."""
        if self._db.is_sqlite:
            return await self._relay_sqlite()
        failure: BrokerUnavailable | None = None
        async with self._db.session() as session:
            # One publisher at a time keeps per-key order across instances; SKIP LOCKED
            # additionally guarantees no row is taken by two relays.
            locked = await session.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))
            if not locked:
                return 0  # the holder listens too, so it will pick our rows up
            dispatched, failure = await self._relay_postgres(session)
        # Committed: the rows acknowledged before a broker error stay dispatched.
        if failure is not None:
            raise failure
        return dispatched

    async def _relay_postgres(self, session: AsyncSession) -> tuple[int, BrokerUnavailable | None]:
        """Batches back to back in one transaction, each overlapping its neighbours.

        While the broker acknowledges batch n, batch n+1 is read; while batch n is being
        marked, batch n+1 is encoded; then it is sent. One batch is in flight at a time,
        so what is marked is always everything acknowledged so far, in ``seq`` order.
        A broker error ends the run: the acknowledged batches are committed as
        dispatched, the one in flight stays pending and is sent again.
        """
        dispatched = batches = 0
        fetching = True
        after: int | None = None
        in_flight: tuple[list[int], Delivery] | None = None
        marking: asyncio.Task[None] | None = None
        try:
            while True:
                rows: Sequence[OutboxRow] = []
                if fetching:
                    rows = await repository.pending_batch(session, self._batch_size, after=after)
                    batches += 1
                    fetching = (
                        len(rows) == self._batch_size and batches < MAX_BATCHES_PER_TRANSACTION
                    )
                acknowledged: list[int] = []
                if in_flight is not None:
                    (acknowledged, delivery), in_flight = in_flight, None
                    try:
                        await delivery.wait()
                    except BrokerUnavailable as exc:
                        return dispatched, exc
                    marking = asyncio.create_task(repository.mark_dispatched(session, acknowledged))
                    await asyncio.sleep(0)  # let the UPDATE go out; encode meanwhile
                messages = [to_message(r, self._topic_prefix) for r in rows]
                if marking is not None:
                    await marking
                    marking = None
                    dispatched += len(acknowledged)
                if not rows:
                    return dispatched, None
                after = rows[-1].seq
                try:
                    in_flight = ([r.seq for r in rows], await self._broker.send(messages))
                except BrokerUnavailable as exc:
                    return dispatched, exc
        finally:
            if marking is not None:  # failed while encoding: let the session finish first
                with contextlib.suppress(Exception):
                    await marking
            if in_flight is not None:
                in_flight[1].abandon()  # never acknowledged: its rows stay pending

    async def _relay_sqlite(self) -> int:
        # One process owns a SQLite file, so one relay: no locking. The write lock is never
        # held while waiting for the broker.
        handed, self._handed = self._handed, []
        now = asyncio.get_running_loop().time()
        if not handed and self._caught_up and now < self._next_scan:
            return 0
        try:
            if handed and self._caught_up:
                # A scan may already have sent a row whose hand-over came late.
                fresh = sorted(
                    (h for h in handed if h[0] not in self._last_scanned), key=lambda h: h[0]
                )
                seqs = [seq for seq, _ in fresh]
                messages = [message for _, message in fresh]
            else:
                await self._mark_published()  # what was sent must not read as pending
                async with self._db.session(readonly=True) as session:
                    rows = await repository.pending_batch(session, self._batch_size)
                    messages = [to_message(r, self._topic_prefix) for r in rows]
                    seqs = [r.seq for r in rows]
                self._last_scanned = set(seqs)
                self._next_scan = now + self._poll_seconds
                # Every row committed before this scan is now being sent; later ones are
                # handed over, in commit order (SQLite commits one writer at a time).
                self._caught_up = len(seqs) < self._batch_size
            if not seqs:
                return 0
            await self._broker.publish(messages)
        except BaseException:
            self._caught_up = False  # rows stay pending; the next run scans for them
            raise
        self._unmarked.extend(seqs)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._mark_soon(), name="owlistic-outbox-mark")
        return len(seqs)

    async def _mark_soon(self) -> None:
        await asyncio.sleep(MARK_DELAY_SECONDS)
        try:
            await self._mark_published()
        except (SQLAlchemyError, OSError) as exc:
            # Kept: the next scan (at the latest a poll interval away) marks them first.
            log.warning("outbox relay could not mark sent rows yet: %s", exc)

    async def _mark_published(self) -> None:
        """SQLite: marks every published row not marked yet, in one transaction."""
        async with self._mark_lock:
            seqs, self._unmarked = self._unmarked, []
            if not seqs:
                return
            try:
                async with self._db.session() as session:
                    await repository.mark_dispatched(session, seqs)
            except BaseException:
                self._unmarked[:0] = seqs
                raise

    async def prune(self) -> None:
        async with self._db.session() as session:
            events = await repository.prune_dispatched(session, before=utcnow() - self._retention)
        if events:
            log.info("pruned %d dispatched events", events)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = INITIAL_BACKOFF_SECONDS
        next_prune = loop.time()
        while True:
            self._wake.clear()
            try:
                dispatched = await self.relay_once()
                self.published_total += dispatched
                if loop.time() >= next_prune:
                    next_prune = loop.time() + PRUNE_INTERVAL_SECONDS
                    await self.prune()
            except (BrokerUnavailable, SQLAlchemyError, OSError) as exc:
                self.errors_total += 1
                if self.last_error is None:
                    log.warning("outbox relay paused, retrying: %s", exc)
                self.last_error = str(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            except Exception as exc:
                # A bug must not stop event delivery for good: log it loudly, retry.
                log.exception("outbox relay failed")
                self.errors_total += 1
                self.last_error = repr(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if self.last_error is not None:
                log.info("outbox relay resumed")
                self.last_error = None
            backoff = INITIAL_BACKOFF_SECONDS
            if dispatched >= self._batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
