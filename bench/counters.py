"""Counting events as they reach the broker: Kafka topics (production) or WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any

from bench.wsclient import Fleet
from owlistic.events.broker.base import ENTITIES


class EventCounter:
    """How many events arrived, and when the last one did."""

    source = ""

    def __init__(self) -> None:
        self.count = 0
        self.last_at = 0.0
        self._changed = asyncio.Event()

    def _add(self, n: int) -> None:
        if n:
            self.count += n
            self.last_at = time.perf_counter()
            self._changed.set()

    async def wait_for(self, total: int, timeout: float) -> bool:
        """Whether ``count`` reached ``total`` within ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self.count < total:
                    self._changed.clear()
                    await self._changed.wait()
        return self.count >= total

    async def close(self) -> None:
        return None


class KafkaCounter(EventCounter):
    """Consumes every partition of the server's topics from their current end."""

    source = "Kafka topics (consumed by the bench)"

    def __init__(self, bootstrap: str, prefix: str) -> None:
        super().__init__()
        self._bootstrap = bootstrap
        self._topics = [f"{prefix}{e}" for e in ENTITIES]
        self._consumer: Any = None
        self._partitions_assigned: list[Any] = []
        self.offsets_at_start = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> KafkaCounter:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        await consumer.start()
        self._consumer = consumer
        partitions = [TopicPartition(t, p) for t, p in await self._partitions()]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            await consumer.position(tp)
        self._partitions_assigned = partitions
        self.offsets_at_start = await self.end_offsets()
        self._task = asyncio.create_task(self._run(consumer))
        return self

    async def end_offsets(self) -> int:
        """Messages ever written to the server's topics (sum of the partitions' end offsets)."""
        offsets = await self._consumer.end_offsets(self._partitions_assigned)
        return int(sum(offsets.values()))

    async def _partitions(self) -> list[tuple[str, int]]:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(self._topics)
        finally:
            await admin.close()
        found = [
            (str(d["topic"]), int(p["partition"]))
            for d in described
            if not d.get("error_code")
            for p in d.get("partitions", [])
        ]
        if not found:
            raise RuntimeError(f"no Kafka partitions for {self._topics}")
        return found

    async def _run(self, consumer: Any) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=50, max_records=10_000)
            self._add(sum(len(records) for records in batches.values()))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._consumer is not None:
            with contextlib.suppress(Exception):
                await self._consumer.stop()


class WebSocketCounter(EventCounter):
    """Counts event frames delivered to one WebSocket per user."""

    source = "WebSocket deliveries (one socket per writing user)"

    def __init__(self, ws_url: str) -> None:
        super().__init__()
        self.fleet = Fleet(ws_url, on_event=lambda: self._add(1))

    async def start(self, tokens: Sequence[str]) -> WebSocketCounter:
        await self.fleet.grow(tokens)
        return self

    async def close(self) -> None:
        await self.fleet.close()
