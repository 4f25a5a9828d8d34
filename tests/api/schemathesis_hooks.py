"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``): what generation cannot know from the schema.

A search cursor is whatever ``next_cursor`` a previous page gave: any other string is refused
(400), as the parameter's description says. Valid requests carry one the server could issue.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.hooks import HookContext

from owlistic.search.service import encode_cursor
from owlistic.settings import Settings

MAX_OFFSET = Settings().search_max_offset


@schemathesis.hook
def map_case(context: HookContext, case: Case[Any]) -> Case[Any]:
    meta = case.meta
    positive = meta is None or meta.generation.mode.is_positive
    if positive and case.path == "/api/v1/search" and isinstance(case.query, dict):
        cursor = case.query.get("cursor")
        if isinstance(cursor, str):
            case.query["cursor"] = encode_cursor(len(cursor) % (MAX_OFFSET + 1))
    return case
