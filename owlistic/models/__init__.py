from owlistic.models.attachment import Attachment, Blob
from owlistic.models.base import Base
from owlistic.models.block import Block
from owlistic.models.calendar_feed import CalendarFeed
from owlistic.models.favourite import Favourite
from owlistic.models.note import Note
from owlistic.models.note_document import DocumentUpdate, NoteDocument
from owlistic.models.notebook import Notebook
from owlistic.models.outbox_event import OutboxEvent
from owlistic.models.push_subscription import PushSubscription
from owlistic.models.rate_limit import RateLimitCounter
from owlistic.models.reminder import Reminder
from owlistic.models.revoked_family import RevokedFamily
from owlistic.models.revoked_token import RevokedToken
from owlistic.models.role import Role
from owlistic.models.search_doc import SearchDoc
from owlistic.models.task import Task
from owlistic.models.task_completion import TaskCompletion
from owlistic.models.user import User

__all__ = [
    "Attachment",
    "Base",
    "Blob",
    "Block",
    "CalendarFeed",
    "DocumentUpdate",
    "Favourite",
    "Note",
    "NoteDocument",
    "Notebook",
    "OutboxEvent",
    "PushSubscription",
    "RateLimitCounter",
    "Reminder",
    "RevokedFamily",
    "RevokedToken",
    "Role",
    "SearchDoc",
    "Task",
    "TaskCompletion",
    "User",
]
