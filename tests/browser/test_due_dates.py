"""Due dates in place: a checklist item dated by typing "@tomorrow" shows a chip, its
co-editor sees it at once, and editing the task on the Tasks screen (title, notes, due
date and time) changes the item in the open note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import (
    BrowserKit,
    eventually,
    open_note,
    signed_in,
    type_at_end_of,
    wait_editable,
    wait_saved,
)
from tests.conftest import Account

pytestmark = pytest.mark.browser


async def open_as(kit: BrowserKit, account: Account, note_id: str) -> tuple[Page, Locator]:
    page = await kit.page(account, "/")
    await signed_in(page)
    return page, await open_note(page, note_id)


async def test_typed_due_date_shows_as_a_chip_for_co_editors_and_the_tasks_screen_edits_it(
    kit: BrowserKit,
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Home")
    note = await api.note(nb["id"], "Garden")
    task = await api._json(
        "POST", "/api/v1/tasks", json={"title": "Water the plants", "note_id": note["id"]}
    )
    page, ed = await open_as(kit, alice, note["id"])
    other, other_ed = await open_as(kit, alice, note["id"])
    item = ed.locator(f'div.blk-task[data-blockid="{task["block_id"]}"]')

    await type_at_end_of(page, item.locator(".blk-task-text"), " @tomorrow")
    await expect(page.get_by_test_id("due-suggestion")).to_contain_text("Tomorrow")
    await page.keyboard.press("Enter")
    await expect(item.get_by_test_id("due-chip")).to_have_text("Tomorrow")
    await expect(item.locator(".blk-task-text")).not_to_contain_text("@")
    await expect(ed.locator("div.blk-task")).to_have_count(1)  # Enter did not split
    # The co-editor sees the chip without reloading.
    other_item = other_ed.locator(f'div.blk-task[data-blockid="{task["block_id"]}"]')
    await expect(other_item.get_by_test_id("due-chip")).to_have_text("Tomorrow")
    await wait_saved(page)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()  # browser in UTC
    await eventually(
        api.tasks,
        lambda ts: any(
            t["id"] == task["id"] and (t["title"], t["due_date"]) == ("Water the plants", tomorrow)
            for t in ts
        ),
        what="the task due tomorrow",
    )

    # The Tasks screen edits the same task: the open note follows.
    await other.get_by_test_id("nav-tasks").click()
    row = other.locator(f'[data-testid="task-row"][data-id="{task["id"]}"]')
    await row.get_by_test_id("task-edit").click()
    dialog = other.get_by_test_id("task-editor")
    await expect(dialog.get_by_test_id("task-edit-date")).to_have_value(tomorrow)
    later = (datetime.now(UTC) + timedelta(days=3)).date()
    await dialog.get_by_test_id("task-edit-title").fill("Water the ferns")
    await dialog.get_by_test_id("task-edit-description").fill("with rain water")
    await dialog.get_by_test_id("task-edit-date").fill(later.isoformat())
    await dialog.get_by_test_id("task-edit-time").fill("09:30")
    await dialog.get_by_test_id("task-edit-reminder").select_option("10")
    await dialog.get_by_test_id("task-edit-save").click()
    await expect(dialog).to_have_count(0)
    await expect(row.get_by_test_id("task-title")).to_have_text("Water the ferns")
    await expect(item.locator(".blk-task-text")).to_contain_text("Water the ferns")
    chip = item.get_by_test_id("due-chip")
    await expect(chip).to_contain_text("09:30")
    await expect(chip).to_contain_text("🔔")
    saved = next(t for t in await api.tasks() if t["id"] == task["id"])
    assert saved["description"] == "with rain water"
    assert saved["due_date"] == f"{later.isoformat()}T09:30:00+00:00"
    assert saved["remind_before_minutes"] == 10

    # The chip's picker clears the date; after a reload there is no chip.
    await chip.click()
    picker = page.get_by_test_id("due-picker")
    await expect(picker.get_by_test_id("due-picker-date")).to_have_value(later.isoformat())
    await picker.get_by_test_id("due-picker-clear").click()
    await expect(item.get_by_test_id("due-chip")).to_have_count(0)
    await wait_saved(page)
    await eventually(
        api.tasks,
        lambda ts: any(t["id"] == task["id"] and t["due_date"] == "" for t in ts),
        what="the due date cleared",
    )
    await page.reload()
    ed = await wait_editable(page)
    await expect(ed.locator("div.blk-task .blk-task-text")).to_have_text("Water the ferns")
    await expect(ed.get_by_test_id("due-chip")).to_have_count(0)
    assert not kit.page_errors
    assert not kit.csp_violations
