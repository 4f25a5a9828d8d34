"""Attachments: upload, download (Range, ETag), access per role, trash, dedup, quota, bad input,
and the sweeper. Runs on the store this run is configured with (a folder, or a real S3 server)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import socket
import uuid
from typing import Any

import httpx
import pytest
from PIL import Image

from owlistic.attachment.keys import blob_key, preview_key
from owlistic.attachment.storage import BlobStore
from owlistic.attachment.sweeper import sweep
from owlistic.runtime import Runtime
from tests.api.helpers import API, Json, error_of, notebook_with_note, ok, share
from tests.conftest import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_QUOTA_BYTES,
    Account,
    LiveServer,
    register,
)

GPS_IFD = 0x8825


@pytest.fixture
def store(server: LiveServer) -> BlobStore:
    """The running server's blob store."""
    blobs: BlobStore = server.app.state.attachments.store
    return blobs


def png(width: int = 40, height: int = 30, seed: bytes | None = None) -> bytes:
    """A PNG unique to ``seed`` (random by default), so tests never share content by chance."""
    noise = hashlib.sha256(seed or os.urandom(16)).digest()
    image = Image.frombytes(
        "RGB", (width, height), (noise * (width * height * 3 // 32 + 1))[: width * height * 3]
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 32), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make: kept
    exif.get_ifd(GPS_IFD)[2] = (52.0, 31.0, 12.0)  # GPSLatitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient,
    who: Account,
    note_id: str,
    content: bytes,
    name: str = "file.bin",
    media_type: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(
        f"{API}/attachments",
        data={"note_id": note_id},
        files={"file": (name, content, media_type)},
        headers=who.headers,
    )


async def uploaded(
    client: httpx.AsyncClient, who: Account, note_id: str, content: bytes, **kw: Any
) -> Json:
    body: Json = ok(await upload(client, who, note_id, content, **kw), 201)
    return body


async def test_upload_and_download_an_image(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    content = png(200, 150)
    body = await uploaded(client, owner, n["id"], content, name="shot.png", media_type="image/png")
    assert body["name"] == "shot.png"
    assert body["media_type"] == "image/png"
    assert (body["size"], body["width"], body["height"]) == (len(content), 200, 150)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["note_id"] == n["id"]

    r = await client.get(f"{API}/attachments/{body['id']}", headers=owner.headers)
    assert r.status_code == 200
    assert r.content == content
    assert r.headers["content-type"] == "image/png"
    assert r.headers["etag"] == f'"{body["sha256"]}"'
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in r.headers["cache-control"]
    assert r.headers["content-disposition"].startswith("inline")

    preview = await client.get(f"{API}/attachments/{body['id']}/preview", headers=owner.headers)
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(preview.content)) as small:
        assert max(small.size) == 64  # attachment_preview_pixels in the test settings

    listed = ok(
        await client.get(f"{API}/attachments", params={"note_id": n["id"]}, headers=owner.headers)
    )
    assert [a["id"] for a in listed] == [body["id"]]


async def test_token_in_query_loads_an_image(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    body = await uploaded(client, owner, n["id"], png(), media_type="image/png")
    r = await client.get(f"{API}/attachments/{body['id']}", params={"token": owner.token})
    assert r.status_code == 200
    error_of(await client.get(f"{API}/attachments/{body['id']}"), 401)


async def test_range_and_etag(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    content = os.urandom(300_000)
    body = await uploaded(client, owner, n["id"], content, name="data.bin")
    url = f"{API}/attachments/{body['id']}"
    r = await client.get(url, headers={**owner.headers, "Range": "bytes=100-199"})
    assert r.status_code == 206
    assert r.content == content[100:200]
    assert r.headers["content-range"] == f"bytes 100-199/{len(content)}"
    r = await client.get(url, headers={**owner.headers, "Range": "bytes=-10"})
    assert (r.status_code, r.content) == (206, content[-10:])
    r = await client.get(url, headers={**owner.headers, "Range": "bytes=299990-"})
    assert (r.status_code, r.content) == (206, content[299990:])
    r = await client.get(url, headers={**owner.headers, "Range": f"bytes={len(content)}-"})
    error_of(r, 416)
    etag = (await client.get(url, headers=owner.headers)).headers["etag"]
    r = await client.get(url, headers={**owner.headers, "If-None-Match": etag})
    assert (r.status_code, r.content) == (304, b"")
    stale = await client.get(
        url, headers={**owner.headers, "Range": "bytes=0-9", "If-Range": '"other"'}
    )
    assert (stale.status_code, stale.content) == (200, content)


async def test_unsafe_types_download_and_svg_never_inline(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    body = await uploaded(client, owner, n["id"], svg, name="x.svg", media_type="image/svg+xml")
    assert body["media_type"] == "image/svg+xml"
    r = await client.get(f"{API}/attachments/{body['id']}", headers=owner.headers)
    assert r.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    html = await uploaded(
        client,
        owner,
        n["id"],
        b"<html><script>x()</script></html>",
        name="page.html",
        media_type="text/html",
    )
    assert html["media_type"] == "text/plain"
    r = await client.get(f"{API}/attachments/{html['id']}", headers=owner.headers)
    assert r.headers["content-disposition"].startswith("attachment")


async def test_access_follows_the_note(
    client: httpx.AsyncClient, owner: Account, peer: Account, outsider: Account
) -> None:
    nb, n = await notebook_with_note(client, owner)
    body = await uploaded(client, owner, n["id"], png(), media_type="image/png")
    url = f"{API}/attachments/{body['id']}"
    error_of(await client.get(url, headers=outsider.headers), 404)
    error_of(
        await client.get(
            f"{API}/attachments", params={"note_id": n["id"]}, headers=outsider.headers
        ),
        404,
    )
    error_of(await upload(client, outsider, n["id"], b"hello"), 404)
    error_of(await client.delete(url, headers=outsider.headers), 404)

    await share(client, owner, nb["id"], peer, "viewer")
    assert (await client.get(url, headers=peer.headers)).status_code == 200
    error_of(await upload(client, peer, n["id"], b"hello"), 403)
    error_of(await client.delete(url, headers=peer.headers), 403)

    await share(client, owner, nb["id"], peer, "editor")
    mine = await uploaded(client, peer, n["id"], b"from the editor")
    assert mine["user_id"] == peer.id
    ok(await client.delete(url, headers=peer.headers), 204)
    error_of(await client.get(url, headers=owner.headers), 404)


async def test_trash_restore_and_purge(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    body = await uploaded(client, owner, n["id"], png(), media_type="image/png")
    url = f"{API}/attachments/{body['id']}"
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    error_of(await client.get(url, headers=owner.headers), 404)
    ok(await client.post(f"{API}/trash/restore/note/{n['id']}", headers=owner.headers))
    assert (await client.get(url, headers=owner.headers)).status_code == 200
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/trash/note/{n['id']}", headers=owner.headers))
    error_of(await client.get(url, headers=owner.headers), 404)


async def test_same_content_is_stored_once(
    client: httpx.AsyncClient, owner: Account, runtime: Runtime, store: BlobStore
) -> None:
    _, n = await notebook_with_note(client, owner)
    content = png()
    first = await uploaded(client, owner, n["id"], content, name="a.png", media_type="image/png")
    second = await uploaded(client, owner, n["id"], content, name="b.png", media_type="image/png")
    assert first["id"] != second["id"]
    assert first["sha256"] == second["sha256"]
    keys = [o.key async for o in store.list(f"blobs/{first['sha256'][:2]}")]
    assert keys.count(blob_key(first["sha256"])) == 1


async def test_gps_location_is_stripped(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    content = jpeg_with_gps()
    with Image.open(io.BytesIO(content)) as original:
        assert GPS_IFD in original.getexif()
    body = await uploaded(client, owner, n["id"], content, name="p.jpg", media_type="image/jpeg")
    stored = (await client.get(f"{API}/attachments/{body['id']}", headers=owner.headers)).content
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert GPS_IFD not in exif
        assert exif[0x010F] == "Camera maker"
        assert image.size == (32, 32)
    assert (
        body["sha256"] == hashlib.sha256(stored).hexdigest() != hashlib.sha256(content).hexdigest()
    )


async def test_camera_photo_preview_is_upright_and_a_cut_off_photo_refused(
    client: httpx.AsyncClient, owner: Account
) -> None:
    """JPEG previews are decoded at a reduced scale: still upright, still the preview's size,
    and a truncated photo is still found out."""
    _, n = await notebook_with_note(client, owner)
    noise = Image.frombytes("RGB", (40, 30), os.urandom(40 * 30 * 3)).resize((800, 600))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; shown rotated 90 degrees
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    body = await uploaded(
        client, owner, n["id"], out.getvalue(), name="turned.jpg", media_type="image/jpeg"
    )
    assert (body["width"], body["height"], body["has_preview"]) == (800, 600, True)
    preview = await client.get(f"{API}/attachments/{body['id']}/preview", headers=owner.headers)
    with Image.open(io.BytesIO(preview.content)) as small:
        assert small.size == (48, 64)  # upright, 64 on its longest side (the test settings)
    cut = out.getvalue()[: len(out.getvalue()) // 2]
    message = error_of(await upload(client, owner, n["id"], cut, "cut.jpg", "image/jpeg"), 422)
    assert "truncated" in message


def heic_photo(width: int, height: int, *, gps: bool = True) -> bytes:
    """A phone photo: HEIC, with a camera make and (by default) a location in its EXIF."""
    image = Image.new("RGB", (width, height), (20, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    if gps:
        exif.get_ifd(GPS_IFD)[2] = (52.0, 31.0, 12.0)
    out = io.BytesIO()
    image.save(out, format="HEIF", quality=60, exif=exif.tobytes())
    return out.getvalue()


async def test_heic_photos_are_stored_as_jpeg_without_location(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    content = heic_photo(120, 80)
    assert content[4:12] == b"ftypheic"
    body = await uploaded(
        client, owner, n["id"], content, name="IMG_0001.HEIC", media_type="image/heic"
    )
    assert (body["name"], body["media_type"]) == ("IMG_0001.jpg", "image/jpeg")
    assert (body["width"], body["height"], body["has_preview"]) == (120, 80, True)
    r = await client.get(f"{API}/attachments/{body['id']}", headers=owner.headers)
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["content-disposition"].startswith("inline;")
    assert body["sha256"] == hashlib.sha256(r.content).hexdigest()
    with Image.open(io.BytesIO(r.content)) as image:
        assert (image.format, image.size) == ("JPEG", (120, 80))
        exif = image.getexif()
        assert exif[0x010F] == "Phone maker"
        assert GPS_IFD not in exif
    # The same photo again is the same JPEG: stored once.
    again = await uploaded(client, owner, n["id"], content, name="copy.heic")
    assert again["sha256"] == body["sha256"]
    # A file that starts like HEIC but is not one.
    broken = content[:200] + os.urandom(200)
    message = error_of(await upload(client, owner, n["id"], broken, "b.heic", "image/heic"), 422)
    assert "HEIC" in message
    # A small file of more pixels than the limit (the test server's is 4,000,000).
    bomb = io.BytesIO()
    Image.new("L", (2100, 2000), 90).save(
        bomb, format="HEIF", quality=0, enc_params={"preset": "ultrafast"}
    )
    assert len(bomb.getvalue()) < 10_000
    message = error_of(await upload(client, owner, n["id"], bomb.getvalue(), "big.heic"), 422)
    assert "decompression bomb" in message


async def test_lying_media_types_are_refused(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    message = error_of(
        await upload(client, owner, n["id"], b"MZ\x90\x00 not a picture", "a.png", "image/png"), 422
    )
    assert "image/png" in message
    pdf_as_png = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    error_of(await upload(client, owner, n["id"], pdf_as_png, "a.png", "image/png"), 422)
    truncated = png(200, 200)[:300]
    assert "truncated" in error_of(
        await upload(client, owner, n["id"], truncated, "t.png", "image/png"), 422
    )
    # A generic declared type is fine: the stored type is what the bytes are.
    body = await uploaded(client, owner, n["id"], png(), name="noext")
    assert body["media_type"] == "image/png"
    listed = ok(
        await client.get(f"{API}/attachments", params={"note_id": n["id"]}, headers=owner.headers)
    )
    assert [a["id"] for a in listed] == [body["id"]]


async def test_decompression_bomb_is_refused(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    out = io.BytesIO()
    Image.new("1", (3000, 3000)).save(out, format="PNG")  # 9 Mpx in a few kB; the limit is 4
    assert len(out.getvalue()) < 10_000
    message = error_of(
        await upload(client, owner, n["id"], out.getvalue(), "bomb.png", "image/png"), 422
    )
    assert "pixels" in message


async def test_names_are_never_paths(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    for raw, expected in (
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("..", "file"),
        ("a|b*c?.txt", "abc.txt"),
    ):
        body = await uploaded(client, owner, n["id"], os.urandom(64), name=raw)
        assert body["name"] == expected


async def test_too_large_and_missing_parts(client: httpx.AsyncClient, owner: Account) -> None:
    _, n = await notebook_with_note(client, owner)
    big = os.urandom(ATTACHMENT_MAX_BYTES + 1)
    message = error_of(await upload(client, owner, n["id"], big), 413)
    assert f"larger than the limit of {ATTACHMENT_MAX_BYTES} bytes (2 MiB)" in message
    # Far bigger: refused by its Content-Length before it is read, with the same words.
    bigger = os.urandom(ATTACHMENT_MAX_BYTES + 256 * 1024)
    assert error_of(await upload(client, owner, n["id"], bigger), 413) == message
    error_of(
        await client.post(f"{API}/attachments", data={"note_id": n["id"]}, headers=owner.headers),
        400,
    )
    r = await client.post(f"{API}/attachments", files={"file": ("a", b"x")}, headers=owner.headers)
    assert "note_id" in error_of(r, 422)
    r = await client.post(
        f"{API}/attachments",
        data={"note_id": "nope"},
        files={"file": ("a", b"x")},
        headers=owner.headers,
    )
    assert "UUID" in error_of(r, 422)
    error_of(await upload(client, owner, str(uuid.uuid4()), b"x"), 404)
    error_of(
        await client.post(f"{API}/attachments", json={"note_id": n["id"]}, headers=owner.headers),
        400,
    )
    error_of(await upload(client, owner, n["id"], b""), 422)
    error_of(await client.get(f"{API}/attachments", headers=owner.headers), 422)


async def test_quota(client: httpx.AsyncClient) -> None:
    who = await register(client)
    _, n = await notebook_with_note(client, who)
    chunk = ATTACHMENT_MAX_BYTES - 1024
    await uploaded(client, who, n["id"], os.urandom(chunk))
    await uploaded(client, who, n["id"], os.urandom(chunk))
    message = error_of(await upload(client, who, n["id"], os.urandom(chunk)), 413)
    assert "quota" in message
    listed = ok(
        await client.get(f"{API}/attachments", params={"note_id": n["id"]}, headers=who.headers)
    )
    assert len(listed) == 2
    ok(await client.delete(f"{API}/attachments/{listed[0]['id']}", headers=who.headers), 204)
    await uploaded(client, who, n["id"], os.urandom(chunk))


async def test_concurrent_uploads_cannot_overshoot_the_quota(client: httpx.AsyncClient) -> None:
    """Uploads that each fit alone but not together, sent at once: the quota check and the
    recording of the upload are one step, so only as many as fit are kept."""
    who = await register(client)
    _, n = await notebook_with_note(client, who)
    size = ATTACHMENT_MAX_BYTES - 100 * 1024
    fit = ATTACHMENT_QUOTA_BYTES // size
    responses = await asyncio.gather(
        *(upload(client, who, n["id"], os.urandom(size)) for _ in range(fit + 4))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * fit + [413] * 4, [r.text for r in responses]
    listed = ok(
        await client.get(f"{API}/attachments", params={"note_id": n["id"]}, headers=who.headers)
    )
    assert len(listed) == fit
    assert sum(a["size"] for a in listed) <= ATTACHMENT_QUOTA_BYTES


def _cut_off_upload(url: str, token: str, note_id: str) -> None:
    """Sends the headers and half the body, then hangs up."""
    host, port = url.removeprefix("http://").split(":")
    boundary = "cutoffboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="note_id"\r\n\r\n{note_id}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    total = len(head) + 1_000_000
    request = (
        f"POST {API}/attachments HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as s:
        s.sendall(request + head + os.urandom(300_000))


async def test_cut_off_upload_leaves_nothing(
    client: httpx.AsyncClient, server: LiveServer, runtime: Runtime, store: BlobStore
) -> None:
    who = await register(client)
    _, n = await notebook_with_note(client, who)
    await asyncio.to_thread(_cut_off_upload, server.url, who.token, n["id"])
    for _ in range(100):  # the server notices the hang-up and removes the staged part
        if not any(store.staging_dir.iterdir()):
            break
        await asyncio.sleep(0.05)
    assert not any(store.staging_dir.iterdir())
    listed = ok(
        await client.get(f"{API}/attachments", params={"note_id": n["id"]}, headers=who.headers)
    )
    assert listed == []
    # A body that ends without its closing boundary is refused too.
    r = await client.post(
        f"{API}/attachments",
        content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\npartial',
        headers={**who.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert "complete" in error_of(r, 400)


async def test_sweeper_deletes_only_unreferenced_blobs(
    client: httpx.AsyncClient, owner: Account, runtime: Runtime, store: BlobStore
) -> None:
    _, n = await notebook_with_note(client, owner)
    kept = await uploaded(client, owner, n["id"], png(), media_type="image/png")
    gone = await uploaded(client, owner, n["id"], png(), media_type="image/png")
    trashed_note = (await notebook_with_note(client, owner))[1]
    trashed = await uploaded(client, owner, trashed_note["id"], png(), media_type="image/png")
    ok(await client.delete(f"{API}/notes/{trashed_note['id']}", headers=owner.headers), 204)
    ok(await client.delete(f"{API}/attachments/{gone['id']}", headers=owner.headers), 204)
    # Content stored by an upload that never committed (no blob row at all).
    orphan = hashlib.sha256(b"orphan" + os.urandom(8)).hexdigest()
    staged = store.staging_dir / "orphan.test"
    staged.write_bytes(b"orphan")
    await store.put(blob_key(orphan), staged)
    staged.unlink()

    # Within the grace period nothing goes.
    await sweep(runtime.db, store, grace_seconds=3600)
    assert await store.exists(blob_key(gone["sha256"]))
    assert await store.exists(blob_key(orphan))

    await sweep(runtime.db, store, grace_seconds=0)
    assert not await store.exists(blob_key(gone["sha256"]))
    assert not await store.exists(preview_key(gone["sha256"]))
    assert not await store.exists(blob_key(orphan))
    for body in (kept, trashed):
        assert await store.exists(blob_key(body["sha256"]))
        assert await store.exists(preview_key(body["sha256"]))
    r = await client.get(f"{API}/attachments/{kept['id']}", headers=owner.headers)
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == kept["sha256"]
    # The same content uploaded again after its blob was swept is stored again.
    again = await uploaded(
        client,
        owner,
        n["id"],
        (await client.get(f"{API}/attachments/{kept['id']}", headers=owner.headers)).content,
        media_type="image/png",
    )
    assert again["sha256"] == kept["sha256"]


@pytest.mark.parametrize("size", [ATTACHMENT_MAX_BYTES])
async def test_large_upload_round_trips(client: httpx.AsyncClient, size: int) -> None:
    who = await register(client)
    _, n = await notebook_with_note(client, who)
    content = os.urandom(size)
    body = await uploaded(client, who, n["id"], content)
    r = await client.get(f"{API}/attachments/{body['id']}", headers=who.headers)
    assert hashlib.sha256(r.content).digest() == hashlib.sha256(content).digest()


async def test_store_round_trips_content_larger_than_one_part(
    runtime: Runtime, store: BlobStore
) -> None:
    """Bigger than ``s3_part_bytes``: a multipart upload on S3, read back whole and in part."""
    content = os.urandom(runtime.settings.s3_part_bytes + 1024 * 1024 + 17)
    digest = hashlib.sha256(content).hexdigest()
    staged = store.staging_dir / f"{digest}.test"
    staged.write_bytes(content)
    try:
        await store.put(blob_key(digest), staged)
    finally:
        staged.unlink()
    whole = b"".join([chunk async for chunk in store.read(blob_key(digest))])
    assert hashlib.sha256(whole).hexdigest() == digest
    start = runtime.settings.s3_part_bytes - 10
    part = b"".join([c async for c in store.read(blob_key(digest), start, start + 20)])
    assert part == content[start : start + 20]
    await store.delete(blob_key(digest))
    assert not await store.exists(blob_key(digest))


async def test_head_gives_the_headers_without_the_body(
    client: httpx.AsyncClient, owner: Account
) -> None:
    _, n = await notebook_with_note(client, owner)
    content = os.urandom(1000)
    body = await uploaded(client, owner, n["id"], content)
    r = await client.head(f"{API}/attachments/{body['id']}", headers=owner.headers)
    assert r.status_code == 200
    assert r.headers["content-length"] == "1000"
    assert r.headers["etag"] == f'"{body["sha256"]}"'
    assert r.content == b""
