"""Browser tests: headless Chromium (Playwright, async API) against the built web app.

The suite starts its own server in the session loop, on the same kind of database and broker
as the run (``OWLISTIC_TEST_DATABASE_URL`` / ``OWLISTIC_TEST_BROKER_URL``) but on a database of
its own, and serving the repository's ``web/dist`` (the shared ``server`` fixture serves no
web app). Chromium is Debian's (``scripts/services/chromium.sh``); a browser that cannot start
fails the tests, it never skips them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from playwright.async_api import Browser, Playwright, async_playwright, expect

from owlistic.settings import Settings
from tests.browser.helpers import WAIT, BrowserKit
from tests.conftest import (
    LiveServer,
    run_database,
    running_server,
)

REPO = Path(__file__).resolve().parents[2]
WEB_DIST = REPO / "web" / "dist"
CHROMIUM = os.environ.get("OWLISTIC_CHROMIUM", "/usr/bin/chromium")
# The launch flags of scripts/services/chromium.sh (`chromium.sh flags`); Playwright adds
# --headless itself.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

expect.set_options(timeout=WAIT * 1000)


@pytest.fixture(scope="session")
def web_dist() -> Path:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(
            f"the web app is not built: {WEB_DIST.relative_to(REPO)}/index.html is missing. "
            "Run `make web` (or `cd web && npm ci && npm run build`) before the browser tests.",
            pytrace=False,
        )
    return WEB_DIST


@pytest.fixture(scope="session")
async def browser_database_url(data_dir: Path) -> AsyncIterator[str]:
    """A database of the run's kind, separate from the API suite's one."""
    async with run_database(data_dir / "browser.db") as url:
        yield url


def _own_store(settings: Settings) -> str:
    if settings.storage_url:
        parts = urlsplit(settings.storage_url)
        return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}-browser"))
    return (settings.data_dir / "browser-attachments").resolve().as_uri()


@pytest.fixture(scope="session")
def browser_settings(settings: Settings, browser_database_url: str, web_dist: Path) -> Settings:
    return settings.model_copy(
        update={
            "database_url": browser_database_url,
            "web_dist": web_dist,
            "kafka_topic_prefix": f"owlweb{uuid.uuid4().hex[:8]}.",
            # Its own store: a sweep in the API suite must not see this database's blobs.
            "storage_url": _own_store(settings),
        }
    )


@pytest.fixture(scope="session")
async def web_server(browser_settings: Settings) -> AsyncIterator[LiveServer]:
    async with running_server(browser_settings) as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=10) as c:
            r = await c.get("/")
            assert r.status_code == 200, r.text
            assert '<div id="app">' in r.text, "the server does not serve web/dist at /"
        yield live


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/services/chromium.sh "
            "(never `playwright install`)",
            pytrace=False,
        )
    try:
        b = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, timeout=60_000
        )
    except Exception as exc:
        pytest.fail(f"headless Chromium did not start: {exc}", pytrace=False)
    yield b
    await b.close()


@pytest.fixture
async def kit(browser: Browser, web_server: LiveServer) -> AsyncIterator[BrowserKit]:
    """Accounts (through the API) and browser contexts, closed after the test."""
    k = BrowserKit(browser, web_server.url)
    try:
        yield k
    finally:
        await k.close()
    # Every screen a test drives runs under the server's strict CSP without a violation.
    assert not k.csp_violations, k.csp_violations
