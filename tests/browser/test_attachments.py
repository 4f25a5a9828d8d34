"""Files in notes: the files panel (upload with the file picker, a thumbnail from the preview,
another browser seeing the file arrive live, insert into the note, download, a refused upload
with its error, delete), export and import with pictures, and pictures and files pasted and
dropped into the text as blocks that a viewer sees."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Route, expect

from owlistic.attachment.keys import blob_key
from owlistic.attachment.storage import BlobStore
from tests.browser.helpers import BrowserKit, eventually, open_note, signed_in
from tests.conftest import ATTACHMENT_MAX_BYTES, ATTACHMENT_QUOTA_BYTES, LiveServer

pytestmark = pytest.mark.browser


def picture(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def jpeg(width: int, height: int, *, quality: int = 85) -> bytes:
    """A photo of noise: new content every time, and big for its size."""
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=quality)
    return out.getvalue()


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

    # Put into the note's text from the panel (where the phone's camera sends a photo).
    await item.get_by_test_id("attachment-insert").click()
    await expect(laptop.get_by_test_id("editor").get_by_test_id("editor-image")).to_have_count(1)
    await expect(phone.get_by_test_id("editor").get_by_test_id("editor-image")).to_have_count(1)

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
    # The image line became a picture block showing the attachment.
    images = [b["metadata"].get("src") for b in blocks if b["type"] == "image"]
    assert images == [f"/api/v1/attachments/{files[0]['id']}"]
    assert "Sun and sand." in [b["content"].get("text") for b in blocks]


async def test_pasted_picture_and_dropped_file_become_blocks_a_viewer_sees(
    kit: BrowserKit, tmp_path: Path
) -> None:
    alice, bob = await kit.account(), await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Work")
    await api.share(nb["id"], bob.email, "viewer")
    note = await api.note(nb["id"], "Bug report")
    await api.set_blocks(note["id"], [("paragraph", "Steps:", {})])
    page = await kit.page(alice, "/")
    await signed_in(page)
    ed = await open_note(page, note["id"])
    phone = await kit.page(bob, "/", phone=True)
    await signed_in(phone)
    seen = await open_note(phone, note["id"], editable=False)

    # A screenshot pasted at the end of the text (the clipboard names it image.png).
    await ed.get_by_text("Steps:").click()
    await page.keyboard.press("End")
    shot = list(picture(tmp_path / "shot.png").read_bytes())
    await page.evaluate(
        """(bytes) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
          document.activeElement.dispatchEvent(
            new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }""",
        shot,
    )
    image = ed.get_by_test_id("editor-image")
    await expect(image).to_have_count(1)
    await expect(ed.get_by_test_id("media-upload")).to_have_count(0)
    loaded = "img => img.complete && img.naturalWidth"
    width = await eventually(
        lambda: image.locator("img").evaluate(loaded), bool, what="the picture to load"
    )
    # Shown here from the pasted file itself (not fetched back); other devices get the
    # preview (below).
    assert width == 320
    await image.click()
    await image.get_by_test_id("image-alt").click()
    await page.get_by_role("dialog").get_by_role("textbox").fill("The error dialog")
    await page.get_by_role("dialog").get_by_role("button", name="Save").click()
    await expect(image.locator("img")).to_have_attribute("alt", "The error dialog")

    # A file dropped at the end of the text, above the picture: a file block there, with its
    # name, size and a download.
    drop = await page.evaluate_handle(
        """() => {
          const dt = new DataTransfer();
          dt.items.add(new File(['minutes of the meeting'], 'minutes.txt', { type: 'text/plain' }));
          return dt;
        }"""
    )
    box = await ed.get_by_text("Steps:").bounding_box()
    assert box
    at = {"clientX": box["x"] + box["width"] - 1, "clientY": box["y"] + box["height"] / 2}
    await ed.dispatch_event("drop", {"dataTransfer": drop, **at})
    file = ed.get_by_test_id("editor-file")
    await expect(file).to_contain_text("minutes.txt")
    await expect(file).to_contain_text("22 B")
    await expect(page.get_by_test_id("import-dialog")).to_be_hidden()

    # A refused upload keeps its placeholder with the reason and a retry.
    fake = await page.evaluate_handle(
        """() => {
          const dt = new DataTransfer();
          dt.items.add(new File(['MZ not a picture'], 'fake.png', { type: 'image/png' }));
          return dt;
        }"""
    )
    await ed.dispatch_event("drop", {"dataTransfer": fake, **at})
    failed = ed.get_by_test_id("media-upload")
    await expect(failed.get_by_role("alert")).to_contain_text("declared as image/png")
    await failed.get_by_test_id("media-upload-dismiss").click()
    await expect(failed).to_have_count(0)

    expected = [("paragraph", "Steps:"), ("file", "minutes.txt"), ("image", "The error dialog")]
    blocks = await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: [(b["type"], b["content"]["text"]) for b in bs] == expected,
        what="the blocks to be saved",
    )
    files = await api._json("GET", "/api/v1/attachments", params={"note_id": note["id"]})
    by_name = {f["name"]: f for f in files}
    pasted = by_name.pop(next(n for n in by_name if n.startswith("Pasted ") and n.endswith(".png")))
    assert list(by_name) == ["minutes.txt"]
    assert blocks[1]["metadata"]["src"] == f"/api/v1/attachments/{by_name['minutes.txt']['id']}"
    assert blocks[2]["metadata"]["attachment_id"] == pasted["id"]

    # The viewer, on a phone, sees both live and can download the file.
    await expect(seen.get_by_test_id("editor-image").locator("img")).to_have_attribute(
        "alt", "The error dialog"
    )
    viewer_width = await eventually(
        lambda: seen.get_by_test_id("editor-image").locator("img").evaluate(loaded),
        bool,
        what="the viewer's picture to load",
    )
    assert viewer_width == 64  # the test server's preview size
    async with phone.expect_download() as download_info:
        await seen.get_by_test_id("editor-file-download").click()
    saved = tmp_path / "minutes.txt"
    await (await download_info.value).save_as(saved)
    assert saved.read_text() == "minutes of the meeting"


async def test_phone_camera_photo_placeholder_then_picture_and_a_refused_one_leaves_nothing(
    kit: BrowserKit, web_server: LiveServer, tmp_path: Path
) -> None:
    alice = await kit.account()
    api = kit.api(alice)
    nb = await api.notebook("Receipts")
    note = await api.note(nb["id"], "Lunch")
    await api.set_blocks(note["id"], [("paragraph", "Paid:", {})])
    phone = await kit.page(alice, "/", phone=True)
    await signed_in(phone)
    ed = await open_note(phone, note["id"])
    store: BlobStore = web_server.app.state.attachments.store

    # Uploads wait here until the test lets them through, so the placeholder can be seen.
    release = asyncio.Event()

    async def hold(route: Route) -> None:
        if route.request.method == "POST":
            await release.wait()
        await route.continue_()

    await phone.route("**/api/v1/attachments", hold)
    await ed.get_by_text("Paid:").tap()
    await phone.keyboard.press("End")
    async with phone.expect_file_chooser() as chooser_info:
        await phone.get_by_test_id("tb-photo").tap()
    chooser = await chooser_info.value
    assert await chooser.element.get_attribute("accept") == "image/*"
    assert await chooser.element.get_attribute("capture") == "environment"
    photo = tmp_path / "image.jpg"  # the name phones give a photo just taken
    photo.write_bytes(jpeg(640, 480))
    await chooser.set_files(photo)

    pending = ed.get_by_test_id("media-upload")
    await expect(pending).to_be_visible()
    await expect(pending.locator("img")).to_have_attribute("src", re.compile(r"^blob:"))
    await expect(pending.get_by_role("progressbar")).to_be_visible()
    await expect(ed.get_by_test_id("editor-image")).to_have_count(0)
    release.set()
    image = ed.get_by_test_id("editor-image")
    await expect(image).to_have_count(1)
    await expect(pending).to_have_count(0)
    await eventually(
        lambda: image.locator("img").evaluate("img => img.complete && img.naturalWidth"),
        bool,
        what="the photo to load",
    )
    await phone.unroute("**/api/v1/attachments", hold)
    blocks = await eventually(
        lambda: api.blocks(note["id"]),
        lambda bs: [b["type"] for b in bs] == ["paragraph", "image"],
        what="the picture block to be saved",
    )
    (taken,) = await api._json("GET", "/api/v1/attachments", params={"note_id": note["id"]})
    assert re.fullmatch(r"Pasted .+\.jpg", taken["name"]), taken["name"]
    assert blocks[1]["metadata"]["attachment_id"] == taken["id"]

    # The quota nearly used up: the next photo is refused, with the reason, and nothing of
    # it is kept: no block, no attachment, no stored content, nothing left in staging.
    for _ in range(2):  # two files of ATTACHMENT_MAX_BYTES - 1024
        r = await api.http.post(
            "/api/v1/attachments",
            data={"note_id": note["id"]},
            files={"file": ("filler.bin", os.urandom(ATTACHMENT_MAX_BYTES - 1024))},
        )
        assert r.status_code == 201, r.text
    filler = 2 * (ATTACHMENT_MAX_BYTES - 1024)
    big = jpeg(1100, 800, quality=95)
    assert taken["size"] + filler + len(big) > ATTACHMENT_QUOTA_BYTES
    assert len(big) < ATTACHMENT_MAX_BYTES
    refused = tmp_path / "big.jpg"
    refused.write_bytes(big)
    async with phone.expect_file_chooser() as chooser_info:
        await phone.get_by_test_id("tb-photo").tap()
    await (await chooser_info.value).set_files(refused)
    await expect(pending.get_by_role("alert")).to_contain_text("storage quota reached")
    await expect(pending.get_by_test_id("media-upload-retry")).to_be_visible()
    await pending.get_by_test_id("media-upload-dismiss").tap()
    await expect(pending).to_have_count(0)
    await expect(ed.get_by_test_id("editor-image")).to_have_count(1)
    files = await api._json("GET", "/api/v1/attachments", params={"note_id": note["id"]})
    assert sorted(f["name"] for f in files) == sorted([taken["name"], "filler.bin", "filler.bin"])
    assert [b["type"] for b in await api.blocks(note["id"])] == ["paragraph", "image"]
    assert not await store.exists(blob_key(hashlib.sha256(big).hexdigest()))
    assert not [p for p in store.staging_dir.iterdir() if p.is_file()]
