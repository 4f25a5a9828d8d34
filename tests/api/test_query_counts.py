"""Reading notes costs a fixed number of SQL statements, however many blocks or notes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from owlistic.runtime import Runtime
from tests.api.helpers import API, block, note, notebook, notebook_with_note, ok, task
from tests.conftest import Account


def _in_request() -> bool:
    """True for statements issued while serving an HTTP request (not by background tasks
    such as the outbox relay, which share the engine)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return False
    coro: Any = task.get_coro() if task is not None else None
    return getattr(coro, "__qualname__", "").endswith("run_asgi")


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = runtime.db.engine.sync_engine

    def record(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        if _in_request():
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def count(runtime: Runtime, request: Awaitable[httpx.Response]) -> int:
    """Statements issued while ``request`` (not yet started: a coroutine) is served."""
    with statements(runtime) as seen:
        ok(await request)
    assert seen, "no statement was counted: the request-task filter is broken"
    return len(seen)


async def test_reading_a_note_is_constant_in_its_blocks(
    client: httpx.AsyncClient, runtime: Runtime, owner: Account
) -> None:
    counts = []
    for size in (2, 40):
        _, n = await notebook_with_note(client, owner)
        for i in range(size - 1):  # plus the initial block
            await block(client, owner, n["id"], f"b{i}", type="task" if i % 3 == 0 else "text")
        url = f"{API}/notes/{n['id']}"
        assert len(ok(await client.get(url, headers=owner.headers))["blocks"]) == size
        counts.append(await count(runtime, client.get(url, headers=owner.headers)))
        blocks_url = f"{API}/blocks"
        counts.append(
            await count(
                runtime,
                client.get(
                    blocks_url,
                    params={"note_id": n["id"], "count_total": "true"},
                    headers=owner.headers,
                ),
            )
        )
    assert counts[0] == counts[2], counts
    assert counts[1] == counts[3], counts


async def test_listing_notes_is_constant_in_notes_and_blocks(
    client: httpx.AsyncClient, runtime: Runtime, owner: Account
) -> None:
    counts = []
    for notes, blocks_each in ((2, 1), (10, 4)):
        nb = await notebook(client, owner)
        for _ in range(notes):
            n = await note(client, owner, nb["id"])
            for i in range(blocks_each):
                await block(client, owner, n["id"], f"b{i}", type="task" if i % 2 else "text")
        params = {"notebook_id": nb["id"]}
        listed = ok(await client.get(f"{API}/notes", params=params, headers=owner.headers))
        assert len(listed) == notes
        assert all(len(x["blocks"]) == blocks_each + 1 for x in listed)
        counts.append(
            await count(runtime, client.get(f"{API}/notes", params=params, headers=owner.headers))
        )
        tasks = ok(await client.get(f"{API}/tasks", headers=owner.headers))
        assert len([t for t in tasks if t["note_id"] == n["id"]]) == blocks_each // 2
        counts.append(await count(runtime, client.get(f"{API}/tasks", headers=owner.headers)))
    assert counts[0] == counts[2], counts
    assert counts[1] == counts[3], counts


def _word() -> str:
    """A word no other test uses (letters only: the indexer splits at digits)."""
    return "zq" + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:12])


async def found_tasks(client: httpx.AsyncClient, who: Account, q: str) -> set[str]:
    body = ok(
        await client.get(f"{API}/search", params={"q": q, "kind": "task"}, headers=who.headers)
    )
    return {r["task_id"] for r in body["results"]}


async def test_ticking_a_task_off_leaves_the_search_index_alone(
    client: httpx.AsyncClient, runtime: Runtime, owner: Account
) -> None:
    """A toggle changes no indexed text (title, description, block content): its index rows
    are not rewritten. A rename through either side still reaches the index."""
    first, renamed, via_block = (_word() for _ in range(3))
    _, n = await notebook_with_note(client, owner)
    t = await task(client, owner, title=first, note_id=n["id"])
    block_url = f"{API}/blocks/{t['metadata']['block_id']}"
    with statements(runtime) as seen:
        ok(
            await client.put(
                f"{API}/tasks/{t['id']}", json={"is_completed": True}, headers=owner.headers
            )
        )
        ok(
            await client.put(
                block_url, json={"metadata": {"is_completed": False}}, headers=owner.headers
            )
        )
    assert seen, "no statement was counted: the request-task filter is broken"
    assert [s for s in seen if "search_docs" in s] == []
    assert await found_tasks(client, owner, first) == {t["id"]}

    ok(await client.put(f"{API}/tasks/{t['id']}", json={"title": renamed}, headers=owner.headers))
    assert await found_tasks(client, owner, first) == set()
    assert await found_tasks(client, owner, renamed) == {t["id"]}
    content = {"content": {"text": via_block}}
    ok(await client.put(block_url, json=content, headers=owner.headers))
    assert await found_tasks(client, owner, via_block) == {t["id"]}
