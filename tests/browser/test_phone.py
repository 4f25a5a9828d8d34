"""Phone viewport (390x844): the drawer, opening a note and editing it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.helpers import (
    BrowserKit,
    eventually,
    page_holds,
    signed_in,
    wait_editable,
    wait_saved,
)

pytestmark = pytest.mark.browser


async def no_horizontal_overflow(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen ({page.url})"


async def test_phone_drawer_and_editing(kit: BrowserKit) -> None:
    alice = await kit.account(display_name="Pat Phone")
    api = kit.api(alice)
    nb = await api.notebook("Errands")
    note = await api.note(nb["id"], "Groceries")
    await api.set_blocks(
        note["id"],
        [
            ("listItem", "Oat milk", {"listType": "unordered", "item_type": "unordered"}),
            ("paragraph", "Remember the bags.", {}),
        ],
    )

    page = await kit.page(alice, "/", phone=True)
    await signed_in(page)
    sidebar = page.get_by_test_id("sidebar")
    toggle = page.get_by_test_id("sidebar-toggle")
    await expect(page.get_by_test_id("home-page")).to_be_visible()
    await expect(sidebar).to_be_hidden()
    await expect(toggle).to_be_visible()
    await no_horizontal_overflow(page)

    # The drawer opens and closes (close button, then the backdrop, then Escape).
    await toggle.click()
    await expect(sidebar).to_be_visible()
    await expect(sidebar).to_be_in_viewport(ratio=1)
    await page.get_by_test_id("sidebar-close").click()
    await expect(sidebar).to_be_hidden()
    await toggle.click()
    await expect(sidebar).to_be_visible()
    await page.mouse.click(380, 400)  # the backdrop, right of the drawer
    await expect(sidebar).to_be_hidden()
    await toggle.click()
    await expect(sidebar).to_be_visible()
    # The drawer takes focus once it is ready for keys; Escape before that would be lost.
    await page_holds(
        page, "document.activeElement && document.activeElement.closest('[data-testid=sidebar]')"
    )
    await page.keyboard.press("Escape")
    await expect(sidebar).to_be_hidden()

    # Open the note from the drawer: the drawer closes, the note opens.
    await toggle.click()
    await sidebar.get_by_test_id("sidebar-notebook-toggle").click()
    await sidebar.locator(f'[data-testid="sidebar-note"][data-id="{note["id"]}"]').click()
    await expect(sidebar).to_be_hidden()
    ed = page.get_by_test_id("editor")
    await expect(page.get_by_test_id("note-page")).to_have_attribute("data-id", note["id"])
    await expect(page.locator(".topbar-title")).to_have_text("Groceries")
    await expect(ed.locator("> div.blk-list")).to_have_text("Oat milk")
    await wait_editable(page)
    await no_horizontal_overflow(page)

    # Edit: tap the list item, add another one.
    await ed.locator("> div.blk-list").tap()
    # Keys pressed before the tap has focused the editor would land elsewhere.
    await page_holds(
        page, "document.activeElement && document.activeElement.closest('[data-testid=editor]')"
    )
    await page.keyboard.press("End")
    await page.keyboard.press("Enter")
    await page.keyboard.type("Bananas")
    await expect(ed.locator("> div.blk-list")).to_have_text(["Oat milk", "Bananas"])
    await wait_saved(page)
    blocks = await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: (
            [b["content"]["text"] for b in bs] == ["Oat milk", "Bananas", "Remember the bags."]
        ),
        what="the phone edit on the server",
    )
    assert blocks[1]["type"] == "listItem"
    assert blocks[1]["metadata"]["listType"] == "unordered"
    await no_horizontal_overflow(page)

    # The other screens fit the phone too.
    for route, testid in (
        ("/#/tasks", "tasks-page"),
        ("/#/trash", "trash-page"),
        ("/#/profile", "profile-page"),
        (f"/#/notebooks/{nb['id']}", "notebook-page"),
    ):
        await page.goto(route)
        await expect(page.get_by_test_id(testid)).to_be_visible()
        await no_horizontal_overflow(page)
    assert not kit.page_errors
