"""Pure parts of attachments: byte ranges, upload names, type sniffing, store keys."""

from __future__ import annotations

import pytest

from owlistic.attachment.keys import blob_key, sha_of
from owlistic.attachment.media import sniff
from owlistic.attachment.upload import safe_name
from owlistic.kit.errors import RangeNotSatisfiable
from owlistic.kit.ranges import byte_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", (0, 1)),
        ("bytes=10-", (10, 100)),
        ("bytes=90-200", (90, 100)),
        ("bytes=-5", (95, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole content
        ("items=0-5", None),
        ("bytes=abc", None),
    ],
)
def test_byte_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=50-10", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 100)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\secret.docx", "secret.docx"),
        (".htaccess", "htaccess"),
        ("", "file"),
        ("/", "file"),
        ("a\x00b\x1f<c>.txt", "abc.txt"),
        ("x" * 300 + ".png", "x" * 196 + ".png"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        (b"<html><body>hi</body></html>", "text/plain"),
        ("caf\u00e9".encode()[:-1], "text/plain"),  # a character cut at the end of the sample
        (b"\x00\x01\x02binary", "application/octet-stream"),
    ],
)
def test_sniff(head: bytes, media_type: str) -> None:
    assert sniff(head) == media_type


def test_keys_are_derived_from_the_digest_only() -> None:
    digest = "ab" + "0" * 62
    assert blob_key(digest) == f"blobs/ab/{digest}"
    assert sha_of(blob_key(digest)) == digest
    assert sha_of("blobs/ab/not-a-digest") is None
