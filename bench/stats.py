"""Latency summaries: percentiles over recorded samples (milliseconds)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (``q`` in 0..100); 0.0 for no samples."""
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    rank = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    weight = rank - low
    return float(sorted_values[low] * (1 - weight) + sorted_values[high] * weight)


def summarize(samples_ms: Sequence[float]) -> dict[str, Any]:
    """count, mean, p50, p95, p99 and max of latencies in milliseconds."""
    ordered = sorted(samples_ms)
    count = len(ordered)
    return {
        "count": count,
        "mean_ms": round(sum(ordered) / count, 3) if count else 0.0,
        "p50_ms": round(percentile(ordered, 50), 3),
        "p95_ms": round(percentile(ordered, 95), 3),
        "p99_ms": round(percentile(ordered, 99), 3),
        "max_ms": round(ordered[-1], 3) if count else 0.0,
    }


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0
