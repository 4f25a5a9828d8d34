from owlistic.models.attachment import Attachment, Blob
from owlistic.models.base import Base
from owlistic.models.block import Block
from owlistic.models.favourite import Favourite
from owlistic.models.note import Note
from owlistic.models.note_document import DocumentUpdate, NoteDocument
from owlistic.models.notebook import Notebook
from owlistic.models.outbox_event import OutboxEvent
from owlistic.models.rate_limit import RateLimitCounter
from owlistic.models.revoked_family import RevokedFamily
from owlistic.models.revoked_token import RevokedToken
from owlistic.models.role import Role
from owlistic.models.search_doc import SearchDoc
from owlistic.models.task import Task
from owlistic.models.user import User

__all__ = [
    "Attachment",
    "Base",
    "Blob",
    "Block",
    "DocumentUpdate",
    "Favourite",
    "Note",
    "NoteDocument",
    "Notebook",
    "OutboxEvent",
    "RateLimitCounter",
    "RevokedFamily",
    "RevokedToken",
    "Role",
    "SearchDoc",
    "Task",
    "User",
]
