"""The search query on each engine. Both return the same rows for the same index: the best
row of each note (or task) among those the caller may read, best first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from owlistic.access.service import readable_note_filter
from owlistic.models import Note, SearchDoc
from owlistic.search import query as q
from owlistic.tag.repository import has_tag

# bm25 / ts_rank weights of title, tags and body.
SQLITE_WEIGHTS = (10.0, 5.0, 1.0)
PG_WEIGHTS = "'{0.1, 0.2, 0.5, 1.0}'::float4[]"  # D (body), C, B (tags), A (title)


@dataclass(frozen=True)
class Filters:
    kind: str | None
    notebook_id: uuid.UUID | None
    tag: str | None


@dataclass(frozen=True)
class Hit:
    note_id: uuid.UUID | None
    block_id: uuid.UUID | None
    task_id: uuid.UUID | None
    score: float


def _fts_rowids(name: str, expression: str, *, ranked: bool) -> Select[Any]:
    columns: list[Any] = [literal_column("rowid").label("id")]
    if ranked:
        weights = SQLITE_WEIGHTS if name == "search_fts" else (1.0,)
        columns.append((-func.bm25(literal_column(name), *weights)).label("score"))
    return (
        select(*columns)
        .select_from(table(name))
        .where(literal_column(name).op("MATCH")(bindparam(None, expression)))
    )


Groups = list[tuple[q.Term, ...]]


class Engine:
    """How one database matches and scores; the rest of the query is shared."""

    def matched(self, words: Groups, substrings: Groups) -> tuple[FromClause, Any, list[Any]]:
        """The rows to rank, their score and further conditions."""
        raise NotImplementedError

    def excluded_rows(self, terms: tuple[q.Term, ...]) -> Select[Any]:
        raise NotImplementedError


class SQLiteEngine(Engine):
    def matched(self, words: Groups, substrings: Groups) -> tuple[FromClause, Any, list[Any]]:
        conditions: list[Any] = []
        if words:
            scored = _fts_rowids("search_fts", q.fts5(words), ranked=True).subquery()
            if substrings:
                trigram = _fts_rowids("search_trigram", q.fts5_substring(substrings), ranked=False)
                conditions.append(SearchDoc.id.in_(trigram))
        else:
            scored = _fts_rowids(
                "search_trigram", q.fts5_substring(substrings), ranked=True
            ).subquery()
        return scored.join(SearchDoc, SearchDoc.id == scored.c.id), scored.c.score, conditions

    def excluded_rows(self, terms: tuple[q.Term, ...]) -> Select[Any]:
        parts = [
            _fts_rowids("search_trigram", q.fts5_substring([(t,)]), ranked=False)
            if t.substring
            else _fts_rowids("search_fts", q.fts5([(t,)]), ranked=False)
            for t in terms
        ]
        return parts[0] if len(parts) == 1 else select(union(*parts).subquery().c.id)


class PostgreSQLEngine(Engine):
    def __init__(self, language: str) -> None:
        self.language = language

    def _words(self, groups: Groups) -> ColumnElement[bool]:
        return literal_column("search_docs.tsv").op("@@")(self._tsquery(groups))

    def _tsquery(self, groups: Groups) -> Any:
        return func.to_tsquery(
            literal_column(f"'{self.language}'::regconfig"), bindparam(None, q.tsquery(groups))
        )

    @staticmethod
    def _substrings(groups: Groups) -> ColumnElement[bool]:
        # "<> ''" lets the partial trigram index serve the LIKE.
        return and_(
            SearchDoc.substrings != "",
            *(or_(*(SearchDoc.substrings.like(q.like_pattern(t)) for t in g)) for g in groups),
        )

    def matched(self, words: Groups, substrings: Groups) -> tuple[FromClause, Any, list[Any]]:
        conditions: list[Any] = []
        score: Any = literal(1.0)
        if words:
            conditions.append(self._words(words))
            score = func.ts_rank(
                literal_column(PG_WEIGHTS), literal_column("search_docs.tsv"), self._tsquery(words)
            )
        if substrings:
            conditions.append(self._substrings(substrings))
        return SearchDoc.__table__, score, conditions

    def excluded_rows(self, terms: tuple[q.Term, ...]) -> Select[Any]:
        return select(SearchDoc.id).where(
            or_(*(self._substrings([(t,)]) if t.substring else self._words([(t,)]) for t in terms))
        )


def engine_for(dialect: str, language: str) -> Engine:
    return SQLiteEngine() if dialect == "sqlite" else PostgreSQLEngine(language)


def _readable(user_id: uuid.UUID) -> ColumnElement[bool]:
    """The same rule as every list: live notes the user may read; tasks without a note
    are their owner's alone."""
    return or_(
        and_(SearchDoc.note_id.is_(None), SearchDoc.user_id == user_id),
        and_(Note.deleted_at.is_(None), readable_note_filter(user_id)),
    )


def _not_excluded(rows: Select[Any]) -> ColumnElement[bool]:
    """A note is excluded when any of its rows matches; a task by its own row."""
    other = aliased(SearchDoc)
    excluded_notes = select(other.note_id).where(other.id.in_(rows), other.task_id.is_(None))
    return not_(
        or_(
            and_(SearchDoc.task_id.is_(None), SearchDoc.note_id.in_(excluded_notes)),
            and_(SearchDoc.task_id.is_not(None), SearchDoc.id.in_(rows)),
        )
    )


async def search(
    session: AsyncSession,
    engine: Engine,
    user_id: uuid.UUID,
    query: q.Query,
    filters: Filters,
    *,
    dialect: str,
    offset: int,
    limit: int,
) -> list[Hit]:
    words, substrings = q.split_groups(query)
    if any(not group for group in substrings):
        return []  # a substring alternative too short for any index: nothing can match
    source, score, conditions = engine.matched(words, substrings)
    conditions.append(_readable(user_id))
    if query.excluded:
        conditions.append(_not_excluded(engine.excluded_rows(query.excluded)))
    if filters.kind == "note":
        conditions.append(SearchDoc.task_id.is_(None))
    elif filters.kind == "task":
        conditions.append(SearchDoc.task_id.is_not(None))
    if filters.notebook_id is not None:
        conditions.append(Note.notebook_id == filters.notebook_id)
    if filters.tag is not None:
        conditions.append(has_tag(dialect, filters.tag))
    group = func.coalesce(SearchDoc.task_id, SearchDoc.note_id)
    ranked = (
        select(
            SearchDoc.note_id,
            SearchDoc.block_id,
            SearchDoc.task_id,
            score.label("score"),
            group.label("grp"),
            func.row_number()
            .over(
                partition_by=group,
                # Ties go to the note's own row (no block), then to the earliest row.
                order_by=(score.desc(), SearchDoc.block_id.is_not(None), SearchDoc.id),
            )
            .label("rn"),
        )
        .select_from(source.outerjoin(Note, Note.id == SearchDoc.note_id))
        .where(*conditions)
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.note_id, ranked.c.block_id, ranked.c.task_id, ranked.c.score)
        .where(ranked.c.rn == 1)
        .order_by(ranked.c.score.desc(), ranked.c.grp)
        .offset(offset)
        .limit(limit)
    )
    return [Hit(*row) for row in rows]
