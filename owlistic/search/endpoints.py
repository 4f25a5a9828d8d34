from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.schemas import QueryText
from owlistic.kit.uow import ReadSession
from owlistic.runtime import RuntimeDep
from owlistic.search.schemas import Kind, SearchPage
from owlistic.search.service import search as search_service

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchPage, responses=errors(400, 401, 422))
async def search(
    user: CurrentUser,
    session: ReadSession,
    runtime: RuntimeDep,
    q: Annotated[QueryText, Query(description='Words; "exact phrase", -excluded, a OR b')] = None,
    notebook_id: uuid.UUID | None = None,
    tag: QueryText = None,
    kind: Kind | None = None,
    limit: int | None = None,
    cursor: QueryText = None,
) -> SearchPage:
    """Notes and tasks the caller may read that match ``q``, best first. The last word
    matches as a prefix; case and accents are ignored; Chinese or Japanese text is found
    by any 3 or more characters of it."""
    return await search_service.search(
        session,
        runtime.settings,
        user.id,
        text=q or "",
        kind=kind,
        notebook_id=notebook_id,
        tag=tag,
        limit=limit,
        cursor=cursor,
    )
