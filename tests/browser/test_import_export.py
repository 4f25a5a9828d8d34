"""Markdown import through the file picker (one file, and many in batches with progress), and
the export of a note and of a notebook back to Markdown with front matter."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import Route, expect

from tests.browser.helpers import BrowserKit, block_view, eventually, signed_in, wait_saved

pytestmark = pytest.mark.browser

SAMPLE = """\
# Trip to Lisbon

Flights are booked, see the [airline page](https://example.com/flights?id=42) for details.

## Packing

- Passport
- *Light* jacket
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


FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n\n", re.S)


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def split_front_matter(text: str) -> tuple[str, str]:
    found = FRONT_MATTER.match(text)
    assert found, text[:200]
    return found.group(1), text[found.end() :]


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

    # One file: the app opens the new note, named after its first heading.
    await expect(dialog).to_be_hidden()
    # Its first read took over 10 s once on a loaded production stack: poll longer.
    await expect(page.get_by_test_id("note-title")).to_have_value("Trip to Lisbon", timeout=60_000)
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
    await expect(ed.locator("pre.blk-code")).to_contain_text("return days * 80")
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
    async with page.expect_download(timeout=60_000) as download_info:
        await page.get_by_test_id("note-export").click()
    download = await download_info.value
    assert download.suggested_filename == "Trip to Lisbon.md"
    exported = tmp_path / "exported.md"
    await download.save_as(exported)
    front, body = split_front_matter(exported.read_text(encoding="utf-8"))
    assert front.startswith("title: Trip to Lisbon\ncreated: ")
    assert normalise(body) == normalise(SAMPLE)
    assert not kit.page_errors


def numbered_note(i: int) -> str:
    return f"""---
title: Imported {i:03}
tags: [bulk, "batch {i // 50}"]
created: 2024-01-{1 + i % 28:02}T08:00:00Z
---

- [ ] item {i}
  - [x] nested {i}
"""


async def test_many_files_import_in_batches_with_progress_and_export_as_zip(
    kit: BrowserKit, tmp_path: Path
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Archive")
    folder = tmp_path / "archive"
    folder.mkdir()
    paths = []
    for i in range(60):
        path = folder / f"file-{i:03}.md"
        path.write_text(numbered_note(i), encoding="utf-8")
        paths.append(path)

    page = await kit.page(alice, f"/#/notebooks/{nb['id']}")
    await signed_in(page)
    imports: list[Route] = []
    requests: list[str] = []
    page.on(
        "request", lambda r: requests.append(f"{r.method} {r.url}") if "/api/" in r.url else None
    )
    held: list[Route] = []

    async def hold_second(route: Route) -> None:
        imports.append(route)
        if len(imports) == 2:
            held.append(route)  # released once the progress of the first batch is seen
        else:
            await route.continue_()

    await page.route("**/api/v1/import/notes", hold_second)
    await page.get_by_test_id("notebook-import").click()
    async with page.expect_file_chooser() as chooser_info:
        await page.get_by_test_id("import-choose").click()
    await (await chooser_info.value).set_files(paths)
    await expect(page.get_by_test_id("import-submit")).to_have_text("Import 60 files")
    await page.get_by_test_id("import-submit").click()
    progress = page.get_by_test_id("import-progress")
    await expect(progress).to_contain_text("50 of 60 imported", timeout=60_000)
    await expect(page.get_by_test_id("import-submit")).to_have_text("Importing 50/60…")
    await eventually(lambda: _count(held), lambda n: n == 1, what="the second batch held")
    await held[0].continue_()
    # Batches of many notes are heavy writes: give them the time a loaded machine needs.
    await expect(page.get_by_test_id("import-dialog")).to_be_hidden(timeout=60_000)
    assert len(imports) == 2  # 50 + 10 files, one request each
    # No request per block, nor (a burst of events coalesced) one per note or task.
    assert not [r for r in requests if r.startswith("POST") and "/api/v1/blocks" in r]
    assert len([r for r in requests if "/api/v1/notes/" in r or "/api/v1/tasks/" in r]) < 20

    notes = await eventually(
        lambda: api._json("GET", "/api/v1/notes", params={"notebook_id": nb["id"]}),
        lambda ns: len(ns) == 60,
        what="60 imported notes",
    )
    first = next(n for n in notes if n["title"] == "Imported 007")
    assert first["tags"] == ["bulk", "batch 0"]
    assert first["created_at"] == "2024-01-08T08:00:00Z"
    assert [
        (
            b["type"],
            b["content"]["text"],
            b["metadata"].get("is_completed"),
            b["metadata"].get("depth"),
        )
        for b in first["blocks"]
    ] == [("task", "item 7", False, None), ("task", "nested 7", True, 1)]

    # The notebook as a zip: a Markdown file per note with its front matter.
    async with page.expect_download(timeout=60_000) as download_info:
        await page.get_by_test_id("notebook-export").click()
    download = await download_info.value
    assert download.suggested_filename == "Archive.zip"
    exported = tmp_path / "archive.zip"
    await download.save_as(exported)
    with zipfile.ZipFile(exported) as z:
        names = sorted(z.namelist())
        text = z.read("Imported 007.md").decode()
    assert names == sorted(f"Imported {i:03}.md" for i in range(60))
    front, body = split_front_matter(text)
    assert front.splitlines()[:4] == ["title: Imported 007", "tags:", "  - bulk", "  - batch 0"]
    assert "created: 2024-01-08T08:00:00Z" in front
    assert normalise(body) == normalise("- [ ] item 7\n  - [x] nested 7")
    assert not kit.page_errors


async def _count(items: list[Route]) -> int:
    return len(items)
