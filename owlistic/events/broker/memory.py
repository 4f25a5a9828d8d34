"""In-process broker for the embedded mode: one process, bounded queues, no persistence."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence

from owlistic.events.broker.base import Broker, Message, Subscription

DEFAULT_QUEUE_SIZE = 10_000


class _Group:
    def __init__(self, topics: Sequence[str], queue_size: int) -> None:
        self.topics = frozenset(topics)
        self.queue: asyncio.Queue[Message] = asyncio.Queue(queue_size)
        self.members = 0


class _MemorySubscription(Subscription):
    def __init__(self, broker: MemoryBroker, name: str, group: _Group) -> None:
        self._broker = broker
        self._name = name
        self._group = group

    async def __anext__(self) -> Message:
        return await self._group.queue.get()

    async def close(self) -> None:
        self._broker._leave(self._name)


class MemoryBroker(Broker):
    """Fan-out to local subscribers; members of one group share a queue.

    A full queue makes ``publish`` wait: the relay slows down and rows stay in the outbox,
    instead of memory growing or messages being dropped.
    """

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._groups: dict[str, _Group] = {}
        self._anonymous = itertools.count()
        self._running = False

    async def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        self._running = False
        self._groups.clear()

    async def publish(self, messages: Sequence[Message]) -> None:
        for message in messages:
            for group in list(self._groups.values()):
                if message.topic in group.topics:
                    await group.queue.put(message)

    async def subscribe(self, topics: Sequence[str], group: str | None = None) -> Subscription:
        name = group if group is not None else f"\0broadcast-{next(self._anonymous)}"
        shared = self._groups.get(name)
        if shared is None:
            shared = self._groups[name] = _Group(topics, self._queue_size)
        shared.members += 1
        return _MemorySubscription(self, name, shared)

    def _leave(self, name: str) -> None:
        group = self._groups.get(name)
        if group is not None:
            group.members -= 1
            if group.members <= 0:
                del self._groups[name]

    async def healthy(self) -> bool:
        return self._running
