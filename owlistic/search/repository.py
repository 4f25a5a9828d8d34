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
    case,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from owlistic.access.service import readable_note_filter
from owlistic.models import Note, SearchDoc
from owlistic.note.tags import has_tag
from owlistic.search import query as q

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
    """How one database finds rows matching any of some groups, and scores them."""

    def rows(self, groups: Groups, *, substring: bool) -> Select[Any]:
        """Ids of the rows matching any group (words, or substrings of unspaced text)."""
        raise NotImplementedError

    def scored(self, groups: Groups, *, substring: bool) -> tuple[FromClause, Any, list[Any]]:
        """``search_docs`` rows matching any group: the source, the score (higher is
        better) and the conditions to add."""
        raise NotImplementedError


class SQLiteEngine(Engine):
    @staticmethod
    def _match(groups: Groups, substring: bool, ranked: bool) -> Select[Any]:
        if substring:
            return _fts_rowids("search_trigram", q.fts5_substring_any(groups), ranked=ranked)
        return _fts_rowids("search_fts", q.fts5_any(groups), ranked=ranked)

    def rows(self, groups: Groups, *, substring: bool) -> Select[Any]:
        return self._match(groups, substring, ranked=False)

    def scored(self, groups: Groups, *, substring: bool) -> tuple[FromClause, Any, list[Any]]:
        matched = self._match(groups, substring, ranked=True).subquery()
        return matched.join(SearchDoc, SearchDoc.id == matched.c.id), matched.c.score, []


class PostgreSQLEngine(Engine):
    def __init__(self, language: str) -> None:
        self.language = language

    def _tsquery(self, groups: Groups) -> Any:
        return func.to_tsquery(
            literal_column(f"'{self.language}'::regconfig"),
            bindparam(None, q.tsquery_any(groups)),
        )

    def _condition(self, groups: Groups, substring: bool) -> ColumnElement[bool]:
        if substring:
            # "<> ''" lets the partial trigram index serve the LIKE.
            likes = (SearchDoc.substrings.like(q.like_pattern(t)) for g in groups for t in g)
            return and_(SearchDoc.substrings != "", or_(*likes))
        return literal_column("search_docs.tsv").op("@@")(self._tsquery(groups))

    def rows(self, groups: Groups, *, substring: bool) -> Select[Any]:
        return select(SearchDoc.id).where(self._condition(groups, substring))

    def scored(self, groups: Groups, *, substring: bool) -> tuple[FromClause, Any, list[Any]]:
        source = SearchDoc.__table__
        condition = self._condition(groups, substring)
        if substring:
            score: Any = literal(1.0)
        else:
            tsv: Any = literal_column("search_docs.tsv")
            score = func.ts_rank(literal_column(PG_WEIGHTS), tsv, self._tsquery(groups))
        return source, score, [condition]


def engine_for(dialect: str, language: str) -> Engine:
    return SQLiteEngine() if dialect == "sqlite" else PostgreSQLEngine(language)


def _readable(user_id: uuid.UUID) -> ColumnElement[bool]:
    """The same rule as every list: live notes the user may read; tasks without a note
    are their owner's alone."""
    return or_(
        and_(SearchDoc.note_id.is_(None), SearchDoc.user_id == user_id),
        and_(Note.deleted_at.is_(None), readable_note_filter(user_id)),
    )


def _in_rows(rows: Select[Any]) -> ColumnElement[bool]:
    """Whether the result this row belongs to has a row among ``rows``: any row of a note,
    or the task's own row."""
    other = aliased(SearchDoc)
    notes = select(other.note_id).where(other.id.in_(rows), other.task_id.is_(None))
    return or_(
        and_(SearchDoc.task_id.is_(None), SearchDoc.note_id.in_(notes)),
        and_(SearchDoc.task_id.is_not(None), SearchDoc.id.in_(rows)),
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
    # Rows matching any group are ranked; a note must match every group somewhere in it
    # (its title and tags, or any of its blocks), so words may be split between blocks.
    source, score, conditions = (
        engine.scored(words, substring=False)
        if words
        else engine.scored(substrings, substring=True)
    )
    every = [(g, False) for g in words] + [(g, True) for g in substrings]
    # Within a note, the best block is one matching the most groups itself.
    groups_in_row: Any = literal(0)
    if len(every) > 1:
        group_rows = [engine.rows([g], substring=sub) for g, sub in every]
        conditions += [_in_rows(rows) for rows in group_rows]
        groups_in_row = sum(
            (case((SearchDoc.id.in_(rows), 1), else_=0) for rows in group_rows), start=literal(0)
        )
    conditions.append(_readable(user_id))
    for sub in (False, True):
        excluded: Groups = [(t,) for t in query.excluded if t.substring == sub]
        if excluded:
            conditions.append(not_(_in_rows(engine.rows(excluded, substring=sub))))
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
                order_by=(
                    groups_in_row.desc(),
                    score.desc(),
                    SearchDoc.block_id.is_not(None),
                    SearchDoc.id,
                ),
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
