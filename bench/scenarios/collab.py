"""7. Co-editing: keystroke latency between editors, many editors, memory, big notes, storage."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

import httpx
from pycrdt import XmlElement, XmlText
from sqlalchemy import delete, func, select

from bench.context import Context
from bench.procstat import memory_kib
from bench.scenarios import Results, Scenario, Target, ms, ok, table
from bench.seed import open_engine
from bench.server import Server
from bench.stats import summarize
from bench.ydoc import Editor, open_editor
from owlistic.models import Block, DocumentUpdate, NoteDocument

TARGET_P99_MS = 50.0
IDLE_SECONDS = 0.5  # rooms unload (and compact) this long after their last editor left
SETTINGS = {
    "OWLISTIC_COLLAB_IDLE_SECONDS": str(IDLE_SECONDS),
    # Compaction only on unload, so the stored size after the edits is the raw log's.
    "OWLISTIC_COLLAB_COMPACT_UPDATES": "100000000",
    # The many-editors figure opens 100 sockets as one user (they count toward the cap).
    "OWLISTIC_WS_MAX_PER_USER": "1000",
}


async def _account(client: httpx.AsyncClient) -> tuple[str, str]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "bench password 123"}
    (await client.post("/api/v1/register", json=body)).raise_for_status()
    login = (await client.post("/api/v1/login", json=body)).json()
    token = login["token"]
    headers = {"Authorization": f"Bearer {token}"}
    nb = (await client.post("/api/v1/notebooks", json={"name": "bench"}, headers=headers)).json()
    return token, nb["id"]


async def _note(client: httpx.AsyncClient, token: str, notebook_id: str) -> str:
    r = await client.post(
        "/api/v1/notes",
        json={"notebook_id": notebook_id, "title": "co-editing"},
        headers={"Authorization": f"Bearer {token}"},
    )
    r.raise_for_status()
    note_id: str = r.json()["id"]
    return note_id


async def _stored(server: Server, note_id: str) -> dict[str, int]:
    engine = open_engine(server.config.database_url)
    key = uuid.UUID(note_id)
    try:
        async with engine.connect() as conn:
            logged = (
                await conn.execute(
                    select(
                        func.count(), func.coalesce(func.sum(func.length(DocumentUpdate.data)), 0)
                    ).where(DocumentUpdate.note_id == key)
                )
            ).one()
            snapshot = await conn.scalar(
                select(func.length(NoteDocument.snapshot)).where(NoteDocument.note_id == key)
            )
    finally:
        await engine.dispose()
    return {
        "log_updates": int(logged[0]),
        "log_bytes": int(logged[1]),
        "snapshot_bytes": int(snapshot or 0),
        "total_bytes": int(logged[1]) + int(snapshot or 0),
    }


async def _forget_document(server: Server, note_id: str) -> None:
    """As if the note predated co-editing: only its block rows are left."""
    engine = open_engine(server.config.database_url)
    key = uuid.UUID(note_id)
    try:
        async with engine.begin() as conn:
            await conn.execute(delete(DocumentUpdate).where(DocumentUpdate.note_id == key))
            await conn.execute(delete(NoteDocument).where(NoteDocument.note_id == key))
    finally:
        await engine.dispose()


async def _open_many(ws: str, note_id: str, token: str, count: int) -> list[Editor]:
    limit = asyncio.Semaphore(16)  # under the server's set-up limit

    async def one() -> Editor:
        async with limit:
            return await open_editor(ws, note_id, token)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def _keystrokes(ws: str, note_id: str, token: str, samples: int) -> dict[str, Any]:
    typist = await open_editor(ws, note_id, token)
    watcher = await open_editor(ws, note_id, token)
    try:
        latencies = []
        warmup = max(2, samples // 20)
        for i in range(samples + warmup):
            started = time.perf_counter()
            typist.type("x")
            expected = i + 1
            await watcher.wait_until(lambda: len(watcher.text()) == expected)  # noqa: B023
            if i >= warmup:
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        await typist.close()
        await watcher.close()
    return summarize(latencies)


async def _many_editors(ws: str, note_id: str, token: str, count: int) -> dict[str, Any]:
    opened = time.perf_counter()
    editors = await _open_many(ws, note_id, token, count)
    open_seconds = time.perf_counter() - opened
    per_editor = 5
    rng = random.Random(7)
    try:
        started = time.perf_counter()
        for _ in range(per_editor):
            for editor in editors:
                editor.type("ab", at=rng.randrange(editor.first_run_length() + 1))
            await asyncio.sleep(0)
        expected = 2 * per_editor * count

        async def complete(editor: Editor) -> None:
            await editor.wait_until(lambda: len(editor.text()) == expected, 120.0)

        await asyncio.gather(*(complete(e) for e in editors))
        seconds = time.perf_counter() - started
        converged = len({e.text() for e in editors}) == 1
    finally:
        await asyncio.gather(*(e.close() for e in editors))
    return {
        "editors": count,
        "edits": per_editor * count,
        "open_seconds": round(open_seconds, 3),
        "converged_seconds": round(seconds, 3),
        "converged": converged,
    }


async def _memory(
    server: Server, client: httpx.AsyncClient, token: str, notebook_id: str, count: int
) -> dict[str, Any]:
    notes = [await _note(client, token, notebook_id) for _ in range(count)]
    await asyncio.sleep(IDLE_SECONDS * 3)
    before = memory_kib(server.pid).get("VmRSS", 0)
    editors = []
    for note_id in notes:
        editor = await open_editor(server.ws_url.removesuffix("/ws"), note_id, token)
        editor.type("a short paragraph of text typed into the note " * 4)
        editors.append(editor)
    await asyncio.sleep(1.0)
    after = memory_kib(server.pid).get("VmRSS", 0)
    await asyncio.gather(*(e.close() for e in editors))
    return {
        "documents": count,
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "per_document_kib": round((after - before) / count, 1),
    }


async def _projected(server: Server, note_id: str, rows: int) -> float:
    """When the note has ``rows`` live block rows. Counted in the database: reading the
    note over REST would be a big request itself, competing with what is measured."""
    engine = open_engine(server.config.database_url)
    live = (
        select(func.count())
        .select_from(Block)
        .where(Block.note_id == uuid.UUID(note_id), Block.deleted_at.is_(None))
    )
    try:
        for _ in range(6000):
            async with engine.connect() as conn:
                if await conn.scalar(live) == rows:
                    return time.perf_counter()
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()
    raise TimeoutError(f"the paste was not projected into {rows} rows")


async def _typing_meanwhile(ws: str, note_id: str, token: str, stop: asyncio.Event) -> list[float]:
    """Keystroke -> other editor latencies on ``note_id`` until ``stop`` is set."""
    typist = await open_editor(ws, note_id, token)
    watcher = await open_editor(ws, note_id, token)
    latencies = []
    try:
        while not stop.is_set():
            started = time.perf_counter()
            typist.type("x")
            expected = len(typist.text())
            await watcher.wait_until(lambda: len(watcher.text()) == expected, 300.0)  # noqa: B023
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)
    finally:
        await typist.close()
        await watcher.close()
    return latencies


async def _big_note(
    server: Server, client: httpx.AsyncClient, token: str, notebook_id: str, blocks: int
) -> dict[str, Any]:
    ws = server.ws_url.removesuffix("/ws")
    note_id = await _note(client, token, notebook_id)
    editor = await open_editor(ws, note_id, token)
    # Someone typing in another note all along: what the paste costs everyone else.
    stop = asyncio.Event()
    meanwhile = asyncio.create_task(
        _typing_meanwhile(ws, await _note(client, token, notebook_id), token, stop)
    )
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    with editor.doc.transaction():
        for i in range(blocks):
            element = editor.fragment.children.append(XmlElement("paragraph"))
            element.children.append(XmlText(f"block {i}: some words of a paragraph"))
    projected = await _projected(server, note_id, blocks + 1) - started
    stop.set()
    others = summarize(await meanwhile)
    await editor.close()
    await asyncio.sleep(IDLE_SECONDS * 4)  # unloaded and compacted

    async def timed_open(expected: int) -> float:
        started = time.perf_counter()
        opened = await open_editor(ws, note_id, token)
        seconds = time.perf_counter() - started
        assert len(opened.fragment.children) == expected
        await opened.close()
        await asyncio.sleep(IDLE_SECONDS * 4)
        return seconds

    stored_open = await timed_open(blocks + 1)
    await _forget_document(server, note_id)
    # Built again from the rows, the document leaves out the note's initial empty block.
    seeded_open = await timed_open(blocks)
    return {
        "blocks": blocks,
        "paste_projected_seconds": round(projected, 3),
        "other_note_keystroke_during_paste": others,
        "open_stored_ms": round(stored_open * 1000, 1),
        "open_from_rows_ms": round(seeded_open * 1000, 1),
        "stored": await _stored(server, note_id),
    }


async def _storage(
    server: Server, client: httpx.AsyncClient, token: str, notebook_id: str, edits: int
) -> dict[str, Any]:
    ws = server.ws_url.removesuffix("/ws")
    note_id = await _note(client, token, notebook_id)
    typist = await open_editor(ws, note_id, token)
    watcher = await open_editor(ws, note_id, token)
    rng = random.Random(11)
    length = 0
    for i in range(edits):
        if length > 20 and rng.random() < 0.3:
            typist.erase(0, rng.randrange(length - 1), 1)
            length -= 1
        else:
            typist.type("e", at=rng.randrange(length + 1))
            length += 1
        if i % 200 == 0:
            await asyncio.sleep(0)
    await watcher.wait_until(lambda: watcher.text() == typist.text(), 300.0)
    # Editors get each edit on arrival, the log a commit later: one row per edit.
    for _ in range(3000):
        before = await _stored(server, note_id)
        if before["log_updates"] >= edits:
            break
        await asyncio.sleep(0.1)
    await typist.close()
    await watcher.close()
    for _ in range(3000):  # unloaded after IDLE_SECONDS, then compacted
        await asyncio.sleep(0.1)
        after = await _stored(server, note_id)
        if after["log_updates"] == 0:
            break
    return {"edits": edits, "text_length": length, "before": before, "after": after}


async def run(ctx: Context) -> dict[str, Any]:
    profile = ctx.profile
    async with ctx.server("collab", env=SETTINGS) as server:
        ws = server.ws_url.removesuffix("/ws")
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            token, notebook_id = await _account(client)
            latency = await _keystrokes(
                ws, await _note(client, token, notebook_id), token, profile.collab_keystrokes
            )
            ctx.partial({"workers": server.config.workers, "keystroke_to_other_editor": latency})
            # Before the 100 editors: memory they freed would be reused and hide the cost.
            memory = await _memory(server, client, token, notebook_id, profile.collab_documents)
            many = await _many_editors(
                ws, await _note(client, token, notebook_id), token, profile.collab_editors
            )
            big = await _big_note(server, client, token, notebook_id, profile.collab_big_note)
            storage = await _storage(server, client, token, notebook_id, profile.collab_edits)
    return {
        "workers": server.config.workers,
        "keystroke_to_other_editor": latency,
        "many_editors": many,
        "memory": memory,
        "big_note": big,
        "storage": storage,
    }


def markdown(results: Results) -> list[str]:
    done = ok(results)
    if not done:
        return []
    rows = []
    for mode, r in done.items():
        k, many, mem, big, st = (
            r["keystroke_to_other_editor"],
            r["many_editors"],
            r["memory"],
            r["big_note"],
            r["storage"],
        )
        rows += [
            [
                mode,
                "keystroke → other editor p50 / p99",
                f"{ms(k['p50_ms'])} / {ms(k['p99_ms'])} ms",
            ],
            [
                mode,
                f"{many['editors']} editors, {many['edits']} concurrent edits: all equal",
                f"{'yes' if many['converged'] else 'NO'} after {many['converged_seconds']} s "
                f"(opening them {many['open_seconds']} s)",
            ],
            [mode, "memory per open document (with its socket)", f"{mem['per_document_kib']} KiB"],
            [
                mode,
                f"{big['blocks']}-block paste projected into rows",
                f"{big['paste_projected_seconds']} s",
            ],
            [
                mode,
                "keystroke → other editor in another note during that paste p50 / max",
                f"{ms(big['other_note_keystroke_during_paste']['p50_ms'])} / "
                f"{ms(big['other_note_keystroke_during_paste']['max_ms'])} ms",
            ],
            [
                mode,
                f"open a {big['blocks']}-block note: stored / first open from rows",
                f"{big['open_stored_ms']} / {big['open_from_rows_ms']} ms",
            ],
            [
                mode,
                f"stored bytes after {st['edits']} edits: before / after compaction",
                f"{st['before']['total_bytes']:,} ({st['before']['log_updates']:,} updates) / "
                f"{st['after']['total_bytes']:,} ({st['after']['log_updates']} updates)",
            ],
        ]
    return [
        "Times in ms unless noted. Editors are pycrdt y-websocket clients (`bench/ydoc.py`) "
        "on the real endpoint; in production mode the server runs one worker per core, so "
        "two editors of a note may be on different processes (updates then cross Kafka).",
        "",
        *table(["mode", "measure", "result"], rows),
    ]


def targets(results: Results) -> list[Target]:
    found = []
    for mode, r in ok(results).items():
        p99 = r["keystroke_to_other_editor"]["p99_ms"]
        found.append(
            Target(
                what="keystroke → other editor p99",
                mode=mode,
                goal=f"≤ {TARGET_P99_MS:.0f} ms",
                measured=f"{p99:.1f} ms",
                met=p99 <= TARGET_P99_MS,
            )
        )
    return found


SCENARIO = Scenario(
    name="collab",
    title="7. Co-editing",
    description="Keystroke latency, many editors, memory, a big note, stored size.",
    run=run,
    markdown=markdown,
    targets=targets,
)
