"""Attachments follow their note: the note's access rules, trash and purge."""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.access.service import check_note, note_for
from owlistic.attachment import repository
from owlistic.attachment.events import AttachmentCreated, AttachmentDeleted
from owlistic.attachment.keys import blob_key, preview_key
from owlistic.attachment.storage import BlobStore
from owlistic.events.outbox import emit
from owlistic.kit.errors import NotFound, PayloadTooLarge
from owlistic.kit.time import utcnow
from owlistic.models import Attachment, Blob, Note


class AttachmentService:
    async def writable_note(
        self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID
    ) -> Note:
        note, _ = await note_for(session, user_id, note_id, Rank.EDITOR, verb="add files to")
        return note

    async def check_quota(
        self, session: AsyncSession, user_id: uuid.UUID, size: int, quota: int
    ) -> None:
        used = await repository.bytes_used(session, user_id)
        if used + size > quota:
            raise PayloadTooLarge(
                f"storage quota reached: {used} of {quota} bytes used, this file needs {size}",
                quota=quota,
                used=used,
            )

    async def get(
        self, session: AsyncSession, user_id: uuid.UUID, attachment_id: uuid.UUID, minimum: Rank
    ) -> tuple[Attachment, Blob, Note]:
        """An attachment of a live note the caller holds ``minimum`` on; a trashed note's
        attachments are in the trash with it and not found."""
        found = await repository.with_note(session, attachment_id)
        if found is None or found[2].deleted_at is not None:
            raise NotFound("Attachment not found")
        attachment, blob, note, notebook_owner = found
        await check_note(session, user_id, note, notebook_owner, minimum, verb="change files of")
        return attachment, blob, note

    async def list(
        self, session: AsyncSession, user_id: uuid.UUID, note_id: uuid.UUID
    ) -> list[tuple[Attachment, Blob]]:
        note, _ = await note_for(session, user_id, note_id, Rank.VIEWER)
        return await repository.of_note(session, note.id)

    async def create(
        self,
        session: AsyncSession,
        store: BlobStore,
        user_id: uuid.UUID,
        *,
        note_id: uuid.UUID,
        name: str,
        blob: Blob,
        content: Path,
        preview: Path | None,
        quota: int,
    ) -> tuple[Attachment, Blob]:
        """Records an upload whose content was already put in ``store`` (or found there).

        The quota is checked under the user's lock (``hold_quota``), so concurrent uploads
        cannot both pass it. The blob row is upserted next: it stays locked until commit, so
        once it is held the sweeper cannot remove the content; if the sweeper removed it just
        before, it is put again from the staged copy, which the caller keeps until this returns.
        """
        note = await self.writable_note(session, user_id, note_id)
        await repository.hold_quota(session, user_id)
        await self.check_quota(session, user_id, blob.size, quota)
        blob.last_used_at = utcnow()
        await repository.upsert_blob(session, blob)
        await ensure_stored(store, blob.sha256, content, preview)
        attachment = Attachment(
            id=uuid.uuid4(), user_id=user_id, note_id=note.id, sha256=blob.sha256, name=name
        )
        session.add(attachment)
        await session.flush()
        stored = await session.get(Blob, blob.sha256)
        assert stored is not None
        await emit(session, AttachmentCreated.of(attachment, stored))
        return attachment, stored

    async def delete(
        self, session: AsyncSession, user_id: uuid.UUID, attachment_id: uuid.UUID
    ) -> None:
        """Removes the attachment; its content goes when the sweeper finds it unreferenced."""
        attachment, blob, _ = await self.get(session, user_id, attachment_id, Rank.EDITOR)
        await emit(session, AttachmentDeleted.of(attachment, blob))
        await session.delete(attachment)
        await session.flush()


async def ensure_stored(store: BlobStore, sha256: str, content: Path, preview: Path | None) -> None:
    """Puts content (and its preview) that the store lacks, from the staged files; the two at
    once (on S3 each is a round trip or two, and a paste waits for them)."""

    async def one(key: str, path: Path | None) -> None:
        if path is not None and not await store.exists(key):
            await store.put(key, path)

    async with anyio.create_task_group() as tg:
        tg.start_soon(one, blob_key(sha256), content)
        tg.start_soon(one, preview_key(sha256), preview)


attachment = AttachmentService()
