"""Co-editing a note in the browser: two people typing at once, presence and carets, undo,
offline edits after a reload, REST writes while editors are open, and a server killed
while someone types."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from owlistic.settings import Settings
from tests.browser.helpers import (
    Api,
    BrowserKit,
    eventually,
    open_note,
    page_holds,
    signed_in,
    type_at_end_of,
    wait_editable,
    wait_saved,
)
from tests.conftest import Account, free_port, register, run_database
from tests.realtime.processes import server_env

pytestmark = pytest.mark.browser

Blocks = list[tuple[str, str, dict[str, Any]]]


async def shared_note(
    kit: BrowserKit, blocks: Blocks, *, role: str = "editor"
) -> tuple[Account, Account, Api, dict[str, Any]]:
    """A note of Alice's with ``blocks``, in a notebook shared with Bob as ``role``."""
    alice = await kit.account(display_name="Alice Archer")
    bob = await kit.account(display_name="Bob Baker")
    api = kit.api(alice)
    nb = await api.notebook("Team")
    note = await api.note(nb["id"], "Plan")
    await api.set_blocks(note["id"], blocks)
    await api.share(nb["id"], bob.email, role)
    return alice, bob, api, note


async def open_as(
    kit: BrowserKit, account: Account, note_id: str, editable: bool = True
) -> tuple[Page, Locator]:
    page = await kit.page(account, "/")
    await signed_in(page)
    return page, await open_note(page, note_id, editable=editable)


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    ordered = sorted(blocks, key=lambda b: float(b["order"]))
    return [b["content"]["text"] for b in ordered]


async def test_two_people_typing_in_the_same_paragraph_at_once_keep_both_texts(
    kit: BrowserKit,
) -> None:
    alice, bob, api, note = await shared_note(kit, [("paragraph", "::", {})])
    pa, ed_a = await open_as(kit, alice, note["id"])
    pb, ed_b = await open_as(kit, bob, note["id"])
    for page, ed in ((pa, ed_a), (pb, ed_b)):
        await ed.locator("> p").click()
        await page.keyboard.press("End")

    # Lower case is Alice's, upper case Bob's: each one's text can be read back out of the
    # merged paragraph, whatever the interleaving.
    a_text, b_text = "alpha-beta-gamma-delta", "ONE+TWO+THREE+FOUR"
    await asyncio.gather(pa.keyboard.type(a_text, delay=40), pb.keyboard.type(b_text, delay=40))

    def holds_both(text: str) -> bool:
        rest = text[2:] if text.startswith("::") else ""
        return (
            len(rest) == len(a_text) + len(b_text)
            and "".join(c for c in rest if c.islower() or c == "-") == a_text
            and "".join(c for c in rest if c.isupper() or c == "+") == b_text
        )

    async def text_a() -> str:
        return await ed_a.locator("> p").text_content() or ""

    merged = await eventually(text_a, holds_both, what="both texts in Alice's editor")
    await expect(ed_b.locator("> p")).to_have_text(merged)
    await expect(ed_a.locator("> *")).to_have_count(1)
    await expect(ed_b.locator("> *")).to_have_count(1)
    await wait_saved(pa)
    await wait_saved(pb)
    stored = await eventually(
        lambda: api.get_note(note["id"]),
        lambda n: block_texts(n["blocks"]) == [merged],
        what="the merged paragraph in GET /notes/{id}",
    )
    assert len(stored["blocks"]) == 1
    assert not kit.page_errors


async def test_presence_and_carets_show_who_else_is_in_the_note(kit: BrowserKit) -> None:
    alice, bob, _, note = await shared_note(kit, [("paragraph", "Hello team", {})])
    pa, ed_a = await open_as(kit, alice, note["id"])
    await expect(pa.get_by_test_id("presence-user")).to_have_count(0)
    pb, ed_b = await open_as(kit, bob, note["id"])

    bob_here = pa.locator(f'[data-testid="presence-user"][data-user-id="{bob.id}"]')
    await expect(bob_here).to_contain_text("Bob Baker")
    await expect(bob_here).to_contain_text("BB")
    alice_here = pb.locator(f'[data-testid="presence-user"][data-user-id="{alice.id}"]')
    await expect(alice_here).to_contain_text("Alice Archer")
    await expect(pa.get_by_test_id("presence-user")).to_have_count(1)  # not herself

    # Bob's caret, with his name, in Alice's editor (and not in the text).
    await ed_b.locator("> p").click()
    await pb.keyboard.press("End")
    caret = ed_a.get_by_test_id("remote-caret")
    await expect(caret).to_have_attribute("data-name", "Bob Baker")
    await expect(ed_a.locator("> p")).to_have_text("Hello team")

    # Bob leaves: he is gone from Alice's header and text.
    await pb.goto("/#/")
    await expect(pb.get_by_test_id("home-page")).to_be_visible()
    await expect(bob_here).to_have_count(0)
    await expect(caret).to_have_count(0)
    assert not kit.page_errors


async def test_undo_takes_back_only_your_own_changes(kit: BrowserKit) -> None:
    alice, bob, api, note = await shared_note(
        kit, [("paragraph", "Alice:", {}), ("paragraph", "Bob:", {})]
    )
    pa, ed_a = await open_as(kit, alice, note["id"])
    pb, ed_b = await open_as(kit, bob, note["id"])
    # One input event: keys typed one by one on a loaded machine can be further apart
    # than the undo manager's grouping interval, and one undo would take back only a part.
    first = ed_a.locator("> p").first
    await first.click()
    await pa.keyboard.press("End")
    await pa.keyboard.insert_text(" mine")
    await expect(ed_b.locator("> p").first).to_have_text("Alice: mine")
    await type_at_end_of(pb, ed_b.locator("> p").nth(1), " his")
    await expect(ed_a.locator("> p").nth(1)).to_have_text("Bob: his")

    await pa.get_by_test_id("tb-undo").click()
    for ed in (ed_a, ed_b):
        await expect(ed.locator("> p")).to_have_text(["Alice:", "Bob: his"])
    await pa.get_by_test_id("tb-redo").click()
    for ed in (ed_a, ed_b):
        await expect(ed.locator("> p")).to_have_text(["Alice: mine", "Bob: his"])
    await wait_saved(pa)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: block_texts(bs) == ["Alice: mine", "Bob: his"],
        what="both edits after undo and redo",
    )
    assert not kit.page_errors


async def test_a_rest_block_write_is_merged_into_open_editors(kit: BrowserKit) -> None:
    alice, bob, api, note = await shared_note(
        kit, [("paragraph", "Shopping:", {}), ("task", "Buy milk", {"is_completed": False})]
    )
    pa, ed_a = await open_as(kit, alice, note["id"])
    _, ed_b = await open_as(kit, bob, note["id"])
    # Alice is typing in the paragraph when the REST write arrives.
    await type_at_end_of(pa, ed_a.locator("> p"), " eggs")
    task = next(b for b in await api.blocks(note["id"]) if b["type"] == "task")
    bob_api = kit.api(bob)
    await bob_api._json(
        "PUT",
        f"/api/v1/blocks/{task['id']}",
        json={"content": {"text": "Buy oat milk"}, "metadata": {"is_completed": True}},
    )
    await pa.keyboard.type(" and bread")
    for ed in (ed_a, ed_b):
        await expect(ed.locator("> div.blk-task")).to_have_text("Buy oat milk")
        await expect(ed.locator("> div.blk-task")).to_have_attribute("data-checked", "true")
        await expect(ed.locator("> p")).to_have_text("Shopping: eggs and bread")
    await wait_saved(pa)
    blocks = await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: block_texts(bs) == ["Shopping: eggs and bread", "Buy oat milk"],
        what="the REST write and the typing, both kept",
    )
    assert blocks[1]["id"] == task["id"]
    assert blocks[1]["metadata"]["is_completed"] is True
    assert not kit.page_errors


# The lists the app keeps on the device include the note (and, for KEPT_ON_DEVICE, its
# document is stored too).
LISTED_ON_DEVICE = """async ([userId, noteId]) => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes('owlistic-cache')) return false;
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('owlistic-cache');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const lists = await new Promise((ok) => {
    const r = db.transaction('lists').objectStore('lists').get(`lists:${userId}`);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ok(undefined);
  });
  db.close();
  return !!lists && lists.notes.some((n) => n.id === noteId);
}"""
KEPT_ON_DEVICE = f"""async ([userId, noteId]) => {{
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes(`owlistic-note:${{userId}}:${{noteId}}`)) return false;
  return await ({LISTED_ON_DEVICE})([userId, noteId]);
}}"""


async def on_device(page: Page, check: str, account: Account, note_id: str) -> None:
    """Waits until the IndexedDB ``check`` holds (an async function: evaluate awaits it)."""
    await eventually(
        lambda: page.evaluate(check, [account.id, note_id]),
        bool,
        what=f"note {note_id} kept on the device",
    )


async def test_offline_edits_after_a_reload_merge_with_edits_made_online(kit: BrowserKit) -> None:
    alice, bob, api, note = await shared_note(
        kit, [("paragraph", "First line", {}), ("paragraph", "Second line", {})]
    )
    ctx = await kit.context(alice, service_workers=True)
    pa = await kit.page(alice, "/", context=ctx)
    await signed_in(pa)
    # The service worker has the app shell and controls the tab.
    await page_holds(pa, "!!navigator.serviceWorker && !!navigator.serviceWorker.controller")
    ed_a = await open_note(pa, note["id"])
    await expect(ed_a.locator("> p")).to_have_text(["First line", "Second line"])
    await wait_saved(pa)
    await on_device(pa, KEPT_ON_DEVICE, alice, note["id"])
    pb, ed_b = await open_as(kit, bob, note["id"])
    # A second note reaches the lists (through /ws) but is never opened on this device.
    other = await api.note(note["notebook_id"], "Never opened here")
    await on_device(pa, LISTED_ON_DEVICE, alice, other["id"])

    # Offline, reloaded: the app, the lists and the note come from the device.
    await ctx.set_offline(True)
    await pa.reload()
    await expect(pa.get_by_test_id("offline-banner")).to_be_visible()
    await expect(pa.get_by_test_id("sidebar")).to_contain_text("Team")
    await expect(pa.get_by_test_id("note-title")).to_have_value("Plan")
    ed_a = await wait_editable(pa)
    await expect(ed_a.locator("> p")).to_have_text(["First line", "Second line"])
    await type_at_end_of(pa, ed_a.locator("> p").first, " + written offline")
    indicator = pa.get_by_test_id("save-indicator")
    await expect(indicator).to_have_attribute("data-state", "unsent")
    await expect(indicator).to_contain_text("Unsent")
    # The title too; both survive another reload without a network.
    await pa.get_by_test_id("note-title").fill("Plan, renamed offline")
    await pa.reload()
    ed_a = await wait_editable(pa)
    await expect(pa.get_by_test_id("note-title")).to_have_value("Plan, renamed offline")
    await expect(ed_a.locator("> p").first).to_have_text("First line + written offline")
    await expect(indicator).to_have_attribute("data-state", "unsent")

    # A note never opened on this device says so; coming back, the edit is still unsent.
    await pa.goto(f"/#/notes/{other['id']}")
    await expect(pa.get_by_test_id("note-not-offline")).to_be_visible()
    await pa.goto(f"/#/notes/{note['id']}")
    ed_a = await wait_editable(pa)
    await expect(ed_a.locator("> p").first).to_have_text("First line + written offline")
    await expect(indicator).to_have_attribute("data-state", "unsent")

    # Meanwhile Bob edits online.
    await type_at_end_of(pb, ed_b.locator("> p").nth(1), " + written online")
    await wait_saved(pb)
    await expect(ed_a.locator("> p").nth(1)).to_have_text("Second line")

    # Back online: both edits everywhere.
    await ctx.set_offline(False)
    expected = ["First line + written offline", "Second line + written online"]
    for ed in (ed_a, ed_b):
        await expect(ed.locator("> p")).to_have_text(expected, timeout=20_000)
    await wait_saved(pa)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: block_texts(bs) == expected,
        what="the offline and the online edit in the block rows",
    )
    assert (await api.get_note(note["id"]))["title"] == "Plan, renamed offline"
    await expect(pb.get_by_test_id("note-title")).to_have_value("Plan, renamed offline")
    assert not kit.page_errors


# Holds a transaction open on a note's stored updates (a request issued from each one's
# success): every write queued behind it is still in flight when the page goes away, as on a
# slow device at the moment a tab is reloaded or closed.
HOLD_NOTE_WRITES = """([userId, noteId]) => new Promise((ok, fail) => {
  const r = indexedDB.open(`owlistic-note:${userId}:${noteId}`);
  r.onerror = () => fail(r.error);
  r.onsuccess = () => {
    const store = r.result.transaction('updates', 'readwrite').objectStore('updates');
    const spin = () => { store.count().onsuccess = spin; };
    spin();
    ok(true);
  };
})"""


async def test_text_typed_offline_survives_a_reload_before_the_device_stored_it(
    kit: BrowserKit,
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    note = await api.note((await api.notebook("Drafts"))["id"], "Draft")
    await api.set_blocks(note["id"], [("paragraph", "Kept", {})])
    ctx = await kit.context(alice, service_workers=True)
    page = await kit.page(alice, "/", context=ctx)
    await signed_in(page)
    await page_holds(page, "!!navigator.serviceWorker && !!navigator.serviceWorker.controller")
    ed = await open_note(page, note["id"])
    await expect(ed.locator("> p")).to_have_text("Kept")
    await wait_saved(page)
    await on_device(page, KEPT_ON_DEVICE, alice, note["id"])

    await ctx.set_offline(True)
    await page.evaluate(HOLD_NOTE_WRITES, [alice.id, note["id"]])
    await type_at_end_of(page, ed.locator("> p"), " and the last words")
    await expect(page.get_by_test_id("save-indicator")).to_have_attribute("data-state", "unsent")
    await page.reload()
    ed = await wait_editable(page)
    await expect(ed.locator("> p")).to_have_text("Kept and the last words")

    await ctx.set_offline(False)
    await wait_saved(page)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: block_texts(bs) == ["Kept and the last words"],
        what="the words typed before the reload in the block rows",
    )
    # Once IndexedDB has stored them, the synchronous copy is let go.
    await page_holds(
        page, "!Object.keys(localStorage).some((k) => k.startsWith('owlistic.unstored:'))"
    )
    assert not kit.page_errors


async def test_viewer_gets_live_edits_and_presence_but_cannot_change_anything(
    kit: BrowserKit,
) -> None:
    alice, bob, api, note = await shared_note(kit, [("paragraph", "Read me", {})], role="viewer")
    pb, ed_b = await open_as(kit, bob, note["id"], editable=False)
    pa, ed_a = await open_as(kit, alice, note["id"])
    await expect(
        pb.locator(f'[data-testid="presence-user"][data-user-id="{alice.id}"]')
    ).to_be_visible()
    await expect(
        pa.locator(f'[data-testid="presence-user"][data-user-id="{bob.id}"]')
    ).to_be_visible()
    await type_at_end_of(pa, ed_a.locator("> p"), ", please")
    await expect(ed_b.locator("> p")).to_have_text("Read me, please")
    # Typing, pasting and deleting do nothing in the viewer's editor.
    await ed_b.locator("> p").click()
    await pb.keyboard.press("End")
    await pb.keyboard.type("XYZ")
    await pb.keyboard.press("Backspace")
    await pb.keyboard.press("Enter")
    await expect(ed_b.locator("> p")).to_have_text("Read me, please")
    await wait_saved(pa)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: block_texts(bs) == ["Read me, please"],
        what="only the owner's edit",
    )
    # The viewer's connection was never closed for sending a change.
    await expect(pb.get_by_test_id("note-closed")).to_have_count(0)
    assert not kit.page_errors


# ---------------------------------------------------------------- kill -9 while typing


class KillableServer:
    """``owlistic serve`` as a process of its own on a fixed port, serving the web app."""

    def __init__(self, settings: Settings, data_dir: Path, web_dist: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = server_env(settings, data_dir) | {"OWLISTIC_WEB_DIST": str(web_dist)}
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with (self.data_dir / "server.log").open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                *("-m", "owlistic", "serve", "--host", "127.0.0.1", "--port", str(self.port)),
                env=self.env,
                cwd=self.data_dir,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            for _ in range(300):
                assert self.proc.returncode is None, (self.data_dir / "server.log").read_text()
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise AssertionError("the server did not become ready")

    async def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                await self.kill()


@asynccontextmanager
async def killable_server(
    settings: Settings, tmp_path: Path, web_dist: Path
) -> AsyncIterator[KillableServer]:
    async with run_database(tmp_path / "killed.db") as url:
        own = settings.model_copy(
            update={"database_url": url, "kafka_topic_prefix": f"owlkill{uuid.uuid4().hex[:8]}."}
        )
        server = KillableServer(own, tmp_path, web_dist)
        await server.start()
        try:
            yield server
        finally:
            await server.stop()


async def test_nothing_typed_is_lost_when_the_server_is_killed_and_restarted(
    kit: BrowserKit, settings: Settings, tmp_path: Path, web_dist: Path
) -> None:
    async with killable_server(settings, tmp_path, web_dist) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
            alice = await register(c)
        api = Api(server.url, alice)
        kit.apis.append(api)
        nb = await api.notebook("Journal")
        note = await api.note(nb["id"], "Today")
        await api.set_blocks(note["id"], [("paragraph", "Log:", {})])

        ctx = await kit.context(alice, base_url=server.url)
        page = await kit.page(alice, "/", context=ctx)
        await signed_in(page)
        ed = await open_note(page, note["id"])
        await ed.locator("> p").click()
        await page.keyboard.press("End")

        words = " ".join(f"w{i}" for i in range(60))
        typing = asyncio.create_task(page.keyboard.type(" " + words, delay=25))
        # Kill it once some of the text has reached it, restart while the typing goes on.
        await expect(ed.locator("> p")).to_contain_text("w10")
        await server.kill()
        await expect(page.get_by_test_id("save-indicator")).to_have_attribute(
            "data-link", re.compile("^(connecting|offline)$")
        )
        await server.start()
        await typing
        expected = "Log: " + words
        await expect(ed.locator("> p")).to_have_text(expected)
        await wait_saved(page)
        await eventually(
            lambda: api.blocks(note["id"]),
            lambda bs: block_texts(bs) == [expected],
            what="every word typed before, during and after the kill",
            timeout=20,
        )
        # A fresh tab gets the whole text from the server.
        fresh = await kit.page(
            alice, f"/#/notes/{note['id']}", context=await kit.context(alice, base_url=server.url)
        )
        await expect(fresh.get_by_test_id("editor").locator("> p")).to_have_text(expected)
    assert not kit.page_errors
