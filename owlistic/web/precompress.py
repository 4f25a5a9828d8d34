"""Build step: gzip and brotli copies of the web app's text assets, served as they are.

``python -m owlistic.web.precompress web/dist`` (run by ``make web`` after the Vite build).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli

COMPRESSIBLE = frozenset(
    {".js", ".mjs", ".css", ".html", ".svg", ".json", ".webmanifest", ".txt", ".map", ".wasm"}
)
MIN_BYTES = 1024
ENCODINGS = {".br": "br", ".gz": "gzip"}


def precompress(dist: Path) -> tuple[int, int, int]:
    """Writes ``<file>.br`` and ``<file>.gz``; returns bytes (plain, gzip, brotli)."""
    plain = gz = br = 0
    for path in sorted(dist.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESSIBLE:
            continue
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            continue
        gz_data = gzip.compress(data, compresslevel=9, mtime=0)
        br_data = brotli.compress(data, quality=11)
        path.with_name(path.name + ".gz").write_bytes(gz_data)
        path.with_name(path.name + ".br").write_bytes(br_data)
        plain, gz, br = plain + len(data), gz + len(gz_data), br + len(br_data)
    return plain, gz, br


def main(argv: list[str]) -> int:
    dist = Path(argv[0] if argv else "web/dist")
    plain, gz, br = precompress(dist)
    print(f"precompressed {dist}: {plain:,} bytes -> gzip {gz:,}, brotli {br:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
