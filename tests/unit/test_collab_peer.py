"""A co-editing socket's queue (``room.Peer``): updates merged, a slow reader closed."""

from __future__ import annotations

import uuid
from typing import Any

from pycrdt import Doc, Text

from owlistic.collab import protocol
from owlistic.collab.room import CLOSE_TRY_AGAIN_LATER, Peer


def _peer(queue_size: int = 8, backlog_bytes: int = 1 << 20) -> Peer:
    return Peer(
        uuid.uuid4(),
        writable=True,
        queue_size=queue_size,
        backlog_bytes=backlog_bytes,
        awareness_burst=10,
    )


def _keystrokes(text: str) -> list[bytes]:
    """One update per character typed, as an editor sends them."""
    doc: Doc[Any] = Doc()
    doc["t"] = typed = Text()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for c in text:
        typed += c
    return updates


def _replay(frames: list[bytes]) -> str:
    doc: Doc[Any] = Doc()
    doc["t"] = text = Text()
    for frame in frames:
        message = protocol.parse(frame)
        if not isinstance(message, protocol.AwarenessMessage):
            doc.apply_update(message.payload)
    return str(text)


async def test_updates_queued_back_to_back_leave_as_one_frame_in_order() -> None:
    peer = _peer()
    first = _keystrokes("hello")
    awareness = protocol.awareness_frame(protocol.encode_awareness([(7, 1, '{"u":1}')]))
    for update in first[:3]:
        peer.send_update(update)
    peer.send(awareness)
    for update in first[3:]:
        peer.send_update(update)
    frames = await peer.next_frames()
    assert len(frames) == 3  # merged run, awareness, merged run
    assert frames[1] == awareness
    assert _replay(frames) == "hello"
    assert not peer.closed.is_set()


async def test_a_reader_too_slow_for_the_frame_bound_is_closed_with_1013() -> None:
    peer = _peer(queue_size=2)
    frame = protocol.awareness_frame(protocol.encode_awareness([(7, 1, "{}")]))
    peer.send(frame)
    peer.send(frame)
    assert not peer.closed.is_set()
    peer.send(frame)
    assert peer.closed.is_set()
    assert peer.close_reason is not None
    assert peer.close_reason[0] == CLOSE_TRY_AGAIN_LATER


async def test_a_backlog_bigger_than_allowed_is_closed_with_1013_and_nothing_more_queued() -> None:
    updates = _keystrokes("x" * 50)
    peer = _peer(backlog_bytes=sum(len(u) for u in updates[:10]))
    for update in updates[:10]:
        peer.send_update(update)  # one frame, growing
    assert not peer.closed.is_set()
    peer.send_update(updates[10])
    assert peer.close_reason is not None
    assert peer.close_reason[0] == CLOSE_TRY_AGAIN_LATER
    assert _replay(await peer.next_frames()) == "x" * 10
