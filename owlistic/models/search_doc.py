from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from owlistic.models.base import Base


class SearchDoc(Base):
    """One searchable row: a note's title and tags (no block, no task), a block of it (with
    the note's title and tags, so a query's words may be split between them), or a task.

    Texts are folded and word-split (``index.text.index_text``). The engines' indexes
    over this table are created by migration 0006: FTS5 word and trigram tables kept in
    sync by triggers on SQLite, a generated ``tsvector`` with GIN and a ``pg_trgm`` index
    on PostgreSQL. Rows go away with their note, block or task (``ON DELETE CASCADE``).
    """

    __tablename__ = "search_docs"

    # INTEGER on SQLite: the rowid the FTS5 tables refer to.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    note_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("notes.id", ondelete="CASCADE"), index=True
    )
    block_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("blocks.id", ondelete="CASCADE"), unique=True
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("tasks.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The words of text written without spaces between words (Chinese, Japanese), for
    # substring matching by the trigram index.
    substrings: Mapped[str] = mapped_column(Text, default="")
