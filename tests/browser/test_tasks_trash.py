"""To-dos on the tasks screen, and the trash (with its confirmation dialogs)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.helpers import (
    BrowserKit,
    eventually,
    open_note,
    signed_in,
    wait_editable,
    wait_saved,
)

pytestmark = pytest.mark.browser


async def test_checklist_item_is_a_task_and_completing_it_checks_the_note(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Home")
    note = await api.note(nb["id"], "Chores")
    await api.set_blocks(note["id"], [("paragraph", "This week:", {})])

    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note["id"])
    await ed.click()
    await page.keyboard.press("Control+End")
    await page.keyboard.press("Enter")
    await page.keyboard.type("[] Water the plants")
    checkbox = ed.get_by_test_id("editor-task-checkbox")
    await expect(checkbox).not_to_be_checked()
    await wait_saved(page)

    # The server turned the to-do block into a task.
    tasks = await eventually(
        api.tasks,
        lambda ts: any(t["title"] == "Water the plants" for t in ts),
        what="the task of the to-do block",
    )
    task = next(t for t in tasks if t["title"] == "Water the plants")
    assert not task["is_completed"]

    await page.get_by_test_id("nav-tasks").click()
    row = page.locator(f'[data-testid="task-row"][data-id="{task["id"]}"]')
    await expect(row.get_by_test_id("task-title")).to_have_text("Water the plants")
    await expect(row).to_have_attribute("data-completed", "false")
    await expect(row.get_by_test_id("task-open-note")).to_contain_text("Chores")
    await row.get_by_test_id("task-toggle").click()
    # The open filter hides it once done; the done filter shows it completed.
    await expect(row).to_have_count(0)
    await page.get_by_test_id("tasks-filter-done").click()
    await expect(row).to_have_attribute("data-completed", "true")
    await expect(row.get_by_test_id("task-toggle")).to_be_checked()

    # The note's to-do is checked, in the editor and on the server.
    await row.get_by_test_id("task-open-note").click()
    await expect(page.get_by_test_id("note-page")).to_have_attribute("data-id", note["id"])
    done = (await wait_editable(page)).locator("> div.blk-task")
    await expect(done).to_have_attribute("data-checked", "true")
    await expect(done.get_by_test_id("editor-task-checkbox")).to_be_checked()
    blocks = await api.blocks(note["id"])
    task_block = next(b for b in blocks if b["type"] == "task")
    assert task_block["metadata"]["is_completed"] is True

    # And back: unchecking in the editor reopens the task.
    await done.get_by_test_id("editor-task-checkbox").click()
    await expect(done).to_have_attribute("data-checked", "false")
    await wait_saved(page)
    await eventually(
        api.tasks,
        lambda ts: any(t["id"] == task["id"] and not t["is_completed"] for t in ts),
        what="the task reopened",
    )
    assert not kit.page_errors


async def test_trash_and_restore_a_note_with_confirmations(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Projects")
    keep = await api.note(nb["id"], "Garden redesign")
    await api.set_blocks(keep["id"], [("paragraph", "Raised beds along the fence.", {})])
    drop = await api.note(nb["id"], "Old shopping list")

    page = await kit.page(alice, f"/#/notes/{keep['id']}")
    await signed_in(page)
    await expect(page.get_by_test_id("editor")).to_contain_text("Raised beds")

    # Cancelling the confirmation keeps the note.
    dialog = page.get_by_test_id("confirm-dialog")
    await page.get_by_test_id("note-delete-button").click()
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("Garden redesign")
    await page.get_by_test_id("confirm-cancel").click()
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_test_id("note-page")).to_be_visible()
    assert (await api.get_note(keep["id"]))["deleted_at"] is None

    # Confirming moves it to the trash and goes back to the notebook.
    await page.get_by_test_id("note-delete-button").click()
    await page.get_by_test_id("confirm-ok").click()
    await expect(page.get_by_test_id("notebook-page")).to_have_attribute("data-id", nb["id"])
    rows = page.get_by_test_id("note-row")
    await expect(rows).to_have_count(1)
    await expect(rows).to_have_attribute("data-id", drop["id"])

    # The other note goes through the row's delete button.
    await rows.get_by_test_id("note-delete").click()
    await page.get_by_test_id("confirm-ok").click()
    await expect(page.get_by_test_id("notebook-empty")).to_be_visible()

    await page.get_by_test_id("nav-trash").click()
    trash_rows = page.get_by_test_id("trash-row")
    await expect(trash_rows).to_have_count(2)
    kept = trash_rows.and_(page.locator(f'[data-id="{keep["id"]}"]'))
    dropped = trash_rows.and_(page.locator(f'[data-id="{drop["id"]}"]'))
    await expect(kept.get_by_test_id("trash-row-title")).to_have_text("Garden redesign")
    await expect(kept).to_have_attribute("data-type", "note")
    trash = await api.trash()
    assert {n["id"] for n in trash["notes"]} == {keep["id"], drop["id"]}

    # Restore one.
    await kept.get_by_test_id("trash-restore").click()
    await expect(kept).to_have_count(0)
    await expect(page.get_by_test_id("toast").filter(has_text="Restored")).to_be_visible()
    assert (await api.get_note(keep["id"]))["deleted_at"] is None

    # Delete the other forever: cancel first, then confirm.
    await dropped.get_by_test_id("trash-delete").click()
    await expect(dialog).to_contain_text("cannot be undone")
    await page.get_by_test_id("confirm-cancel").click()
    await expect(dropped).to_have_count(1)
    await dropped.get_by_test_id("trash-delete").click()
    await page.get_by_test_id("confirm-ok").click()
    await expect(page.get_by_test_id("trash-empty-state")).to_be_visible()
    r = await api.http.get(f"/api/v1/notes/{drop['id']}")
    assert r.status_code == 404, r.text

    # The restored note is back in its notebook, with its content.
    await page.goto(f"/#/notebooks/{nb['id']}")
    await expect(page.get_by_test_id("note-row")).to_have_attribute("data-id", keep["id"])
    await page.get_by_test_id("note-row-link").click()
    await expect(page.get_by_test_id("editor")).to_contain_text("Raised beds along the fence.")
    await wait_saved(page)
    assert not kit.page_errors
