"""Kafka adapter (aiokafka): one topic per entity kind, keyed so one note stays in order."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from aiokafka.partitioner import murmur2

from owlistic.events.broker.base import (
    Broker,
    BrokerUnavailable,
    Delivery,
    Message,
    Subscription,
)

log = logging.getLogger("owlistic.broker.kafka")

# Short timeouts: while Kafka is away the relay backs off and retries; writes never wait.
REQUEST_TIMEOUT_MS = 5_000
PUBLISH_TIMEOUT_SECONDS = 10.0
HEALTH_TIMEOUT_SECONDS = 2.0
# aiokafka keeps one produce request in flight per broker, holding at most one batch per
# partition, so the batch size bounds what one round trip carries. The default (16 KiB,
# about 25 events) made a 500-event relay batch take many round trips; 512 KiB fits a
# whole relay batch and stays under the broker's default message.max.bytes (1 MiB).
MAX_BATCH_BYTES = 512 * 1024


@functools.lru_cache(maxsize=65_536)
def _key_hash(key: bytes) -> int:
    return int(murmur2(key)) & 0x7FFFFFFF


def partition_for(key: bytes, partitions: Sequence[int]) -> int:
    """The partition of ``key`` among the sorted ``partitions``: what aiokafka's default
    partitioner (and the Java client's) picks, so a key stays on its partition whichever
    client wrote it. The hash is cached: a relay batch repeats a few note ids many times.
    """
    return partitions[_key_hash(key) % len(partitions)]


def parse_bootstrap(url: str) -> str:
    """``kafka://h1:9092,h2:9092`` -> ``h1:9092,h2:9092``."""
    servers = url.removeprefix("kafka://").strip("/")
    if not servers:
        raise ValueError(f"no Kafka bootstrap servers in {url!r}")
    return servers


class _KafkaSubscription(Subscription):
    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer

    async def __anext__(self) -> Message:
        try:
            record = await self._consumer.getone()
        except asyncio.CancelledError:
            raise
        except KafkaError as exc:
            raise BrokerUnavailable(str(exc)) from exc
        headers = tuple((str(k), bytes(v)) for k, v in (record.headers or ()))
        key = record.key.decode() if record.key else ""
        return Message(topic=record.topic, key=key, value=record.value or b"", headers=headers)

    async def close(self) -> None:
        await self._consumer.stop()


class KafkaBroker(Broker):
    def __init__(self, url: str, *, client_id: str, topics: Sequence[str], partitions: int) -> None:
        self._servers = parse_bootstrap(url)
        self._client_id = client_id
        self._topics = list(topics)
        self._partitions = partitions
        self._producer: AIOKafkaProducer | None = None
        self._producer_lock = asyncio.Lock()
        self._partition_ids: dict[str, list[int]] = {}
        self._subscriptions: list[_KafkaSubscription] = []
        self._stopped = False

    async def start(self) -> None:
        """Create missing topics first, so consumers never race topic auto-creation."""
        try:
            await self._ensure_topics(self._topics)
        except (KafkaError, OSError) as exc:
            raise BrokerUnavailable(f"Kafka unreachable: {exc!r}") from exc

    async def stop(self) -> None:
        self._stopped = True
        for sub in self._subscriptions:
            await sub.close()
        self._subscriptions.clear()
        await self._drop_producer()

    async def _ensure_topics(self, topics: Sequence[str]) -> None:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self._servers,
            client_id=f"{self._client_id}-admin",
            request_timeout_ms=REQUEST_TIMEOUT_MS,
        )
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            missing = [t for t in topics if t not in existing]
            if missing:
                brokers = (await admin.describe_cluster()).get("brokers", [])
                replication = max(1, min(3, len(brokers)))
                await admin.create_topics(
                    [
                        NewTopic(
                            name=t, num_partitions=self._partitions, replication_factor=replication
                        )
                        for t in missing
                    ]
                )
                log.info("created Kafka topics %s", ", ".join(missing))
            # New topics take a moment to get partition leaders; wait for them.
            for _ in range(50):
                for described in await admin.describe_topics(list(topics)):
                    parts = described.get("partitions", [])
                    if parts and all(p.get("leader", -1) >= 0 for p in parts):
                        self._partition_ids[described["topic"]] = sorted(
                            p["partition"] for p in parts
                        )
                if all(t in self._partition_ids for t in topics):
                    return
                await asyncio.sleep(0.2)
            raise BrokerUnavailable(f"Kafka topics not ready: {', '.join(topics)}")
        finally:
            await admin.close()

    async def _get_producer(self) -> AIOKafkaProducer:
        async with self._producer_lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._servers,
                    client_id=self._client_id,
                    enable_idempotence=True,
                    acks="all",
                    linger_ms=0,
                    max_batch_size=MAX_BATCH_BYTES,
                    request_timeout_ms=REQUEST_TIMEOUT_MS,
                )
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def _drop_producer(self) -> None:
        async with self._producer_lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), REQUEST_TIMEOUT_MS / 1000)
            except (KafkaError, TimeoutError, OSError):
                log.debug("producer did not stop cleanly", exc_info=True)

    async def publish(self, messages: Sequence[Message]) -> None:
        await (await self.send(messages)).wait()

    async def send(self, messages: Sequence[Message]) -> Delivery:
        if not messages:
            return Delivery()
        try:
            acks = await asyncio.wait_for(self._enqueue(messages), PUBLISH_TIMEOUT_SECONDS)
        except (KafkaError, TimeoutError, OSError) as exc:
            raise await self._failed(exc) from exc
        return Delivery(self._acknowledged(acks))

    async def _acknowledged(self, acks: list[asyncio.Future[Any]]) -> None:
        try:
            await asyncio.wait_for(asyncio.gather(*acks), PUBLISH_TIMEOUT_SECONDS)
        except (KafkaError, TimeoutError, OSError) as exc:
            raise await self._failed(exc) from exc

    async def _failed(self, exc: BaseException) -> BrokerUnavailable:
        # A fresh producer (new idempotence id, empty buffers) for the retry: a failed
        # batch left in the old one could otherwise be sent late, after its retry.
        await self._drop_producer()
        return BrokerUnavailable(f"Kafka publish failed: {exc!r}")

    async def _enqueue(self, messages: Sequence[Message]) -> list[asyncio.Future[Any]]:
        """Hands every message to the producer; returns the acknowledgements to wait for.

        Messages are appended, in order, to one record batch per partition (a new one
        when it is full) and each batch is handed to the producer whole: one future per
        batch instead of one per message, and the partition of a key is hashed once.
        Nothing here waits for the network unless a partition already has a full batch
        queued, so a relay batch normally goes out in one request.
        Order: aiokafka sends at most one request at a time to a broker and drains each
        partition's batches in the order they were handed over, so one key's events
        reach their partition in order; the idempotent producer (``acks="all"``) makes
        its own retries neither duplicate nor reorder them.
        """
        producer = await self._get_producer()
        partitions: dict[str, list[int]] = {}
        open_batches: dict[tuple[str, int], Any] = {}
        acks: list[asyncio.Future[Any]] = []
        for m in messages:
            ids = partitions.get(m.topic)
            if ids is None:
                ids = partitions[m.topic] = sorted(await producer.partitions_for(m.topic))
            key = m.key.encode()
            headers = list(m.headers)  # the record builder takes a list only
            tp = (m.topic, partition_for(key, ids) if key else self._any_partition(producer, m))
            batch = open_batches.get(tp)
            if batch is None:
                batch = open_batches[tp] = producer.create_batch()
            if batch.append(key=key or None, value=m.value, timestamp=None, headers=headers):
                continue
            # Full: hand it over (waits while this partition's previous batch is queued).
            acks.append(await producer.send_batch(batch, tp[0], partition=tp[1]))
            batch = open_batches[tp] = producer.create_batch()
            # A message bigger than a batch gets a batch of its own.
            batch.append(key=key or None, value=m.value, timestamp=None, headers=headers)
        for (topic, partition), batch in open_batches.items():
            acks.append(await producer.send_batch(batch, topic, partition=partition))
        return acks

    @staticmethod
    def _any_partition(producer: AIOKafkaProducer, m: Message) -> int:
        """A keyless message goes to any partition with a leader, as with ``send``."""
        available = producer.client.cluster.available_partitions_for_topic(m.topic)
        all_ids = producer.client.cluster.partitions_for_topic(m.topic)
        return int(random.choice(sorted(available or all_ids)))

    async def subscribe(self, topics: Sequence[str]) -> Subscription:
        try:
            return await self._subscribe(topics)
        except (KafkaError, OSError) as exc:
            raise BrokerUnavailable(f"Kafka unreachable: {exc!r}") from exc

    async def _subscribe(self, topics: Sequence[str]) -> Subscription:
        missing = [t for t in topics if t not in self._partition_ids]
        if missing:
            await self._ensure_topics(missing)
        options: dict[str, Any] = {
            "bootstrap_servers": self._servers,
            "client_id": f"{self._client_id}-consumer",
            "request_timeout_ms": max(REQUEST_TIMEOUT_MS, 40_000),
        }
        consumer = await self._broadcast_consumer(topics, options)
        sub = _KafkaSubscription(consumer)
        self._subscriptions.append(sub)
        return sub

    async def _broadcast_consumer(
        self, topics: Sequence[str], options: dict[str, Any]
    ) -> AIOKafkaConsumer:
        """No group: take every partition, starting at its end, resolved before returning.

        Without a group there is no rebalance to wait for, and every server instance sees
        every message; positions are fixed now so nothing published afterwards is missed.
        """
        consumer = AIOKafkaConsumer(
            group_id=None, enable_auto_commit=False, auto_offset_reset="latest", **options
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(t, p) for t in topics for p in self._partition_ids[t]]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            for tp in partitions:
                await consumer.position(tp)
        except BaseException:
            await consumer.stop()
            raise
        return consumer

    async def healthy(self) -> bool:
        if self._stopped:
            return False
        try:
            producer = await asyncio.wait_for(self._get_producer(), HEALTH_TIMEOUT_SECONDS)
            await asyncio.wait_for(producer.client.fetch_all_metadata(), HEALTH_TIMEOUT_SECONDS)
        except (KafkaError, TimeoutError, OSError):
            return False
        return True
