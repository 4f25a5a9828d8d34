"""One open note: its live document, the editors connected to it here, and its writer.

Accepted updates are applied to the live document, sent at once to the other editors here
and to the other instances (which store them too), and queued; the writer stores them (log
rows and the block projection in one transaction) off the forwarding path, so a keystroke
never waits for a commit. Updates that arrive while a commit runs go into the next one
(group commit), so the store is at most one commit behind. A sync step 2 (what an editor
lacks) is answered once the store caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, TransactionEvent, XmlElement, XmlFragment, get_state, merge_updates
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.collab import protocol, repository, schema
from owlistic.collab.projection import project
from owlistic.models import Block
from owlistic.runtime import Runtime
from owlistic.task import sync

log = logging.getLogger("owlistic.collab")

# Close codes (4000-4999 are the application's own).
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_MALFORMED = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_READ_ONLY = 4403
CLOSE_GONE = 4404
CLOSE_DOCUMENT_TOO_BIG = 4413
CLOSE_AWARENESS_SPAM = 4429

# Awareness states not renewed for this long are dropped (y-protocols renews every 15 s).
AWARENESS_TIMEOUT_SECONDS = 30.0
RETRY_SECONDS = (0.05, 0.2, 1.0, 5.0)
# A projection written by the collab writer must not be applied into the document again.
PROJECTING = "owlistic.collab.projecting"
MANY_EVENTS = 16
IDS_PER_TRANSACTION = 250


class Violation(Exception):
    """The peer broke the rules: close its connection with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Peer:
    """One editor's socket as the room sees it: what it may do and what waits to be sent.

    Updates queued back to back leave as one merged frame: an editor that reads slower
    than others type gets fewer, bigger frames, not a growing queue. More than
    ``queue_size`` frames or ``backlog_bytes`` waiting closes it (too slow; it resyncs).
    """

    def __init__(
        self,
        user_id: uuid.UUID,
        *,
        writable: bool,
        queue_size: int,
        backlog_bytes: int,
        awareness_burst: int,
    ) -> None:
        self.user_id = user_id
        self.writable = writable
        self.client_ids: set[int] = set()
        self.close_reason: tuple[int, str] | None = None
        self.closed = asyncio.Event()
        self._waiting: deque[bytes | list[bytes]] = deque()  # a list: updates to merge
        self._backlog = 0
        self._queue_size = queue_size
        self._backlog_bytes = backlog_bytes
        self._ready = asyncio.Event()
        self._tokens = float(awareness_burst)
        self._refilled = time.monotonic()

    def send(self, frame: bytes) -> None:
        if self._admit(len(frame), new_frame=True):
            self._waiting.append(frame)

    def send_update(self, update: bytes) -> None:
        last = self._waiting[-1] if self._waiting else None
        if isinstance(last, list):
            if self._admit(len(update), new_frame=False):
                last.append(update)
        elif self._admit(len(update), new_frame=True):
            self._waiting.append([update])

    def _admit(self, size: int, *, new_frame: bool) -> bool:
        if self.closed.is_set():
            return False
        frames = len(self._waiting) + new_frame
        if frames > self._queue_size or self._backlog + size > self._backlog_bytes:
            self.close(CLOSE_TRY_AGAIN_LATER, "too slow, reconnect")
            return False
        self._backlog += size
        self._ready.set()
        return True

    async def next_frames(self) -> list[bytes]:
        """Everything waiting, as frames; waits until there is something."""
        await self._ready.wait()
        self._ready.clear()
        waiting, self._waiting = self._waiting, deque()
        self._backlog = 0
        return [
            item
            if isinstance(item, bytes)
            else protocol.update_frame(item[0] if len(item) == 1 else merge_updates(*item))
            for item in waiting
        ]

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
    update: bytes
    author: uuid.UUID | None  # None: the server itself (ids it assigned, task write-backs)


class _Behind(Exception):
    """The log held updates the document lacked when its snapshot was taken."""


@dataclass
class Room:
    note_id: uuid.UUID
    runtime: Runtime
    publish: Callable[[str, uuid.UUID, bytes, uuid.UUID | None], None]
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
        self._log_seq = 0  # the last logged update this document holds (see _catch_up)
        self._size = 0  # bytes of the stored document, at most (see _check_size)
        # Ids known to be this note's (seeded from its rows or checked before).
        self._known: set[uuid.UUID] = set()
        self.evict_handle: asyncio.TimerHandle | None = None
        self.closing = False

    # ------------------------------------------------------------------ life cycle

    def load(self, stored: repository.Stored) -> None:
        for update in stored.updates:
            self.doc.apply_update(update)
        self._log_seq = stored.seq
        self._logged = max(0, len(stored.updates) - 1)
        self._size = sum(len(u) for u in stored.updates)
        self._known = {block_id for block_id, _ in self._positions()}
        self.doc.observe(self._on_transaction)
        self.fragment.observe_deep(self._on_fragment)
        self._writer = asyncio.create_task(self._write_loop(), name=f"collab-{self.note_id}")

    async def stop(self) -> None:
        """Store what is pending (once), then stop the writer. Safe to call again while a
        first call waits (an idle unload overtaken by the server's shutdown)."""
        writer = self._writer
        if writer is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.drained(), 10.0)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
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
        # Looking a child up by index walks the list: for many events, list them once.
        children: list[Any] | None = None
        for event in events:
            if not event.path:
                self._structure_changed = True
                for op in event.delta:
                    for child in op.get("insert", ()):
                        if isinstance(child, XmlElement):
                            self._dirty.add(child)
                continue
            if len(event.path) == 1 and isinstance(event.target, XmlElement):
                self._dirty.add(event.target)  # its attributes changed
                continue
            index = event.path[0]
            if children is None and len(events) > MANY_EVENTS:
                children = list(self.fragment.children)
            child = children[index] if children is not None else self.fragment.children[index]
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
        self._check_size(update)
        captured = self._apply(update)
        if not captured:
            # Changes nothing (the server has it already: a resend, or what another
            # editor sent a moment before): accepted, neither stored nor forwarded.
            return
        self._accept(captured, peer.user_id, skip=peer)
        if self._leaves_gaps(update):
            raise Violation(CLOSE_MALFORMED, "update depends on changes the server does not have")

    def _accept(
        self,
        captured: list[bytes],
        author: uuid.UUID | None,
        *,
        skip: Peer | None = None,
        publish: bool = True,
    ) -> None:
        """Changes the document took: to the editors here and to the other instances at
        once, never waiting for a commit (a keystroke is one hop from every other editor);
        queued for the writer, which stores them soon after."""
        self._size += sum(len(u) for u in captured)
        self._pending.extend(_Pending(u, author) for u in captured)
        for other in self.peers:
            if other is not skip:
                for u in captured:
                    other.send_update(u)
        if publish:
            merged = captured[0] if len(captured) == 1 else merge_updates(*captured)
            self.publish("update", self.note_id, merged, author)
        self._wake.set()  # last: the sockets' writers run before the commit starts

    def _check_size(self, update: bytes) -> None:
        """Refuse, before applying it, an update that would make the document too big.

        ``_size`` (stored snapshot plus what was accepted since) only overestimates, so the
        document is encoded to measure it only when the estimate says the limit is near.
        """
        limit = self.runtime.settings.collab_max_document_bytes
        if self._size + len(update) <= limit:
            return
        self._size = len(self.doc.get_update())
        if self._size + len(update) > limit and self._would_change(update):
            raise Violation(
                CLOSE_DOCUMENT_TOO_BIG, f"document too big: a note holds at most {limit} bytes"
            )

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
        self.publish("awareness", self.note_id, message.payload, None)

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
            self.publish("awareness", self.note_id, payload, None)

    # ------------------------------------------------------------------ from elsewhere

    def receive_stored(self, update: bytes) -> bool:
        """An update a REST write stored: apply and forward (the writer projects it here
        too, a no-op when the rows already match); whether it changed the document."""
        try:
            captured = self._apply(update)
        except Violation:
            log.warning("ignoring a malformed stored update for note %s", self.note_id)
            return False
        if captured:
            self._size += sum(len(u) for u in captured)
            for peer in self.peers:
                for u in captured:
                    peer.send_update(u)
        if self._dirty or self._structure_changed:
            self._wake.set()
        return bool(captured)

    def receive_remote(self, update: bytes, author: uuid.UUID | None) -> None:
        """An update an editor on another instance sent, published there before it was
        stored: applied, forwarded and stored here too, so a crash of that instance before
        its commit loses nothing this one has (a duplicate in the log is harmless)."""
        try:
            captured = self._apply(update)
        except Violation:
            log.warning("ignoring a malformed update from another instance for %s", self.note_id)
            return
        if captured:
            self._accept(captured, author, publish=False)

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

    async def _assign_ids(self, foreign: set[uuid.UUID]) -> None:
        """Give every top-level node a unique id of its own, once: nodes without one,
        duplicates (split, paste) and ids of blocks in other notes get a fresh id.

        A few hundred per transaction, letting other sockets in between (a pasted
        document's thousands at once hold the loop for seconds). A node deleted meanwhile
        takes the attribute as a no-op; one added meanwhile is the next commit's."""
        fixes = self._needing_ids(foreign)
        for start in range(0, len(fixes), IDS_PER_TRANSACTION):
            if start:
                await asyncio.sleep(0)
            self._captured = []
            with self.doc.transaction(origin="owlistic"):
                for child in fixes[start : start + IDS_PER_TRANSACTION]:
                    fresh = uuid.uuid4()
                    self._known.add(fresh)
                    child.attributes[schema.ID_ATTRIBUTE] = str(fresh)
            captured, self._captured = self._captured, []
            self._accept(captured, None)

    def _needing_ids(self, foreign: set[uuid.UUID]) -> list[XmlElement]:
        seen: set[uuid.UUID] = set()
        fixes: list[XmlElement] = []
        with self.doc.transaction():  # one for all the reads, not one each
            for child in self.fragment.children:
                if not isinstance(child, XmlElement):
                    continue
                block_id = schema.valid_block_id(child.attributes.get(schema.ID_ATTRIBUTE))
                if block_id is None or block_id in seen or block_id in foreign:
                    fixes.append(child)
                else:
                    seen.add(block_id)
        return fixes

    async def _catch_up(self, session: AsyncSession) -> bool:
        """Apply what the log holds beyond this document (REST writes committed whose
        announcements have not arrived; applying those again then changes nothing);
        whether that changed the document.

        Sequence numbers are taken before commit, so on PostgreSQL a write committing
        late can hold one below the mark; its announcement still brings it, this only
        narrows the window in which the rows could be written back behind it."""
        changed = False
        for seq, update in await repository.updates_after(session, self.note_id, self._log_seq):
            self._log_seq = max(self._log_seq, seq)
            changed |= self.receive_stored(update)
        return changed

    def _positions(self) -> list[tuple[uuid.UUID, XmlElement]]:
        out = []
        with self.doc.transaction():
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
        # Cleared before the first await: a change arriving meanwhile sets it again.
        self._structure_changed = False
        try:
            if structure:
                with self.doc.transaction():
                    candidates = {
                        block_id
                        for c in self.fragment.children
                        if isinstance(c, XmlElement)
                        and (
                            block_id := schema.valid_block_id(c.attributes.get(schema.ID_ATTRIBUTE))
                        )
                        and block_id not in self._known
                    }
                foreign: set[uuid.UUID] = set()
                if candidates:
                    async with db.session(readonly=True) as session:
                        foreign = await repository.foreign_block_ids(
                            session, self.note_id, candidates
                        )
                self._known |= candidates - foreign
                await self._assign_ids(foreign)
        except BaseException:
            self._structure_changed |= structure
            raise
        batch, self._pending = self._pending, []
        dirty, self._dirty = self._dirty, set()
        positions = self._positions() if structure else None
        present = {element for _, element in positions} if positions is not None else None
        nodes: dict[uuid.UUID, schema.NodeBlock] = {}
        with self.doc.transaction():
            for element in dirty:
                if present is not None and element not in present:
                    continue  # removed again since
                block_id = schema.valid_block_id(element.attributes.get(schema.ID_ATTRIBUTE))
                if block_id is not None:
                    nodes[block_id] = schema.node_block(element)
        author = next((p.author for p in batch if p.author is not None), None)
        try:
            async with db.session() as session:
                session.info[PROJECTING] = True
                note = await repository.live_note(session, self.note_id)
                live: dict[uuid.UUID, float] = {}
                read: dict[uuid.UUID, Block] = {}
                if note is not None:
                    # The rows compared with the snapshot are read before the log: a REST
                    # write whose rows are read here has its update in the log read next
                    # (both commit together), even while its announcement is on its way.
                    if positions is not None:
                        live = await repository.live_orders(session, self.note_id)
                    read = await repository.blocks_by_id(session, set(nodes), note_id=self.note_id)
                if await self._catch_up(session):
                    raise _Behind
                self._log_seq = max(
                    self._log_seq,
                    await repository.append(session, self.note_id, [p.update for p in batch]),
                )
                if note is not None:
                    await project(
                        session,
                        note,
                        nodes,
                        ([i for i, _ in positions], live) if positions is not None else None,
                        read,
                        author=author or note.user_id,
                    )
                ahead = [
                    (b.id, b.type, dict(b.content), dict(b.meta))
                    for b in session.info.pop(sync.AHEAD, {}).values()
                ]
        except _Behind:
            # The snapshot lacks what the log brought (now applied): projecting it would
            # put back what that write replaced. Nothing is stored; the next round takes a
            # fresh snapshot.
            self._pending[:0] = batch
            self._dirty |= dirty
            self._structure_changed |= structure
            self._wake.set()
            return
        except BaseException:
            # Nothing was stored: keep it for the next try, before anything newer.
            self._pending[:0] = batch
            self._dirty |= dirty
            self._structure_changed |= structure
            raise
        self._logged += len(batch)
        self._write_back(ahead)
        if self._logged >= self.runtime.settings.collab_compact_updates:
            await self.compact()

    def _write_back(
        self, rows: list[tuple[uuid.UUID, str, dict[str, Any], dict[str, Any]]]
    ) -> None:
        """Rows the projection's task sync moved on (a repeating item ticked off comes back
        unticked at its next date): the document shows them too, stored by the next commit."""
        if not rows:
            return
        self._captured = []
        with self.doc.transaction(origin="owlistic"):
            for block_id, block_type, content, meta in rows:
                for index, child in enumerate(self.fragment.children):
                    if isinstance(child, XmlElement) and child.attributes.get(
                        schema.ID_ATTRIBUTE
                    ) == str(block_id):
                        schema.set_block(
                            self.fragment, index, str(block_id), block_type, content, meta
                        )
                        break
        captured, self._captured = self._captured, []
        if captured:
            self._accept(captured, None)

    async def compact(self) -> None:
        async with self.runtime.db.session() as session:
            await repository.compact(session, self.note_id)
        self._logged = 0
        self._size = len(self.doc.get_update())
