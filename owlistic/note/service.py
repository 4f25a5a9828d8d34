from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic import cascade
from owlistic.access import audience
from owlistic.access.ownership import owner_role
from owlistic.access.roles import Rank
from owlistic.access.service import note_for, notebook_for
from owlistic.block.links import links
from owlistic.block.repository import ORDER_STEP, block_json_by_note, blocks_by_note
from owlistic.block.service import with_sync_markers
from owlistic.events.outbox import emit
from owlistic.index.writes import batched
from owlistic.kit.errors import PayloadTooLarge
from owlistic.kit.sqljson import json_array
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note
from owlistic.note import repository, views
from owlistic.note.events import NoteCreated, NoteMoved, NoteOrganised, NoteTrashed, NoteUpdated
from owlistic.note.schemas import ImportedBlock, NoteCreate, NotesImport, NoteUpdate
from owlistic.note.tags import normalize_tag, normalize_tags
from owlistic.settings import get_settings
from owlistic.task.events import TaskCreated, TaskDeleted

_EMPTY_BLOCK = ImportedBlock(type="text")


def _tags(raw: list[str]) -> list[str]:
    settings = get_settings()
    return normalize_tags(raw, max_chars=settings.tag_max_chars, max_count=settings.tags_per_note)


class NoteService:
    async def list_readable(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        notebook_id: uuid.UUID | None,
        title: str | None,
        tag: str | None = None,
    ) -> str:
        """Readable live notes with their blocks as a JSON array, in two queries whatever
        the count: this is the heaviest read, a notebook's notes with every block of each."""
        notes = await repository.readable_json(
            session,
            user_id,
            notebook_id=notebook_id,
            title=title,
            tag=None if tag is None else normalize_tag(tag, get_settings().tag_max_chars),
        )
        blocks = await block_json_by_note(session, [note_id for note_id, _, _ in notes])
        return json_array(
            [views.with_blocks(text, blocks.get(key, []), None) for _, key, text in notes]
        )

    async def get(self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> str:
        """One note with its blocks, as JSON text in the response shape."""
        note, rank = await note_for(session, user_id, note_id, Rank.VIEWER)
        blocks = await block_json_by_note(session, [note.id])
        return views.with_blocks(
            views.note_json(note), blocks.get(str(note.id), []), rank.role_name
        )

    async def create(
        self, session: AsyncSession, user_id: uuid.UUID, body: NoteCreate
    ) -> tuple[Note, list[Block]]:
        notebook, _ = await notebook_for(
            session, user_id, body.notebook_id, Rank.EDITOR, verb="add notes to"
        )
        note = Note(id=uuid.uuid4(), user_id=user_id, notebook_id=notebook.id, title=body.title)
        block = Block(
            id=uuid.uuid4(),
            user_id=user_id,
            note_id=note.id,
            type="text",
            content={"text": ""},
            meta={},
            order=1.0,
        )
        session.add(note)
        await session.flush()
        session.add_all(
            [
                owner_role(note),
                block,
            ]
        )
        await session.flush()
        await emit(session, NoteCreated.with_blocks(note, (block.id,)))
        return note, [block]

    async def import_many(
        self, session: AsyncSession, user_id: uuid.UUID, body: NotesImport
    ) -> list[tuple[Note, list[Block]]]:
        """Creates every note with its blocks (and the tasks of its task blocks) at once: an
        import of many files is one request and one transaction per batch, not one request
        per block."""
        settings = get_settings()
        if len(body.notes) > settings.import_max_notes:
            raise PayloadTooLarge(f"at most {settings.import_max_notes} notes per import request")
        if sum(len(n.blocks) for n in body.notes) > settings.import_max_blocks:
            raise PayloadTooLarge(f"at most {settings.import_max_blocks} blocks per import request")
        notebook, _ = await notebook_for(
            session, user_id, body.notebook_id, Rank.EDITOR, verb="add notes to"
        )
        created: list[tuple[Note, list[Block]]] = []
        for item in body.notes:
            now = utcnow()
            note = Note(
                id=uuid.uuid4(),
                user_id=user_id,
                notebook_id=notebook.id,
                title=item.title,
                tags=_tags(item.tags),
                created_at=item.created_at or now,
                updated_at=item.updated_at or item.created_at or now,
            )
            blocks = [
                Block(
                    id=(block_id := uuid.uuid4()),
                    user_id=user_id,
                    note_id=note.id,
                    type=b.type,
                    content=b.content,
                    meta={} if b.metadata is None else with_sync_markers(b.metadata, block_id),
                    order=(i + 1) * ORDER_STEP,
                )
                # An empty file still gets the one empty block every note starts with.
                for i, b in enumerate(item.blocks or [_EMPTY_BLOCK])
            ]
            created.append((note, blocks))
        # Every row in a few INSERTs, and the search index written once for the whole
        # request: per note, its own refresh would cost a flush and several statements.
        async with batched(session):
            session.add_all(note for note, _ in created)
            await session.flush()
            session.add_all(owner_role(note) for note, _ in created)
            every_block = [block for _, blocks in created for block in blocks]
            session.add_all(every_block)
            tasks = await links().blocks_created(session, every_block)  # to-dos become tasks
            await audience.of_new_notes(
                session, [note.id for note, _ in created], owner=user_id, notebook=notebook
            )
            for note, blocks in created:
                # As for POST /notes, the note's event names its blocks (one event, not one
                # per block: the search index and the clients read the blocks from it).
                await emit(session, NoteCreated.with_blocks(note, tuple(b.id for b in blocks)))
            for task in tasks:
                await emit(session, TaskCreated.of(task))
        return created

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID, body: NoteUpdate
    ) -> tuple[Note, list[Block], Rank]:
        note, rank = await note_for(session, user_id, note_id, Rank.EDITOR, verb="update")
        moved_from = None
        if body.notebook_id is not None and body.notebook_id != note.notebook_id:
            # Moving needs write access on the destination too (the original did not check).
            destination, _ = await notebook_for(
                session, user_id, body.notebook_id, Rank.EDITOR, verb="move notes into"
            )
            moved_from = note.notebook_id
            note.notebook_id = destination.id
        if body.title is not None:
            note.title = body.title
        organised = (body.tags, body.pinned) != (None, None)
        if body.tags is not None:
            note.tags = _tags(body.tags)
        if body.pinned is not None:
            note.pinned = body.pinned
        note.updated_at = utcnow()
        await session.flush()
        if moved_from is None:
            await emit(session, NoteOrganised.of(note) if organised else NoteUpdated.of(note))
        else:
            await emit(
                session,
                NoteMoved(
                    note_id=note.id,
                    notebook_id=note.notebook_id,
                    user_id=note.user_id,
                    title=note.title,
                    old_notebook_id=moved_from,
                ),
            )
        blocks = await blocks_by_note(session, [note.id])
        return note, blocks.get(note.id, []), rank

    async def trash(self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID) -> None:
        """Moves the note with its live blocks and tasks to the trash as one batch."""
        note, _ = await note_for(session, user_id, note_id, Rank.OWNER, verb="delete")
        trashed = await cascade.trash_note(session, note)
        for task in trashed.tasks:
            await emit(session, TaskDeleted.of(task))
        await emit(session, NoteTrashed.of(note))


note = NoteService()
