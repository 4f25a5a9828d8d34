"""Screenshots of every screen; written to docs/screenshots when OWLISTIC_SCREENSHOTS=1.

Without it they go to a temporary folder, so every run still drives and checks each
screen without rewriting the committed images (``make screenshots`` refreshes them).

Each screen is written as ``docs/screenshots/<screen>-<variant>.png`` for the variants
``desktop-light`` and ``desktop-dark`` (1280x800) and ``phone`` (390x844, light), from an
account filled with realistic sample content; the phone also gets ``drawer-phone.png``.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.helpers import DESKTOP, PHONE, BrowserKit, eventually, signed_in, wait_saved
from tests.conftest import Account, LiveServer

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 150 * 1024
VARIANTS = ("desktop-light", "desktop-dark", "phone")
SCREENS = ("login", "register", "home", "notebook", "note", "tasks", "trash", "profile", "share")

pytestmark = [pytest.mark.browser, pytest.mark.once]


@dataclass
class Shots:
    directory: Path
    sizes: dict[str, int]


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    keep = os.environ.get("OWLISTIC_SCREENSHOTS") == "1"
    return Shots(directory=SHOTS if keep else tmp_path, sizes={})


UL = {"listType": "unordered", "item_type": "unordered"}
OL = {"listType": "ordered", "item_type": "ordered"}


def todo(done: bool = False) -> dict[str, Any]:
    return {"is_completed": done}


def spans(text: str, *marks: tuple[str, str] | tuple[str, str, str]) -> dict[str, Any]:
    """Metadata with spans over the first occurrence of each marked substring."""
    out = []
    for mark in marks:
        start = text.index(mark[1])
        span: dict[str, Any] = {"start": start, "end": start + len(mark[1]) - 1, "type": mark[0]}
        if len(mark) == 3:
            span["href"] = mark[2]
        out.append(span)
    return {"spans": out}


ROADMAP_INTRO = (
    "Our focus this quarter is offline editing and faster sync. See the design doc for the details."
)
ROADMAP_NOTE = "Ship behind a feature flag first, then enable it for everyone."
ROADMAP: list[tuple[str, str, dict[str, Any]]] = [
    ("header", "Goals for July to September", {"level": 1}),
    (
        "paragraph",
        ROADMAP_INTRO,
        spans(
            ROADMAP_INTRO,
            ("bold", "offline editing"),
            ("bold", "faster sync"),
            ("link", "design doc", "https://example.com/design"),
        ),
    ),
    ("header", "Milestones", {"level": 2}),
    ("listItem", "Local-first storage in the web app", OL),
    ("listItem", "Conflict-free merging of block edits", OL),
    ("listItem", "Public beta in September", OL),
    ("header", "This week", {"level": 2}),
    ("task", "Write the sync protocol RFC", todo(True)),
    ("task", "Benchmark the relay with 10k clients", todo()),
    ("task", "Review onboarding copy with Amara", todo()),
    ("code", "make bench BENCH=quick\nmake test", {"language": "sh"}),
    ("blockquote", "Make it work, make it right, make it fast.", {}),
    ("horizontalRule", "", {}),
    ("paragraph", ROADMAP_NOTE, spans(ROADMAP_NOTE, ("italics", "feature flag"))),
]

NOTES: dict[str, list[tuple[str, list[tuple[str, str, dict[str, Any]]]]]] = {
    "Work": [
        (
            "Weekly sync, 14 March",
            [
                ("header", "Attendees", {"level": 2}),
                ("paragraph", "Maya, Jonas, Amara, Lee", {}),
                ("header", "Decisions", {"level": 2}),
                ("listItem", "Move the release to Thursday", UL),
                ("listItem", "Keep the old API for one more version", UL),
                ("task", "Send the release notes to support", todo()),
            ],
        ),
        (
            "Hiring plan",
            [
                ("paragraph", "Two engineers and one designer before the summer.", {}),
                ("task", "Post the backend role", todo(True)),
                ("task", "Schedule design interviews", todo()),
            ],
        ),
        ("Q3 product roadmap", ROADMAP),
    ],
    "Personal": [
        (
            "Weekend in Lisbon",
            [
                ("paragraph", "Flights on Friday evening.", {}),
                ("task", "Book the tram 28 tour", todo()),
                ("listItem", "Time Out Market", UL),
                ("listItem", "Belém pastries", UL),
            ],
        ),
        (
            "Reading list",
            [
                ("listItem", "The Overstory", UL),
                ("listItem", "Piranesi", UL),
                ("listItem", "A Psalm for the Wild-Built", UL),
            ],
        ),
    ],
    "Recipes": [
        (
            "Lemon pasta",
            [
                ("paragraph", "Spaghetti, lemon zest, butter and parmesan.", {}),
                ("task", "Buy unwaxed lemons", todo(True)),
            ],
        ),
        (
            "Sourdough starter",
            [("paragraph", "Feed daily at 9:00 with 50 g flour and 50 g water.", {})],
        ),
    ],
}

DUE = {
    "Benchmark the relay with 10k clients": 1,
    "Review onboarding copy with Amara": 3,
    "Send the release notes to support": 0,
    "Book the tram 28 tour": 9,
    "Schedule design interviews": -2,
}


@dataclass
class Showcase:
    maya: Account
    work_id: str
    roadmap_id: str


async def seed(kit: BrowserKit) -> Showcase:
    import datetime as dt

    maya = await kit.account(
        email="maya.lindqvist@example.com", display_name="Maya Lindqvist", username="maya"
    )
    jonas = await kit.account(email="jonas@example.com", display_name="Jonas Berg")
    amara = await kit.account(email="amara.okafor@example.com", display_name="Amara Okafor")
    api = kit.api(maya)
    ids: dict[str, str] = {}
    notebooks = {
        "Work": "Projects, meetings and plans",
        "Personal": "",
        "Recipes": "Things worth cooking twice",
    }
    for name, description in notebooks.items():
        nb = await api.notebook(name, description)
        ids[name] = nb["id"]
        for title, blocks in NOTES[name]:
            note = await api.note(nb["id"], title)
            await api.set_blocks(note["id"], blocks)
            ids[title] = note["id"]
    await api.share(ids["Work"], jonas.email, "editor")
    await api.share(ids["Work"], amara.email, "viewer")

    # Due dates on some of the to-dos.
    today = dt.datetime.now(dt.UTC).date()
    todos = sum(b[0] == "task" for notes in NOTES.values() for _, bs in notes for b in bs)
    tasks = await eventually(
        api.tasks, lambda ts: len(ts) == todos, what="the tasks of the sample notes"
    )
    for t in tasks:
        if t["title"] in DUE:
            due = today + dt.timedelta(days=DUE[t["title"]])
            await api.update_task(t["id"], due_date=due.isoformat())

    # A notebook shared with Maya (view only).
    jonas_api = kit.api(jonas)
    club = await jonas_api.notebook("Book club", "Monthly picks")
    pick = await jonas_api.note(club["id"], "April pick")
    await jonas_api.set_blocks(pick["id"], [("paragraph", "Piranesi, chapters 1 to 5.", {})])
    await jonas_api.share(club["id"], maya.email, "viewer")

    # Something in the trash.
    archive = await api.notebook("Archive 2023")
    await api.note(archive["id"], "Old team charter")
    await api.delete("notebooks", archive["id"])
    old = await api.note(ids["Work"], "Draft: offsite agenda")
    await api.delete("notes", old["id"])
    old2 = await api.note(ids["Personal"], "Gym schedule")
    await api.delete("notes", old2["id"])
    return Showcase(maya=maya, work_id=ids["Work"], roadmap_id=ids["Q3 product roadmap"])


@pytest.fixture(scope="module")
async def showcase(browser: Browser, web_server: LiveServer) -> Any:
    k = BrowserKit(browser, web_server.url)
    try:
        yield await seed(k)
    finally:
        await k.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _idat(data: bytes) -> list[bytes]:
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            out.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return out


def recompress_png(data: bytes) -> bytes:
    """The same PNG with its image data deflated at level 9 (Chromium favours speed)."""
    chunks: list[tuple[bytes, bytes]] = []
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    packed = zlib.compress(pixels, 9)
    out = [data[:8]]
    for kind, body in chunks:
        if kind == b"IDAT":
            if packed:
                body, packed = packed, b""
            else:
                continue
        crc = zlib.crc32(kind + body)
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc))
    smaller = b"".join(out)
    return smaller if len(smaller) < len(data) else data


async def shoot(page: Page, screen: str, variant: str, sizes: Shots) -> None:
    await page.evaluate(
        "async () => { document.activeElement?.blur?.(); await document.fonts.ready; }"
    )
    path = sizes.directory / f"{screen}-{variant}.png"
    shot = await page.screenshot(animations="disabled", caret="hide")
    data = recompress_png(shot)
    assert zlib.decompress(b"".join(_idat(data))) == zlib.decompress(b"".join(_idat(shot)))
    path.write_bytes(data)
    expected = PHONE if variant == "phone" else DESKTOP
    assert png_size(data) == (expected["width"], expected["height"])
    sizes.sizes[screen] = len(data)


@pytest.mark.parametrize("variant", VARIANTS)
async def test_screenshots(kit: BrowserKit, showcase: Showcase, variant: str, shots: Shots) -> None:
    shots.directory.mkdir(parents=True, exist_ok=True)
    sizes = shots
    phone = variant == "phone"
    dark = variant == "desktop-dark"

    # Signed out.
    page = await kit.page(None, "/#/login", phone=phone, dark=dark)
    await expect(page.get_by_test_id("login-form")).to_be_visible()
    await shoot(page, "login", variant, sizes)
    await page.get_by_test_id("goto-register").click()
    await expect(page.get_by_test_id("register-form")).to_be_visible()
    await shoot(page, "register", variant, sizes)

    # Signed in as Maya, with the Work notebook expanded in the sidebar.
    ctx = await kit.context(showcase.maya, phone=phone, dark=dark)
    await ctx.add_init_script(
        f"localStorage.setItem('owlistic.sidebar.expanded', JSON.stringify([{showcase.work_id!r}]))"
    )
    page = await kit.page(None, "/", context=ctx)
    await signed_in(page)
    await expect(page.get_by_test_id("recent-notes").get_by_test_id("note-row")).to_have_count(8)
    await expect(page.get_by_test_id("home-open-tasks")).to_be_visible()
    await shoot(page, "home", variant, sizes)
    if phone:
        await page.get_by_test_id("sidebar-toggle").click()
        await expect(page.get_by_test_id("sidebar")).to_be_in_viewport(ratio=1)
        await shoot(page, "drawer", variant, sizes)
        await page.keyboard.press("Escape")
        await expect(page.get_by_test_id("sidebar")).to_be_hidden()

    await page.goto(f"/#/notebooks/{showcase.work_id}")
    await expect(page.get_by_test_id("note-row")).to_have_count(3)
    await shoot(page, "notebook", variant, sizes)

    await page.get_by_test_id("notebook-share").click()
    await expect(page.get_by_test_id("share-row")).to_have_count(2)
    await shoot(page, "share", variant, sizes)
    await page.keyboard.press("Escape")
    await expect(page.get_by_test_id("share-dialog")).to_be_hidden()

    await page.goto(f"/#/notes/{showcase.roadmap_id}")
    await expect(page.get_by_test_id("editor").locator("> h1")).to_have_text(
        "Goals for July to September"
    )
    await wait_saved(page)
    await shoot(page, "note", variant, sizes)

    await page.goto("/#/tasks")
    await expect(page.get_by_test_id("task-row").first).to_be_visible()
    await shoot(page, "tasks", variant, sizes)

    await page.goto("/#/trash")
    await expect(page.get_by_test_id("trash-row")).to_have_count(3)
    await shoot(page, "trash", variant, sizes)

    await page.goto("/#/profile")
    await expect(page.get_by_test_id("profile-username")).to_have_value("maya")
    await shoot(page, "profile", variant, sizes)

    assert sorted(sizes.sizes) == sorted(SCREENS + (("drawer",) if phone else ()))
    too_big = {
        f"{s}-{variant}.png": f"{n / 1024:.0f} KB" for s, n in sizes.sizes.items() if n > MAX_BYTES
    }
    assert not too_big, f"screenshots over {MAX_BYTES // 1024} KB: {too_big}"
    assert not kit.page_errors
