from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Response, status

from owlistic.auth.dependencies import CurrentUser
from owlistic.block.schemas import BlockCreate, BlockOut, BlockUpdate
from owlistic.block.service import block as block_service
from owlistic.kit.responses import RawJSON, errors
from owlistic.kit.schemas import QueryText
from owlistic.kit.uow import ReadSession, WriteSession

router = APIRouter(prefix="/blocks", tags=["blocks"])

MAX_PAGE_SIZE = 500


def _clamp(page: int, page_size: int) -> tuple[int, int]:
    # The original client sends these; bad values fall back instead of failing.
    return max(page, 1), min(page_size if page_size > 0 else 100, MAX_PAGE_SIZE)


@router.get("", response_model=list[BlockOut], responses=errors(401, 404, 422))
async def list_blocks(
    user: CurrentUser,
    session: ReadSession,
    note_id: uuid.UUID | None = None,
    type: QueryText = None,
    page: int = Query(1),
    page_size: int = Query(100),
    count_total: str | None = None,
) -> Response:
    """Blocks in display order (``order``, then creation). ``X-Total-Count`` is the total."""
    page, page_size = _clamp(page, page_size)
    blocks, total = await block_service.list(
        session, user.id, note_id=note_id, type=type, page=page, page_size=page_size
    )
    page_response = RawJSON(blocks)
    if count_total == "true":
        page_response.headers["X-Total-Count"] = str(total)
    return page_response


@router.get("/note/{note_id}", response_model=list[BlockOut], responses=errors(401, 404, 422))
async def list_note_blocks(note_id: uuid.UUID, user: CurrentUser, session: ReadSession) -> Response:
    """Alias of ``GET /blocks?note_id=`` (the original Postman collection uses it)."""
    blocks, _ = await block_service.list(
        session, user.id, note_id=note_id, type=None, page=1, page_size=MAX_PAGE_SIZE
    )
    return RawJSON(blocks)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BlockOut,
    responses=errors(401, 403, 404, 422),
)
async def create_block(body: BlockCreate, user: CurrentUser, session: WriteSession) -> BlockOut:
    """A block of type ``task`` also creates its task."""
    return BlockOut.of(await block_service.create(session, user.id, body))


@router.get("/{block_id}", response_model=BlockOut, responses=errors(401, 404, 422))
async def get_block(block_id: uuid.UUID, user: CurrentUser, session: ReadSession) -> BlockOut:
    return BlockOut.of(await block_service.get(session, user.id, block_id))


@router.put("/{block_id}", response_model=BlockOut, responses=errors(401, 403, 404, 422))
async def update_block(
    block_id: uuid.UUID, body: BlockUpdate, user: CurrentUser, session: WriteSession
) -> BlockOut:
    """Writes only ``content``, ``metadata``, ``type`` and ``order``."""
    return BlockOut.of(await block_service.update(session, user.id, block_id, body))


@router.delete(
    "/{block_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 422)
)
async def delete_block(block_id: uuid.UUID, user: CurrentUser, session: WriteSession) -> Response:
    await block_service.delete(session, user.id, block_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
