"""Every domain event's partition key, audience and wire form (the original client's names
and keys, contract 6.4). ``tests/api/test_event_frames.py`` pins one frame of each."""

from __future__ import annotations

from typing import Any, Union

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access import audience
from owlistic.attachment.events import AttachmentCreated, AttachmentDeleted, AttachmentEvent
from owlistic.block.events import (
    BlockChanged,
    BlockCreated,
    BlockDeleted,
    BlockEvent,
    BlockUpdated,
)
from owlistic.events.domain import Wire, register
from owlistic.note.events import (
    NoteAccessChanged,
    NoteCreated,
    NoteEvent,
    NoteFavourited,
    NoteMoved,
    NoteOrganised,
    NotePurged,
    NoteRestored,
    NoteTrashed,
    NoteUnfavourited,
    NoteUpdated,
)
from owlistic.notebook.events import (
    NotebookAccessChanged,
    NotebookCreated,
    NotebookEvent,
    NotebookPurged,
    NotebookRestored,
    NotebookTrashed,
    NotebookUpdated,
)
from owlistic.realtime import payloads as p
from owlistic.task.events import (
    TaskChanged,
    TaskCreated,
    TaskDeleted,
    TaskEvent,
    TaskReminderFired,
    TaskUpdated,
)
from owlistic.trash.events import TrashEmptied
from owlistic.user.events import UserCreated, UserDeleted, UserEvent, UserUpdated

WIRE_NAMES: dict[type, str] = {
    BlockCreated: "block.created",
    BlockUpdated: "block.updated",
    BlockDeleted: "block.deleted",
    TaskCreated: "task.created",
    TaskUpdated: "task.updated",
    TaskDeleted: "task.deleted",
    TaskReminderFired: "task.reminder",
    NoteCreated: "note.created",
    NoteUpdated: "note.updated",
    NoteTrashed: "note.deleted",
    NoteRestored: "note.restored",
    NotePurged: "note.permanent_deleted",
    NoteFavourited: "note.favourited",
    NoteUnfavourited: "note.unfavourited",
    NotebookCreated: "notebook.created",
    NotebookUpdated: "notebook.updated",
    NotebookTrashed: "notebook.deleted",
    NotebookRestored: "notebook.restored",
    NotebookPurged: "notebook.permanent_deleted",
    UserCreated: "user.created",
    UserUpdated: "user.updated",
    UserDeleted: "user.deleted",
    TrashEmptied: "trash.emptied",
    AttachmentCreated: "attachment.created",
    AttachmentDeleted: "attachment.deleted",
}


def wire_name(event: object) -> str:
    """A subclass (``NoteMoved``) goes out under its base's name (``note.updated``)."""
    for cls in type(event).__mro__:
        if cls in WIRE_NAMES:
            return WIRE_NAMES[cls]
    raise LookupError(type(event).__name__)


def _wire(event: object, entity: str, resource_id: object, data: BaseModel) -> Wire:
    return Wire(
        event=wire_name(event),
        entity=entity,
        resource_type=entity,
        resource_id=str(resource_id),
        data=data.model_dump(),
    )


def render_block(e: BlockEvent) -> Wire:
    ids = {"block_id": str(e.block_id), "note_id": str(e.note_id), "user_id": str(e.user_id)}
    if isinstance(e, BlockChanged):
        data: BaseModel = p.BlockData(
            **ids,
            block_type=e.block_type,
            order=e.order,
            content=e.content,
            metadata=e.metadata,
            updated_at=e.updated_at.isoformat(),
        )
    else:
        data = p.BlockDeletedData(**ids)
    return _wire(e, "block", e.block_id, data)


def render_task(e: TaskEvent) -> Wire:
    tid = str(e.task_id)
    ref: dict[str, Any] = {
        "task_id": tid,
        "user_id": str(e.user_id),
        "note_id": str(e.note_id) if e.note_id else None,
        "block_id": str(e.block_id) if e.block_id else None,
    }
    if isinstance(e, TaskChanged):
        state: dict[str, Any] = {
            **ref,
            "title": e.title,
            "is_completed": e.is_completed,
            "due_date": e.due_date,
            "due_at": e.due_at.isoformat() if e.due_at else None,
            "due_all_day": e.due_all_day,
            "time_zone": e.time_zone,
            "remind_at": e.remind_at.isoformat() if e.remind_at else None,
            "remind_before_minutes": e.remind_before_minutes,
            "recurrence": e.recurrence,
        }
        data: BaseModel
        if isinstance(e, TaskReminderFired):
            data = p.TaskReminderData(
                **state,
                reminder_id=str(e.reminder_id),
                fire_at=e.fire_at.isoformat(),
                late=e.late,
                kind=e.kind,
            )
        else:
            data = p.TaskData(**state)
    else:
        data = p.TaskDeletedData(**ref, data=p.TaskIds(task_id=tid, id=tid))
    return _wire(e, "task", tid, data)


def render_note(e: NoteEvent) -> Wire:
    note = {"note_id": str(e.note_id), "notebook_id": str(e.notebook_id), "title": e.title}
    data: BaseModel
    if isinstance(e, NoteCreated):
        data = p.NoteCreatedData(**note, blocks=[str(b) for b in e.block_ids])
    elif isinstance(e, NoteMoved):
        data = p.NoteMovedData(**note, old_notebook_id=str(e.old_notebook_id))
    elif isinstance(e, NoteAccessChanged):
        data = p.NoteSharedData(**note, shared_with=str(e.shared_with))
    elif isinstance(e, NoteOrganised):
        data = p.NoteOrganisedData(**note, tags=list(e.tags), pinned=e.pinned)
    elif isinstance(e, NoteFavourited | NoteUnfavourited):
        data = p.NoteFavouriteData(**note, user_id=str(e.user_id))
    else:
        data = p.NoteData(**note)
    return _wire(e, "note", e.note_id, data)


def render_notebook(e: NotebookEvent) -> Wire:
    notebook = {
        "notebook_id": str(e.notebook_id),
        "name": e.name,
        "description": e.description,
    }
    data: BaseModel
    if isinstance(e, NotebookAccessChanged):
        data = p.NotebookSharedData(**notebook, shared_with=str(e.shared_with))
    else:
        data = p.NotebookData(**notebook)
    return _wire(e, "notebook", e.notebook_id, data)


def render_user(e: UserEvent) -> Wire:
    uid = str(e.user_id)
    data: BaseModel
    if isinstance(e, UserCreated):
        data = p.UserCreatedData(user_id=uid, email=e.email, created_at=e.created_at.isoformat())
    elif isinstance(e, UserUpdated):
        data = p.UserUpdatedData(user_id=uid, email=e.email, updated_at=e.updated_at.isoformat())
    elif isinstance(e, UserDeleted):
        data = p.UserDeletedData(user_id=uid, deleted_at=e.deleted_at.isoformat())
    else:
        raise LookupError(type(e).__name__)
    return _wire(e, "user", e.user_id, data)


def render_attachment(e: AttachmentEvent) -> Wire:
    data = p.AttachmentData(
        attachment_id=str(e.attachment_id),
        note_id=str(e.note_id),
        user_id=str(e.user_id),
        name=e.name,
        media_type=e.media_type,
        size=e.size,
        width=e.width,
        height=e.height,
    )
    return _wire(e, "attachment", e.attachment_id, data)


async def _attachment_audience(session: AsyncSession, e: AttachmentEvent) -> set[str]:
    return await audience.of_note_id(session, e.note_id)


def render_trash(e: TrashEmptied) -> Wire:
    return _wire(e, "trash", e.user_id, p.TrashEmptiedData(user_id=str(e.user_id)))


# What each event's payload looks like, published in /openapi.json (``event_schemas``).
PAYLOADS: dict[str, tuple[type[BaseModel], ...]] = {
    "block.created": (p.BlockData,),
    "block.updated": (p.BlockData,),
    "block.deleted": (p.BlockDeletedData,),
    "task.created": (p.TaskData,),
    "task.updated": (p.TaskData,),
    "task.deleted": (p.TaskDeletedData,),
    "task.reminder": (p.TaskReminderData,),
    "note.created": (p.NoteCreatedData,),
    "note.updated": (p.NoteData, p.NoteMovedData, p.NoteSharedData, p.NoteOrganisedData),
    "note.deleted": (p.NoteData,),
    "note.restored": (p.NoteData,),
    "note.permanent_deleted": (p.NoteData,),
    "note.favourited": (p.NoteFavouriteData,),
    "note.unfavourited": (p.NoteFavouriteData,),
    "notebook.created": (p.NotebookData,),
    "notebook.updated": (p.NotebookData, p.NotebookSharedData),
    "notebook.deleted": (p.NotebookData,),
    "notebook.restored": (p.NotebookData,),
    "notebook.permanent_deleted": (p.NotebookData,),
    "user.created": (p.UserCreatedData,),
    "user.updated": (p.UserUpdatedData,),
    "user.deleted": (p.UserDeletedData,),
    "trash.emptied": (p.TrashEmptiedData,),
    "attachment.created": (p.AttachmentData,),
    "attachment.deleted": (p.AttachmentData,),
}


def _variant(data: type[BaseModel], entity: str, *, first: bool) -> str:
    """ "" for an event's main payload; "Moved" for ``NoteMovedData`` among note.updated's."""
    return "" if first else data.__name__.removesuffix("Data").removeprefix(entity)


def _schema_name(wire: str) -> str:
    return "".join(part.capitalize() for part in wire.replace("_", ".").split(".")) + "Event"


def envelope_models() -> dict[str, type[BaseModel]]:
    """The WebSocket message of every event, as a model (named ``NoteUpdatedEvent``, …)."""
    models: dict[str, type[BaseModel]] = {}
    for wire, variants in PAYLOADS.items():
        name = _schema_name(wire)
        base, entity = name.removesuffix("Event"), wire.split(".")[0].capitalize()
        payloads = [
            p.payload_model(f"{base}{_variant(v, entity, first=i == 0)}Payload", wire, v)
            for i, v in enumerate(variants)
        ]
        payload: Any = payloads[0] if len(payloads) == 1 else Union[tuple(payloads)]  # noqa: UP007
        models[wire] = p.envelope_model(name, wire, payload)
    return models


def event_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of every event's WebSocket message, keyed by name (``NoteUpdatedEvent``,
    …), plus ``ServerEvent``: any one of them. Referenced schemas point into
    ``#/components/schemas`` like the rest of the OpenAPI document."""
    envelopes = list(envelope_models().values())  # in PAYLOADS' order
    _, schema = models_json_schema(
        [(m, "serialization") for m in envelopes], ref_template="#/components/schemas/{model}"
    )
    defs: dict[str, dict[str, Any]] = schema["$defs"]
    refs = {wire: f"#/components/schemas/{_schema_name(wire)}" for wire in PAYLOADS}
    defs["ServerEvent"] = {
        "oneOf": [{"$ref": ref} for ref in refs.values()],
        "discriminator": {"propertyName": "event", "mapping": refs},
    }
    return defs


async def _block_audience(session: AsyncSession, e: BlockEvent) -> set[str]:
    return await audience.of_note_id(session, e.note_id)


async def _task_audience(session: AsyncSession, e: TaskEvent) -> set[str]:
    if e.note_id is None:
        return audience.of_user(e.user_id)
    return await audience.of_note_id(session, e.note_id)


async def _reminder_audience(_session: AsyncSession, e: TaskReminderFired) -> set[str]:
    return {str(e.remind_user_id)}


async def _note_audience(session: AsyncSession, e: NoteEvent) -> set[str]:
    readers = await audience.of_note(session, e.note_id, owner=e.user_id, notebook_id=e.notebook_id)
    if isinstance(e, NoteMoved):  # readers of the notebook it left hear of it too
        readers |= await audience.of_notebook_id(session, e.old_notebook_id)
    elif isinstance(e, NoteAccessChanged):
        readers.add(str(e.shared_with))
    return readers


async def _notebook_audience(session: AsyncSession, e: NotebookEvent) -> set[str]:
    readers = await audience.of_notebook(session, e.notebook_id, owner=e.user_id)
    if isinstance(e, NotebookAccessChanged):
        readers.add(str(e.shared_with))
    return readers


async def _own_audience(
    _session: AsyncSession, e: UserEvent | TrashEmptied | NoteFavourited | NoteUnfavourited
) -> set[str]:
    return audience.of_user(e.user_id)


def install() -> None:
    """Registers every event type (idempotent); done by ``create_app`` and the CLI."""
    for block_type in (BlockCreated, BlockUpdated, BlockDeleted):
        register(
            block_type, key=lambda e: str(e.note_id), audience=_block_audience, render=render_block
        )
    for task_type in (TaskCreated, TaskUpdated, TaskDeleted):
        register(
            task_type,
            key=lambda e: str(e.note_id or e.user_id),
            audience=_task_audience,
            render=render_task,
        )
    register(
        TaskReminderFired,
        key=lambda e: str(e.note_id or e.user_id),
        audience=_reminder_audience,
        render=render_task,
    )
    for note_type in (NoteCreated, NoteUpdated, NoteTrashed, NoteRestored, NotePurged):
        register(
            note_type, key=lambda e: str(e.note_id), audience=_note_audience, render=render_note
        )
    for nb_type in (
        NotebookCreated,
        NotebookUpdated,
        NotebookTrashed,
        NotebookRestored,
        NotebookPurged,
    ):
        register(
            nb_type,
            key=lambda e: str(e.notebook_id),
            audience=_notebook_audience,
            render=render_notebook,
        )
    for user_type in (UserCreated, UserUpdated, UserDeleted):
        register(
            user_type, key=lambda e: str(e.user_id), audience=_own_audience, render=render_user
        )
    register(
        TrashEmptied, key=lambda e: str(e.user_id), audience=_own_audience, render=render_trash
    )
    # A favourite is private to the user who starred the note.
    register(
        NoteFavourited, key=lambda e: str(e.note_id), audience=_own_audience, render=render_note
    )
    register(
        NoteUnfavourited, key=lambda e: str(e.note_id), audience=_own_audience, render=render_note
    )
    for attachment_type in (AttachmentCreated, AttachmentDeleted):
        register(
            attachment_type,
            key=lambda e: str(e.note_id),
            audience=_attachment_audience,
            render=render_attachment,
        )
