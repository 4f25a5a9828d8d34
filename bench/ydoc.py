"""A raw y-websocket client on pycrdt: what a Tiptap editor's provider does, frame by frame.

One module for the co-editing benchmarks and the tests (``tests/collab/yclient.py`` adds
block-level reading and editing on top): a local document kept in sync with the
server's, local edits sent as updates in the order they were made, presence collected.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from owlistic.collab import protocol

OPEN_TIMEOUT = 60.0


class Editor:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.doc: Doc[Any] = Doc()
        self.fragment = self.doc.get("default", type=XmlFragment)
        self.awareness: dict[int, str] = {}  # client id -> JSON state, of the others
        self.synced = asyncio.Event()
        self.changed = asyncio.Event()
        self._remote = False
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue()
        self.doc.observe(self._local)
        self._reader = asyncio.create_task(self._read())
        self._writer = asyncio.create_task(self._write())

    def _local(self, event: Any) -> None:
        if not self._remote:
            self._outgoing.put_nowait(protocol.update_frame(event.update))

    async def _write(self) -> None:
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
                elif message.step == protocol.SyncStep.STEP1:
                    diff = self.doc.get_update(message.payload)
                    await self.ws.send(protocol.sync_frame(protocol.SyncStep.STEP2, diff))
                    continue
                else:
                    self._remote = True
                    try:
                        self.doc.apply_update(message.payload)
                    finally:
                        self._remote = False
                    if message.step == protocol.SyncStep.STEP2:
                        self.synced.set()
                self.changed.set()

    async def stop(self) -> None:
        """Stops reading and writing (the socket is left to its owner)."""
        for task in (self._reader, self._writer):
            task.cancel()
        await asyncio.gather(self._reader, self._writer, return_exceptions=True)

    async def close(self) -> None:
        await self.stop()
        await self.ws.close()

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Waits until ``condition()`` holds; fails at once if the server closed."""

        async def loop() -> None:
            while not condition():
                self.changed.clear()
                if self._reader.done():
                    raise AssertionError(f"connection closed: {self.ws.close_reason!r}")
                changed = asyncio.create_task(self.changed.wait())
                await asyncio.wait([changed, self._reader], return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()

        await asyncio.wait_for(loop(), timeout)

    async def closed(self, timeout: float = 30.0) -> tuple[int | None, str]:
        """Waits for the server to close; its close code and reason."""
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code, self.ws.close_reason or ""

    # ------------------------------------------------------------------ the first text run

    def _run(self, index: int) -> XmlText | None:
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        inline = element.children[0] if len(element.children) else None
        return inline if isinstance(inline, XmlText) else None

    def text(self, index: int = 0) -> str:
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        return "".join(
            c
            for inline in element.children
            if isinstance(inline, XmlText)
            for c, _ in inline.diff()
            if isinstance(c, str)
        )

    def first_run_length(self, index: int = 0) -> int:
        """In UTF-8 bytes, as pycrdt counts."""
        run = self._run(index)
        return len(run) if run is not None else 0

    def type(self, text: str, index: int = 0, at: int | None = None) -> None:
        """Insert ``text`` in block ``index`` at byte ``at`` (default: the end) of its first
        text run (editors typing into the same empty block at once each add one)."""
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        with self.doc.transaction():
            if not len(element.children):
                element.children.append(XmlText())
            inline = element.children[0]
            assert isinstance(inline, XmlText)
            inline.insert(len(inline) if at is None else at, text)

    def erase(self, index: int, at: int, length: int) -> None:
        """Delete ``length`` bytes at byte ``at`` of block ``index``'s first text run."""
        run = self._run(index)
        if run is not None and length > 0:
            del run[at : at + length]


async def open_editor(ws_base: str, note_id: str, token: str) -> Editor:
    ws = await connect(
        f"{ws_base}/api/v1/notes/{note_id}/collab?token={token}",
        open_timeout=OPEN_TIMEOUT,
        max_size=None,
    )
    editor = Editor(ws)
    await asyncio.wait_for(editor.synced.wait(), OPEN_TIMEOUT)
    return editor
