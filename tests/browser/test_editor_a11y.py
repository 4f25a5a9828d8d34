"""Accessibility (axe-core on every screen, both themes), word count and the print stylesheet.

axe-core comes from web/node_modules. The app's CSP allows scripts from its own origin
only, so the test serves axe under a same-origin path (Playwright's ``route``) and adds it
as ``<script src>``; an inline script tag would be refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, Route, expect

from tests.browser.helpers import BrowserKit, open_note, signed_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__test/axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}"""


async def serve_axe(page: Page) -> None:
    async def fulfil(route: Route) -> None:
        await route.fulfill(path=AXE, content_type="text/javascript")

    await page.route(f"**{AXE_PATH}", fulfil)


async def violations(page: Page) -> list[dict[str, Any]]:
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.add_script_tag(url=AXE_PATH)
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE)
    return found


async def test_every_screen_passes_axe_in_both_themes(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Garden")
    note = await api.note(nb["id"], "Beds")
    await api.set_blocks(
        note["id"],
        [
            ("header", "Beds", {"level": 1}),
            ("task", "Water the roses", {"is_completed": False}),
            ("paragraph", "Compost in spring", {}),
        ],
    )
    problems: dict[str, list[dict[str, Any]]] = {}
    for dark in (False, True):
        theme = "dark" if dark else "light"
        signed_out = await kit.page(None, "/#/login", dark=dark)
        await serve_axe(signed_out)
        await expect(signed_out.get_by_test_id("login-form")).to_be_visible()
        problems[f"login {theme}"] = await violations(signed_out)
        await signed_out.get_by_test_id("goto-register").click()
        await expect(signed_out.get_by_test_id("register-email")).to_be_visible()
        problems[f"register {theme}"] = await violations(signed_out)

        page = await kit.page(alice, "/", dark=dark)
        await serve_axe(page)
        await signed_in(page)
        await expect(page.get_by_test_id("home-page")).to_be_visible()
        problems[f"home {theme}"] = await violations(page)
        for name, path, ready in [
            ("notebook", f"/#/notebooks/{nb['id']}", "notebook-page"),
            ("tasks", "/#/tasks", "tasks-page"),
            ("trash", "/#/trash", "trash-page"),
            ("profile", "/#/profile", "profile-page"),
            ("search", "/#/search?q=roses", "search-page"),
        ]:
            await page.goto(path)
            await expect(page.get_by_test_id(ready)).to_be_visible()
            problems[f"{name} {theme}"] = await violations(page)
        ed = await open_note(page, note["id"])
        await ed.get_by_text("Compost").click()
        problems[f"note {theme}"] = await violations(page)
    assert {k: v for k, v in problems.items() if v} == {}


async def test_word_count_and_print_only_the_note(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Essays")
    note = await api.note(nb["id"], "Draft")
    await api.set_blocks(note["id"], [("paragraph", "One two three", {}), ("task", "Four", {})])
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note["id"])
    count = page.get_by_test_id("word-count")
    await expect(count).to_have_text("4 words · 17 characters")
    await ed.get_by_text("Four").click()
    await page.keyboard.press("End")
    await page.keyboard.type(" five")
    await expect(count).to_have_text("5 words · 22 characters")

    await page.emulate_media(media="print")
    await expect(ed).to_be_visible()
    await expect(page.get_by_test_id("note-title")).to_be_visible()
    for hidden in ("sidebar", "editor-toolbar", "save-indicator", "word-count"):
        await expect(page.get_by_test_id(hidden)).to_be_hidden()
    assert not kit.page_errors
