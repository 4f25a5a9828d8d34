"""A raw y-websocket client on pycrdt: what a Tiptap editor's provider does, frame by frame."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from pycrdt import Doc, XmlElement, XmlFragment, XmlText
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from owlistic.collab import protocol
from tests.api.helpers import note_blocks
from tests.conftest import Account
from tests.realtime.wsclient import WAIT, Endpoint


def collab_url(server: Endpoint, note_id: str, account: Account | None) -> str:
    query = f"?token={account.token}" if account is not None else ""
    return f"{server.ws_url}/api/v1/notes/{note_id}/collab{query}"


class YClient:
    """Keeps a local document in sync with the server's; local edits are sent as updates."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.doc: Doc[Any] = Doc()
        self.fragment = self.doc.get("default", type=XmlFragment)
        self.awareness: dict[int, str] = {}
        self.synced = asyncio.Event()
        self.changed = asyncio.Event()
        self._applying = False
        self.sent: list[bytes] = []  # update frames sent, in order
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue()
        self.doc.observe(self._local_update)
        self._reader = asyncio.create_task(self._read())
        self._writer = asyncio.create_task(self._send())

    def _local_update(self, event: Any) -> None:
        if self._applying:
            return
        frame = protocol.update_frame(event.update)
        self.sent.append(frame)
        self._outgoing.put_nowait(frame)

    async def _send(self) -> None:
        """One writer, so updates leave in the order they were made (as y-websocket does)."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.ws.send(await self._outgoing.get())

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(protocol.sync_frame(protocol.SyncStep.STEP1, self.doc.get_state()))
            async for raw in self.ws:
                assert isinstance(raw, bytes)
                message = protocol.parse(raw)
                if isinstance(message, protocol.AwarenessMessage):
                    for entry in message.entries:
                        if entry.left:
                            self.awareness.pop(entry.client_id, None)
                        else:
                            self.awareness[entry.client_id] = entry.state
                    self.changed.set()
                elif message.step == protocol.SyncStep.STEP1:
                    diff = self.doc.get_update(message.payload)
                    await self.ws.send(protocol.sync_frame(protocol.SyncStep.STEP2, diff))
                else:
                    self._applying = True
                    try:
                        self.doc.apply_update(message.payload)
                    finally:
                        self._applying = False
                    if message.step == protocol.SyncStep.STEP2:
                        self.synced.set()
                    self.changed.set()

    async def wait_until(self, condition: Callable[[], bool], timeout: float = WAIT) -> None:
        async def loop() -> None:
            while not condition():
                self.changed.clear()
                if self._reader.done():
                    raise AssertionError(f"connection closed: {self.ws.close_reason!r}")
                await asyncio.wait(
                    [asyncio.create_task(self.changed.wait()), self._reader],
                    return_when=asyncio.FIRST_COMPLETED,
                )

        await asyncio.wait_for(loop(), timeout)

    async def closed(self, timeout: float = WAIT) -> tuple[int | None, str]:
        """Waits for the server to close; its close code and reason."""
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code, self.ws.close_reason or ""

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
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        with self.doc.transaction():
            if not len(element.children):
                element.children.append(XmlText())
            inline = element.children[0]
            assert isinstance(inline, XmlText)
            current = plain(inline)
            # pycrdt counts UTF-8 bytes; ``offset`` counts characters.
            inline.insert(len(current[:offset].encode()), text)

    def delete_text(self, index: int, offset: int, length: int) -> None:
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        if not len(element.children):
            return
        inline = element.children[0]
        assert isinstance(inline, XmlText)
        current = plain(inline)
        start = len(current[:offset].encode())
        stop = len(current[: offset + length].encode())
        if stop > start:
            del inline[start:stop]


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
            for task in (client._reader, client._writer):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
