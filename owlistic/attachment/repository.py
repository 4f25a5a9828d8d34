"""Every query of attachments and blobs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import Attachment, Blob, Note, Notebook, User


async def with_note(
    session: AsyncSession, attachment_id: uuid.UUID
) -> tuple[Attachment, Blob, Note, uuid.UUID] | None:
    """The attachment, its blob, its note and the note's notebook owner (for access)."""
    row = (
        await session.execute(
            select(Attachment, Blob, Note, Notebook.user_id)
            .join(Blob, Blob.sha256 == Attachment.sha256)
            .join(Note, Note.id == Attachment.note_id)
            .join(Notebook, Notebook.id == Note.notebook_id)
            .where(Attachment.id == attachment_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def of_note(session: AsyncSession, note_id: uuid.UUID) -> list[tuple[Attachment, Blob]]:
    rows = await session.execute(
        select(Attachment, Blob)
        .join(Blob, Blob.sha256 == Attachment.sha256)
        .where(Attachment.note_id == note_id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [(a, b) for a, b in rows]


async def hold_quota(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialises this user's uploads until commit, so the quota read next and the upload
    recorded after it are one step. PostgreSQL: the user's row lock (``FOR NO KEY UPDATE``
    leaves rows that refer to the user insertable); SQLite's writers are serial anyway."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


async def bytes_used(session: AsyncSession, user_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(Blob.size), 0))
        .select_from(Attachment)
        .join(Blob, Blob.sha256 == Attachment.sha256)
        .where(Attachment.user_id == user_id)
    )
    return int(total or 0)


async def blob_exists(session: AsyncSession, sha256: str) -> bool:
    return (await session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256))) is not None


async def upsert_blob(session: AsyncSession, blob: Blob) -> None:
    """Inserts the blob row or marks an existing one used now. Either way the row stays locked
    until commit, so a sweeper cannot delete this content underneath the upload."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {
        "sha256": blob.sha256,
        "size": blob.size,
        "media_type": blob.media_type,
        "width": blob.width,
        "height": blob.height,
        "preview_size": blob.preview_size,
        "last_used_at": blob.last_used_at,
    }
    statement = insert(Blob).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Blob.sha256], set_={"last_used_at": statement.excluded.last_used_at}
        )
    )


async def unused_blobs(session: AsyncSession, before: datetime, limit: int) -> list[str]:
    rows = await session.scalars(
        select(Blob.sha256)
        .where(Blob.last_used_at < before, ~exists().where(Attachment.sha256 == Blob.sha256))
        .limit(limit)
    )
    return list(rows)


async def claim_unused_blob(session: AsyncSession, sha256: str, before: datetime) -> bool:
    """Deletes the blob row if it is still unreferenced and unused; True if this call did.
    The row lock serialises this with an upload of the same content (see ``upsert_blob``)."""
    result = await session.execute(
        delete(Blob).where(
            Blob.sha256 == sha256,
            Blob.last_used_at < before,
            ~exists().where(Attachment.sha256 == sha256),
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def claim_orphan(session: AsyncSession, sha256: str, before: datetime) -> bool:
    """Takes the row for stored content that has no blob row (an upload that never committed):
    True if this call inserted it, so no upload of that content is under way."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(Blob)
        .values(
            sha256=sha256,
            size=0,
            media_type="application/octet-stream",
            last_used_at=before,
        )
        .on_conflict_do_nothing(index_elements=[Blob.sha256])
    )
    return bool(getattr(result, "rowcount", 0))


async def drop_blob(session: AsyncSession, sha256: str) -> None:
    await session.execute(delete(Blob).where(Blob.sha256 == sha256))


async def known_blobs(session: AsyncSession, shas: list[str]) -> set[str]:
    """Which of ``shas`` have a blob row, asked in slices (bounded statement size)."""
    found: set[str] = set()
    for i in range(0, len(shas), 500):
        part = shas[i : i + 500]
        found.update(await session.scalars(select(Blob.sha256).where(Blob.sha256.in_(part))))
    return found
