"""The note's files panel: upload with the file picker, a thumbnail from the preview, another
browser seeing the file arrive live, download, a refused upload with its error, delete."""

from __future__ import annotations

import io
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
