"""Streams a multipart upload straight to a staged file, hashing as it goes.

The body is never held in memory: parts are written out in pieces of at most
``FLUSH_BYTES``. A body that ends before its closing boundary, or a client that goes away,
leaves nothing behind (the caller removes the staged file).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import anyio
import anyio.to_thread
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from owlistic.kit.errors import BadRequest, PayloadTooLarge

FLUSH_BYTES = 1024 * 1024
MAX_FIELD_BYTES = 1024
MAX_NAME_CHARS = 200
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def too_large(max_bytes: int) -> str:
    """What a file over the limit is told (also by the body-size middleware, by its header)."""
    return f"the file is larger than the limit of {max_bytes} bytes ({max_bytes / 2**20:.3g} MiB)"


def safe_name(raw: str) -> str:
    """The last path segment, without control or reserved characters: a name, never a path."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        _, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 16 else ""
        name = name[: MAX_NAME_CHARS - len(keep) - 1] + ("." + keep if keep else "")
    return name or "file"


@dataclass
class StagedFile:
    path: Path
    name: str = "file"
    declared_type: str | None = None
    size: int = 0
    sha256: str = ""


@dataclass
class _State:
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    part: str | None = None
    is_file: bool = False
    buffer: bytearray = field(default_factory=bytearray)  # the current field's value
    file_bytes: bytearray = field(default_factory=bytearray)  # file data not yet written
    file_done: bool = False
    ended: bool = False


def _discard(out: BinaryIO | None, path: Path) -> None:
    if out is not None:
        out.close()
    path.unlink(missing_ok=True)


async def receive_upload(
    request: Request,
    staging_dir: Path,
    *,
    max_bytes: int,
    on_field: Callable[[str, str], Awaitable[None]],
) -> tuple[dict[str, str], StagedFile]:
    """Reads the ``file`` part to a staged file and the small fields into a dict.

    ``on_field`` is awaited as each field completes, so access can be refused before the file
    is read when the client sends the field first. The caller owns the staged file once this
    returns; on any error it is already gone.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest("send the file as multipart/form-data (fields: file, note_id)")
    staged = StagedFile(path=staging_dir / f"{uuid.uuid4().hex}.part")
    state = _State()
    sha = hashlib.sha256()
    out: BinaryIO | None = None
    completed: list[str] = []

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        state.headers[bytes(state.header_name).lower()] = bytes(state.header_value)
        state.header_name.clear()
        state.header_value.clear()

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(state.headers.get(b"content-disposition", b""))
        state.part = disposition.get(b"name", b"").decode("utf-8", "replace")
        state.is_file = state.part == "file"
        if state.is_file:
            if state.file_done:
                raise BadRequest("send one file per upload")
            filename = disposition.get(b"filename", b"").decode("utf-8", "replace")
            staged.name = safe_name(filename)
            declared = state.headers.get(b"content-type")
            staged.declared_type = declared.decode("latin-1").strip() if declared else None

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state.is_file:
            state.file_bytes += data[start:end]
            staged.size += end - start
            if staged.size > max_bytes:
                raise PayloadTooLarge(too_large(max_bytes), limit=max_bytes)
            return
        state.buffer += data[start:end]
        if len(state.buffer) > MAX_FIELD_BYTES:
            raise BadRequest(f"form field {state.part!r} is too long")

    def on_part_end() -> None:
        if state.is_file:
            state.file_done = True
            state.is_file = False
        elif state.part:
            state.fields[state.part] = bytes(state.buffer).decode("utf-8", "replace").strip()
            state.buffer.clear()
            completed.append(state.part)
        state.headers.clear()

    def on_end() -> None:
        state.ended = True

    def write(data: bytes) -> None:
        nonlocal out
        if out is None:
            out = staged.path.open("wb")
        sha.update(data)
        out.write(data)

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": on_end,
        },
    )
    try:
        try:
            async for chunk in request.stream():
                try:
                    parser.write(chunk)
                except MultipartParseError as err:
                    raise BadRequest(f"malformed multipart body: {err}") from err
                while completed:
                    name = completed.pop(0)
                    await on_field(name, state.fields[name])
                if len(state.file_bytes) >= FLUSH_BYTES or (state.file_done and state.file_bytes):
                    data = bytes(state.file_bytes)
                    state.file_bytes.clear()
                    await anyio.to_thread.run_sync(write, data)
        except ClientDisconnect as err:
            raise BadRequest("the upload was cut off before it was complete") from err
        if not state.ended:
            raise BadRequest("the upload ended before the multipart body was complete")
        if not state.file_done:
            raise BadRequest("the form has no 'file' part")
        if out is None:  # an empty file part
            await anyio.to_thread.run_sync(write, b"")
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_discard, out, staged.path)
        raise
    if out is not None:
        await anyio.to_thread.run_sync(out.close)
    staged.sha256 = sha.hexdigest()
    return state.fields, staged
