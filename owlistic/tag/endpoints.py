from __future__ import annotations

from fastapi import APIRouter

from owlistic.auth.dependencies import CurrentUser
from owlistic.kit.responses import errors
from owlistic.kit.uow import ReadSession, WriteSession
from owlistic.tag.schemas import TagOut, TagRename, TagRenamed
from owlistic.tag.service import tag as tag_service

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("", response_model=list[TagOut], responses=errors(401))
async def list_tags(user: CurrentUser, session: ReadSession) -> list[TagOut]:
    """The tags on notes the caller may read, by name, with their note counts."""
    return [TagOut(name=n, count=c) for n, c in await tag_service.list(session, user.id)]


@router.post("/rename", response_model=TagRenamed, responses=errors(400, 401, 422))
async def rename_tag(body: TagRename, user: CurrentUser, session: WriteSession) -> TagRenamed:
    """Renames a tag (and those nested under it) on the notes the caller may edit; renaming
    onto an existing tag merges the two."""
    name, count = await tag_service.rename(session, user.id, old=body.from_, new=body.to)
    return TagRenamed(name=name, notes=count)
