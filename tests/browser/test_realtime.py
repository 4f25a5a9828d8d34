"""Live collaboration: two tabs of one user, and a read-only viewer of a shared notebook."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, Route, expect

from tests.browser.helpers import BrowserKit, editor, eventually, open_note, signed_in, wait_saved

pytestmark = pytest.mark.browser


async def type_at_end(page: Page, text: str) -> None:
    ed = editor(page)
    await ed.click()
    await page.keyboard.press("Control+End")
    await page.keyboard.press("Enter")
    await page.keyboard.type(text)


async def test_two_tabs_of_one_user_see_each_others_edits_live(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Shared brain")
    note = await api.note(nb["id"], "Meeting notes")
    await api.set_blocks(
        note["id"],
        [
            ("header", "Agenda", {"level": 1}),
            ("task", "Decide on the venue", {"is_completed": False}),
            ("paragraph", "Notes:", {}),
        ],
    )

    laptop = await kit.page(alice, "/")
    phone = await kit.page(alice, "/")
    await signed_in(laptop)
    await signed_in(phone)
    ed_a = await open_note(laptop, note["id"])
    ed_b = await open_note(phone, note["id"])
    await expect(ed_b.locator("> h1")).to_have_text("Agenda")

    # A new paragraph typed in one tab shows up in the other without a reload.
    await type_at_end(laptop, "Budget is 400 euros")
    await expect(ed_b.locator("> p")).to_have_text(["Notes:", "Budget is 400 euros"])
    await wait_saved(laptop)

    # An edit of an existing block (the heading), the other way round.
    await ed_b.locator("> h1").click()
    await phone.keyboard.press("End")
    await phone.keyboard.type(" for Monday")
    await expect(ed_a.locator("> h1")).to_have_text("Agenda for Monday")

    # Checking a to-do travels too.
    await ed_b.get_by_test_id("editor-task-checkbox").click()
    await expect(ed_a.locator("> div.blk-task")).to_have_attribute("data-checked", "true")
    await expect(ed_a.get_by_test_id("editor-task-checkbox")).to_be_checked()

    # A title change shows in the other tab's title field and sidebar.
    await laptop.get_by_test_id("note-title").fill("Monday meeting")
    await expect(phone.get_by_test_id("note-title")).to_have_value("Monday meeting")
    await wait_saved(laptop)
    await wait_saved(phone)

    # The server's block rows are the document's projection.
    blocks = await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: (
            [(b["type"], b["content"]["text"]) for b in bs]
            == [
                ("header", "Agenda for Monday"),
                ("task", "Decide on the venue"),
                ("paragraph", "Notes:"),
                ("paragraph", "Budget is 400 euros"),
            ]
            and bs[1]["metadata"].get("is_completed") is True
        ),
        what="both tabs' edits in the block rows",
    )
    assert blocks[1]["metadata"]["is_completed"] is True
    # Neither tab lost or duplicated anything.
    await expect(ed_a.locator("> *")).to_have_count(4)
    await expect(ed_b.locator("> *")).to_have_count(4)
    assert not kit.page_errors


async def test_viewer_sees_live_edits_and_cannot_edit(kit: BrowserKit) -> None:
    owner = await kit.account(display_name="Olivia Owner")
    viewer = await kit.account(display_name="Victor Viewer")
    owner_api = kit.api(owner)
    viewer_api = kit.api(viewer)
    nb = await owner_api.notebook("Recipes", "Family favourites")
    note = await owner_api.note(nb["id"], "Pancakes")
    await owner_api.set_blocks(
        note["id"],
        [
            ("header", "Ingredients", {"level": 2}),
            ("listItem", "200 g flour", {"listType": "unordered", "item_type": "unordered"}),
            ("task", "Buy eggs", {"is_completed": False}),
        ],
    )

    # The owner shares the notebook read-only through the share dialog.
    o = await kit.page(owner, f"/#/notebooks/{nb['id']}")
    await signed_in(o)
    await expect(o.get_by_test_id("notebook-page")).to_have_attribute("data-role", "owner")
    await o.get_by_test_id("notebook-share").click()
    dialog = o.get_by_test_id("share-dialog")
    await expect(dialog).to_be_visible()
    await expect(o.get_by_test_id("share-empty")).to_be_visible()
    await o.get_by_test_id("share-email").fill("nobody-here@example.com")
    await o.get_by_test_id("share-submit").click()
    await expect(o.get_by_test_id("share-error")).to_be_visible()
    await o.get_by_test_id("share-email").fill(viewer.email)
    await o.get_by_test_id("share-role").select_option("viewer")
    await o.get_by_test_id("share-submit").click()
    row = o.locator(f'[data-testid="share-row"][data-user-id="{viewer.id}"]')
    await expect(row).to_contain_text("Victor Viewer")
    await expect(row.get_by_test_id("share-row-role")).to_have_value("viewer")
    await o.get_by_test_id("dialog-close").click()
    await expect(dialog).to_be_hidden()

    # The viewer's notebook page has no create/rename/import/share/delete buttons.
    v = await kit.page(viewer, f"/#/notebooks/{nb['id']}")
    await signed_in(v)
    page = v.get_by_test_id("notebook-page")
    await expect(page).to_have_attribute("data-role", "viewer")
    await expect(v.get_by_test_id("notebook-role")).to_have_text("View only")
    await expect(v.get_by_test_id("note-row")).to_have_count(1)
    for testid in (
        "notebook-new-note",
        "notebook-rename",
        "notebook-share",
        "notebook-import",
        "notebook-delete",
        "note-delete",
        "note-move",
    ):
        await expect(v.get_by_test_id(testid)).to_have_count(0)

    # The note is read-only for the viewer.
    ed_v = await open_note(v, note["id"], editable=False)
    await expect(v.get_by_test_id("note-page")).to_have_attribute("data-readonly", "true")
    await expect(v.get_by_test_id("note-readonly-badge")).to_be_visible()
    await expect(ed_v).to_have_attribute("contenteditable", "false")
    await expect(v.get_by_test_id("note-title")).to_have_attribute("readonly", "")
    for testid in ("editor-toolbar", "note-delete-button", "note-move-button", "save-indicator"):
        await expect(v.get_by_test_id(testid)).to_have_count(0)
    await ed_v.locator("> h2").click()
    await v.keyboard.type("XYZ")
    await ed_v.get_by_test_id("editor-task-checkbox").click(force=True)
    await expect(ed_v.locator("> h2")).to_have_text("Ingredients")
    await expect(ed_v.get_by_test_id("editor-task-checkbox")).not_to_be_checked()

    # The owner's edits reach the viewer live.
    ed_o = await open_note(o, note["id"])
    await ed_o.locator("> div.blk-list").click()
    await o.keyboard.press("End")
    await o.keyboard.press("Enter")
    await o.keyboard.type("2 eggs")
    await expect(ed_v.locator("> div.blk-list")).to_have_text(["200 g flour", "2 eggs"])
    await ed_o.get_by_test_id("editor-task-checkbox").click()
    await expect(ed_v.locator("> div.blk-task")).to_have_attribute("data-checked", "true")
    await wait_saved(o)

    # Nothing the viewer did reached the server; the API refuses its writes as well.
    blocks = await eventually(
        lambda: viewer_api.blocks(note["id"]),
        lambda bs: (
            [b["content"]["text"] for b in bs]
            == ["Ingredients", "200 g flour", "2 eggs", "Buy eggs"]
            and bs[3]["metadata"].get("is_completed") is True
        ),
        what="the owner's edits (and none of the viewer's) in the block rows",
    )
    assert blocks[3]["metadata"]["is_completed"] is True
    r = await viewer_api.http.put(
        f"/api/v1/blocks/{blocks[0]['id']}", json={"content": {"text": "hacked"}}
    )
    assert r.status_code == 403, r.text
    await eventually(
        lambda: owner_api.blocks(note["id"]),
        lambda bs: bs[0]["content"]["text"] == "Ingredients",
        what="the heading unchanged",
    )
    assert not kit.page_errors


async def test_a_refresh_the_server_fails_does_not_take_the_open_note_away(kit: BrowserKit) -> None:
    """A note's change arrives as an event and the tab fetches the note; when that fetch
    fails for a passing reason (503: busy, restarting), the note stays on its page (it was
    dropped from the tab's notes as if deleted, and the page said it was gone)."""
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Work")
    n = await api.note(nb["id"], "Plan")
    page = await kit.page(alice, "/")
    await signed_in(page)
    await open_note(page, n["id"])

    async def busy(route: Route) -> None:
        await route.fulfill(
            status=503,
            content_type="application/json",
            headers={"Retry-After": "1"},
            body='{"error": "the server is busy"}',
        )

    url = f"**/api/v1/notes/{n['id']}"
    await page.route(url, busy)
    async with page.expect_response(lambda r: r.status == 503 and n["id"] in r.url):
        await api._json("PUT", f"/api/v1/notes/{n['id']}", json={"tags": ["first"]})
    await page.unroute(url, busy)

    await api._json("PUT", f"/api/v1/notes/{n['id']}", json={"tags": ["first", "second"]})
    await expect(page.get_by_test_id("note-tag")).to_have_text(["#first", "#second"])
    await expect(page.get_by_test_id("note-gone")).to_have_count(0)
    # The only error the page saw is the one answered here.
    assert [e for e in kit.page_errors if f"{n['id']} -> 503" not in e] == []
