"""The note's files panel: upload with the file picker, a thumbnail from the preview, another
browser seeing the file arrive live, download, a refused upload with its error, delete."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.browser.helpers import BrowserKit, eventually, open_note, signed_in

pytestmark = pytest.mark.browser


def picture(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


async def test_upload_shows_live_in_another_browser_and_downloads(
    kit: BrowserKit, tmp_path: Path
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Trip")
    note = await api.note(nb["id"], "Photos")

    laptop = await kit.page(alice, "/")
    phone = await kit.page(alice, "/", phone=True)
    for page in (laptop, phone):
        await signed_in(page)
        await open_note(page, note["id"])
        await page.get_by_test_id("attachments-toggle").click()
        await expect(page.get_by_test_id("attachments-panel")).to_be_visible()

    await laptop.get_by_test_id("attachments-input").set_input_files(
        str(picture(tmp_path / "beach.png"))
    )
    item = laptop.get_by_test_id("attachment")
    await expect(item).to_have_count(1)
    await expect(item).to_contain_text("beach.png")
    await expect(item).to_contain_text("320\u00d7200")
    thumb = item.locator("img")
    await expect(thumb).to_have_attribute("loading", "lazy")
    loaded = await eventually(
        lambda: thumb.evaluate("img => img.complete && img.naturalWidth"),
        lambda w: bool(w),
        what="the preview to load",
    )
    assert loaded == 64  # the test server's preview size

    # The other device sees it without a reload.
    await expect(phone.get_by_test_id("attachment")).to_contain_text("beach.png")

    async with laptop.expect_download() as download_info:
        await item.get_by_test_id("attachment-download").click()
    download = await download_info.value
    saved = tmp_path / "downloaded.png"
    await download.save_as(saved)
    assert saved.read_bytes() == (tmp_path / "beach.png").read_bytes()

    # A lying file is refused with the server's message and can be dismissed or retried.
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"MZ this is not a picture")
    await laptop.get_by_test_id("attachments-input").set_input_files(
        {"name": "fake.png", "mimeType": "image/png", "buffer": fake.read_bytes()}
    )
    failed = laptop.get_by_test_id("attachment-upload")
    await expect(failed.get_by_role("alert")).to_contain_text("declared as image/png")
    await expect(failed.get_by_test_id("attachment-retry")).to_be_visible()
    await expect(laptop.get_by_test_id("attachment")).to_have_count(1)

    await item.get_by_test_id("attachment-delete").click()
    await expect(laptop.get_by_test_id("attachment")).to_have_count(0)
    await expect(phone.get_by_test_id("attachment")).to_have_count(0)
    listed = await api._json("GET", "/api/v1/attachments", params={"note_id": note["id"]})
    assert listed == []


async def test_export_with_images_and_import_the_zip_elsewhere(
    kit: BrowserKit, tmp_path: Path
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Holiday")
    note = await api.note(nb["id"], "Beach day")
    await api.set_blocks(note["id"], [("paragraph", "Sun and sand.", {})])
    image = picture(tmp_path / "beach.png").read_bytes()
    r = await api.http.post(
        "/api/v1/attachments",
        data={"note_id": note["id"]},
        files={"file": ("beach.png", image, "image/png")},
    )
    assert r.status_code == 201, r.text

    page = await kit.page(alice, "/")
    await signed_in(page)
    await open_note(page, note["id"])
    await page.get_by_test_id("attachments-toggle").click()
    await expect(page.get_by_test_id("attachment")).to_have_count(1)
    async with page.expect_download() as download_info:
        await page.get_by_test_id("attachments-export").click()
    download = await download_info.value
    assert download.suggested_filename == "Beach day.zip"
    exported = tmp_path / "export.zip"
    await download.save_as(exported)
    with zipfile.ZipFile(exported) as z:
        assert sorted(z.namelist()) == ["Beach day.md", "files/beach.png"]
        assert z.read("files/beach.png") == image
        markdown = z.read("Beach day.md").decode()
    assert "Sun and sand." in markdown
    assert "](files/beach.png)" in markdown

    # Another account imports the zip: a new note, the picture attached and linked.
    bob = await kit.account()
    bob_api = kit.api(bob)
    other = await bob_api.notebook("Imported")
    bob_page = await kit.page(bob, f"/#/notebooks/{other['id']}")
    await signed_in(bob_page)
    await bob_page.get_by_test_id("notebook-import").click()
    async with bob_page.expect_file_chooser() as chooser_info:
        await bob_page.get_by_test_id("import-choose").click()
    await (await chooser_info.value).set_files(exported)
    await bob_page.get_by_test_id("import-submit").click()
    await expect(bob_page.get_by_test_id("note-title")).to_have_value("Beach day")
    new_id = await bob_page.get_by_test_id("note-page").get_attribute("data-id")
    assert new_id
    assert new_id != note["id"]
    files = await bob_api._json("GET", "/api/v1/attachments", params={"note_id": new_id})
    assert [(f["name"], f["media_type"]) for f in files] == [("beach.png", "image/png")]
    blocks = await bob_api.blocks(new_id)
    hrefs = [s.get("href") for b in blocks for s in (b["metadata"] or {}).get("spans", [])]
    assert f"/api/v1/attachments/{files[0]['id']}" in hrefs
    assert "Sun and sand." in [b["content"].get("text") for b in blocks]


async def test_pasted_screenshot_and_dropped_file_are_attached(
    kit: BrowserKit, tmp_path: Path
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Work")
    note = await api.note(nb["id"], "Bug report")
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note["id"])
    await ed.click()
    shot = list(picture(tmp_path / "shot.png").read_bytes())

    # A screenshot pasted into the editor (the clipboard names it image.png).
    await page.evaluate(
        """(bytes) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
          document.activeElement.dispatchEvent(
            new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }""",
        shot,
    )
    await expect(page.get_by_test_id("attachments-panel")).to_be_visible()
    pasted = page.get_by_test_id("attachment")
    await expect(pasted).to_have_count(1)
    await expect(pasted).to_contain_text("Pasted ")
    await expect(pasted).to_contain_text(".png")

    # A file dropped on the editor.
    drop = await page.evaluate_handle(
        """() => {
          const dt = new DataTransfer();
          dt.items.add(new File(['minutes of the meeting'], 'minutes.txt', { type: 'text/plain' }));
          return dt;
        }"""
    )
    await ed.dispatch_event("drop", {"dataTransfer": drop})
    await expect(page.get_by_test_id("attachment")).to_have_count(2)
    await expect(page.get_by_test_id("attachments-list")).to_contain_text("minutes.txt")
    await expect(page.get_by_test_id("import-dialog")).to_be_hidden()
    files = await api._json("GET", "/api/v1/attachments", params={"note_id": note["id"]})
    assert sorted(f["media_type"] for f in files) == ["image/png", "text/plain"]
