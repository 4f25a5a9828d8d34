"""The blob store and its sweeper, opened and closed with the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from owlistic.attachment.storage import BlobStore, open_store
from owlistic.attachment.sweeper import sweep
from owlistic.kit.db import Database
from owlistic.kit.periodic import Periodic
from owlistic.settings import Settings


@dataclass(frozen=True)
class Attachments:
    store: BlobStore
    sweeper: Periodic

    @classmethod
    async def open(cls, settings: Settings, db: Database) -> Attachments:
        store = open_store(
            settings.effective_storage_url,
            data_dir=settings.data_dir,
            part_bytes=settings.s3_part_bytes,
        )
        await store.start()
        sweeper = Periodic(
            "blob-sweeper",
            settings.blob_sweep_seconds,
            lambda: sweep(db, store, settings.blob_grace_seconds),
        )
        sweeper.start()
        return cls(store=store, sweeper=sweeper)

    async def close(self) -> None:
        await self.sweeper.stop()
        await self.store.close()


async def get_attachments(request: Request) -> Attachments:
    attachments: Attachments = request.app.state.attachments
    return attachments


AttachmentsDep = Annotated[Attachments, Depends(get_attachments)]
