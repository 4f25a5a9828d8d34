"""What happens to attachments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Self

from owlistic.events.domain import DomainEvent
from owlistic.models import Attachment, Blob


@dataclass(frozen=True, kw_only=True)
class AttachmentEvent(DomainEvent):
    attachment_id: uuid.UUID
    note_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    media_type: str
    size: int
    width: int | None
    height: int | None

    @classmethod
    def of(cls, attachment: Attachment, blob: Blob) -> Self:
        return cls(
            attachment_id=attachment.id,
            note_id=attachment.note_id,
            user_id=attachment.user_id,
            name=attachment.name,
            media_type=blob.media_type,
            size=blob.size,
            width=blob.width,
            height=blob.height,
        )


@dataclass(frozen=True, kw_only=True)
class AttachmentCreated(AttachmentEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class AttachmentDeleted(AttachmentEvent):
    pass
