"""A y-websocket editor for the co-editing benchmarks: a pycrdt document kept in sync."""

from __future__ import annotations

import asyncio
import contextlib
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
        self.synced = asyncio.Event()
        self.changed = asyncio.Event()
        self._remote = False
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue()
        self.doc.observe(self._local)
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]

    def _local(self, event: Any) -> None:
        if not self._remote:
            self._outgoing.put_nowait(protocol.update_frame(event.update))

    async def _write(self) -> None:
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
                    continue
                if message.step == protocol.SyncStep.STEP1:
                    diff = self.doc.get_update(message.payload)
                    await self.ws.send(protocol.sync_frame(protocol.SyncStep.STEP2, diff))
                    continue
                self._remote = True
                try:
                    self.doc.apply_update(message.payload)
                finally:
                    self._remote = False
                if message.step == protocol.SyncStep.STEP2:
                    self.synced.set()
                self.changed.set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.ws.close()

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
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        inline = element.children[0] if len(element.children) else None
        return len(inline) if isinstance(inline, XmlText) else 0

    def type(self, text: str, index: int = 0, at: int | None = None) -> None:
        """Insert ``text`` (ASCII) in block ``index`` at ``at`` (default: the end) of its
        first text run (editors typing into the same empty block at once each add one)."""
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        with self.doc.transaction():
            if not len(element.children):
                element.children.append(XmlText())
            inline = element.children[0]
            assert isinstance(inline, XmlText)
            inline.insert(len(inline) if at is None else at, text)

    def erase(self, index: int, at: int, length: int) -> None:
        element = self.fragment.children[index]
        assert isinstance(element, XmlElement)
        inline = element.children[0]
        assert isinstance(inline, XmlText)
        del inline[at : at + length]

    async def wait(self, condition: Any, timeout: float = 30.0) -> None:
        async def loop() -> None:
            while not condition():
                self.changed.clear()
                if self._tasks[0].done():
                    raise RuntimeError(f"closed by the server: {self.ws.close_reason!r}")
                changed = asyncio.create_task(self.changed.wait())
                await asyncio.wait([changed, self._tasks[0]], return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()

        await asyncio.wait_for(loop(), timeout)


async def open_editor(ws_base: str, note_id: str, token: str) -> Editor:
    ws = await connect(
        f"{ws_base}/api/v1/notes/{note_id}/collab?token={token}",
        open_timeout=OPEN_TIMEOUT,
        max_size=None,
    )
    editor = Editor(ws)
    await asyncio.wait_for(editor.synced.wait(), OPEN_TIMEOUT)
    return editor
