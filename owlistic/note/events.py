"""What happens to notes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Self

from owlistic.events.domain import DomainEvent
from owlistic.models import Note


@dataclass(frozen=True, kw_only=True)
class NoteEvent(DomainEvent):
    """The note's state after the change; ``user_id`` is its owner."""

    note_id: uuid.UUID
    notebook_id: uuid.UUID
    user_id: uuid.UUID
    title: str

    @classmethod
    def of(cls, note: Note) -> Self:
        return cls(
            note_id=note.id, notebook_id=note.notebook_id, user_id=note.user_id, title=note.title
        )


@dataclass(frozen=True, kw_only=True)
class NoteCreated(NoteEvent):
    block_ids: tuple[uuid.UUID, ...]

    @classmethod
    def with_blocks(cls, note: Note, block_ids: tuple[uuid.UUID, ...]) -> Self:
        return cls(
            note_id=note.id,
            notebook_id=note.notebook_id,
            user_id=note.user_id,
            title=note.title,
            block_ids=block_ids,
        )


@dataclass(frozen=True, kw_only=True)
class NoteUpdated(NoteEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NoteOrganised(NoteUpdated):
    """Tags or the pin changed (or a tag was renamed): the wire event carries both."""

    tags: tuple[str, ...]
    pinned: bool

    @classmethod
    def of(cls, note: Note) -> Self:
        return cls(
            note_id=note.id,
            notebook_id=note.notebook_id,
            user_id=note.user_id,
            title=note.title,
            tags=tuple(note.tags or ()),
            pinned=note.pinned,
        )


@dataclass(frozen=True, kw_only=True)
class NoteFavourited(NoteEvent):
    """Starred by ``user_id`` (the starring user, not the owner); only they hear of it."""


@dataclass(frozen=True, kw_only=True)
class NoteUnfavourited(NoteEvent):
    """Unstarred by ``user_id``."""


@dataclass(frozen=True, kw_only=True)
class NoteMoved(NoteUpdated):
    """Moved to ``notebook_id``: readers of either notebook hear of it."""

    old_notebook_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class NoteAccessChanged(NoteUpdated):
    """A role on the note was granted, changed or removed for ``shared_with``."""

    shared_with: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class NoteTrashed(NoteEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NoteRestored(NoteEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class NotePurged(NoteEvent):
    """Deleted for good (emitted before its rows go, so its audience can be resolved)."""
