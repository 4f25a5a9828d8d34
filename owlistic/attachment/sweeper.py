"""Deletes stored content that no attachment references, after a grace period.

Two passes. Blob rows no attachment references and unused for the grace period are deleted
row first, content second, in one transaction: an upload of the same content upserts that
row and so waits for the sweeper or makes it skip (``repository.upsert_blob``). Stored objects
with no blob row at all (an upload whose transaction never committed) are claimed by inserting
their row, then deleted the same way. Nothing an attachment references is ever deleted.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import anyio.to_thread

from owlistic.attachment import repository
from owlistic.attachment.keys import BLOBS, PREVIEWS, blob_key, preview_key, sha_of
from owlistic.attachment.storage import BlobStore
from owlistic.kit.db import Database
from owlistic.kit.time import utcnow

BATCH = 500


async def _delete_content(store: BlobStore, sha256: str) -> None:
    await store.delete(blob_key(sha256))
    await store.delete(preview_key(sha256))


async def sweep(db: Database, store: BlobStore, grace_seconds: float) -> int:
    """One pass; returns how many blobs were deleted."""
    before = utcnow() - timedelta(seconds=grace_seconds)
    deleted = 0
    async with db.session(readonly=True) as session:
        candidates = await repository.unused_blobs(session, before, BATCH)
    for sha256 in candidates:
        async with db.session() as session:
            if await repository.claim_unused_blob(session, sha256, before):
                await _delete_content(store, sha256)
                deleted += 1
    stale: set[str] = set()
    for prefix in (BLOBS, PREVIEWS):
        async for item in store.list(prefix):
            digest = sha_of(item.key)
            if digest is not None and item.modified.astimezone(UTC) < before:
                stale.add(digest)
    async with db.session(readonly=True) as session:
        orphans = stale - await repository.known_blobs(session, sorted(stale))
    for sha256 in sorted(orphans):
        async with db.session() as session:
            if await repository.claim_orphan(session, sha256, before):
                await _delete_content(store, sha256)
                await repository.drop_blob(session, sha256)
                deleted += 1
    await anyio.to_thread.run_sync(_clean_staging, store, before)
    return deleted


def _clean_staging(store: BlobStore, before: datetime) -> None:
    """Staged files left by a process that died mid-upload."""
    cutoff = before.timestamp()
    for path in store.staging_dir.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
