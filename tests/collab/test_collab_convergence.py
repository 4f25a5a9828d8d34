"""Concurrent editors converge, and what the server acknowledged survives kill -9."""

from __future__ import annotations

import asyncio
import functools
import os
import random
import signal
from pathlib import Path

import httpx

from owlistic.settings import Settings
from tests.api.helpers import API, notebook_with_note, ok, share
from tests.collab.yclient import YClient, eventually, rows_become, ydoc_client
from tests.conftest import Account, LiveServer
from tests.realtime.processes import owlistic_servers

CLIENTS = 4
ROUNDS = 40
WORDS = ["alpha", "beta", "gamma", "delta", " ", "\u00e9t\u00e9", "\U0001f989", "x"]


def _random_edit(editor: YClient, rng: random.Random) -> None:
    blocks = editor.blocks()
    choice = rng.random()
    if choice < 0.15 or not blocks:
        editor.append_paragraph(rng.choice(WORDS))
    elif choice < 0.25 and len(blocks) > 2:
        del editor.fragment.children[rng.randrange(len(blocks))]
    elif choice < 0.45:
        editor.delete_text(rng.randrange(len(blocks)), rng.randrange(4), rng.randrange(1, 4))
    else:
        index = rng.randrange(len(blocks))
        editor.insert_text(index, rng.randrange(len(blocks[index][2]) + 1), rng.choice(WORDS))


async def test_random_concurrent_edits_converge_in_every_editor_and_the_rows(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    editors = [ydoc_client(server, n["id"], alice) for _ in range(CLIENTS)]
    clients = [await e.__aenter__() for e in editors]
    try:
        rngs = [random.Random(seed) for seed in range(CLIENTS)]

        async def edit(editor: YClient, rng: random.Random) -> None:
            for _ in range(ROUNDS):
                _random_edit(editor, rng)
                await asyncio.sleep(rng.random() * 0.01)

        await asyncio.gather(*(edit(c, r) for c, r in zip(clients, rngs, strict=True)))
        reference = clients[0]

        async def converged() -> bool:
            first = reference.blocks()
            return all(b[0] is not None for b in first) and all(
                c.blocks() == first for c in clients
            )

        # Polled, not waited for on one editor's socket: the last change may reach the
        # others after that one has all it will ever get.
        await eventually(converged)
        expected = reference.blocks()
    finally:
        for e in editors:
            await e.__aexit__(None, None, None)
    rows = await rows_become(client, alice, n["id"], [text for _, _, text in expected])
    assert [r["id"] for r in rows] == [block_id for block_id, _, _ in expected]
    async with ydoc_client(server, n["id"], alice) as fresh:  # the stored document agrees
        assert fresh.blocks() == expected


async def test_kill_9_keeps_every_update_the_server_had_stored(
    server: LiveServer,
    settings: Settings,
    client: httpx.AsyncClient,
    alice: Account,
    tmp_path: Path,
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with (
        owlistic_servers(settings, tmp_path, 1) as (process,),
        ydoc_client(process, n["id"], alice) as typist,
        ydoc_client(process, n["id"], alice) as watcher,
    ):
        for word in ["one ", "two ", "three "]:
            typist.insert_text(0, len(typist.texts()[0]), word)
        await watcher.wait_until(lambda: watcher.texts() == ["one two three "])
        await rows_become(client, alice, n["id"], ["one two three "])  # stored
        typist.insert_text(0, 0, "maybe ")  # may or may not make it
        os.kill(process.pid, signal.SIGKILL)
        await typist.closed()
    async with owlistic_servers(settings, tmp_path, 1) as (restarted,):
        async with ydoc_client(restarted, n["id"], alice) as fresh:
            assert fresh.texts()[0].endswith("one two three ")
        rows = ok(await client.get(f"{API}/notes/{n['id']}", headers=alice.headers))["blocks"]
        assert rows[0]["content"]["text"].endswith("one two three ")


TYPISTS = 5
KEYSTROKES = 20


async def test_five_editors_typing_in_one_paragraph_keep_every_keystroke(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    nb, n = await notebook_with_note(client, alice)
    await share(client, alice, nb["id"], bob, "editor")
    (b,) = n["blocks"]
    # One text run to type into (editors typing into an empty block at once each add one).
    ok(
        await client.put(
            f"{API}/blocks/{b['id']}", json={"content": {"text": ">"}}, headers=alice.headers
        )
    )
    # Each typist has letters of its own, so its keystrokes can be picked out of the result.
    words = ["".join(chr(0x4E00 + 100 * t + k) for k in range(KEYSTROKES)) for t in range(TYPISTS)]
    editors = [ydoc_client(server, n["id"], (alice, bob)[t % 2]) for t in range(TYPISTS)]
    clients = [await e.__aenter__() for e in editors]
    try:
        rng = random.Random(5)

        async def type_word(editor: YClient, word: str) -> None:
            for letter in word:  # at the end of the paragraph as this editor sees it
                editor.insert_text(0, len(editor.texts()[0]), letter)
                await asyncio.sleep(rng.random() * 0.005)

        await asyncio.gather(*(type_word(c, w) for c, w in zip(clients, words, strict=True)))

        def typed_all(editor: YClient) -> bool:
            return len(editor.texts()[0]) == 1 + TYPISTS * KEYSTROKES

        for c in clients:
            await c.wait_until(functools.partial(typed_all, c))
        final = clients[0].blocks()
        assert all(c.blocks() == final for c in clients)
    finally:
        for e in editors:
            await e.__aexit__(None, None, None)
    ((block_id, _, text),) = final
    for word in words:  # nothing lost, and each typist's letters in the order typed
        assert "".join(ch for ch in text if ch in word) == word
    (row,) = await rows_become(client, alice, n["id"], [text])
    assert row["id"] == block_id
