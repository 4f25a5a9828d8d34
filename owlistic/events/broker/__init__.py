"""Brokers behind one small interface, chosen by URL scheme."""

from __future__ import annotations

from owlistic.events.broker.base import (
    ENTITIES,
    Broker,
    BrokerUnavailable,
    Delivery,
    Message,
    Subscription,
    topic_name,
)
from owlistic.settings import Settings

__all__ = [
    "ENTITIES",
    "Broker",
    "BrokerUnavailable",
    "Delivery",
    "Message",
    "Subscription",
    "create_broker",
    "entity_topics",
    "topic_name",
]


def entity_topics(settings: Settings) -> list[str]:
    return [topic_name(settings.kafka_topic_prefix, e) for e in ENTITIES]


def create_broker(settings: Settings) -> Broker:
    scheme = settings.broker_url.split("://", 1)[0].lower()
    if scheme == "memory":
        from owlistic.events.broker.memory import MemoryBroker

        return MemoryBroker()
    if scheme == "kafka":
        # Imported only when configured: the embedded mode never loads aiokafka.
        from owlistic.events.broker.kafka import KafkaBroker

        return KafkaBroker(
            settings.broker_url,
            client_id=settings.kafka_client_id,
            topics=entity_topics(settings),
            partitions=settings.kafka_partitions,
        )
    raise ValueError(f"unsupported broker URL scheme {scheme!r} (memory:// or kafka://)")
