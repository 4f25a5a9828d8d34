from __future__ import annotations

import uuid
from datetime import datetime

from owlistic.kit.schemas import Schema
from owlistic.models import Attachment, Blob


class AttachmentOut(Schema):
    id: uuid.UUID
    note_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    media_type: str
    size: int
    width: int | None
    height: int | None
    sha256: str
    has_preview: bool
    created_at: datetime

    @classmethod
    def of(cls, attachment: Attachment, blob: Blob) -> AttachmentOut:
        return cls(
            id=attachment.id,
            note_id=attachment.note_id,
            user_id=attachment.user_id,
            name=attachment.name,
            media_type=blob.media_type,
            size=blob.size,
            width=blob.width,
            height=blob.height,
            sha256=blob.sha256,
            has_preview=blob.preview_size is not None,
            created_at=attachment.created_at,
        )
