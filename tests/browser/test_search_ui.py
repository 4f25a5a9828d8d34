"""The quick switcher (keyboard only), the results page and the tag editor."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.helpers import BrowserKit, eventually, open_note, signed_in, wait_saved

pytestmark = pytest.mark.browser


def word() -> str:
    return "zq" + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])


async def test_quick_switcher_opens_the_note_at_the_matched_block(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    w = word()
    nb = await api.notebook(f"Journal {w}")
    n = await api.note(nb["id"], "Long read")
    paragraphs: list[tuple[str, str, dict[str, Any]]] = [
        ("text", f"Paragraph {i} of filler text.", {}) for i in range(80)
    ]
    paragraphs[61] = ("text", f"Here the café owner said {w} twice.", {})
    await api.set_blocks(n["id"], paragraphs)

    page = await kit.page(alice, "/#/")
    await signed_in(page)
    await page.keyboard.press("Control+k")
    box = page.get_by_test_id("quick-switcher-input")
    await expect(box).to_be_focused()
    await page.keyboard.type(f"cafe {w[:-2]}")  # accents ignored, last word a prefix
    items = page.get_by_test_id("quick-switcher-item")
    await expect(items.first).to_contain_text("Long read")
    await expect(items.first.locator("mark")).to_have_text(["café", w])
    await expect(items.first).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("Enter")

    await expect(page.get_by_test_id("note-page")).to_have_attribute("data-id", n["id"])
    await expect(page.get_by_test_id("quick-switcher")).to_be_hidden()
    hit = page.get_by_test_id("editor").locator("> *", has_text=w)
    await expect(hit).to_be_in_viewport()
    marked = await eventually(
        lambda: page.evaluate(
            "() => [...(CSS.highlights.get('search-hit') ?? [])].map((r) => r.toString())"
        ),
        lambda texts: bool(texts),
        what="the search words highlighted in the note",
    )
    assert sorted(marked) == sorted(["café", w])

    # Notebooks are offered too; arrows move, Esc closes and gives focus back.
    await page.keyboard.press("Control+k")
    await page.keyboard.type(f"journal {w}")
    book = page.locator('[data-testid="quick-switcher-item"][data-kind="book"]')
    everything = page.locator('[data-testid="quick-switcher-item"][data-kind="search"]')
    await expect(book).to_have_text(f"Journal {w}Notebook")
    await expect(book).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("ArrowDown")
    await expect(everything).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("ArrowUp")
    await expect(book).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{kit.url}/#/notebooks/{nb['id']}")
    await page.keyboard.press("Control+k")
    await expect(box).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.get_by_test_id("quick-switcher")).to_be_hidden()
    assert not kit.page_errors


async def test_results_page_filters_and_pages(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    w = word()
    work, home = await api.notebook("Work"), await api.notebook("Home")
    for i in range(23):
        await api.note(work["id"], f"{w} report {i}")
    await api.note(home["id"], f"{w} at home")
    page = await kit.page(alice, f"/#/search?q={w}")
    await signed_in(page)
    results = page.get_by_test_id("search-result")
    await expect(results).to_have_count(20)
    await page.get_by_test_id("search-more").click()
    await expect(results).to_have_count(24)
    await expect(page.get_by_test_id("search-more")).to_be_hidden()
    await page.get_by_test_id("search-notebook").select_option(home["id"])
    await expect(results).to_have_count(1)
    await expect(results.first.locator("mark")).to_have_text(w)
    await results.first.locator("a").click()
    await expect(page.get_by_test_id("note-title")).to_have_value(f"{w} at home")
    assert not kit.page_errors


async def test_tag_editor_pin_and_star(kit: BrowserKit) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Clients")
    other = await api.note(nb["id"], "Other")
    await api._json("PUT", f"/api/v1/notes/{other['id']}", json={"tags": ["ideas"]})
    n = await api.note(nb["id"], "Acme")
    page = await kit.page(alice, "/#/")
    await signed_in(page)
    await open_note(page, n["id"])

    tag_input = page.get_by_test_id("note-tag-input")
    await tag_input.focus()
    await page.keyboard.type("#Work / Clients")
    await page.keyboard.press("Enter")
    chips = page.get_by_test_id("note-tag")
    await expect(chips).to_have_text(["#work/clients"])
    await page.keyboard.type("urgent,")
    await expect(chips).to_have_text(["#work/clients", "#urgent"])
    # Autocomplete offers the caller's other tags.
    await expect(page.locator(f"datalist#tags-{n['id']} option[value='ideas']")).to_be_attached()
    saved = await eventually(
        lambda: api.get_note(n["id"]),
        lambda x: x["tags"] == ["work/clients", "urgent"],
        what="tags",
    )
    assert saved
    await page.keyboard.press("Backspace")  # empty field: removes the last tag
    await expect(chips).to_have_text(["#work/clients"])
    await page.get_by_role("button", name="Remove tag work/clients").click()
    await expect(chips).to_have_count(0)
    await tag_input.focus()
    await page.keyboard.type("work/clients")
    await page.keyboard.press("Enter")
    await expect(chips).to_have_text(["#work/clients"])
    tag_row = page.get_by_test_id("sidebar-tag").filter(has_text="clients")
    await expect(tag_row).to_contain_text("1")

    await page.get_by_test_id("note-pin").click()
    await expect(page.get_by_test_id("note-pin")).to_have_attribute("aria-pressed", "true")
    await page.get_by_test_id("note-favourite").click()
    await expect(page.get_by_test_id("sidebar-favourite")).to_have_text("Acme")
    pinned = await eventually(lambda: api.get_note(n["id"]), lambda x: x["pinned"], what="pin")
    assert pinned["tags"] == ["work/clients"]

    await page.goto(f"{kit.url}/#/")
    await expect(page.get_by_test_id("home-pinned").get_by_test_id("note-row")).to_have_count(1)
    await expect(page.get_by_test_id("home-favourites")).to_contain_text("Acme")
    await tag_row.click()
    await expect(page.get_by_test_id("tag-notes").get_by_test_id("note-row")).to_have_count(1)
    assert not kit.page_errors


async def test_tags_round_trip_through_markdown_front_matter(
    kit: BrowserKit, tmp_path: Path
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Imported")
    source = tmp_path / "Tagged.md"
    source.write_text(
        '---\ntags: [Work/Clients, "ideas"]\n---\n\n# Heading\n\nBody text.\n', encoding="utf-8"
    )
    page = await kit.page(alice, f"/#/notebooks/{nb['id']}")
    await signed_in(page)
    await page.get_by_test_id("notebook-import").click()
    async with page.expect_file_chooser() as chooser_info:
        await page.get_by_test_id("import-choose").click()
    await (await chooser_info.value).set_files(source)
    await page.get_by_test_id("import-submit").click()
    await expect(page.get_by_test_id("note-tag")).to_have_text(["#work/clients", "#ideas"])
    note_id = await page.get_by_test_id("note-page").get_attribute("data-id")
    assert note_id
    assert (await api.get_note(note_id))["tags"] == ["work/clients", "ideas"]
    await expect(page.get_by_test_id("editor").locator("> h1")).to_have_text("Heading")

    await wait_saved(page)
    async with page.expect_download() as download_info:
        await page.get_by_test_id("note-export").click()
    exported = tmp_path / "exported.md"
    await (await download_info.value).save_as(exported)
    _, front, body = exported.read_text(encoding="utf-8").split("---\n", 2)
    lines = front.splitlines()
    assert lines[:4] == ["title: Heading", "tags:", "  - work/clients", "  - ideas"]
    assert [line.split(":")[0] for line in lines[4:]] == ["created", "updated"]
    assert body.strip() == "# Heading\n\nBody text."
    assert not kit.page_errors
