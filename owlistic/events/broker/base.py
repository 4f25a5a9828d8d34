"""The broker interface: publish ordered messages, consume a set of topics.

Adapters are chosen by URL scheme (``memory://``, ``kafka://``); see ``create_broker``.
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass

# Entity kinds that have a topic; the outbox ``entity`` column takes these values.
ENTITIES: tuple[str, ...] = ("user", "notebook", "note", "block", "task", "trash")

# Delivery metadata travels beside the envelope, never inside it: clients must not see it.
HEADER_EVENT_ID = "owlistic-event-id"
HEADER_SEQ = "owlistic-seq"
HEADER_AUDIENCE = "owlistic-audience"


class BrokerUnavailable(RuntimeError):
    """Publishing failed; the caller keeps the messages and retries later."""


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    key: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def event_id(self) -> str:
        return (self.header(HEADER_EVENT_ID) or b"").decode()

    @property
    def audience(self) -> list[str]:
        raw = self.header(HEADER_AUDIENCE)
        if not raw:
            return []
        value = json.loads(raw)
        return [str(v) for v in value] if isinstance(value, list) else []


def topic_name(prefix: str, entity: str) -> str:
    return f"{prefix}{entity}"


class Subscription(ABC):
    """An async iterator of messages; set up completely before ``subscribe`` returns."""

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    @abstractmethod
    async def __anext__(self) -> Message: ...

    @abstractmethod
    async def close(self) -> None: ...


class Delivery:
    """Acknowledgements still to come for messages already handed to a broker."""

    def __init__(self, acks: Awaitable[None] | None = None) -> None:
        self._acks = None if acks is None else asyncio.ensure_future(acks)

    async def wait(self) -> None:
        """Returns once every message is acknowledged; raises ``BrokerUnavailable`` if not."""
        if self._acks is not None:
            await self._acks

    def abandon(self) -> None:
        """Nobody will wait: stop waiting for the acknowledgements and drop their outcome.

        The messages may still arrive; their rows stay pending and are sent again (at
        least once).
        """
        if self._acks is not None:
            self._acks.cancel()
            self._acks.add_done_callback(_consume)


def _consume(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


class Broker(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, messages: Sequence[Message]) -> None:
        """Deliver ``messages`` in order, or raise ``BrokerUnavailable`` (none may be lost)."""

    async def send(self, messages: Sequence[Message]) -> Delivery:
        """Hand ``messages`` over in order and return without waiting for acknowledgements.

        What is sent later is ordered after them. Awaiting ``Delivery.wait()`` is what
        ``publish`` does; in between the caller can prepare its next batch. Brokers with
        nothing to wait for deliver here.
        """
        await self.publish(messages)
        return Delivery()

    @abstractmethod
    async def subscribe(self, topics: Sequence[str]) -> Subscription:
        """Every message published to ``topics`` after this call returns (each subscriber
        sees all of them: every server instance needs every event)."""

    @abstractmethod
    async def healthy(self) -> bool: ...
