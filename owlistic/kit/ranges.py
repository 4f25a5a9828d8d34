"""HTTP byte ranges (RFC 9110 §14): one range per request; several are answered in full."""

from __future__ import annotations

from owlistic.kit.errors import RangeNotSatisfiable


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` asked for by a ``Range`` header, or None for the whole content."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # an unknown unit or several ranges: the whole content is a valid answer
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first:  # the last N bytes
            count = int(last)
            if count <= 0 or size == 0:
                raise RangeNotSatisfiable("range not satisfiable", size=size)
            return max(size - count, 0), size
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start < 0 or start >= size or end <= start:
        raise RangeNotSatisfiable("range not satisfiable", size=size)
    return start, min(end, size)
