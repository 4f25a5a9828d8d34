"""Blob storage chosen by URL scheme: ``file://`` (a folder) or ``s3://`` (any S3-compatible store).

Both stream in both directions. An upload is first staged as a local file; ``put`` makes it
visible under its key in one step (a rename on ``file://``; a single or completed multipart
upload on S3, which S3 makes visible atomically), so a cut-off upload never shows.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import anyio
import anyio.to_thread

READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class StoredObject:
    key: str
    modified: datetime


class BlobStore(Protocol):
    staging_dir: Path
    """Local folder for uploads in progress (on the same filesystem as a ``file://`` store)."""

    async def put(self, key: str, source: Path) -> None:
        """Stores ``source``'s content under ``key``, replacing it; ``source`` is left as is."""

    async def exists(self, key: str) -> bool: ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``[start, end)`` of the object, in chunks."""
        ...

    async def delete(self, key: str) -> None:
        """Removes the object; nothing happens if it is already gone."""

    def list(self, prefix: str) -> AsyncIterator[StoredObject]: ...

    async def start(self) -> None:
        """Connects (at server start, so the first upload does not pay for it)."""

    async def close(self) -> None: ...


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging_dir = root / ".staging"
        self.staging_dir.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        # Keys are built from hex digests by the service; refuse anything else outright.
        if not key or key.startswith("/") or any(p in ("", ".", "..") for p in key.split("/")):
            raise ValueError(f"invalid blob key {key!r}")
        return self.root / key

    async def put(self, key: str, source: Path) -> None:
        target = self._path(key)

        def commit() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            # A hard link (same filesystem: staging is inside the root), then a rename.
            temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
            os.link(source, temporary)
            os.replace(temporary, target)

        await anyio.to_thread.run_sync(commit)

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(key).is_file)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as f:
            await f.seek(start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                size = READ_CHUNK if remaining is None else min(READ_CHUNK, remaining)
                chunk = await f.read(size)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        base = self._path(prefix.rstrip("/"))

        def walk() -> list[StoredObject]:
            found = []
            for folder, _, files in os.walk(base):
                for name in files:
                    path = Path(folder) / name
                    with contextlib.suppress(FileNotFoundError):
                        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                        found.append(StoredObject(path.relative_to(self.root).as_posix(), modified))
            return found

        for item in await anyio.to_thread.run_sync(walk):
            yield item

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class S3Store:
    """``s3://[KEY:SECRET@]BUCKET[/PREFIX][?endpoint=URL&region=NAME]``; without a key and
    secret the usual AWS credential chain (environment, profile, instance role) applies."""

    def __init__(self, url: str, staging_dir: Path, part_bytes: int) -> None:
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError("an s3:// storage URL needs a bucket: s3://BUCKET[/PREFIX]")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.bucket = parts.hostname
        self.prefix = parts.path.strip("/")
        self._client_options: dict[str, Any] = {
            "endpoint_url": query.get("endpoint"),
            "region_name": query.get("region", "us-east-1"),
        }
        if parts.username:
            self._client_options["aws_access_key_id"] = unquote(parts.username)
            self._client_options["aws_secret_access_key"] = unquote(parts.password or "")
        self.staging_dir = staging_dir
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        self.part_bytes = part_bytes
        self._stack = AsyncExitStack()
        self._client: Any = None

    async def _s3(self) -> Any:
        if self._client is None:
            from aiobotocore.config import AioConfig
            from aiobotocore.session import get_session

            config = AioConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                # Flexible checksums are not implemented by every S3-compatible store.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
            )
            self._client = await self._stack.enter_async_context(
                get_session().create_client("s3", config=config, **self._client_options)
            )
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(self, key: str, source: Path) -> None:
        s3 = await self._s3()
        full = self._key(key)
        size = (await anyio.to_thread.run_sync(source.stat)).st_size
        if size <= self.part_bytes:
            body = await anyio.to_thread.run_sync(source.read_bytes)
            await s3.put_object(Bucket=self.bucket, Key=full, Body=body)
            return
        upload = await s3.create_multipart_upload(Bucket=self.bucket, Key=full)
        upload_id = upload["UploadId"]
        try:
            done = []
            async with await anyio.open_file(source, "rb") as f:
                number = 1
                while chunk := await f.read(self.part_bytes):
                    part = await s3.upload_part(
                        Bucket=self.bucket,
                        Key=full,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                    )
                    done.append({"ETag": part["ETag"], "PartNumber": number})
                    number += 1
            await s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=full,
                UploadId=upload_id,
                MultipartUpload={"Parts": done},
            )
        except BaseException:
            with anyio.CancelScope(shield=True):
                await s3.abort_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload_id)
            raise

    async def exists(self, key: str) -> bool:
        s3 = await self._s3()
        from botocore.exceptions import ClientError

        try:
            await s3.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        options: dict[str, Any] = {}
        if start or end is not None:
            options["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        response = await s3.get_object(Bucket=self.bucket, Key=self._key(key), **options)
        async with response["Body"] as body:
            while chunk := await body.read(READ_CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        s3 = await self._s3()
        strip = len(self._key(""))
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"][strip:], item["LastModified"])

    async def start(self) -> None:
        await self._s3()

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


def open_store(url: str, *, data_dir: Path, part_bytes: int) -> BlobStore:
    scheme = url.split("://", 1)[0].lower()
    if scheme == "file":
        return FileStore(Path(unquote(urlsplit(url).path)))
    if scheme == "s3":
        return S3Store(url, data_dir / "upload-staging", part_bytes)
    raise ValueError(f"unsupported storage URL scheme {scheme!r} (file:// or s3://)")
