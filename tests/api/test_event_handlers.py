"""In-process consumers subscribe to typed events and run inside the writing transaction."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

import owlistic
from owlistic.block.events import BlockUpdated
from owlistic.events import domain
from owlistic.models import Block
from owlistic.realtime.catalog import WIRE_NAMES
from owlistic.task.events import TaskCompleted, TaskUpdated
from tests.api.helpers import API, block, get, notebook_with_note, ok, task
from tests.conftest import Account


@contextmanager
def subscribed(event_type: type[Any], handler: Any) -> Iterator[None]:
    domain.subscribe(event_type, handler)
    try:
        yield
    finally:
        domain.unsubscribe(event_type, handler)


async def test_a_handler_gets_the_typed_event_inside_the_transaction(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "before")
    seen: list[tuple[BlockUpdated, str]] = []

    async def on_block_updated(session: AsyncSession, event: BlockUpdated) -> None:
        row = await session.get(Block, event.block_id)  # the uncommitted change is visible
        assert row is not None
        seen.append((event, row.content["text"]))

    with subscribed(BlockUpdated, on_block_updated):
        body = {"content": {"text": "after"}}
        ok(await client.put(f"{API}/blocks/{b['id']}", json=body, headers=owner.headers))
    [(event, text)] = seen
    assert event.block_id == uuid.UUID(b["id"])
    assert event.note_id == uuid.UUID(n["id"])
    assert event.content == {"text": "after"}
    assert text == "after"
    assert isinstance(event.id, uuid.UUID)


async def test_subscribers_of_a_base_type_get_its_subclasses(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title="Milk", note_id=n["id"])
    updates: list[TaskUpdated] = []

    async def on_task_updated(_session: AsyncSession, event: TaskUpdated) -> None:
        updates.append(event)

    with subscribed(TaskUpdated, on_task_updated):
        url = f"{API}/tasks/{t['id']}"
        ok(await client.put(url, json={"title": "Oat milk"}, headers=owner.headers))
        ok(await client.put(url, json={"is_completed": True}, headers=owner.headers))
    assert [type(e) for e in updates] == [TaskUpdated, TaskCompleted]
    assert updates[1].title == "Oat milk"
    assert updates[1].is_completed


async def test_a_failing_handler_rolls_the_write_back(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "kept")

    async def refuse(_session: AsyncSession, _event: BlockUpdated) -> None:
        raise RuntimeError("consumer failed")

    with subscribed(BlockUpdated, refuse):
        body = {"content": {"text": "lost"}}
        r = await client.put(f"{API}/blocks/{b['id']}", json=body, headers=owner.headers)
    assert r.status_code == 500
    assert (await get(client, owner, f"/blocks/{b['id']}"))["content"] == {"text": "kept"}


def _domain_event_types() -> set[type[domain.DomainEvent]]:
    found: set[type[domain.DomainEvent]] = set()
    for info in pkgutil.walk_packages(owlistic.__path__, "owlistic."):
        if info.name.endswith(".events") and info.name != "owlistic.events":
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, domain.DomainEvent) and cls.__module__ == info.name:
                    found.add(cls)
    return found


def test_every_event_type_has_a_key_an_audience_and_a_wire_name() -> None:
    types = _domain_event_types()
    assert {BlockUpdated, TaskCompleted} <= types
    registered = domain.registered()
    # Bases (BlockEvent, …) are never emitted themselves; every leaf type must resolve.
    leaves = [cls for cls in types if not any(o is not cls and issubclass(o, cls) for o in types)]
    for cls in leaves:
        assert any(c in registered for c in cls.__mro__), cls
        assert any(c in WIRE_NAMES for c in cls.__mro__), cls
