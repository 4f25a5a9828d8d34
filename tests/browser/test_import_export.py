"""Markdown import through the file picker, and the export of the same note back to markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.helpers import BrowserKit, block_view, eventually, signed_in, wait_saved

pytestmark = pytest.mark.browser

SAMPLE = """\
# Trip to Lisbon

Flights are booked, see the [airline page](https://example.com/flights?id=42) for details.

## Packing

- Passport
- _Light_ jacket
- **Good** walking shoes

## Before leaving

1. Water the plants
2. Take out the bins

- [ ] Book the tram tour
- [x] Exchange some money

## Useful snippet

```python
def budget(days: int) -> int:
    return days * 80
```

> Travel is the only thing you buy that makes you richer.

---

Read `itinerary.txt` and the [city guide](https://example.org/lisbon) before going.
"""


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


async def test_markdown_import_then_export_round_trip(kit: BrowserKit, tmp_path: Path) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Travel")
    source = tmp_path / "Lisbon trip.md"
    source.write_text(SAMPLE, encoding="utf-8")

    page = await kit.page(alice, f"/#/notebooks/{nb['id']}")
    await signed_in(page)
    await page.get_by_test_id("notebook-import").click()
    dialog = page.get_by_test_id("import-dialog")
    await expect(dialog).to_be_visible()
    await expect(page.get_by_test_id("import-notebook")).to_have_value(nb["id"])
    await expect(page.get_by_test_id("import-submit")).to_be_disabled()
    async with page.expect_file_chooser() as chooser_info:
        await page.get_by_test_id("import-choose").click()
    chooser = await chooser_info.value
    await chooser.set_files(source)
    await expect(page.get_by_test_id("import-file-list")).to_contain_text("Lisbon trip.md")
    await page.get_by_test_id("import-submit").click()

    # One file: the app opens the new note.
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_test_id("note-title")).to_have_value("Lisbon trip")
    note_id = await page.get_by_test_id("note-page").get_attribute("data-id")
    assert note_id
    ed = page.get_by_test_id("editor")
    await expect(ed.locator("> h1")).to_have_text("Trip to Lisbon")
    await expect(ed.locator("> h2")).to_have_text(["Packing", "Before leaving", "Useful snippet"])
    await expect(ed.locator('> div.blk-list[data-list="unordered"]')).to_have_text(
        ["Passport", "Light jacket", "Good walking shoes"]
    )
    await expect(ed.locator('> div.blk-list[data-list="ordered"]')).to_have_text(
        ["Water the plants", "Take out the bins"]
    )
    tasks = ed.locator("> div.blk-task")
    await expect(tasks).to_have_text(["Book the tram tour", "Exchange some money"])
    await expect(tasks.nth(0)).to_have_attribute("data-checked", "false")
    await expect(tasks.nth(1)).to_have_attribute("data-checked", "true")
    await expect(ed.locator("> pre")).to_contain_text("return days * 80")
    await expect(ed.locator("> blockquote")).to_have_text(
        "Travel is the only thing you buy that makes you richer."
    )
    await expect(ed.locator("> hr")).to_have_count(1)
    link = ed.locator('a[href="https://example.com/flights?id=42"]')
    await expect(link).to_have_text("airline page")
    await expect(ed.locator("> p").last.locator("code")).to_have_text("itinerary.txt")

    # The server holds one block per markdown node.
    blocks = await eventually(
        lambda: api.blocks(note_id),
        lambda bs: len(bs) == 16,
        what="16 imported blocks (one per markdown node)",
    )
    views = [block_view(b) for b in blocks]
    assert views[0] == ("header", "Trip to Lisbon", {"level": 1})
    start = views[1][1].index("airline page")
    assert views[1][2]["spans"] == [
        {
            "start": start,
            "end": start + 11,
            "type": "link",
            "href": "https://example.com/flights?id=42",
        }
    ]
    assert ("task", "Exchange some money", {"is_completed": True}) in views
    code = next(b for b in blocks if b["type"] == "code")
    assert code["metadata"]["language"] == "python"
    # The to-dos became tasks.
    titles = await eventually(
        api.tasks,
        lambda ts: {"Book the tram tour", "Exchange some money"} <= {t["title"] for t in ts},
        what="tasks of the imported to-dos",
    )
    assert titles

    # Export: the downloaded file is the imported one.
    await wait_saved(page)
    async with page.expect_download() as download_info:
        await page.get_by_test_id("note-export").click()
    download = await download_info.value
    assert download.suggested_filename == "Lisbon trip.md"
    exported = tmp_path / "exported.md"
    await download.save_as(exported)
    assert normalise(exported.read_text(encoding="utf-8")) == normalise(SAMPLE)
    assert not kit.page_errors
