from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.schemas import QueryText, component, no_nul
from owlistic.kit.uow import ReadSession
from owlistic.note.tags import TagFilter
from owlistic.runtime import RuntimeDep
from owlistic.search.schemas import Kind, SearchPage
from owlistic.search.service import search as search_service

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchPage, responses=errors(400, 401, 422))
async def search(
    user: CurrentUser,
    session: ReadSession,
    runtime: RuntimeDep,
    q: Annotated[str, AfterValidator(no_nul), component("SearchQuery"), Query()],
    notebook_id: uuid.UUID | None = None,
    tag: TagFilter = None,
    kind: Kind | None = None,
    limit: Annotated[int | None, component("SearchLimit", nullable=True)] = None,
    cursor: Annotated[
        QueryText, Query(description="the next_cursor of a previous page (else 400)")
    ] = None,
) -> SearchPage:
    """Notes and tasks the caller may read that match ``q``, best first. The last word
    matches as a prefix; case and accents are ignored; Chinese or Japanese text is found
    by any 3 or more characters of it."""
    return await search_service.search(
        session,
        runtime.settings,
        user.id,
        text=q,
        kind=kind,
        notebook_id=notebook_id,
        tag=tag,
        limit=limit,
        cursor=cursor,
    )
