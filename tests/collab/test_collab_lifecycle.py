"""What ends a co-editing socket, how tasks follow the document, and how rooms go away."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from pycrdt import XmlElement, XmlText
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from owlistic.collab.service import collab_of
from owlistic.models import DocumentUpdate
from owlistic.settings import Settings
from tests.api.helpers import API, get, notebook_with_note, ok, share
from tests.collab.yclient import YClient, collab_url, eventually, rows_become, ydoc_client
from tests.conftest import Account, LiveServer, running_server
from tests.realtime.wsclient import WAIT


def _texts_are(editor: YClient, texts: list[str]) -> bool:
    return editor.texts() == texts


@asynccontextmanager
async def custom_server(settings: Settings, **overrides: Any) -> AsyncIterator[LiveServer]:
    async with running_server(settings.model_copy(update=overrides)) as live:
        yield live


async def test_trashing_the_note_closes_its_editors(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ydoc_client(server, n["id"], alice) as editor:
        ok(await client.delete(f"{API}/notes/{n['id']}", headers=alice.headers), 204)
        code, reason = await editor.closed()
        assert code == 4404
        assert "not found" in reason


async def test_revoking_a_share_closes_that_editor_only(
    server: LiveServer, client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    nb, n = await notebook_with_note(client, alice)
    await share(client, alice, nb["id"], bob, "editor")
    async with (
        ydoc_client(server, n["id"], alice) as owner,
        ydoc_client(server, n["id"], bob) as guest,
    ):
        r = await client.delete(
            f"{API}/notebooks/{nb['id']}/shares/{bob.id}", headers=alice.headers
        )
        assert r.status_code == 204
        code, _ = await guest.closed()
        assert code == 4404
        owner.insert_text(0, 0, "still here")
        await rows_become(client, alice, n["id"], ["still here"])


async def test_logout_closes_the_editors_of_that_login(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ydoc_client(server, n["id"], alice) as editor:
        ok(await client.post(f"{API}/logout", headers=alice.headers))
        code, reason = await editor.closed()
        assert code == 4401
        assert reason


async def test_checklist_items_and_tasks_follow_each_other(
    server: LiveServer, client: httpx.AsyncClient, alice: Account
) -> None:
    _, n = await notebook_with_note(client, alice)
    async with ydoc_client(server, n["id"], alice) as editor:
        with editor.doc.transaction():
            unchecked: dict[str, Any] = {"checked": False}
            item = editor.fragment.children.append(XmlElement("taskBlock", unchecked))
            item.children.append(XmlText("buy milk"))
        tasks: list[dict[str, Any]] = []

        async def tasks_are(expected: list[tuple[str, bool]]) -> bool:
            nonlocal tasks
            tasks = await get(client, alice, "/tasks", note_id=n["id"])
            return [(t["title"], t["is_completed"]) for t in tasks] == expected

        await eventually(lambda: tasks_are([("buy milk", False)]))
        # Checking the task over REST checks the item in the open document.
        ok(
            await client.put(
                f"{API}/tasks/{tasks[0]['id']}", json={"is_completed": True}, headers=alice.headers
            )
        )

        def checked() -> bool:
            node = editor.fragment.children[1]
            return isinstance(node, XmlElement) and node.attributes.get("checked") is True

        await editor.wait_until(checked)
        # Editing the item's text renames the task.
        editor.insert_text(1, 8, " and eggs")
        await eventually(lambda: tasks_are([("buy milk and eggs", True)]))


async def test_log_is_compacted_and_idle_rooms_are_unloaded(
    settings: Settings, client: httpx.AsyncClient, alice: Account
) -> None:
    async with custom_server(settings, collab_compact_updates=10, collab_idle_seconds=0.2) as live:
        runtime = live.app.state.runtime
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as on_live:
            _, n = await notebook_with_note(on_live, alice)

            async def logged() -> int:
                async with runtime.db.session(readonly=True) as session:
                    count = await session.scalar(
                        select(func.count()).where(DocumentUpdate.note_id == uuid.UUID(n["id"]))
                    )
                    return int(count or 0)

            async def bounded() -> bool:
                return await logged() <= 10  # folded into the snapshot every 10 updates

            async with (
                ydoc_client(live, n["id"], alice) as one,
                ydoc_client(live, n["id"], alice) as two,
            ):
                for i in range(1, 41):
                    one.insert_text(0, 0, "x")
                    await two.wait_until(functools.partial(_texts_are, two, ["x" * i]))
                    await eventually(bounded)  # once stored (editors see it before)
            collab = collab_of(live.app)

            async def unloaded() -> bool:
                return collab.open_rooms == 0

            await eventually(unloaded)
            assert await logged() == 0  # compacted on unload
            async with ydoc_client(live, n["id"], alice) as again:
                assert again.texts() == ["x" * 40]


async def test_too_many_simultaneous_set_ups_get_1013(
    settings: Settings, client: httpx.AsyncClient, alice: Account
) -> None:
    async with custom_server(settings, collab_max_setups=1) as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as on_live:
            _, n = await notebook_with_note(on_live, alice)

        async def attempt() -> int | None:
            async with connect(collab_url(live, n["id"], alice), open_timeout=WAIT) as ws:
                try:
                    await asyncio.wait_for(ws.recv(), WAIT)
                except Exception:
                    return ws.close_code
                return None  # got the first sync message: set up

        outcomes = await asyncio.gather(*(attempt() for _ in range(20)))
        assert 1013 in outcomes
        assert None in outcomes
