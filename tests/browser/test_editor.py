"""Sign-up, sign-in and writing a note with markdown shortcuts, checked after a reload."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Page, Route, expect

from tests.browser.helpers import (
    BrowserKit,
    block_view,
    editor,
    eventually,
    open_note,
    page_holds,
    signed_in,
    wait_editable,
    wait_saved,
)
from tests.conftest import Account

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"

# What the shortcuts typed below must become, block by block (type, text, owned metadata).
EXPECTED_BLOCKS: list[tuple[str, str, dict[str, Any]]] = [
    ("header", "Weekend plan", {"level": 1}),
    ("listItem", "Apples", {"listType": "unordered"}),
    ("listItem", "Pears", {"listType": "unordered"}),
    ("listItem", "Wake up early", {"listType": "ordered"}),
    ("listItem", "Go hiking", {"listType": "ordered"}),
    ("task", "Call the plumber", {"is_completed": False}),
    (
        "paragraph",
        "Pack the bold boots and run make test",
        {
            "spans": [
                {"start": 9, "end": 12, "type": "bold"},
                {"start": 28, "end": 36, "type": "code"},
            ]
        },
    ),
    ("horizontalRule", "", {}),
    ("paragraph", "The end", {}),
]


async def test_register_login_and_markdown_shortcuts_survive_reload(kit: BrowserKit) -> None:
    email = f"writer-{uuid.uuid4().hex[:10]}@example.com"
    page = await kit.page(None, "/")

    # Register (the app signs in right away), sign out, sign in again.
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    await page.get_by_test_id("goto-register").click()
    await page.get_by_test_id("register-email").fill(email)
    await page.get_by_test_id("register-display-name").fill("Wendy Writer")
    await page.get_by_test_id("register-password").fill(PASSWORD)
    await page.get_by_test_id("register-confirm").fill("something else")
    await page.get_by_test_id("register-submit").click()
    await expect(page.get_by_test_id("register-error")).to_contain_text("do not match")
    # Hold the first notes request, so the app is signed in but still loading while the user
    # moves on: the end of that load must not navigate away from where they went.
    release = asyncio.Event()

    async def hold(route: Route) -> None:
        await release.wait()
        await route.continue_()

    notes_list = re.compile(r"/api/v1/notes(\?|$)")
    await page.route(notes_list, hold)
    await page.get_by_test_id("register-confirm").fill(PASSWORD)
    await page.get_by_test_id("register-submit").click()
    await expect(page.get_by_test_id("home-page")).to_contain_text("Wendy Writer")
    await page.get_by_test_id("nav-profile").click()
    await expect(page.get_by_test_id("profile-page")).to_be_visible()
    release.set()
    await expect(page.get_by_test_id("notebook-create-empty")).to_be_visible()  # loaded
    await expect(page.get_by_test_id("profile-page")).to_be_visible()
    assert page.url.endswith("#/profile")

    await page.get_by_test_id("logout-button").click()
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    await page.get_by_test_id("login-email").fill(email)
    await page.get_by_test_id("login-password").fill("wrong password")
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("login-error")).to_be_visible()
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("home-page")).to_be_visible()
    await signed_in(page)
    token = await page.evaluate("localStorage.getItem('owlistic.access_token')")
    assert isinstance(token, str)
    assert token

    # Create a notebook (sidebar + prompt dialog) and a note in it.
    await page.get_by_test_id("notebook-create").click()
    await page.get_by_test_id("prompt-input").fill("Personal")
    await page.get_by_test_id("prompt-ok").click()
    nb_page = page.get_by_test_id("notebook-page")
    await expect(page.get_by_test_id("notebook-title")).to_have_text("Personal")
    await expect(page.get_by_test_id("notebook-empty")).to_be_visible()
    await page.get_by_test_id("notebook-new-note").click()
    note_page = page.get_by_test_id("note-page")
    await expect(note_page).to_be_visible()
    note_id = await note_page.get_attribute("data-id")
    assert note_id
    assert await nb_page.count() == 0

    # A new note starts in its title; Enter moves into the editor.
    title = page.get_by_test_id("note-title")
    await expect(title).to_be_focused()
    await wait_editable(page)
    await page.keyboard.type("Saturday")
    await page.keyboard.press("Enter")
    ed = editor(page)
    await expect(ed).to_be_focused()

    kb = page.keyboard
    await kb.type("# Weekend plan")
    await kb.press("Enter")
    await kb.type("- Apples")
    await kb.press("Enter")
    await kb.type("Pears")
    await kb.press("Enter")
    await kb.press("Enter")  # an empty item ends the list
    await kb.type("1. Wake up early")
    await kb.press("Enter")
    await kb.type("Go hiking")
    await kb.press("Enter")
    await kb.press("Enter")
    await kb.type("[] Call the plumber")
    await kb.press("Enter")
    await kb.press("Enter")
    await kb.type("Pack the **bold** boots and run `make test`")
    await kb.press("Enter")
    await kb.type("---")
    await kb.type("The end")

    await check_editor_dom(page)
    await wait_saved(page)

    # Reload: the same content comes back from the server.
    await page.reload()
    await expect(page.get_by_test_id("note-title")).to_have_value("Saturday")
    await check_editor_dom(page)

    account = Account(id="", email=email, password=PASSWORD, token=token, refresh_token="")
    api = kit.api(account)
    note = await api.get_note(note_id)
    assert note["title"] == "Saturday"
    blocks = await eventually(
        lambda: api.blocks(note_id),
        lambda bs: [block_view(b) for b in bs] == EXPECTED_BLOCKS,
        what="the saved blocks",
        timeout=5,
    )
    assert blocks[0]["metadata"]["level"] == 1
    # Each editor block carries its server block's id.
    ids = (
        await editor(page)
        .locator("> *")
        .evaluate_all("els => els.map((e) => e.getAttribute('data-blockid'))")
    )
    assert ids == [b["id"] for b in blocks]
    assert not kit.page_errors


async def test_split_join_and_retype_keep_block_ids_unique_and_stable(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Ids")
    note = await api.note(nb["id"], "Ids")
    await api.set_blocks(note["id"], [("paragraph", "HeadTail", {}), ("task", "Todo", {})])
    original = await api.blocks(note["id"])
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note["id"])
    ids = "els => els.map((e) => e.getAttribute('data-blockid'))"

    # Split "Head|Tail": the first half keeps the block, the second is a new one.
    await ed.locator("> p").click()
    await page.keyboard.press("Home")
    for _ in "Head":
        await page.keyboard.press("ArrowRight")
    # The editor takes the caret from the browser's selection asynchronously.
    await page_holds(
        page,
        "document.querySelector('[data-testid=editor]').editor.state.selection.$from.parentOffset"
        " === 4",
    )
    await page.keyboard.press("Enter")
    await expect(ed.locator("> p")).to_have_text(["Head", "Tail"])
    split = await ed.locator("> *").evaluate_all(ids)
    assert split[0] == original[0]["id"]
    assert split[2] == original[1]["id"]
    assert split[1]
    assert len(set(split)) == 3
    await wait_saved(page)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: [b["id"] for b in bs] == split,
        what="the split in the block rows, with the editor's ids",
    )

    # Joining them back (Backspace at the start of "Tail") leaves the first block.
    await page.keyboard.press("Backspace")
    await expect(ed.locator("> p")).to_have_text("HeadTail")
    assert await ed.locator("> *").evaluate_all(ids) == [original[0]["id"], original[1]["id"]]
    # Turning the paragraph into a heading and back keeps its block (toolbar, not retyped).
    await page.get_by_test_id("tb-h2").click()
    await expect(ed.locator("> h2")).to_have_text("HeadTail")
    await page.get_by_test_id("tb-h2").click()
    await expect(ed.locator("> p")).to_have_text("HeadTail")
    assert await ed.locator("> *").evaluate_all(ids) == [original[0]["id"], original[1]["id"]]
    await wait_saved(page)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: (
            [(b["id"], b["type"], b["content"]["text"]) for b in bs]
            == [(original[0]["id"], "paragraph", "HeadTail"), (original[1]["id"], "task", "Todo")]
        ),
        what="the first block back as it was, the task untouched",
    )
    assert not kit.page_errors


async def check_editor_dom(page: Page) -> None:
    ed = editor(page)
    await expect(ed.locator("> *")).to_have_count(len(EXPECTED_BLOCKS))
    await expect(ed.locator("> h1")).to_have_text("Weekend plan")
    unordered = ed.locator('> div.blk-list[data-list="unordered"]')
    await expect(unordered).to_have_text(["Apples", "Pears"])
    ordered = ed.locator('> div.blk-list[data-list="ordered"]')
    await expect(ordered).to_have_text(["Wake up early", "Go hiking"])
    task = ed.locator("> div.blk-task")
    await expect(task).to_have_text("Call the plumber")
    await expect(task).to_have_attribute("data-checked", "false")
    await expect(task.get_by_test_id("editor-task-checkbox")).not_to_be_checked()
    para = ed.locator("> p").first
    await expect(para).to_have_text("Pack the bold boots and run make test")
    await expect(para.locator("strong")).to_have_text("bold")
    await expect(para.locator("code")).to_have_text("make test")
    await expect(ed.locator("> hr")).to_have_count(1)
    await expect(ed.locator("> p").last).to_have_text("The end")


# The browser's trusted `selectionchange` notifications held back while `__holdSelection` is
# set, as a busy main thread delays them behind input; `__heldSelections` counts them.
HOLD_SELECTIONCHANGE = """
window.__holdSelection = false;
window.__heldSelections = 0;
window.addEventListener('selectionchange', (e) => {
  if (!e.isTrusted || !window.__holdSelection) return;
  e.stopImmediatePropagation();
  window.__heldSelections++;
}, true);
"""


async def test_keys_act_where_the_caret_is(kit: BrowserKit) -> None:
    """Keys right after a click, before the browser has reported the click's selection: Enter
    split the note's first block (the caret was taken to be where it was before the click)
    and the typing went in front of its text."""
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Recipes")
    note = await api.note(nb["id"], "Pancakes")
    await api.set_blocks(
        note["id"],
        [
            ("header", "Ingredients", {"level": 2}),
            ("listItem", "200 g flour", {"listType": "unordered", "item_type": "unordered"}),
            ("paragraph", "Serves four", {}),
        ],
    )
    ctx = await kit.context(alice)
    await ctx.add_init_script(HOLD_SELECTIONCHANGE)
    page = await kit.page(context=ctx)
    await signed_in(page)
    ed = await open_note(page, note["id"])
    await page.evaluate("window.__holdSelection = true")

    await ed.locator("> div.blk-list").click()
    await page.keyboard.press("End")
    await page.keyboard.press("Enter")
    await page.keyboard.type("2 eggs")
    await expect(ed.locator("> div.blk-list")).to_have_text(["200 g flour", "2 eggs"])
    await expect(ed.locator("> h2")).to_have_text("Ingredients")

    # The browser did hold its notifications back: the check above was not vacuous.
    assert await page.evaluate("window.__heldSelections") > 0

    await page.evaluate("window.__holdSelection = false")
    await wait_saved(page)
    await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: (
            [b["content"]["text"] for b in bs]
            == ["Ingredients", "200 g flour", "2 eggs", "Serves four"]
        ),
        what="the edits on the server",
    )
    assert not kit.page_errors
