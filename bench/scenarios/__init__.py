"""The benchmark scenarios, in the order a run executes them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench.context import Context

Results = dict[str, dict[str, Any]]  # mode -> that mode's result of one scenario


@dataclass(frozen=True)
class Target:
    what: str
    mode: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    run: Callable[[Context], Awaitable[dict[str, Any]]]
    markdown: Callable[[Results], list[str]]
    targets: Callable[[Results], list[Target]]


def registry() -> dict[str, Scenario]:
    from bench.scenarios import (
        attachments,
        collab,
        fanout,
        footprint,
        growth,
        image_paint,
        markdown_import,
        paste_paint,
        relay,
        reminders,
        rest_mix,
        search,
        write_to_ws,
    )

    ordered = (
        footprint.SCENARIO,
        rest_mix.SCENARIO,
        write_to_ws.SCENARIO,
        fanout.SCENARIO,
        relay.SCENARIO,
        growth.SCENARIO,
        search.SCENARIO,
        collab.SCENARIO,
        attachments.SCENARIO,
        image_paint.SCENARIO,
        paste_paint.SCENARIO,
        reminders.SCENARIO,
        markdown_import.SCENARIO,
    )
    return {s.name: s for s in ordered}


def ok(results: Results) -> Results:
    """Only the modes where the scenario ran (a partial run: as far as it got)."""
    return {m: r for m, r in results.items() if r.get("status") in ("ok", "partial")}


def ms(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1f}"


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
