"""What a staged upload really is, from its bytes; image checks, previews and EXIF location removal.

Everything here is blocking (file reads, Pillow): callers run it in a worker thread.
"""

from __future__ import annotations

import functools
import hashlib
import math
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from owlistic.kit.errors import InvalidContent

if TYPE_CHECKING:
    from PIL import Image

HEIF_TYPES = frozenset({"image/heic", "image/heif"})
HEIF_JPEG_QUALITY = 90
HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})

# Served inline; everything else is a download (SVG too: it can carry scripts).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
# Decoded with Pillow: dimensions, a preview, EXIF location stripped.
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112
HEAD_BYTES = 8192
HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Inspected:
    media_type: str
    width: int | None = None
    height: int | None = None
    preview_size: int | None = None
    rewritten: bool = False  # location data was removed: the content (and its hash) changed
    converted: bool = False  # a HEIC/HEIF photo now stored as JPEG (its name says .jpg)


def _heif(head: bytes) -> str | None:
    """HEIC/HEIF by the brands of its ISO BMFF ``ftyp`` box (filetype knows only some)."""
    if head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    box = head[8 : min(size, len(head))]
    # The major brand, a minor version, then the compatible brands.
    brands = {box[:4]} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & HEVC_BRANDS:
        return "image/heic"
    if brands & {b"mif1", b"msf1"} and not brands & {b"avif", b"avis"}:
        return "image/heif"
    return None


@functools.cache
def _pillow() -> None:
    """Pillow and libheif (with filetype, ~6 MiB) are loaded by the first upload a server
    inspects, not by every server. Phones take HEIC photos, which browsers do not show: the
    HEIF opener lets Pillow read them, to store them as JPEG."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def sniff(head: bytes) -> str:
    import filetype

    heif = _heif(head)
    if heif is not None:
        return heif
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
    if media_type in HEIF_TYPES:
        _heif_to_jpeg(path, max_pixels)
        found = _inspect_image(path, "image/jpeg", max_pixels, preview_px, preview)
        return replace(found, rewritten=True, converted=True)
    if media_type not in IMAGE_FORMATS:
        return Inspected(media_type)
    return _inspect_image(path, media_type, max_pixels, preview_px, preview)


def _heif_to_jpeg(path: Path, max_pixels: int) -> None:
    """Rewrites a HEIC/HEIF file as a JPEG, turned upright, its EXIF kept without location."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    _pillow()
    Image.MAX_IMAGE_PIXELS = max_pixels
    converted = path.with_suffix(".jpeg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                exif = image.getexif()
                upright = ImageOps.exif_transpose(image).convert("RGB")
                exif.pop(GPS_IFD, None)
                exif.pop(ORIENTATION, None)  # the pixels are upright now
                options = {"exif": exif.tobytes()} if exif else {}
                upright.save(converted, format="JPEG", quality=HEIF_JPEG_QUALITY, **options)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        converted.unlink(missing_ok=True)
        raise InvalidContent(
            f"the image has more than {max_pixels} pixels (a decompression bomb?)"
        ) from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError) as err:
        converted.unlink(missing_ok=True)
        raise InvalidContent("the HEIC/HEIF image is corrupt or truncated") from err
    converted.replace(path)


def _inspect_image(
    path: Path, media_type: str, max_pixels: int, preview_px: int, preview: Path
) -> Inspected:
    from PIL import Image, ImageOps, UnidentifiedImageError

    _pillow()
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises only above twice that: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != IMAGE_FORMATS[media_type]:
                    raise InvalidContent(f"the file's content is not a valid {media_type} image")
                width, height = image.size
                if image.format == "JPEG" and GPS_IFD not in image.getexif():
                    # Nothing to re-save, so only the preview needs pixels: JPEG decodes them
                    # at 1/2, 1/4 or 1/8 scale, reading every byte all the same (a truncated
                    # file still fails), several times faster for a camera photo.
                    image.draft(None, _preview_size(width, height, preview_px))
                image.load()
                rewritten = _strip_location(image, path)
                # Shrunk first, then turned upright: the turn copies only the small picture.
                # A reducing gap of 1 (a box reduction to about twice the size, then
                # bicubic) is fast on big pictures and looks the same at preview size.
                image.thumbnail((preview_px, preview_px), reducing_gap=1.0)
                thumb = ImageOps.exif_transpose(image)
                if thumb.mode not in ("RGB", "RGBA"):
                    thumb = thumb.convert("RGBA" if "transparency" in image.info else "RGB")
                # Method 2 of libwebp's 0 (fast) to 6: a third of the default's time, ~4 % larger.
                thumb.save(preview, format="WEBP", quality=80, method=2)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InvalidContent(
            f"the image has more than {max_pixels} pixels (a decompression bomb?)"
        ) from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise InvalidContent(f"the {media_type} image is corrupt or truncated") from err
    return Inspected(
        media_type, width, height, preview_size=preview.stat().st_size, rewritten=rewritten
    )


def _preview_size(width: int, height: int, preview_px: int) -> tuple[int, int]:
    scale = min(1.0, preview_px / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


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


def converted_name(name: str) -> str:
    """The name of a photo stored as JPEG: its extension says so."""
    return f"{Path(name).stem or 'photo'}.jpg"


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size
