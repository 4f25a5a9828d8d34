"""Shared pieces of the browser tests: accounts, browser contexts, REST shortcuts, polling."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from playwright.async_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from tests.conftest import Account, register

T = TypeVar("T")

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

# How long a condition is polled for, here and by Playwright's web-first assertions: generous,
# as the suite runs both stacks at once on a loaded machine.
WAIT = 30.0

# Blocks as (type, text) pairs, with the metadata keys the web client owns.
BlockView = tuple[str, str, dict[str, Any]]


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    timeout: float = WAIT,
    interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Poll ``probe`` until ``accept`` holds (bounded); fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        await asyncio.sleep(interval)


async def page_holds(page: Page, expression: str, *, timeout: float = WAIT) -> None:
    """Waits until ``expression`` is truthy in the page. Polls with ``evaluate`` rather than
    ``wait_for_function``, whose in-page polling evaluates a string and so is refused by the
    app's CSP (no 'unsafe-eval') whenever the first check is false."""
    await eventually(
        lambda: page.evaluate(f"() => !!({expression})"),
        bool,
        timeout=timeout,
        interval=0.05,
        what=expression,
    )


class Api:
    """REST calls as one user (to set up data and to check what the UI saved)."""

    def __init__(self, base_url: str, account: Account) -> None:
        self.account = account
        # No keep-alive: between a test's steps the server may close an idle connection just as
        # the client reuses it (a ReadError under load).
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=30,
            headers=account.headers,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def _json(self, method: str, path: str, **kw: Any) -> Any:
        r = await self.http.request(method, path, **kw)
        assert r.status_code < 300, f"{method} {path} -> {r.status_code} {r.text}"
        return r.json() if r.content else None

    async def notebook(self, name: str, description: str = "") -> dict[str, Any]:
        body = {"name": name, "description": description}
        nb: dict[str, Any] = await self._json("POST", "/api/v1/notebooks", json=body)
        return nb

    async def note(self, notebook_id: str, title: str) -> dict[str, Any]:
        body = {"notebook_id": notebook_id, "title": title}
        note: dict[str, Any] = await self._json("POST", "/api/v1/notes", json=body)
        return note

    async def get_note(self, note_id: str) -> dict[str, Any]:
        note: dict[str, Any] = await self._json("GET", f"/api/v1/notes/{note_id}")
        return note

    async def blocks(self, note_id: str) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = await self._json(
            "GET", "/api/v1/blocks", params={"note_id": note_id, "page_size": 500}
        )
        return sorted(blocks, key=lambda b: float(b["order"]))

    async def set_blocks(self, note_id: str, blocks: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Replace a note's content: the first block is the one the server created."""
        existing = await self.blocks(note_id)
        for b in existing[1:]:
            r = await self.http.delete(f"/api/v1/blocks/{b['id']}")
            assert r.status_code == 204, r.text
        for i, (type_, text, meta) in enumerate(blocks):
            body: dict[str, Any] = {"type": type_, "content": {"text": text}, "metadata": meta}
            if i == 0 and existing:
                await self._json("PUT", f"/api/v1/blocks/{existing[0]['id']}", json=body)
            else:
                body |= {"note_id": note_id, "order": (i + 1) * 1000.0}
                await self._json("POST", "/api/v1/blocks", json=body)

    async def tasks(self) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = await self._json("GET", "/api/v1/tasks")
        return tasks

    async def update_task(self, task_id: str, **fields: Any) -> None:
        await self._json("PUT", f"/api/v1/tasks/{task_id}", json=fields)

    async def delete(self, kind: str, item_id: str) -> None:
        r = await self.http.delete(f"/api/v1/{kind}/{item_id}")
        assert r.status_code in (200, 204), r.text

    async def trash(self) -> dict[str, Any]:
        trash: dict[str, Any] = await self._json("GET", "/api/v1/trash")
        return trash

    async def share(self, notebook_id: str, email: str, role: str) -> None:
        await self._json(
            "PUT", f"/api/v1/notebooks/{notebook_id}/shares", json={"email": email, "role": role}
        )

    async def close(self) -> None:
        await self.http.aclose()


def block_view(b: dict[str, Any]) -> BlockView:
    """The parts of a block the editor round-trips (type, text, owned metadata keys)."""
    meta = b.get("metadata") or {}
    content = b.get("content") or {}
    owned = {
        k: meta[k] for k in ("spans", "level", "listType", "is_completed", "language") if k in meta
    }
    if not owned.get("spans"):
        owned.pop("spans", None)
    return (b["type"], content.get("text", ""), owned)


CSP_PREFIX = "csp-violation:"
CSP_REPORTER = (
    "document.addEventListener('securitypolicyviolation', (e) => console.error("
    f"'{CSP_PREFIX} ' + e.effectiveDirective + ' blocked ' + e.blockedURI"
    " + ' at ' + e.sourceFile + ':' + e.lineNumber));"
)


class BrowserKit:
    """Accounts, contexts and pages for one test; everything is closed at the end."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.url = base_url
        self.contexts: list[BrowserContext] = []
        self.apis: list[Api] = []
        # Uncaught exceptions in the pages and server errors (5xx) seen by them.
        self.page_errors: list[str] = []
        # What the server's Content-Security-Policy blocked (checked after every test).
        self.csp_violations: list[str] = []

    async def account(self, email: str | None = None, **extra: str) -> Account:
        """A new user, signed in through the API (``email`` defaults to a random one)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as c:
            return await register(c, email, **extra)

    def api(self, account: Account) -> Api:
        a = Api(self.url, account)
        self.apis.append(a)
        return a

    async def context(
        self,
        account: Account | None = None,
        *,
        phone: bool = False,
        dark: bool = False,
        service_workers: bool = False,
        base_url: str | None = None,
    ) -> BrowserContext:
        """A browser profile of its own. Service workers are off unless a test needs the
        offline app shell (``service_workers``); ``base_url`` points it at another server."""
        ctx = await self.browser.new_context(
            base_url=base_url or self.url,
            viewport=PHONE if phone else DESKTOP,
            device_scale_factor=1,
            is_mobile=phone,
            has_touch=phone,
            color_scheme="dark" if dark else "light",
            reduced_motion="reduce",
            locale="en-US",
            timezone_id="UTC",
            service_workers="allow" if service_workers else "block",
            accept_downloads=True,
        )
        ctx.set_default_timeout(15_000)
        theme = "dark" if dark else "light"
        script = f"localStorage.setItem('owlistic.theme', {json.dumps(theme)});"
        if account is not None:
            tokens = {
                "owlistic.access_token": account.token,
                "owlistic.refresh_token": account.refresh_token,
            }
            # Only when the tab has no session yet, so signing out in a test sticks.
            script += (
                f"if (!sessionStorage.getItem('owl-test-seeded')) {{"
                f" sessionStorage.setItem('owl-test-seeded', '1');"
                f" for (const [k, v] of Object.entries({json.dumps(tokens)}))"
                f" localStorage.setItem(k, v); }}"
            )
        await ctx.add_init_script(script)
        await ctx.add_init_script(CSP_REPORTER)
        self.contexts.append(ctx)
        return ctx

    async def page(
        self,
        account: Account | None = None,
        path: str = "/",
        *,
        phone: bool = False,
        dark: bool = False,
        context: BrowserContext | None = None,
    ) -> Page:
        ctx = context or await self.context(account, phone=phone, dark=dark)
        page = await ctx.new_page()
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda m: (
                self.csp_violations.append(f"{page.url}: {m.text}")
                if m.text.startswith(CSP_PREFIX) or "Content Security Policy" in m.text
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                self.page_errors.append(f"{r.request.method} {r.url} -> {r.status}")
                if r.status >= 500
                else None
            ),
        )
        await page.goto(path)
        return page

    async def close(self) -> None:
        for ctx in self.contexts:
            await ctx.close()
        for a in self.apis:
            await a.close()


async def signed_in(page: Page) -> None:
    """The app shell is up and the real-time connection is established."""
    await expect(page.get_by_test_id("sidebar")).to_be_attached()
    await expect(page.get_by_test_id("connection-indicator")).to_have_attribute(
        "data-state", "connected"
    )


async def wait_saved(page: Page) -> None:
    """The note page reports every edit stored by the server (content and title)."""
    await expect(page.get_by_test_id("save-indicator")).to_have_attribute("data-state", "saved")


async def type_at_end_of(page: Page, block: Locator, text: str) -> None:
    """Puts the caret at the end of ``block`` and types ``text`` there."""
    await block.click()
    await page.keyboard.press("End")
    await page.keyboard.type(text)


def editor(page: Page) -> Locator:
    return page.get_by_test_id("editor")


async def wait_editable(page: Page, editable: bool = True) -> Locator:
    """The editor exists and has its final editable state (it starts read-only)."""
    ed = editor(page)
    await expect(ed).to_have_attribute("contenteditable", "true" if editable else "false")
    return ed


async def open_note(page: Page, note_id: str, *, editable: bool = True) -> Locator:
    await page.goto(f"/#/notes/{note_id}")
    await expect(page.get_by_test_id("note-page")).to_have_attribute("data-id", note_id)
    await expect(page.get_by_test_id("note-page")).to_have_attribute(
        "data-readonly", "false" if editable else "true"
    )
    return await wait_editable(page, editable)
