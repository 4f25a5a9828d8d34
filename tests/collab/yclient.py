"""The y-websocket client of ``bench/ydoc.py`` for the tests, with the helpers they share."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from pycrdt import XmlElement, XmlText
from websockets.asyncio.client import connect

from bench.ydoc import Editor
from tests.api.helpers import note_blocks
from tests.conftest import Account
from tests.realtime.wsclient import WAIT, Endpoint


def collab_url(server: Endpoint, note_id: str, account: Account | None) -> str:
    query = f"?token={account.token}" if account is not None else ""
    return f"{server.ws_url}/api/v1/notes/{note_id}/collab{query}"


class YClient(Editor):
    """The benchmarks' editor, read and edited block by block, offsets in characters."""

    # --------------------------------------------------------------- reading the document

    def blocks(self) -> list[tuple[str | None, str, str]]:
        """(blockId, node name, plain text) of each top-level node."""
        out = []
        for child in self.fragment.children:
            assert isinstance(child, XmlElement)
            out.append((child.attributes.get("blockId"), str(child.tag), text_of(child)))
        return out

    def texts(self) -> list[str]:
        return [text for _, _, text in self.blocks()]

    # --------------------------------------------------------------- editing

    def append_paragraph(self, text: str, block_id: str | None = None) -> None:
        attrs = {"blockId": block_id} if block_id else {}
        with self.doc.transaction():
            element = self.fragment.children.append(XmlElement("paragraph", attrs))
            element.children.append(XmlText(text))

    def insert_text(self, index: int, offset: int, text: str) -> None:
        self.type(text, index, at=self._byte_offset(index, offset))

    def delete_text(self, index: int, offset: int, length: int) -> None:
        start = self._byte_offset(index, offset)
        self.erase(index, start, self._byte_offset(index, offset + length) - start)

    def _byte_offset(self, index: int, offset: int) -> int:
        """pycrdt counts UTF-8 bytes; ``offset`` counts characters of the first text run."""
        run = self._run(index)
        return len(plain(run)[:offset].encode()) if run is not None else 0


def plain(text: XmlText) -> str:
    return "".join(c for c, _ in text.diff() if isinstance(c, str))


def text_of(element: XmlElement) -> str:
    parts = []
    for child in element.children:
        if isinstance(child, XmlText):
            parts.append(plain(child))
        elif isinstance(child, XmlElement):
            parts.append("\n" if child.tag == "hardBreak" else text_of(child))
    return "".join(parts)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:
    """Waits until ``check()`` holds (state the server reaches on its own, e.g. storing)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for _ in itertools.count():
        if await check():
            return
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def rows_become(
    client: httpx.AsyncClient, who: Account, note_id: str, texts: list[str]
) -> list[dict[str, Any]]:
    """Waits until the note's block rows (REST) hold ``texts``, in order; returns the rows."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        rows = await note_blocks(client, who, note_id)
        if [r["content"]["text"] for r in rows] == texts or loop.time() > deadline:
            assert [r["content"]["text"] for r in rows] == texts
            return rows
        await asyncio.sleep(0.05)


@asynccontextmanager
async def ydoc_client(
    server: Endpoint, note_id: str, account: Account, *, sync: bool = True
) -> AsyncIterator[YClient]:
    async with connect(
        collab_url(server, note_id, account), open_timeout=WAIT, max_size=None
    ) as ws:
        client = YClient(ws)
        if sync:
            await asyncio.wait_for(client.synced.wait(), WAIT)
        try:
            yield client
        finally:
            await client.stop()
