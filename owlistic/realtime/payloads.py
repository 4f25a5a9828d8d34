"""The wire payloads of the events, as clients read them (contract 6.4): one model per
shape, used both to render every event (``catalog.py``) and to publish the schemas in
``/openapi.json`` (``components.schemas``, ``*Event``), from which the web app's event
types are generated. Field order is the wire's key order."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, create_model


class BlockDeletedData(BaseModel):
    block_id: str
    note_id: str
    user_id: str


class BlockData(BlockDeletedData):
    block_type: str
    order: float
    content: dict[str, Any]
    metadata: dict[str, Any]
    updated_at: str


class TaskRef(BaseModel):
    task_id: str
    user_id: str
    note_id: str | None
    block_id: str | None


class TaskData(TaskRef):
    title: str
    is_completed: bool
    due_date: str
    due_at: str | None
    due_all_day: bool
    time_zone: str
    remind_at: str | None
    remind_before_minutes: int | None
    recurrence: str | None


class TaskReminderData(TaskData):
    """``task.reminder``: the task's state and which reminder went off."""

    reminder_id: str
    fire_at: str
    late: bool
    kind: str


class TaskIds(BaseModel):
    task_id: str
    id: str


class TaskDeletedData(TaskRef):
    data: TaskIds  # where the original client looks for the id


class NoteData(BaseModel):
    note_id: str
    notebook_id: str
    title: str


class NoteCreatedData(NoteData):
    blocks: list[str]


class NoteMovedData(NoteData):
    old_notebook_id: str


class NoteSharedData(NoteData):
    shared_with: str


class NoteOrganisedData(NoteData):
    """Tags or the pin changed."""

    tags: list[str]
    pinned: bool


class NoteFavouriteData(NoteData):
    """Starred or unstarred by ``user_id`` (sent to that user only)."""

    user_id: str


class NotebookData(BaseModel):
    notebook_id: str
    name: str
    description: str


class NotebookSharedData(NotebookData):
    shared_with: str


class UserCreatedData(BaseModel):
    user_id: str
    email: str
    created_at: str


class UserUpdatedData(BaseModel):
    user_id: str
    email: str
    updated_at: str


class UserDeletedData(BaseModel):
    user_id: str
    deleted_at: str


class TrashEmptiedData(BaseModel):
    user_id: str


class AttachmentData(BaseModel):
    attachment_id: str
    note_id: str
    user_id: str
    name: str
    media_type: str
    size: int
    width: int | None
    height: int | None


def _literal(value: str) -> Any:
    return Literal[value]


def payload_model(name: str, wire_name: str, data: type[BaseModel]) -> type[BaseModel]:
    """The whole payload: the event's data, then the keys the dispatcher adds
    (``events/envelope.py: event_envelope``)."""
    fields: dict[str, Any] = {
        "event_id": (str, ...),
        "timestamp": (str, ...),
        "entity": (str, ...),
        "type": (_literal(wire_name), ...),
    }
    return create_model(name, __base__=data, **fields)


def envelope_model(name: str, wire_name: str, payload: Any) -> type[BaseModel]:
    """The WebSocket message carrying it (contract 7.2)."""
    fields: dict[str, Any] = {
        "id": (str, ...),
        "type": (_literal("event"), ...),
        "event": (_literal(wire_name), ...),
        "timestamp": (str, ...),
        "payload": (payload, ...),
        "resource_id": (str, ...),
        "resource_type": (str, ...),
    }
    return create_model(name, **fields)
