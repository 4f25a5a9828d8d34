"""The document's top-level nodes projected into block rows, in the storing transaction.

Rows are compared with what the document says, so only real changes are written and
announced: an update that a REST write already put into the rows (or another instance
projected first) writes nothing, which is what stops the REST -> document -> rows loop.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.block.events import BlockCreated, BlockDeleted, BlockUpdated
from owlistic.block.service import with_sync_markers
from owlistic.collab import repository
from owlistic.collab.schema import OWNED_CONTENT, OWNED_META, SCHEDULE_ATTRS, NodeBlock
from owlistic.events.outbox import emit
from owlistic.index.writes import batched
from owlistic.kit.time import utcnow
from owlistic.models import Block, Note, Task
from owlistic.task import sync

ORDER_STEP = 1000.0
# Rows written between flushes: the ORM's flush of a pasted document's thousands of rows
# at once holds the event loop for seconds; in slices, other sockets get a turn between.
ROWS_PER_FLUSH = 250


def compute_orders(known: Sequence[float | None]) -> list[float]:
    """Orders for nodes in document order, ``known[i]`` being the row's order or None.

    Orders already increasing (the longest increasing subsequence) are kept; the others
    get values between their neighbours, so moving or inserting one node rewrites one row
    (the web editor's ``computeOrders``).
    """
    n = len(known)
    indices = [i for i, v in enumerate(known) if v is not None and math.isfinite(v)]
    tails: list[int] = []
    previous: dict[int, int] = {}
    for i in indices:
        value = known[i]
        assert value is not None
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if (known[tails[mid]] or 0.0) < value:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0:
            previous[i] = tails[lo - 1]
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    keep: set[int] = set()
    current = tails[-1] if tails else None
    while current is not None:
        keep.add(current)
        current = previous.get(current)
    out = [0.0] * n
    i = 0
    while i < n:
        if i in keep:
            out[i] = float(known[i] or 0.0)
            i += 1
            continue
        j = i
        while j < n and j not in keep:
            j += 1
        low = out[i - 1] if i > 0 else None
        high = known[j] if j < n else None
        gap = j - i
        for t in range(gap):
            if low is None and high is None:
                out[i + t] = (t + 1) * ORDER_STEP
            elif low is None:
                out[i + t] = float(high or 0.0) - ORDER_STEP * (gap - t)
            elif high is None:
                out[i + t] = low + ORDER_STEP * (t + 1)
            else:
                out[i + t] = low + (high - low) * (t + 1) / (gap + 1)
        i = j
    for t in range(1, n):
        if not out[t] > out[t - 1] or out[t] - out[t - 1] < 1e-9 or not math.isfinite(out[t]):
            return [(q + 1) * ORDER_STEP for q in range(n)]  # gaps used up: renumber
    return out


def _content(row: Block | None, node: NodeBlock) -> dict[str, Any]:
    base = row.content if row is not None and isinstance(row.content, dict) else {}
    kept = {k: v for k, v in base.items() if k not in OWNED_CONTENT}
    return {**kept, "text": node.text, **node.content}


def _meta(row: Block | None, block_id: uuid.UUID, node: NodeBlock) -> dict[str, Any]:
    base = row.meta if row is not None and isinstance(row.meta, dict) else {}
    owned: tuple[str, ...] = OWNED_META
    if "due_date" in node.meta:  # a node stating a schedule states all of it
        owned = (*OWNED_META, *SCHEDULE_ATTRS.values())
    kept = {k: v for k, v in base.items() if k not in owned}
    return with_sync_markers({**kept, **node.meta}, block_id)


async def project(
    session: AsyncSession,
    note: Note,
    nodes: dict[uuid.UUID, NodeBlock],
    positions: tuple[list[uuid.UUID], dict[uuid.UUID, float]] | None,
    read: dict[uuid.UUID, Block],
    *,
    author: uuid.UUID,
) -> None:
    """Write the rows of ``nodes`` (changed nodes) and, when the list of top-level nodes
    changed, orders and deletions: ``positions`` is then the node ids in document order
    and the note's live block orders. The caller read those orders and ``read`` (rows by
    id) before the log; only rows missing from ``read`` are read here."""
    orders: dict[uuid.UUID, float] = {}
    removed: set[uuid.UUID] = set()
    if positions is not None:
        ids, live = positions
        computed = compute_orders([live.get(i) for i in ids])
        orders = {
            block_id: order
            for block_id, order in zip(ids, computed, strict=True)
            if live.get(block_id) != order
        }
        removed = set(live) - set(ids)
    wanted = set(nodes) | set(orders) | removed
    if not wanted:
        return
    found = {i: b for i, b in read.items() if i in wanted}
    if missing := wanted - set(read):
        found |= await repository.blocks_by_id(session, missing, note_id=note.id)
    tasks: dict[uuid.UUID | None, Task] = {}
    if any(b.type == sync.TASK_TYPE for b in found.values()) or any(
        n.type == sync.TASK_TYPE for n in nodes.values()
    ):
        tasks = await repository.live_tasks_of(session, wanted)
    # Rows are flushed together (multi-row INSERTs, ROWS_PER_FLUSH at a time), except where
    # a task row is written next to its block; the search index follows in bulk.
    now = utcnow()
    written = 0
    async with batched(session):
        for block_id in sorted(wanted, key=str):
            if written == ROWS_PER_FLUSH:
                await session.flush()
                await asyncio.sleep(0)
                written = 0
            written += 1
            row = found.get(block_id)
            node = nodes.get(block_id)
            if block_id in removed:
                if row is None or row.deleted_at is not None:
                    continue
                row.stamp(now, uuid.uuid4())
                if block_id in tasks:
                    await session.flush()
                await sync.block_deleted(session, row, tasks.get(block_id))
                await emit(session, BlockDeleted.of(row))
                continue
            if node is None:  # moved only
                if row is None or row.deleted_at is not None:
                    continue
                row.order, row.updated_at = orders[block_id], now
                event: type[BlockCreated | BlockUpdated] = BlockUpdated
                text_changed = False  # the search index has nothing to refresh
            elif row is None:
                row = Block(
                    id=block_id,
                    user_id=author,
                    note_id=note.id,
                    type=node.type,
                    content=_content(None, node),
                    meta=_meta(None, block_id, node),
                    order=orders.get(block_id, ORDER_STEP),
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                event = BlockCreated
                text_changed = True
            else:
                content, meta = _content(row, node), _meta(row, block_id, node)
                order = orders.get(block_id, row.order)
                revived = row.deleted_at is not None
                text_changed = revived or row.content != content  # the index holds no type
                if not revived and (row.type, row.content, row.meta, row.order) == (
                    node.type,
                    content,
                    meta,
                    order,
                ):
                    continue
                row.type, row.content, row.meta, row.order = node.type, content, meta, order
                row.updated_at = now
                if revived:
                    row.deleted_at = row.deleted_batch = None
                event = BlockCreated if revived else BlockUpdated
            if sync.TASK_TYPE in (row.type, node.type if node else None) or block_id in tasks:
                await session.flush()  # the task row refers to the block's
            await sync.block_to_task(session, row, tasks.get(block_id))
            await emit(session, event.of(row, text_changed=text_changed))
