from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from owlistic.kit.schemas import Schema

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
