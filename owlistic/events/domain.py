"""Typed domain events and the registry that says what the pipeline does with each type.

A domain owns its events (``block/events.py``: ``BlockUpdated``, …): small frozen records,
named in the past tense, carrying ids and the state that changed. ``emit`` looks up the
event's ``EventSpec`` (partition key, audience, wire rendering; bound in
``realtime/catalog.py``) and runs the in-process handlers subscribed to its type (or a base
type), inside the writing transaction. Handlers must be idempotent: every event has its id,
and consumers of the broker see each event at least once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class Wire:
    """An event as the original client reads it (contract 6.4): the outbox row's fields."""

    event: str
    entity: str
    resource_type: str
    resource_id: str
    data: dict[str, Any]


Audience = Callable[[AsyncSession, Any], Awaitable[set[str]]]
Handler = Callable[[AsyncSession, Any], Awaitable[None]]


@dataclass(frozen=True)
class EventSpec:
    key: Callable[[Any], str]
    audience: Audience
    render: Callable[[Any], Wire]


E = TypeVar("E", bound=DomainEvent)

_specs: dict[type[DomainEvent], EventSpec] = {}
_handlers: dict[type[DomainEvent], list[Handler]] = {}


def register(
    event_type: type[E],
    *,
    key: Callable[[E], str],
    audience: Callable[[AsyncSession, E], Awaitable[set[str]]],
    render: Callable[[E], Wire],
) -> None:
    _specs[event_type] = EventSpec(key=key, audience=audience, render=render)


def spec_of(event: DomainEvent) -> EventSpec:
    for cls in type(event).__mro__:
        spec = _specs.get(cls)
        if spec is not None:
            return spec
    raise LookupError(f"{type(event).__name__} has no EventSpec (see realtime/catalog.py)")


def registered() -> dict[type[DomainEvent], EventSpec]:
    return dict(_specs)


def subscribe(event_type: type[E], handler: Callable[[AsyncSession, E], Awaitable[None]]) -> None:
    """``handler`` runs for every ``event_type`` (and subclass) emitted, in the transaction."""
    _handlers.setdefault(event_type, []).append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[AsyncSession, E], Awaitable[None]]) -> None:
    _handlers.get(event_type, []).remove(handler)


def handlers_of(event: DomainEvent) -> list[Handler]:
    return [h for cls in type(event).__mro__ for h in _handlers.get(cls, ())]
