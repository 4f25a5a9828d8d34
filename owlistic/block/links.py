"""What else must change, in the same transaction, when a block is written or deleted.

A task block and its task are one item seen two ways; the task side (``task/sync.py``)
keeps them in step. The block package defines only this seam, so it never imports the
task package (which depends on blocks): the app installs the sync at start-up.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.models import Block, Task


class BlockLinks(Protocol):
    async def block_written(self, session: AsyncSession, block: Block, task: Task | None) -> None:
        """After a block was created or changed; ``task`` is its live linked task, if any."""

    async def block_deleted(self, session: AsyncSession, block: Block, task: Task | None) -> None:
        """After a block was trashed."""

    async def blocks_created(self, session: AsyncSession, blocks: list[Block]) -> list[Task]:
        """Writes many new blocks, added to the session but not yet flushed (an import),
        with the tasks of the task blocks, in a few statements; returns those tasks, whose
        events the caller emits (after its notes')."""


_installed: list[BlockLinks] = []


def install(links: BlockLinks) -> None:
    _installed[:] = [links]


def links() -> BlockLinks:
    if not _installed:
        raise RuntimeError("no BlockLinks installed (create_app installs task/sync.py)")
    return _installed[0]
