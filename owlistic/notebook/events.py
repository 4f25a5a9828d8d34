"""What happens to notebooks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Self

from owlistic.events.domain import DomainEvent
from owlistic.models import Notebook


@dataclass(frozen=True, kw_only=True)
class NotebookEvent(DomainEvent):
    """The notebook's state after the change; ``user_id`` is its owner."""

    notebook_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    description: str

    @classmethod
    def of(cls, notebook: Notebook) -> Self:
        return cls(
            notebook_id=notebook.id,
            user_id=notebook.user_id,
            name=notebook.name,
            description=notebook.description,
        )


@dataclass(frozen=True, kw_only=True)
class NotebookCreated(NotebookEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NotebookUpdated(NotebookEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NotebookAccessChanged(NotebookUpdated):
    """A role on the notebook was granted, changed or removed for ``shared_with``."""

    shared_with: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class NotebookTrashed(NotebookEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NotebookRestored(NotebookEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NotebookPurged(NotebookEvent):
    pass
