"""The structured editor: typing right after "New note", links, nesting, moving blocks, the
slash menu, tables (toolbar and paste), code blocks, and what the REST blocks say of them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import (
    Api,
    BrowserKit,
    editor,
    eventually,
    open_note,
    page_holds,
    signed_in,
    type_at_end_of,
    wait_saved,
)

pytestmark = pytest.mark.browser

EDITOR_JS = "document.querySelector('[data-testid=editor]').editor"


async def rows(api: Api, note_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, text, metadata without the sync markers) of the note's blocks, in order."""
    out = []
    for b in await api.blocks(note_id):
        meta = {
            k: v
            for k, v in (b.get("metadata") or {}).items()
            if k not in ("_sync_source", "block_id", "spans", "item_type", "task_id")
        }
        out.append((b["type"], b["content"].get("text", ""), meta))
    return out


async def paste(page: Page, **data: str) -> None:
    """A paste into the editor with the given clipboard flavours (``text/html`` as html=...)."""
    await page.evaluate(
        """(data) => {
          const dt = new DataTransfer();
          for (const [k, v] of Object.entries(data))
            dt.setData(k === 'html' ? 'text/html' : 'text/plain', v);
          document.querySelector('[data-testid=editor]').dispatchEvent(
            new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }""",
        data,
    )


async def test_typing_right_after_new_note_and_applying_a_link(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Inbox")
    page = await kit.page(alice, f"/#/notebooks/{nb['id']}")
    await signed_in(page)

    # No waiting after the click: every key must arrive, the title's in the title and the
    # body's (after Enter) in the body.
    await page.get_by_test_id("notebook-new-note").click()
    await page.keyboard.type("Groceries")
    await page.keyboard.press("Enter")
    await page.keyboard.type("see docs")
    title = page.get_by_test_id("note-title")
    await expect(title).to_have_value("Groceries")
    ed = editor(page)
    await expect(ed.locator("> p").first).to_have_text("see docs")

    # Select "docs", link it with Ctrl+K; the next key goes after the link, replacing nothing.
    for _ in "docs":
        await page.keyboard.press("Shift+ArrowLeft")
    await page_holds(page, f"{EDITOR_JS}.state.selection.empty === false")
    await page.keyboard.press("Control+k")
    await page.get_by_test_id("prompt-input").fill("example.com/docs")
    # Ctrl+K in the editor is the link's: the quick switcher stays closed.
    await expect(page.get_by_test_id("quick-switcher")).to_have_count(0)
    await page.get_by_test_id("prompt-ok").click()
    await expect(ed.locator("a")).to_have_text("docs")
    await expect(ed).to_be_focused()
    await page.keyboard.type("!")
    await expect(ed.locator("> p").first).to_have_text("see docs!")
    await expect(ed.locator("a")).to_have_text("docs")
    await expect(ed.locator("a")).to_have_attribute("href", "https://example.com/docs")

    await wait_saved(page)
    note_id = await page.get_by_test_id("note-page").get_attribute("data-id")
    assert note_id
    assert (await api.get_note(note_id))["title"] == "Groceries"
    await eventually(
        lambda: api.blocks(note_id),
        lambda bs: [b["content"]["text"] for b in bs] == ["see docs!"],
        what="the body on the server",
    )
    assert not kit.page_errors


# Animation frames are held back (as a busy page's are) until they are run, once, after
# which frames are the browser's again.
HOLD_FRAMES = """() => {
  const held = [];
  const [request, cancel] = [window.requestAnimationFrame, window.cancelAnimationFrame];
  window.requestAnimationFrame = (cb) => held.push(cb);
  window.cancelAnimationFrame = (id) => { held[id - 1] = null; };
  window.runHeldFrames = () => {
    window.requestAnimationFrame = request;
    window.cancelAnimationFrame = cancel;
    held.splice(0).forEach((cb) => cb && cb(performance.now()));
  };
}"""


async def test_a_selection_made_as_the_editor_takes_the_focus_is_kept(kit: BrowserKit) -> None:
    """Enter in the title puts the caret at the start of the body. A selection the user
    makes before the next frame (a fast Shift+Ctrl+Right on a busy page) must not be
    undone by that frame: Tiptap's focus command focused again in it, writing the editor's
    not yet updated selection over the browser's, and Ctrl+K then linked the wrong words."""
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Inbox")
    note = await api.note(nb["id"], "Reading")
    await api.set_blocks(note["id"], [("paragraph", "docs to read", {})])
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note["id"])
    await expect(ed.locator("> p").first).to_have_text("docs to read")
    await page.get_by_test_id("note-title").focus()

    await page.evaluate(HOLD_FRAMES)
    await page.keyboard.press("Enter")
    await expect(ed).to_be_focused()
    # The browser moves the selection; the frame runs before its selectionchange event.
    await page.evaluate(
        """() => {
          getSelection().modify('extend', 'forward', 'word');
          window.runHeldFrames();
        }"""
    )
    await eventually(
        lambda: page.evaluate(
            f"(() => {{ const s = {EDITOR_JS}.state; "
            "return s.doc.textBetween(s.selection.from, s.selection.to); })()"
        ),
        lambda text: text == "docs",
        what="the selection the user made",
    )
    await page.keyboard.press("Control+k")
    await page.get_by_test_id("prompt-input").fill("example.com/docs")
    await page.get_by_test_id("prompt-ok").click()
    await expect(ed.locator("a")).to_have_text("docs")
    await expect(ed).to_be_focused()
    assert not kit.page_errors


async def test_nesting_moving_slash_menu_tables_and_code(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Projects")
    note = await api.note(nb["id"], "Plan")
    note_id = note["id"]
    # Blocks added through the API replace the note's initial empty block: no blank first line.
    for i, (type_, text, meta) in enumerate(
        [
            ("header", "Plan", {"level": 1}),
            ("task", "Buy paint", {"is_completed": False}),
            ("task", "White", {"is_completed": False}),
            ("listItem", "One", {"listType": "unordered"}),
            ("listItem", "Two", {"listType": "unordered"}),
            ("paragraph", "End", {}),
        ]
    ):
        body = {"note_id": note_id, "type": type_, "content": {"text": text}, "metadata": meta}
        await api._json("POST", "/api/v1/blocks", json=body | {"order": (i + 1) * 1000.0})
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note_id)
    await expect(ed.locator("> *").first).to_have_text("Plan")
    await expect(ed.locator("> *")).to_have_count(6)

    # Tab nests the checklist item under the one above (focus stays in the editor), twice is
    # still one level; Shift+Tab on the list item does nothing at the top, Tab nests it.
    await ed.get_by_text("White").click()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(ed).to_be_focused()
    await expect(ed.locator("> .blk-task").nth(1)).to_have_attribute("data-depth", "1")
    await ed.get_by_text("Two").click()
    await page.keyboard.press("Tab")
    await expect(ed.locator("> .blk-list").nth(1)).to_have_attribute("data-depth", "1")
    await page.keyboard.press("Shift+Tab")
    await expect(ed.locator("> .blk-list").nth(1)).not_to_have_attribute("data-depth", "1")
    await page.keyboard.press("Tab")

    # Alt+↑ moves "End" above the list, as one change with the same block: another editor
    # (a phone) sees the same node move.
    before = {b["content"]["text"]: b["id"] for b in await api.blocks(note_id)}
    phone = await kit.page(alice, "/", phone=True)
    await signed_in(phone)
    other = await open_note(phone, note_id)
    await ed.get_by_text("End").click()
    await page.keyboard.press("Alt+ArrowUp")
    await page.keyboard.press("Alt+ArrowUp")
    await expect(ed.locator("> *").nth(3)).to_have_text("End")
    await expect(other.locator("> *").nth(3)).to_have_text("End")
    await expect(other.locator("> *").nth(3)).to_have_attribute("data-blockid", before["End"])
    # On the phone, the toolbar's + adds a block below with the same menu open, and its
    # arrows move the block.
    await other.get_by_text("Buy paint").click()
    await phone.get_by_test_id("tb-insert").click()
    await phone.get_by_test_id("slash-menu").get_by_test_id("slash-h2").click()
    await phone.keyboard.type("Colours")
    await expect(other.locator("> h2")).to_have_text("Colours")
    await phone.get_by_test_id("tb-move-up").click()
    await expect(ed.locator("> *").nth(1)).to_have_text("Colours")
    await phone.get_by_test_id("tb-move-down").click()
    await expect(ed.locator("> *").nth(2)).to_have_text("Colours")
    await wait_saved(phone)
    await ed.get_by_text("End").click()

    # Slash menu: filtered by typing, chosen with the keyboard (a table) and the mouse (code).
    await page.keyboard.press("End")
    await page.keyboard.press("Enter")
    await page.keyboard.type("/tab")
    menu = page.get_by_test_id("slash-menu")
    await expect(menu.get_by_role("option")).to_have_count(1)
    await expect(menu.get_by_role("option")).to_have_text("TableRows and columns")
    await page.keyboard.press("Enter")
    await expect(menu).to_have_count(0)
    table = ed.locator("table")
    await expect(table.locator("tr")).to_have_count(3)
    await expect(table.locator("tr").first.locator("th")).to_have_count(3)
    await page.keyboard.type("Item")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Cost")
    await page.keyboard.press("Tab")
    await page.get_by_test_id("tb-row-add").click()
    await page.get_by_test_id("tb-col-delete").click()
    await expect(table.locator("tr")).to_have_count(4)
    await expect(table.locator("tr").first.locator("th")).to_have_count(2)
    await expect(table.locator("tr").first).to_have_text("ItemCost")

    # A table pasted from a web page or spreadsheet stays a table.
    await ed.get_by_text("End").click()
    await page.keyboard.press("End")
    await page.keyboard.press("Enter")
    await paste(
        page,
        html="<table><tr><th>c1</th><th>c2</th></tr><tr><td><p>3</p></td><td>4</td></tr></table>",
        text="c1\tc2\n3\t4",
    )
    await expect(ed.locator("table")).to_have_count(2)
    await expect(ed.locator("table").first.locator("tr")).to_have_text(["c1c2", "34"])

    # Code with a language from the picker, highlighted.
    await ed.locator("> p").filter(has_text="End").click()
    await page.keyboard.press("End")
    await page.keyboard.press("Enter")
    await page.keyboard.type("/")
    await menu.get_by_test_id("slash-code").click()
    await page.keyboard.type("def f(): return 1")
    await ed.get_by_test_id("code-language").select_option("python")
    await expect(ed.locator("pre .hljs-keyword").first).to_have_text("def")

    await wait_saved(page)
    want = [
        ("header", "Plan", {"level": 1}),
        ("task", "Buy paint", {"is_completed": False}),
        ("header", "Colours", {"level": 2}),
        ("task", "White", {"is_completed": False, "depth": 1}),
        ("paragraph", "End", {}),
        ("code", "def f(): return 1", {"language": "python"}),
        ("table", "c1\tc2\n3\t4", {"header_row": True}),
        ("table", "Item\tCost\n\t\n\t\n\t", {"header_row": True}),
        ("listItem", "One", {"listType": "unordered"}),
        ("listItem", "Two", {"listType": "unordered", "depth": 1}),
    ]
    await eventually(lambda: rows(api, note_id), lambda r: r == want, what="the blocks")
    blocks = await api.blocks(note_id)
    assert blocks[6]["content"]["rows"] == [["c1", "c2"], ["3", "4"]]
    after = {b["content"]["text"]: b["id"] for b in blocks}
    for text in ("End", "White", "Two"):
        assert after[text] == before[text], text  # moved and nested, never re-created
    # The nested checklist item's task still belongs to the note.
    white = next(t for t in await api.tasks() if t["title"] == "White")
    assert white["note_id"] == note_id

    # All of it survives a reload.
    await page.reload()
    ed = await open_note(page, note_id)
    await expect(ed.locator("> .blk-task").nth(1)).to_have_attribute("data-depth", "1")
    await expect(ed.locator("table")).to_have_count(2)
    await expect(ed.get_by_test_id("code-language")).to_have_value("python")
    assert not kit.page_errors


async def test_drag_handle_moves_a_block_and_cells_and_callouts_keep_their_form(
    kit: BrowserKit,
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Drag")
    note_id = (await api.note(nb["id"], "Order"))["id"]
    await api.set_blocks(note_id, [("paragraph", t, {}) for t in ("One", "Two", "Three", "Four")])
    ids = {b["content"]["text"]: b["id"] for b in await api.blocks(note_id)}
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note_id)
    other_page = await kit.page(alice, "/")
    await signed_in(other_page)
    other = await open_note(other_page, note_id)
    await expect(other.locator("> p")).to_have_text(["One", "Two", "Three", "Four"])

    # A real mouse drag: hover "Four", press its grip, drop it on the top half of "One".
    four = ed.locator("> p").nth(3)
    await four.hover()
    handle = page.get_by_test_id("drag-handle")
    await expect(handle).to_be_visible()
    grip = await handle.bounding_box()
    target = await ed.locator("> p").first.bounding_box()
    assert grip
    assert target
    await page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    await page.mouse.down()
    for step in range(1, 6):  # several moves: Chromium starts a drag after a few pixels
        y = grip["y"] + (target["y"] + 2 - grip["y"]) * step / 5
        await page.mouse.move(target["x"] + 20, y)
    await page.mouse.up()
    order = ["Four", "One", "Two", "Three"]
    await expect(ed.locator("> p")).to_have_text(order)
    await expect(other.locator("> p")).to_have_text(order)
    await expect(other.locator("> p").first).to_have_attribute("data-blockid", ids["Four"])
    await eventually(
        lambda: api.blocks(note_id),
        lambda bs: [(b["content"]["text"], b["id"]) for b in bs] == [(t, ids[t]) for t in order],
        what="the moved block, same id, first over REST",
    )

    # Bold in a table cell and a warning callout from the slash menu reach the other editor
    # and the REST block.
    await type_at_end_of(page, ed.locator("> p").nth(3), "")
    await page.keyboard.press("Enter")
    await page.keyboard.type("/warn")
    await page.keyboard.press("Enter")
    await page.keyboard.type("Mind the step")
    await expect(other.locator("> .blk-callout")).to_have_attribute("data-kind", "warning")
    await page.keyboard.press("Enter")
    await page.keyboard.type("/table")
    await page.keyboard.press("Enter")
    await page.keyboard.type("Item")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Control+b")
    await page.keyboard.type("Cost")
    await expect(other.locator("table th").nth(1).locator("strong")).to_have_text("Cost")
    await wait_saved(page)

    def shaped(bs: list[dict[str, Any]]) -> bool:
        kinds = {b["type"]: b for b in bs}
        if "table" not in kinds or "callout" not in kinds:
            return False
        table, callout = kinds["table"], kinds["callout"]
        spans = (table["metadata"].get("cell_spans") or [[]])[0]
        return bool(
            table["content"]["rows"][0] == ["Item", "Cost", ""]
            and spans[:2] == [[], [{"start": 0, "end": 3, "type": "bold"}]]
            and callout["metadata"].get("callout_kind") == "warning"
            and callout["content"]["text"] == "Mind the step"
        )

    await eventually(lambda: api.blocks(note_id), shaped, what="cell spans and callout kind")
    await other_page.reload()
    other = await open_note(other_page, note_id)
    await expect(other.locator("table th").nth(1).locator("strong")).to_have_text("Cost")
    await expect(other.locator("> .blk-callout")).to_have_attribute("data-kind", "warning")
    assert not kit.page_errors


async def test_phone_nests_moves_and_edits_tables_and_code(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Phone")
    note_id = (await api.note(nb["id"], "Layout"))["id"]
    item = {"listType": "unordered", "item_type": "unordered"}
    bold = [{"start": 0, "end": 3, "type": "bold"}]
    await api.set_blocks(
        note_id,
        [
            ("listItem", "Milk", item),
            ("listItem", "Oat", item),
            ("code", "print(1)", {}),
        ],
    )
    wide = [["Ingredient", "Amount", "Shop", "Aisle", "Price", "Note"], ["Flour", "1 kg"]]
    body = {
        "note_id": note_id,
        "type": "table",
        "content": {"rows": wide},
        "metadata": {"header_row": True, "cell_spans": [[], [bold]]},
        "order": 10_000.0,
    }
    await api._json("POST", "/api/v1/blocks", json=body)
    page = await kit.page(alice, "/", phone=True)
    await signed_in(page)
    ed = await open_note(page, note_id)
    # The wide table scrolls inside the note; the page itself never gets wider than the phone.
    await expect(ed.locator("table td strong")).to_have_text("Flou")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await expect(page.get_by_test_id("drag-handle")).to_be_hidden()  # touch: the arrows move
    # The block that was there when the note opened (read-only at first) can change language.
    await expect(ed.get_by_test_id("code-language")).to_be_enabled()

    # No Tab key on a phone: the toolbar indents and outdents the item.
    await ed.get_by_text("Oat").tap()
    indent = page.get_by_test_id("tb-indent")
    await expect(indent).to_be_in_viewport()
    await indent.tap()
    await expect(ed.locator("> .blk-list").nth(1)).to_have_attribute("data-depth", "1")
    await expect(indent).to_be_disabled()  # at most one level below the item above
    await page.get_by_test_id("tb-outdent").tap()
    await expect(ed.locator("> .blk-list").nth(1)).not_to_have_attribute("data-depth", "1")
    await indent.tap()
    # A tap anywhere in a code block (not only on its text) puts the caret in it.
    await ed.locator("pre").tap()
    await page_holds(page, f"{EDITOR_JS}.isActive('codeBlock')")
    await page.get_by_test_id("tb-move-up").tap()
    await page.get_by_test_id("tb-move-up").tap()
    await expect(ed.locator("> *").first.locator("code")).to_have_text("print(1)")

    # Code: the language picker is on screen and works; a table cell gets a row below it.
    picker = ed.get_by_test_id("code-language")
    await expect(picker).to_be_in_viewport()
    await picker.select_option("python")
    await expect(ed.locator("pre .hljs-built_in, pre .hljs-keyword").first).to_be_visible()
    await ed.locator("table td").first.tap()
    row_add = page.get_by_test_id("tb-row-add")
    await expect(row_add).to_be_in_viewport()
    await row_add.tap()
    await expect(ed.locator("table tr")).to_have_count(3)
    await wait_saved(page)

    def shaped(bs: list[dict[str, Any]]) -> bool:
        got = [(b["type"], b["content"].get("text"), b["metadata"].get("depth")) for b in bs]
        table = bs[-1]
        return bool(
            got[:3]
            == [("code", "print(1)", None), ("listItem", "Milk", None), ("listItem", "Oat", 1)]
            and bs[0]["metadata"].get("language") == "python"
            and len(table["content"]["rows"]) == 3
            and table["metadata"].get("cell_spans", [[], []])[1][:1] == [bold]
        )

    await eventually(lambda: api.blocks(note_id), shaped, what="the phone's edits over REST")
    assert not kit.page_errors
