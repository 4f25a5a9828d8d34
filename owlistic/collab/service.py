"""The open documents of this process and their traffic with the other instances.

Rooms exist only while someone is connected (and ``collab_idle_seconds`` after the last
one left); updates and awareness travel between instances on the broker's ``collab``
topic, keyed by note id, tagged with the sending instance so it ignores its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from owlistic.access.roles import Rank
from owlistic.access.service import note_for
from owlistic.collab import repository
from owlistic.collab.room import CLOSE_GONE, CLOSE_READ_ONLY, RETRY_SECONDS, Peer, Room
from owlistic.events.broker import Broker, BrokerUnavailable, Message, topic_name
from owlistic.events.broker.consume import consume_forever
from owlistic.kit.errors import NotFound
from owlistic.runtime import Runtime

log = logging.getLogger("owlistic.collab")

TOPIC = "collab"
HEADER_KIND = "owlistic-collab"
HEADER_ORIGIN = "owlistic-origin"
HEADER_AUTHOR = "owlistic-author"
# Access may have changed when one of these is announced: check every open socket again.
ACCESS_TOPICS = ("note", "notebook", "trash")


class Collab:
    def __init__(self, runtime: Runtime, broker: Broker) -> None:
        self.runtime = runtime
        self._broker = broker
        self._topic = topic_name(runtime.settings.kafka_topic_prefix, TOPIC)
        self._instance = uuid.uuid4().hex.encode()
        self._access_topics = {
            topic_name(runtime.settings.kafka_topic_prefix, t) for t in ACCESS_TOPICS
        }
        self._rooms: dict[uuid.UUID, Room] = {}
        self._loading: dict[uuid.UUID, asyncio.Future[Room]] = {}
        self._unloading: dict[uuid.UUID, asyncio.Task[None]] = {}
        # Messages for documents being loaded: the load may have read the store just
        # before they were stored, so they are applied once the room exists.
        self._early: dict[uuid.UUID, list[Message]] = {}
        self._outgoing: asyncio.Queue[Message] = asyncio.Queue(10_000)
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self._recheck: asyncio.Task[None] | None = None
        self.setups = 0

    @property
    def open_rooms(self) -> int:
        return len(self._rooms)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._consume(), name="collab-consume"),
            asyncio.create_task(self._send(), name="collab-publish"),
        ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 15.0)

    async def stop(self) -> None:
        for room in list(self._rooms.values()):
            for peer in list(room.peers):
                peer.close(1012, "server restarting")
            await self._unload(room)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ------------------------------------------------------------------ rooms

    async def join(self, note_id: uuid.UUID, peer: Peer) -> Room:
        while True:
            unloading = self._unloading.get(note_id)
            if unloading is not None:
                await asyncio.shield(unloading)
                continue
            room = self._rooms.get(note_id)
            if room is not None:
                break
            loading = self._loading.get(note_id)
            if loading is None:
                loading = asyncio.get_running_loop().create_future()
                self._loading[note_id] = loading
                self._early[note_id] = []
                try:
                    room = await self._load(note_id)
                except BaseException as exc:
                    loading.set_exception(exc)
                    loading.exception()  # retrieved: waiters re-raise it themselves
                    raise
                finally:
                    self._loading.pop(note_id, None)
                    early = self._early.pop(note_id, [])
                self._rooms[note_id] = room
                for message in early:
                    self._deliver(message)
                loading.set_result(room)
                break
            room = await asyncio.shield(loading)
            break
        if room.evict_handle is not None:
            room.evict_handle.cancel()
            room.evict_handle = None
        room.peers.add(peer)
        return room

    async def _load(self, note_id: uuid.UUID) -> Room:
        async with self.runtime.db.session(readonly=True) as session:
            stored = await repository.stored_updates(session, note_id)
        if stored is None:
            async with self.runtime.db.session() as session:
                stored = await repository.ensure_document(session, note_id)
        room = Room(note_id, self.runtime, self._publish)
        room.load(stored)
        return room

    def leave(self, room: Room, peer: Peer) -> None:
        room.leave(peer)
        if not room.peers and not room.closing and self._rooms.get(room.note_id) is room:
            delay = self.runtime.settings.collab_idle_seconds
            room.evict_handle = asyncio.get_running_loop().call_later(
                delay, lambda: self._start_unload(room)
            )

    def _start_unload(self, room: Room) -> None:
        if room.peers or room.closing:
            return
        task = asyncio.create_task(self._unload(room))
        self._unloading[room.note_id] = task
        task.add_done_callback(lambda _: self._unloading.pop(room.note_id, None))

    async def _unload(self, room: Room) -> None:
        """Store, compact and forget the room; forgotten even when storing fails."""
        room.closing = True
        try:
            await room.stop()
            await room.compact()
        except Exception:
            log.exception("unloading the document of note %s failed", room.note_id)
        finally:
            if self._rooms.get(room.note_id) is room:
                del self._rooms[room.note_id]

    def room(self, note_id: uuid.UUID) -> Room | None:
        return self._rooms.get(note_id)

    # ------------------------------------------------------------------ closing sockets

    def close_user(self, user_id: uuid.UUID, code: int, reason: str) -> None:
        """Close every co-editing socket of ``user_id`` (logout, password change, ...)."""
        for room in self._rooms.values():
            for peer in list(room.peers):
                if peer.user_id == user_id:
                    peer.close(code, reason)

    def close_note(self, note_id: uuid.UUID, code: int, reason: str) -> None:
        room = self._rooms.get(note_id)
        for peer in list(room.peers) if room else ():
            peer.close(code, reason)

    def on_event(self, message: Message) -> None:
        """A domain event: one that may change who can open a note re-checks the sockets."""
        if message.topic in self._access_topics:
            self.access_may_have_changed()

    def access_may_have_changed(self) -> None:
        if self._rooms and (self._recheck is None or self._recheck.done()):
            self._recheck = asyncio.create_task(self._check_access())

    async def _check_access(self) -> None:
        await asyncio.sleep(0.01)  # one check for a burst of events
        async with self.runtime.db.session(readonly=True) as session:
            for room in list(self._rooms.values()):
                ranks: dict[uuid.UUID, Rank | None] = {}
                for peer in list(room.peers):
                    if peer.user_id not in ranks:
                        ranks[peer.user_id] = await rank_on(session, peer.user_id, room.note_id)
                    rank = ranks[peer.user_id]
                    if rank is None:
                        peer.close(CLOSE_GONE, "note not found (trashed or no longer shared)")
                    elif peer.writable and rank < Rank.EDITOR:
                        peer.close(CLOSE_READ_ONLY, "access changed to read-only, reconnect")

    # ------------------------------------------------------------------ between instances

    def _publish(
        self, kind: str, note_id: uuid.UUID, payload: bytes, author: uuid.UUID | None = None
    ) -> None:
        headers = [(HEADER_KIND, kind.encode()), (HEADER_ORIGIN, self._instance)]
        if author is not None:
            headers.append((HEADER_AUTHOR, author.bytes))
        message = Message(
            topic=self._topic, key=str(note_id), value=payload, headers=tuple(headers)
        )
        try:
            self._outgoing.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("collab: broker queue full, dropping a %s message", kind)

    def stored(self, note_id: uuid.UUID, updates: Iterable[bytes]) -> None:
        """Updates a REST write stored: into the open document here, and to the others."""
        room = self._rooms.get(note_id)
        for update in updates:
            if room is not None:
                room.receive_stored(update)
            self._publish("stored", note_id, update)

    async def _send(self) -> None:
        while True:
            batch = [await self._outgoing.get()]
            while not self._outgoing.empty() and len(batch) < 500:
                batch.append(self._outgoing.get_nowait())
            for attempt in itertools.count():
                try:
                    await self._broker.publish(batch)
                    break
                except BrokerUnavailable as exc:
                    # Kept (new messages queue behind, up to the queue's bound) and retried.
                    if attempt == 0:
                        log.warning("collab: broker unavailable, retrying: %s", exc)
                    await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])

    async def _consume(self) -> None:
        await consume_forever(
            self._broker, [self._topic], self._deliver, ready=self._ready, name="collab", log=log
        )

    def _deliver(self, message: Message) -> None:
        if message.header(HEADER_ORIGIN) == self._instance:
            return
        try:
            note_id = uuid.UUID(message.key)
        except ValueError:
            return
        room = self._rooms.get(note_id)
        if room is None:
            early = self._early.get(note_id)
            if early is not None:
                early.append(message)
            return
        kind = message.header(HEADER_KIND)
        if kind == b"update":
            author = message.header(HEADER_AUTHOR)
            room.receive_remote(
                message.value, uuid.UUID(bytes=author) if author and len(author) == 16 else None
            )
        elif kind == b"stored":
            room.receive_stored(message.value)
        elif kind == b"awareness":
            room.receive_remote_awareness(message.value)


async def rank_on(session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> Rank | None:
    """The caller's rank on a live note, or None where REST would answer 404."""
    try:
        _, rank = await note_for(session, user_id, note_id, Rank.VIEWER)
    except NotFound:
        return None
    return rank


def collab_of(app: Starlette) -> Collab:
    """This process's open documents, started by the app's lifespan."""
    collab = app.state.collab
    if not isinstance(collab, Collab):
        raise RuntimeError("co-editing is not running (app lifespan not started)")
    return collab
