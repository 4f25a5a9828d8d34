"""The broker interface: publish ordered messages, consume a set of topics.

Adapters are chosen by URL scheme (``memory://``, ``kafka://``); see ``create_broker``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

# Entity kinds that have a topic; the outbox ``entity`` column takes these values.
ENTITIES: tuple[str, ...] = ("user", "notebook", "note", "block", "task", "trash", "role")

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


class Broker(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, messages: Sequence[Message]) -> None:
        """Deliver ``messages`` in order, or raise ``BrokerUnavailable`` (none may be lost)."""

    @abstractmethod
    async def subscribe(self, topics: Sequence[str], group: str | None = None) -> Subscription:
        """Messages published to ``topics`` after this call returns.

        ``group=None`` is a broadcast subscription: this subscriber sees every message.
        Subscribers sharing a group name split the messages between them.
        """

    @abstractmethod
    async def healthy(self) -> bool: ...
