"""What a staged upload really is, from its bytes; image checks, previews and EXIF location removal.

Everything here is blocking (file reads, Pillow): callers run it in a worker thread.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from owlistic.kit.errors import InvalidContent

# Served inline; everything else is a download (SVG too: it can carry scripts).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
# Decoded with Pillow: dimensions, a preview, EXIF location stripped.
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
GPS_IFD = 0x8825
HEAD_BYTES = 8192
HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Inspected:
    media_type: str
    width: int | None = None
    height: int | None = None
    preview_size: int | None = None
    rewritten: bool = False  # location data was removed: the content (and its hash) changed


def sniff(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut at the end of the sample is still text.
        if err.start < len(head) - 4:
            return "application/octet-stream"
        text = head[: err.start].decode("utf-8")
    if "<svg" in text.lower():
        return "image/svg+xml"
    return "text/plain"


def _declared_mismatch(declared: str | None, actual: str) -> bool:
    """A client that names a specific image or PDF type must send that; generic types are fine."""
    if not declared:
        return False
    declared = declared.split(";", 1)[0].strip().lower()
    if declared == "image/jpg":
        declared = "image/jpeg"
    strict = declared.startswith("image/") or declared == "application/pdf"
    return strict and declared != actual


def inspect(
    path: Path, declared: str | None, *, max_pixels: int, preview_px: int, preview: Path
) -> Inspected:
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    if not head:
        raise InvalidContent("the file is empty")
    media_type = sniff(head)
    if _declared_mismatch(declared, media_type):
        raise InvalidContent(
            f"the file is declared as {declared} but its content is {media_type}",
            media_type=media_type,
        )
    if media_type not in IMAGE_FORMATS:
        return Inspected(media_type)
    return _inspect_image(path, media_type, max_pixels, preview_px, preview)


def _inspect_image(
    path: Path, media_type: str, max_pixels: int, preview_px: int, preview: Path
) -> Inspected:
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises only above twice that: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != IMAGE_FORMATS[media_type]:
                    raise InvalidContent(f"the file's content is not a valid {media_type} image")
                width, height = image.size
                image.load()
                rewritten = _strip_location(image, path)
                thumb = ImageOps.exif_transpose(image)
                thumb.thumbnail((preview_px, preview_px))
                if thumb.mode not in ("RGB", "RGBA"):
                    thumb = thumb.convert("RGBA" if "transparency" in image.info else "RGB")
                thumb.save(preview, format="WEBP", quality=80)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InvalidContent(
            f"the image has more than {max_pixels} pixels (a decompression bomb?)"
        ) from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise InvalidContent(f"the {media_type} image is corrupt or truncated") from err
    return Inspected(
        media_type, width, height, preview_size=preview.stat().st_size, rewritten=rewritten
    )


def _strip_location(image: Image.Image, path: Path) -> bool:
    """Re-saves the image without its GPS block, if it has one. JPEG keeps its quantisation
    tables ("keep"), so the picture is not visibly re-compressed."""
    exif = image.getexif()
    if GPS_IFD not in exif:
        return False
    del exif[GPS_IFD]
    fmt = image.format or "PNG"
    options: dict[str, object] = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        options |= {"quality": "keep", "subsampling": "keep"}
    elif fmt == "GIF":
        options = {}
    stripped = path.with_suffix(".stripped")
    image.save(stripped, format=fmt, **options)
    stripped.replace(path)
    return True


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size
