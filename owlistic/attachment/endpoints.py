from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.roles import Rank
from owlistic.attachment import media
from owlistic.attachment.keys import blob_key, preview_key
from owlistic.attachment.lifecycle import AttachmentsDep
from owlistic.attachment.schemas import AttachmentOut
from owlistic.attachment.service import attachment as attachment_service
from owlistic.attachment.service import ensure_stored
from owlistic.attachment.storage import BlobStore
from owlistic.attachment.upload import receive_upload
from owlistic.auth.dependencies import CurrentUser, authenticate, bearer_token
from owlistic.kit.errors import InvalidContent, NotFound
from owlistic.kit.ranges import byte_range
from owlistic.kit.responses import errors
from owlistic.kit.uow import ReadSession, RequestSession, WriteSession
from owlistic.models import Blob, User
from owlistic.runtime import RuntimeDep

router = APIRouter(prefix="/attachments", tags=["attachments"])

# Content never changes under an id (it is addressed by its hash): cache it for good, but
# only in the caller's browser, since it needs their token.
IMMUTABLE = "private, max-age=31536000, immutable"
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "note_id"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "note_id": {"type": "string", "format": "uuid"},
                    },
                }
            }
        },
    }
}
_CONTENT: dict[int | str, dict[str, Any]] = {
    # The stored bytes under their sniffed media type (any type; previews are image/webp).
    200: {"content": {"*/*": {}}, "description": "The content"},
    206: {"description": "The requested byte range"},
    304: {"description": "Not modified (the ETag matches)"},
}


async def get_reader(
    request: Request, session: RequestSession, runtime: RuntimeDep, token: str | None = None
) -> User:
    """Like ``CurrentUser``, but also accepts ``?token=`` (as the WebSocket does), so that an
    ``<img src>`` can load a picture without script."""
    return await authenticate(session, runtime, token or bearer_token(request))


Reader = Annotated[User, Depends(get_reader)]


def _note_id(value: str | None) -> uuid.UUID:
    if not value:
        raise InvalidContent("note_id: field required")
    try:
        return uuid.UUID(value)
    except ValueError as err:
        raise InvalidContent("note_id: not a valid UUID") from err


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentOut,
    responses=errors(400, 401, 403, 404, 413, 422),
    openapi_extra=_UPLOAD_BODY,
)
async def upload_attachment(
    request: Request, runtime: RuntimeDep, attachments: AttachmentsDep
) -> AttachmentOut:
    """Stores a file (multipart field ``file``) in a note (field ``note_id``). The media type
    comes from the bytes; images get their size, a preview and their GPS data removed."""
    settings = runtime.settings
    store = attachments.store
    # Read-only sessions while the body streams in: SQLite's write lock is taken only at
    # the end, for the few statements that record the upload.
    async with runtime.db.session(readonly=True) as session:
        user_id = (await authenticate(session, runtime, bearer_token(request))).id

    async def check_field(name: str, value: str) -> None:
        if name == "note_id":
            async with runtime.db.session(readonly=True) as session:
                await attachment_service.writable_note(session, user_id, _note_id(value))

    preview: Path | None = None
    staged = None
    try:
        fields, staged = await receive_upload(
            request,
            store.staging_dir,
            max_bytes=settings.attachment_max_bytes,
            on_field=check_field,
        )
        note_id = _note_id(fields.get("note_id"))
        preview = staged.path.with_suffix(".preview")
        inspected = await anyio.to_thread.run_sync(
            lambda: media.inspect(
                staged.path,
                staged.declared_type,
                max_pixels=settings.attachment_max_image_pixels,
                preview_px=settings.attachment_preview_pixels,
                preview=preview,
            )
        )
        sha256, size = staged.sha256, staged.size
        if inspected.rewritten:
            sha256, size = await anyio.to_thread.run_sync(media.digest, staged.path)
        blob = Blob(
            sha256=sha256,
            size=size,
            media_type=inspected.media_type,
            width=inspected.width,
            height=inspected.height,
            preview_size=inspected.preview_size,
        )
        preview_file = preview if inspected.preview_size is not None else None
        async with runtime.db.session(readonly=True) as session:
            await attachment_service.check_quota(
                session, user_id, size, settings.attachment_quota_bytes
            )
        await ensure_stored(store, sha256, staged.path, preview_file)
        async with runtime.db.session() as session:
            attachment, stored = await attachment_service.create(
                session,
                store,
                user_id,
                note_id=note_id,
                name=media.converted_name(staged.name) if inspected.converted else staged.name,
                blob=blob,
                content=staged.path,
                preview=preview_file,
                quota=settings.attachment_quota_bytes,
            )
        return AttachmentOut.of(attachment, stored)
    finally:
        for path in (staged.path if staged else None, preview):
            if path is not None:
                path.unlink(missing_ok=True)


@router.get("", response_model=list[AttachmentOut], responses=errors(401, 404, 422))
async def list_attachments(
    user: CurrentUser, session: ReadSession, note_id: uuid.UUID = Query()
) -> list[AttachmentOut]:
    """A note's attachments, oldest first."""
    rows = await attachment_service.list(session, user.id, note_id)
    return [AttachmentOut.of(a, b) for a, b in rows]


def _disposition(kind: str, name: str) -> str:
    fallback = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


async def _stream(store: BlobStore, key: str, start: int, end: int) -> AsyncIterator[bytes]:
    async for chunk in store.read(key, start, end):
        yield chunk


def _content_response(
    request: Request,
    store: BlobStore,
    key: str,
    *,
    etag: str,
    size: int,
    media_type: str,
    disposition: str,
) -> Response:
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE,
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
        "Content-Disposition": disposition,
        # Nothing served from here may run script or load anything, even if opened directly.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    if media_type == "application/pdf":
        headers.pop("Content-Security-Policy")  # the browser's PDF viewer needs to run
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    if_range = request.headers.get("if-range")
    wanted = (
        None if if_range and if_range != etag else byte_range(request.headers.get("range"), size)
    )
    if wanted is None:
        start, end, code = 0, size, status.HTTP_200_OK
    else:
        start, end = wanted
        code = status.HTTP_206_PARTIAL_CONTENT
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=code, headers=headers, media_type=media_type)
    return StreamingResponse(
        _stream(store, key, start, end), status_code=code, headers=headers, media_type=media_type
    )


async def _readable(
    session: AsyncSession, user: User, attachment_id: uuid.UUID
) -> tuple[str, Blob]:
    attachment, blob, _ = await attachment_service.get(session, user.id, attachment_id, Rank.VIEWER)
    return attachment.name, blob


@router.get(
    "/{attachment_id}", response_class=Response, responses={**_CONTENT, **errors(401, 404, 422)}
)
@router.head("/{attachment_id}", include_in_schema=False)
async def download_attachment(
    attachment_id: uuid.UUID,
    request: Request,
    user: Reader,
    session: ReadSession,
    attachments: AttachmentsDep,
) -> Response:
    """The file. Pictures and PDFs are shown inline, everything else (SVG too) downloads.
    Supports ``Range`` (206, 416), ``If-None-Match`` (304) and ``?token=``."""
    name, blob = await _readable(session, user, attachment_id)
    inline = blob.media_type in media.INLINE_TYPES
    return _content_response(
        request,
        attachments.store,
        blob_key(blob.sha256),
        etag=f'"{blob.sha256}"',
        size=blob.size,
        media_type=blob.media_type,
        disposition=_disposition("inline" if inline else "attachment", name),
    )


@router.get(
    "/{attachment_id}/preview",
    response_class=Response,
    responses={**_CONTENT, **errors(401, 404, 422)},
)
async def preview_attachment(
    attachment_id: uuid.UUID,
    request: Request,
    user: Reader,
    session: ReadSession,
    attachments: AttachmentsDep,
) -> Response:
    """A picture's preview (WebP, at most ``attachment_preview_pixels`` on its longest side)."""
    name, blob = await _readable(session, user, attachment_id)
    if blob.preview_size is None:
        raise NotFound("this attachment has no preview")
    return _content_response(
        request,
        attachments.store,
        preview_key(blob.sha256),
        etag=f'"{blob.sha256}-preview"',
        size=blob.preview_size,
        media_type="image/webp",
        disposition=_disposition("inline", f"{Path(name).stem}.webp"),
    )


@router.delete(
    "/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 422),
)
async def delete_attachment(
    attachment_id: uuid.UUID, user: CurrentUser, session: WriteSession
) -> Response:
    await attachment_service.delete(session, user.id, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
