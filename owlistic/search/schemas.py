from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from owlistic.kit.schemas import SPACE_CLASS, Schema
from owlistic.settings import Settings

Kind = Literal["note", "task"]


class SearchResult(Schema):
    kind: Kind
    note_id: uuid.UUID | None
    notebook_id: uuid.UUID | None
    task_id: uuid.UUID | None
    title: str
    snippet: str
    block_id: uuid.UUID | None
    score: float
    updated_at: datetime


class SearchPage(Schema):
    results: list[SearchResult]
    next_cursor: str | None


def search_schemas(settings: Settings) -> dict[str, Any]:
    """The ``SearchQuery`` and ``SearchLimit`` components of the OpenAPI schema."""
    return {
        "SearchQuery": {
            "type": "string",
            "maxLength": settings.search_max_query_chars,
            # Something besides whitespace; no NUL.
            "pattern": rf"^[^\u0000]*[^{SPACE_CLASS}\u0000][^\u0000]*$",
            "description": f'Words; "exact phrase", -excluded, a OR b; the first '
            f"{settings.search_max_terms} terms count",
        },
        "SearchLimit": {"type": "integer", "minimum": 1, "maximum": settings.search_max_limit},
    }
