"""One open note: its live document, the editors connected to it here, and its writer.

Accepted updates are applied to the live document at once and queued; the writer stores
them (log rows and the block projection in one transaction) and only then forwards them
to the other editors and to the other instances. Updates that arrive while a commit runs
go into the next one (group commit), so the store is at most one commit behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, TransactionEvent, XmlElement, XmlFragment, get_state, merge_updates
from sqlalchemy import select

from owlistic.collab import protocol, repository, schema
from owlistic.collab.projection import project
from owlistic.models import Block, Note
from owlistic.runtime import Runtime

log = logging.getLogger("owlistic.collab")

# Close codes (4000-4999 are the application's own).
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_MALFORMED = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_READ_ONLY = 4403
CLOSE_GONE = 4404
CLOSE_REPLAYED = 4409
CLOSE_AWARENESS_SPAM = 4429

# Awareness states not renewed for this long are dropped (y-protocols renews every 15 s).
AWARENESS_TIMEOUT_SECONDS = 30.0
RETRY_SECONDS = (0.05, 0.2, 1.0, 5.0)
REPLAY_MEMORY = 1024
# A projection written by the collab writer must not be applied into the document again.
PROJECTING = "owlistic.collab.projecting"


class Violation(Exception):
    """The peer broke the rules: close its connection with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Peer:
    """One editor's socket as the room sees it: what it may do and what waits to be sent."""

    def __init__(
        self, user_id: uuid.UUID, *, writable: bool, queue_size: int, awareness_burst: int
    ) -> None:
        self.user_id = user_id
        self.writable = writable
        self.outbox: asyncio.Queue[bytes] = asyncio.Queue(queue_size)
        self.client_ids: set[int] = set()
        self.close_reason: tuple[int, str] | None = None
        self.closed = asyncio.Event()
        self._tokens = float(awareness_burst)
        self._refilled = time.monotonic()
        # Digests of the updates this peer sent lately: a byte-identical one is a replay.
        self._sent: OrderedDict[bytes, None] = OrderedDict()

    def replays(self, update: bytes) -> bool:
        digest = hashlib.blake2b(update, digest_size=16).digest()
        if digest in self._sent:
            return True
        self._sent[digest] = None
        if len(self._sent) > REPLAY_MEMORY:
            self._sent.popitem(last=False)
        return False

    def send(self, frame: bytes) -> None:
        if self.closed.is_set():
            return
        try:
            self.outbox.put_nowait(frame)
        except asyncio.QueueFull:
            self.close(CLOSE_TRY_AGAIN_LATER, "too slow, reconnect")

    def close(self, code: int, reason: str) -> None:
        if not self.closed.is_set():
            self.close_reason = (code, reason)
            self.closed.set()

    def take_awareness_token(self, per_second: float, burst: int) -> bool:
        now = time.monotonic()
        self._tokens = min(float(burst), self._tokens + (now - self._refilled) * per_second)
        self._refilled = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


@dataclass
class _Presence:
    clock: int
    state: str  # JSON text
    seen: float
    peer: Peer | None  # None: an editor on another instance


@dataclass
class _Pending:
    origin: Peer | None  # None: the server itself (ids it assigned); forwarded to everyone
    update: bytes


@dataclass
class Room:
    note_id: uuid.UUID
    runtime: Runtime
    publish: Callable[[str, uuid.UUID, bytes], None]
    doc: Doc[Any] = field(default_factory=Doc)
    peers: set[Peer] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.fragment = self.doc.get(schema.FRAGMENT, type=XmlFragment)
        self._captured: list[bytes] = []
        self._pending: list[_Pending] = []
        self._dirty: set[XmlElement] = set()
        self._structure_changed = True  # the first commit checks ids and orders
        self._presence: dict[int, _Presence] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._writer: asyncio.Task[None] | None = None
        self._logged = 0  # updates in the log since the last compaction (as far as we know)
        # Ids known to be this note's (seeded from its rows or checked before).
        self._known: set[uuid.UUID] = set()
        self.evict_handle: asyncio.TimerHandle | None = None
        self.closing = False

    # ------------------------------------------------------------------ life cycle

    def load(self, updates: list[bytes]) -> None:
        for update in updates:
            self.doc.apply_update(update)
        self._logged = max(0, len(updates) - 1)
        self._known = {block_id for block_id, _ in self._positions()}
        self.doc.observe(self._on_transaction)
        self.fragment.observe_deep(self._on_fragment)
        self._writer = asyncio.create_task(self._write_loop(), name=f"collab-{self.note_id}")

    async def stop(self) -> None:
        """Store what is pending (once), then stop the writer."""
        if self._writer is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drained(), 10.0)
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        self._writer = None

    async def drained(self) -> None:
        """Returns once everything accepted so far is stored."""
        while self._pending or self._dirty or not self._idle.is_set():
            self._wake.set()
            await self._idle.wait()
            await asyncio.sleep(0)

    # ------------------------------------------------------------------ observers

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._captured.append(event.update)

    def _on_fragment(self, events: list[Any]) -> None:
        for event in events:
            if not event.path:
                self._structure_changed = True
                for op in event.delta:
                    for child in op.get("insert", ()):
                        if isinstance(child, XmlElement):
                            self._dirty.add(child)
                continue
            child = self.fragment.children[event.path[0]]
            if isinstance(child, XmlElement):
                self._dirty.add(child)

    def _apply(self, update: bytes) -> list[bytes]:
        self._captured = []
        try:
            self.doc.apply_update(update)
        except ValueError:
            raise Violation(CLOSE_MALFORMED, "malformed update") from None
        captured, self._captured = self._captured, []
        return captured

    # ------------------------------------------------------------------ from editors

    def initial_frames(self) -> list[bytes]:
        frames = [protocol.sync_frame(protocol.SyncStep.STEP1, self.doc.get_state())]
        awareness = self._awareness_frame()
        if awareness is not None:
            frames.append(awareness)
        return frames

    async def sync_step2_for(self, state: bytes) -> bytes:
        """What the editor lacks, once what the document holds is stored."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drained(), 5.0)
        try:
            return protocol.sync_frame(protocol.SyncStep.STEP2, self.doc.get_update(state))
        except ValueError:
            raise Violation(CLOSE_MALFORMED, "malformed state vector") from None

    def receive_update(self, peer: Peer, step: protocol.SyncStep, update: bytes) -> None:
        if update == protocol.EMPTY_UPDATE:
            return
        if not peer.writable:
            if step == protocol.SyncStep.UPDATE or self._would_change(update):
                raise Violation(CLOSE_READ_ONLY, "read-only: viewers cannot change this note")
            return
        if step == protocol.SyncStep.UPDATE and peer.replays(update):
            raise Violation(CLOSE_REPLAYED, "replayed update: this connection sent it before")
        captured = self._apply(update)
        if not captured:
            return  # e.g. deleting what another editor deleted a moment before
        self._pending.extend(_Pending(peer, u) for u in captured)
        self._wake.set()
        if self._leaves_gaps(update):
            raise Violation(CLOSE_MALFORMED, "update depends on changes the server does not have")

    def _would_change(self, update: bytes) -> bool:
        scratch: Doc[Any] = Doc()
        scratch.apply_update(self.doc.get_update())
        changed: list[bytes] = []
        scratch.observe(lambda event: changed.append(event.update))
        try:
            scratch.apply_update(update)
        except ValueError:
            raise Violation(CLOSE_MALFORMED, "malformed update") from None
        return bool(changed)

    def _leaves_gaps(self, update: bytes) -> bool:
        """Whether part of the update waits for changes nobody sent (held back by Yjs)."""
        wanted = protocol.decode_state_vector(get_state(update))
        have = protocol.decode_state_vector(self.doc.get_state())
        return any(clock > have.get(client, 0) for client, clock in wanted.items())

    def receive_awareness(self, peer: Peer, message: protocol.AwarenessMessage) -> None:
        settings = self.runtime.settings
        if not peer.take_awareness_token(
            settings.collab_awareness_per_second, settings.collab_awareness_burst
        ):
            raise Violation(CLOSE_AWARENESS_SPAM, "too many awareness updates, slow down")
        for entry in message.entries:
            if entry.client_id not in peer.client_ids:
                if len(peer.client_ids) >= settings.collab_max_awareness_clients:
                    raise Violation(CLOSE_AWARENESS_SPAM, "too many awareness clients")
                peer.client_ids.add(entry.client_id)
        self._remember_presence(message, peer)
        frame = protocol.awareness_frame(message.payload)
        for other in self.peers:
            if other is not peer:
                other.send(frame)
        self.publish("awareness", self.note_id, message.payload)

    def _remember_presence(self, message: protocol.AwarenessMessage, peer: Peer | None) -> None:
        now = time.monotonic()
        for entry in message.entries:
            if entry.left:
                self._presence.pop(entry.client_id, None)
            else:
                self._presence[entry.client_id] = _Presence(entry.clock, entry.state, now, peer)

    def _awareness_frame(self) -> bytes | None:
        now = time.monotonic()
        live = [
            (client, p.clock, p.state)
            for client, p in self._presence.items()
            if now - p.seen < AWARENESS_TIMEOUT_SECONDS
        ]
        return protocol.awareness_frame(protocol.encode_awareness(live)) if live else None

    def leave(self, peer: Peer) -> None:
        self.peers.discard(peer)
        gone = [
            (client, self._presence[client].clock + 1, "null")
            for client in peer.client_ids
            if client in self._presence
        ]
        for client in peer.client_ids:
            self._presence.pop(client, None)
        if gone:
            payload = protocol.encode_awareness(gone)
            for other in self.peers:
                other.send(protocol.awareness_frame(payload))
            self.publish("awareness", self.note_id, payload)

    # ------------------------------------------------------------------ from elsewhere

    def receive_stored(self, update: bytes) -> None:
        """An update another instance (or a REST write) already stored: apply and forward."""
        try:
            captured = self._apply(update)
        except Violation:
            log.warning("ignoring a malformed stored update for note %s", self.note_id)
            return
        if captured:
            frames = [protocol.update_frame(u) for u in captured]
            for peer in self.peers:
                for frame in frames:
                    peer.send(frame)
        if self._dirty or self._structure_changed:
            self._wake.set()  # project it here too: a no-op when the rows already match

    def receive_remote_awareness(self, payload: bytes) -> None:
        try:
            message = protocol.AwarenessMessage(payload, protocol.parse_awareness(payload))
        except protocol.Malformed:
            return
        self._remember_presence(message, None)
        frame = protocol.awareness_frame(payload)
        for peer in self.peers:
            peer.send(frame)

    # ------------------------------------------------------------------ the writer

    async def _write_loop(self) -> None:
        failures = 0
        while True:
            await self._wake.wait()
            self._idle.clear()
            try:
                delay = self.runtime.settings.collab_commit_delay_seconds
                if delay:
                    await asyncio.sleep(delay)
                self._wake.clear()
                await self._commit()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("storing the document of note %s failed; retrying", self.note_id)
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1
                self._wake.set()
            finally:
                if not self._wake.is_set():
                    self._idle.set()

    def _assign_ids(self, foreign: set[uuid.UUID]) -> None:
        """Give every top-level node a unique id of its own, once: nodes without one,
        duplicates (split, paste) and ids of blocks in other notes get a fresh id."""
        seen: set[uuid.UUID] = set()
        fixes: list[XmlElement] = []
        for child in self.fragment.children:
            if not isinstance(child, XmlElement):
                continue
            block_id = schema.valid_block_id(child.attributes.get(schema.ID_ATTRIBUTE))
            if block_id is None or block_id in seen or block_id in foreign:
                fixes.append(child)
            else:
                seen.add(block_id)
        if not fixes:
            return
        self._captured = []
        with self.doc.transaction(origin="owlistic"):
            for child in fixes:
                fresh = uuid.uuid4()
                self._known.add(fresh)
                child.attributes[schema.ID_ATTRIBUTE] = str(fresh)
        self._pending.extend(_Pending(None, u) for u in self._captured)
        self._captured = []

    def _positions(self) -> list[tuple[uuid.UUID, XmlElement]]:
        out = []
        for child in self.fragment.children:
            if isinstance(child, XmlElement):
                block_id = schema.valid_block_id(child.attributes.get(schema.ID_ATTRIBUTE))
                if block_id is not None:
                    out.append((block_id, child))
        return out

    async def _commit(self) -> None:
        if not (self._pending or self._dirty or self._structure_changed):
            return
        db = self.runtime.db
        structure = self._structure_changed
        if structure:
            candidates = {
                block_id
                for c in self.fragment.children
                if isinstance(c, XmlElement)
                and (block_id := schema.valid_block_id(c.attributes.get(schema.ID_ATTRIBUTE)))
                and block_id not in self._known
            }
            foreign: set[uuid.UUID] = set()
            if candidates:
                async with db.session(readonly=True) as session:
                    foreign = set(
                        await session.scalars(
                            select(Block.id).where(
                                Block.id.in_(candidates), Block.note_id != self.note_id
                            )
                        )
                    )
            self._known |= candidates - foreign
            self._assign_ids(foreign)
        self._structure_changed = False
        batch, self._pending = self._pending, []
        dirty, self._dirty = self._dirty, set()
        positions = self._positions() if structure else None
        present = {element for _, element in positions} if positions is not None else None
        nodes: dict[uuid.UUID, schema.NodeBlock] = {}
        for element in dirty:
            if present is not None and element not in present:
                continue  # removed again since
            block_id = schema.valid_block_id(element.attributes.get(schema.ID_ATTRIBUTE))
            if block_id is not None:
                nodes[block_id] = schema.node_block(element)
        author = next((p.origin.user_id for p in batch if p.origin is not None), None)
        try:
            async with db.session() as session:
                session.info[PROJECTING] = True
                await repository.append(session, self.note_id, [p.update for p in batch])
                note = await session.get(Note, self.note_id)
                if note is not None and note.deleted_at is None:
                    await project(
                        session,
                        note,
                        nodes,
                        [i for i, _ in positions] if positions is not None else None,
                        author=author or note.user_id,
                    )
        except BaseException:
            # Nothing was stored: keep it for the next try, before anything newer.
            self._pending[:0] = batch
            self._dirty |= dirty
            self._structure_changed |= structure
            raise
        self._logged += len(batch)
        if batch:
            self._forward(batch)
            self.publish("update", self.note_id, merge_updates(*(p.update for p in batch)))
        if self._logged >= self.runtime.settings.collab_compact_updates:
            await self.compact()

    def _forward(self, batch: list[_Pending]) -> None:
        """One frame per editor per commit: the batch without the editor's own updates."""
        frames: dict[Peer | None, bytes] = {}
        for peer in self.peers:
            own = peer if any(item.origin is peer for item in batch) else None
            frame = frames.get(own)
            if frame is None:
                others = [item.update for item in batch if own is None or item.origin is not own]
                if not others:
                    continue
                frame = frames[own] = protocol.update_frame(merge_updates(*others))
            peer.send(frame)

    async def compact(self) -> None:
        async with self.runtime.db.session() as session:
            await repository.compact(session, self.note_id)
        self._logged = 0
