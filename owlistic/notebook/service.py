from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import notebook_for, readable_notebook_ids
from owlistic.events.outbox import emit
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Notebook, Role, Task
from owlistic.note.events import NoteTrashed
from owlistic.notebook.events import NotebookCreated, NotebookTrashed, NotebookUpdated
from owlistic.notebook.schemas import NotebookCreate, NotebookUpdate
from owlistic.task.events import TaskDeleted


class NotebookService:
    async def list_readable(
        self, session: AsyncSession, user_id: uuid.UUID, *, name: str | None = None
    ) -> list[tuple[Notebook, str]]:
        query = (
            select(Notebook, Role.role)
            .outerjoin(
                Role,
                (Role.resource_id == Notebook.id)
                & (Role.user_id == user_id)
                & (Role.resource_type == "notebook")
                & Role.deleted_at.is_(None),
            )
            .where(Notebook.id.in_(readable_notebook_ids(user_id)), Notebook.deleted_at.is_(None))
            .order_by(Notebook.created_at, Notebook.id)
        )
        if name:
            query = query.where(Notebook.name.contains(name, autoescape=True))
        rows = await session.execute(query)
        return [(nb, "owner" if nb.user_id == user_id else (role or "viewer")) for nb, role in rows]

    async def create(
        self, session: AsyncSession, user_id: uuid.UUID, body: NotebookCreate
    ) -> Notebook:
        notebook = Notebook(
            id=uuid.uuid4(), user_id=user_id, name=body.name, description=body.description
        )
        session.add(notebook)
        await session.flush()
        session.add(
            Role(user_id=user_id, resource_id=notebook.id, resource_type="notebook", role="owner")
        )
        await session.flush()
        await emit(session, NotebookCreated.of(notebook))
        return notebook

    async def update(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        notebook_id: uuid.UUID,
        body: NotebookUpdate,
    ) -> tuple[Notebook, Rank]:
        notebook, rank = await notebook_for(
            session, user_id, notebook_id, Rank.EDITOR, verb="update"
        )
        if body.name is not None:
            notebook.name = body.name
        if body.description is not None:
            notebook.description = body.description
        notebook.updated_at = utcnow()
        await session.flush()
        await emit(session, NotebookUpdated.of(notebook))
        return notebook, rank

    async def trash(
        self, session: AsyncSession, user_id: uuid.UUID, notebook_id: uuid.UUID
    ) -> None:
        """Moves the notebook and everything live in it to the trash as one batch."""
        notebook, _ = await notebook_for(session, user_id, notebook_id, Rank.OWNER, verb="delete")
        now, batch = utcnow(), uuid.uuid4()
        notes = list(
            await session.scalars(
                select(Note).where(Note.notebook_id == notebook.id, Note.deleted_at.is_(None))
            )
        )
        note_ids = [n.id for n in notes]
        tasks = (
            list(
                await session.scalars(
                    select(Task).where(Task.note_id.in_(note_ids), Task.deleted_at.is_(None))
                )
            )
            if note_ids
            else []
        )
        stamp = {"deleted_at": now, "deleted_batch": batch}
        if note_ids:
            await session.execute(
                update(Block)
                .where(Block.note_id.in_(note_ids), Block.deleted_at.is_(None))
                .values(**stamp)
            )
        rows: list[Note | Task] = [*notes, *tasks]
        for row in rows:
            row.deleted_at, row.deleted_batch = now, batch
        notebook.deleted_at, notebook.deleted_batch = now, batch
        await session.flush()
        for note in notes:
            await emit(session, NoteTrashed.of(note))
        for task in tasks:
            await emit(session, TaskDeleted.of(task))
        await emit(session, NotebookTrashed.of(notebook))


notebook = NotebookService()
