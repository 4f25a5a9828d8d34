"""Markdown import: the old one-request-per-block path against the bulk endpoint.

The web app used to create a note, reuse its first block and POST every other block (four
in flight), then read the note back: the issue measured 6.2 s for four small files. It now
sends parsed notes in batches to ``POST /import/notes``. Both are timed here against the
same server with the blocks the web app's parser makes of a typical small file."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

import httpx

from bench.context import Context
from bench.scenarios import Results, Scenario, Target, ms, ok, table

API = "/api/v1"
SMALL_FILES = 4
MANY_FILES = {"tiny": 20, "quick": 1000, "full": 1000}
BATCH = 50  # notes per request, as web/src/importer.ts sends them
IN_FLIGHT = 4  # the old importer's block requests at once
GOAL_SMALL_S = 1.0


def _blocks(i: int) -> list[dict[str, Any]]:
    """A small note: heading, text, a list, two to-dos, code."""

    def b(type: str, text: str, **meta: Any) -> dict[str, Any]:
        return {"type": type, "content": {"text": text}, "metadata": {"spans": [], **meta}}

    return [
        b("header", f"Note {i}", level=1),
        b("paragraph", "Flights are booked, see the airline page for details."),
        b("listItem", "Passport", listType="unordered", item_type="unordered"),
        b("listItem", "Light jacket", listType="unordered", item_type="unordered"),
        b("listItem", "Walking shoes", listType="unordered", item_type="unordered"),
        b("task", "Book the tram tour", is_completed=False),
        b("task", "Exchange some money", is_completed=True),
        b("code", "def budget(days):\n    return days * 80", language="python"),
    ]


async def _old_path(c: httpx.AsyncClient, notebook_id: str, files: int) -> tuple[float, int]:
    requests = 0
    started = time.perf_counter()
    for i in range(files):
        note = (
            await c.post(f"{API}/notes", json={"notebook_id": notebook_id, "title": "x"})
        ).json()
        blocks = _blocks(i)
        await c.put(f"{API}/blocks/{note['blocks'][0]['id']}", json=blocks[0])
        queue = list(enumerate(blocks[1:], start=1))

        async def worker(note_id: str = note["id"], queue: list[Any] = queue) -> None:
            while queue:
                k, block = queue.pop(0)
                r = await c.post(
                    f"{API}/blocks", json={"note_id": note_id, "order": k * 1000.0, **block}
                )
                assert r.status_code == 201, r.text

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        await c.get(f"{API}/notes/{note['id']}")
        requests += 3 + len(blocks) - 1
    return time.perf_counter() - started, requests


async def _bulk(c: httpx.AsyncClient, notebook_id: str, files: int) -> tuple[float, int]:
    seconds, requests = 0.0, 0
    for batch in _batches(files):
        seconds += await _send(c, notebook_id, batch)
        requests += 1
    return seconds, requests


def _batches(files: int) -> list[list[dict[str, Any]]]:
    notes = [{"title": f"Note {i}", "tags": ["bench"], "blocks": _blocks(i)} for i in range(files)]
    return [notes[at : at + BATCH] for at in range(0, files, BATCH)]


async def _send(c: httpx.AsyncClient, notebook_id: str, batch: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    r = await c.post(f"{API}/import/notes", json={"notebook_id": notebook_id, "notes": batch})
    assert r.status_code == 201, r.text
    return time.perf_counter() - started


async def _interleaved(
    sides: dict[str, tuple[httpx.AsyncClient, str]], files: int
) -> dict[str, float]:
    """The big import on every side, a batch each in turn (who goes first alternates), so
    a busy moment of the shared machine weighs on both alike."""
    seconds = dict.fromkeys(sides, 0.0)
    names = list(sides)
    for k, batch in enumerate(_batches(files)):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            c, notebook_id = sides[name]
            seconds[name] += await _send(c, notebook_id, batch)
    return seconds


async def _account(c: httpx.AsyncClient) -> str:
    """Logs ``c`` in as a new user; its notebook's id."""
    email = f"bench-{uuid.uuid4().hex}@example.com"
    password = "correct horse battery staple"
    r = await c.post(f"{API}/register", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    token = (await c.post(f"{API}/login", json={"email": email, "password": password})).json()
    c.headers["Authorization"] = f"Bearer {token['token']}"
    notebook: str = (await c.post(f"{API}/notebooks", json={"name": "Import"})).json()["id"]
    return notebook


async def run(ctx: Context) -> dict[str, Any]:
    many = MANY_FILES.get(ctx.profile.name, 1000)
    async with contextlib.AsyncExitStack() as stack:
        servers = {"this": await stack.enter_async_context(ctx.server("markdown_import"))}
        if ctx.baseline is not None:
            servers["baseline"] = await stack.enter_async_context(
                ctx.server("markdown_import-baseline", code=ctx.baseline, profile=False)
            )
        sides: dict[str, tuple[httpx.AsyncClient, str]] = {}
        for name, server in servers.items():
            c = await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.base_url, timeout=600)
            )
            sides[name] = (c, await _account(c))
        found: dict[str, dict[str, Any]] = {}
        for name, (c, notebook) in sides.items():
            old_s, old_requests = await _old_path(c, notebook, SMALL_FILES)
            new_s, new_requests = await _bulk(c, notebook, SMALL_FILES)
            found[name] = {
                "old_small_ms": round(old_s * 1000, 1),
                "old_small_requests": old_requests,
                "bulk_small_ms": round(new_s * 1000, 1),
                "bulk_small_requests": new_requests,
            }
        for name, seconds in (await _interleaved(sides, many)).items():
            found[name] |= {
                "bulk_many_ms": round(seconds * 1000, 1),
                "bulk_many_requests": len(_batches(many)),
            }
    return {
        "blocks_per_file": len(_blocks(0)),
        "small_files": SMALL_FILES,
        "many_files": many,
        **found["this"],
        "baseline": found.get("baseline"),
    }


def _ratio(this: float, before: float | None) -> str:
    return f"{before / this:.1f}x" if before and this else "-"


def markdown(results: Results) -> list[str]:
    rows = []
    compared = any(r.get("baseline") for r in ok(results).values())
    for mode, r in ok(results).items():
        n, k = r["small_files"], r["many_files"]
        before = r.get("baseline") or {}
        for what, key in (
            (f"{n} files, a request per block", "old_small"),
            (f"{n} files, `POST /import/notes`", "bulk_small"),
            (f"{k:,} files, batches of {BATCH}", "bulk_many"),
        ):
            row = [mode, what, str(r[f"{key}_requests"]), ms(r[f"{key}_ms"])]
            if compared:
                was = before.get(f"{key}_ms")
                row += [ms(was) if was else "-", _ratio(r[f"{key}_ms"], was)]
            rows.append(row)
    if not rows:
        return []
    per_file = next(iter(ok(results).values()))["blocks_per_file"]
    head = ["mode", "import", "requests", "total ms"]
    return [
        f"Server time of a Markdown import of small files ({per_file} blocks each: heading, "
        "text, three list items, two to-dos, code), one client; the web app's parsing "
        "(about 0.3 ms a file) is not included."
        + (
            " With `--baseline`, the baseline checkout's server imports the same files, the "
            "big import a batch each in turn; speed-up = baseline / this."
            if compared
            else ""
        ),
        "",
        *table(head + (["baseline ms", "speed-up"] if compared else []), rows),
    ]


def targets(results: Results) -> list[Target]:
    return [
        Target(
            what=f"import of {r['small_files']} small files",
            mode=mode,
            goal=f"≤ {GOAL_SMALL_S:.0f} s",
            measured=f"{r['bulk_small_ms'] / 1000:.2f} s",
            met=r["bulk_small_ms"] / 1000 <= GOAL_SMALL_S,
        )
        for mode, r in ok(results).items()
    ]


SCENARIO = Scenario(
    name="markdown_import",
    title="Markdown import",
    description="Many notes with their blocks: per-block requests against the bulk endpoint.",
    run=run,
    markdown=markdown,
    targets=targets,
)
