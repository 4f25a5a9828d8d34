"""In-process broker for the embedded mode: one process, bounded queues, no persistence."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from owlistic.events.broker.base import Broker, Message, Subscription

DEFAULT_QUEUE_SIZE = 10_000


class _MemorySubscription(Subscription):
    def __init__(self, broker: MemoryBroker, topics: Sequence[str], queue_size: int) -> None:
        self._broker = broker
        self.topics = frozenset(topics)
        self.queue: asyncio.Queue[Message] = asyncio.Queue(queue_size)

    async def __anext__(self) -> Message:
        return await self.queue.get()

    async def close(self) -> None:
        self._broker._subscribers.discard(self)


class MemoryBroker(Broker):
    """Fan-out to local subscribers, each with its own bounded queue.

    A full queue makes ``publish`` wait: the relay slows down and rows stay in the outbox,
    instead of memory growing or messages being dropped.
    """

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscribers: set[_MemorySubscription] = set()
        self._running = False

    async def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        self._running = False
        self._subscribers.clear()

    async def publish(self, messages: Sequence[Message]) -> None:
        for message in messages:
            for subscriber in list(self._subscribers):
                if message.topic in subscriber.topics:
                    await subscriber.queue.put(message)

    async def subscribe(self, topics: Sequence[str]) -> Subscription:
        subscription = _MemorySubscription(self, topics, self._queue_size)
        self._subscribers.add(subscription)
        return subscription

    async def healthy(self) -> bool:
        return self._running
