"""Setting a reminder from a task's menu on the Tasks screen, and the in-app notification
with Done when it goes off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from tests.browser.helpers import BrowserKit, eventually, signed_in

pytestmark = pytest.mark.browser


async def test_reminder_set_in_the_task_menu_notifies_and_done_completes(kit: BrowserKit) -> None:
    ann = await kit.account()
    api = kit.api(ann)
    created = await api._json("POST", "/api/v1/tasks", json={"title": "water the plants"})
    page = await kit.page(ann, "/#/tasks")
    await signed_in(page)
    row = page.locator(f'[data-testid="task-row"][data-id="{created["id"]}"]')
    await expect(page.get_by_test_id("tasks-section-none")).to_contain_text("water the plants")

    await row.get_by_test_id("task-edit").click()
    editor = page.get_by_test_id("task-editor")
    now = datetime.now(UTC)  # the browser runs in UTC
    await editor.get_by_test_id("task-edit-date").fill(now.date().isoformat())
    await editor.get_by_test_id("task-edit-time").fill("23:59")
    await editor.get_by_test_id("task-edit-repeat").select_option("weekly")
    await editor.get_by_test_id("task-edit-reminder").select_option("custom")
    soon = (now + timedelta(seconds=6)).strftime("%Y-%m-%dT%H:%M:%S")
    await editor.get_by_test_id("task-edit-remind-at").fill(soon)
    await editor.get_by_test_id("task-edit-save").click()
    await expect(editor).to_have_count(0)

    section = "today" if now.strftime("%H:%M") < "23:59" else "overdue"
    await expect(page.get_by_test_id(f"tasks-section-{section}")).to_contain_text(
        "water the plants"
    )
    await expect(row.get_by_test_id("task-repeat")).to_contain_text("Every week")
    saved = next(t for t in await api.tasks() if t["id"] == created["id"])
    assert (
        saved["recurrence"]
        == f"FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][now.weekday()]}"
    )
    assert saved["remind_at"].startswith(soon)

    toast = page.get_by_test_id("reminder-toast")
    await expect(toast).to_contain_text("Reminder: water the plants", timeout=30_000)
    await toast.get_by_test_id("reminder-done").click()
    # A weekly task ticked off moves to next week's occurrence, open again.
    moved = await eventually(
        api.tasks,
        lambda ts: any(t["id"] == created["id"] and t["due_date"] > saved["due_date"] for t in ts),
        what="the task moved to its next occurrence",
    )
    nxt = next(t for t in moved if t["id"] == created["id"])
    assert nxt["is_completed"] is False
    assert nxt["due_date"][:10] == (now + timedelta(days=7)).date().isoformat()
    assert not kit.page_errors
