from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic import cascade
from owlistic.access.ownership import owner_role
from owlistic.access.roles import Rank
from owlistic.access.service import notebook_for
from owlistic.events.outbox import emit
from owlistic.kit.time import utcnow
from owlistic.models import Notebook
from owlistic.note.events import NoteTrashed
from owlistic.notebook import repository
from owlistic.notebook.events import NotebookCreated, NotebookTrashed, NotebookUpdated
from owlistic.notebook.schemas import NotebookCreate, NotebookUpdate
from owlistic.task.events import TaskDeleted


class NotebookService:
    async def list_readable(
        self, session: AsyncSession, user_id: uuid.UUID, *, name: str | None = None
    ) -> list[tuple[Notebook, str]]:
        rows = await repository.readable_with_role(session, user_id, name=name)
        return [(nb, "owner" if nb.user_id == user_id else (role or "viewer")) for nb, role in rows]

    async def create(
        self, session: AsyncSession, user_id: uuid.UUID, body: NotebookCreate
    ) -> Notebook:
        notebook = Notebook(
            id=uuid.uuid4(), user_id=user_id, name=body.name, description=body.description
        )
        session.add(notebook)
        await session.flush()
        session.add(owner_role(notebook))
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
        trashed = await cascade.trash_notebook(session, notebook)
        for note in trashed.notes:
            await emit(session, NoteTrashed.of(note))
        for task in trashed.tasks:
            await emit(session, TaskDeleted.of(task))
        await emit(session, NotebookTrashed.of(notebook))


notebook = NotebookService()
