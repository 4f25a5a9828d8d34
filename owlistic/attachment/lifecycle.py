"""The blob store and its sweeper, started and stopped with the server."""

from __future__ import annotations

import asyncio
import contextlib

from owlistic.attachment.storage import BlobStore, open_store
from owlistic.attachment.sweeper import run_sweeper
from owlistic.runtime import Runtime

STORE = "blob_store"
SWEEPER = "blob_sweeper"


def blob_store(runtime: Runtime) -> BlobStore:
    store: BlobStore = runtime.components[STORE]
    return store


async def start_attachments(runtime: Runtime) -> None:
    settings = runtime.settings
    store = open_store(
        settings.effective_storage_url,
        data_dir=settings.data_dir,
        part_bytes=settings.s3_part_bytes,
    )
    await store.start()
    runtime.components[STORE] = store
    runtime.components[SWEEPER] = asyncio.create_task(
        run_sweeper(runtime.db, store, settings.blob_sweep_seconds, settings.blob_grace_seconds),
        name="blob-sweeper",
    )


async def stop_attachments(runtime: Runtime) -> None:
    task: asyncio.Task[None] | None = runtime.components.pop(SWEEPER, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    store: BlobStore | None = runtime.components.pop(STORE, None)
    if store is not None:
        await store.close()
