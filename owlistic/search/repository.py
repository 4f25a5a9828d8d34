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
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.access.service import readable_note_filter
from owlistic.index.rows import not_set
from owlistic.models import Block, Note, SearchDoc, Task
from owlistic.note.repository import has_tag
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
# The columns of a ``_Row``.
_ROW = (SearchDoc.id, SearchDoc.user_id, SearchDoc.note_id, SearchDoc.block_id, SearchDoc.task_id)
RowSelect = Select[int, uuid.UUID, uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]


class Engine:
    """How one database finds rows matching any of some groups, and scores them."""

    async def prepare(self, session: AsyncSession) -> None:
        """Before a search's statements (in the request's transaction)."""

    def row_matches(self, groups: Groups, *, substring: bool) -> ColumnElement[bool]:
        """Whether the current ``search_docs`` row matches any group: a test per row, for
        a few rows already found (it never reads the whole of a common word's index)."""
        raise NotImplementedError

    def row_scores(self, groups: Groups, *, substring: bool) -> Select[Any]:
        """(id, score) of the rows matching any group."""
        raise NotImplementedError

    async def probe(
        self, session: AsyncSession, groups: Groups, *, substring: bool, limit: int
    ) -> list[_Row]:
        """Up to ``limit`` rows matching any group, in no order."""
        raise NotImplementedError

    async def newest(self, session: AsyncSession, found: RowSelect, limit: int) -> list[_Row]:
        """The rows of ``found`` (a ``recent`` query, newest first, up to ``limit``)."""
        return [_Row(*row) for row in await session.execute(found)]

    def recent(
        self, groups: Groups, *, substring: bool, heads: bool
    ) -> tuple[FromClause, list[ColumnElement[bool]], Any]:
        """``search_docs`` rows matching every group in the row itself (``heads``: only
        notes' and tasks' own rows, in their title and tags): the source, its conditions,
        and the row id to read newest first, so that the index yields them in that order
        and a LIMIT stops the read (no sort of every match)."""
        raise NotImplementedError


class SQLiteEngine(Engine):
    @staticmethod
    def _match(groups: Groups, substring: bool, ranked: bool) -> Select[Any]:
        if substring:
            return _fts_rowids("search_trigram", q.fts5_substring_any(groups), ranked=ranked)
        return _fts_rowids("search_fts", q.fts5_any(groups), ranked=ranked)

    def row_matches(self, groups: Groups, *, substring: bool) -> ColumnElement[bool]:
        name = "search_trigram" if substring else "search_fts"
        # rowid = outer id: FTS5 seeks to that row in each term's index.
        return (
            self._match(groups, substring, ranked=False)
            .where(literal_column(f"{name}.rowid") == SearchDoc.id)
            .exists()
        )

    def row_scores(self, groups: Groups, *, substring: bool) -> Select[Any]:
        return self._match(groups, substring, ranked=True)

    async def probe(
        self, session: AsyncSession, groups: Groups, *, substring: bool, limit: int
    ) -> list[_Row]:
        matched = self._match(groups, substring, ranked=False).limit(limit)
        return [
            _Row(*row)
            for row in await session.execute(select(*_ROW).where(SearchDoc.id.in_(matched)))
        ]

    def recent(
        self, groups: Groups, *, substring: bool, heads: bool
    ) -> tuple[FromClause, list[ColumnElement[bool]], Any]:
        name = "search_trigram" if substring else "search_titles" if heads else "search_fts"
        expression = q.fts5_all(groups, substring=substring)
        rowid: Any = literal_column(f"{name}.rowid")
        # FTS5 walks its index backwards for ORDER BY rowid DESC; no bm25, which would
        # first count every row of each term.
        source = table(name).join(SearchDoc, SearchDoc.id == rowid)
        match = literal_column(name).op("MATCH")(bindparam(None, expression))
        return source, [match], rowid


_FUZZY_ROWS = 5000  # GIN entries a prefix probe collects at most (PostgreSQL)
_NEWEST_ROWS = 20_000  # rows the newest matches are first looked for among (PostgreSQL)


async def _set(session: AsyncSession, **settings: str) -> None:
    """Planner settings until the end of the transaction, in one round trip."""
    values = (func.set_config(name, value, True) for name, value in settings.items())
    await session.execute(select(*values))


class PostgreSQLEngine(Engine):
    def __init__(self, language: str) -> None:
        self.language = language

    async def prepare(self, session: AsyncSession) -> None:
        # Plans for the words searched: the statements are prepared, and after five runs a
        # generic plan (a default 0.5 % match estimate) built the GIN bitmap of a word in
        # every row for a probe that stops at 501 rows, where the statistics of the word
        # choose a scan that stops there.
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    def _tsquery(self, groups: Groups) -> Any:
        return self._tsquery_of(q.tsquery_any(groups))

    def _tsquery_of(self, expression: str) -> Any:
        return func.to_tsquery(
            literal_column(f"'{self.language}'::regconfig"), bindparam(None, expression)
        )

    def _condition(self, groups: Groups, substring: bool) -> ColumnElement[bool]:
        if substring:
            # "<> ''" lets the partial trigram index serve the LIKE.
            likes = (SearchDoc.substrings.like(q.like_pattern(t)) for g in groups for t in g)
            return and_(SearchDoc.substrings != "", or_(*likes))
        return literal_column("search_docs.tsv").op("@@")(self._tsquery(groups))

    def row_matches(self, groups: Groups, *, substring: bool) -> ColumnElement[bool]:
        # In a form no index answers: with the GIN index the planner ANDed the bitmap of a
        # common word's every row with the few rows' ids (hundreds of ms at 1M blocks).
        if substring:
            text_: Any = func.coalesce(SearchDoc.substrings, SearchDoc.substrings)
            return or_(*(text_.like(q.like_pattern(t)) for g in groups for t in g))
        tsv: Any = literal_column("search_docs.tsv")
        return func.coalesce(tsv, tsv).op("@@")(self._tsquery(groups))

    def _score(self, groups: Groups, substring: bool) -> Any:
        if substring:
            return literal(1.0)
        tsv: Any = literal_column("search_docs.tsv")
        return func.ts_rank(literal_column(PG_WEIGHTS), tsv, self._tsquery(groups))

    def row_scores(self, groups: Groups, *, substring: bool) -> Select[Any]:
        return select(SearchDoc.id, self._score(groups, substring).label("score")).where(
            self._condition(groups, substring)
        )

    async def probe(
        self, session: AsyncSession, groups: Groups, *, substring: bool, limit: int
    ) -> list[_Row]:
        # Not "id IN (... LIMIT)": the planner hashed that against a scan of the table.
        statement = select(*_ROW).where(self._condition(groups, substring)).limit(limit)
        if substring or not any(t.prefix for g in groups for t in g):
            return [_Row(*row) for row in await session.execute(statement)]
        # The estimate of a prefix is poor (2 % of 100k rows for one match): the LIMIT made
        # a sequential scan look cheap, which read the whole table to find that match. The
        # GIN index instead, told to stop collecting past a few thousand entries (a random
        # subset then: enough to tell "more than limit"), costs tens of ms even for a
        # prefix of a word in every row.
        fuzzy = str(max(_FUZZY_ROWS, 10 * limit))
        await _set(session, enable_seqscan="off", gin_fuzzy_search_limit=fuzzy)
        try:
            return [_Row(*row) for row in await session.execute(statement)]
        finally:
            await _set(session, enable_seqscan="on", gin_fuzzy_search_limit="0")

    async def newest(self, session: AsyncSession, found: RowSelect, limit: int) -> list[_Row]:
        # The planner walks the primary key backwards, testing each row, until the LIMIT:
        # quick for a word in most rows, but for one in 0.4 % of them it read most of the
        # table (3 s at 1M blocks). So first only the newest rows, up to a bound; when
        # those hold fewer than ``limit`` matches, the word's own rows from the GIN index
        # (a bitmap of them all, then sorted): the same rows either way.
        low, high = (
            await session.execute(select(func.min(SearchDoc.id), func.max(SearchDoc.id)))
        ).one()
        if high is None:
            return []
        rows = [
            _Row(*row)
            for row in await session.execute(found.where(SearchDoc.id > high - _NEWEST_ROWS))
        ]
        # A small index lies wholly inside the window: the GIN pass would find the same rows
        # (and with sequential scans off, its plan on a small table is the slow one).
        if len(rows) >= limit or low > high - _NEWEST_ROWS:
            return rows
        await _set(session, enable_seqscan="off", enable_indexscan="off")
        try:
            return [_Row(*row) for row in await session.execute(found)]
        finally:
            await _set(session, enable_seqscan="on", enable_indexscan="on")

    def recent(
        self, groups: Groups, *, substring: bool, heads: bool
    ) -> tuple[FromClause, list[ColumnElement[bool]], Any]:
        tsv: Any = literal_column("search_docs.tsv")
        if substring:
            every = [self._condition([g], substring=True) for g in groups]
            return SearchDoc.__table__, every, SearchDoc.id
        if not heads:
            match = tsv.op("@@")(self._tsquery_of(q.tsquery_all(groups)))
            return SearchDoc.__table__, [match], SearchDoc.id
        # Title (A) and tag (B) lexemes of the rows the partial index ix_search_docs_tsv_heads
        # holds; a plain IS NULL, the index's own predicate.
        conditions: list[ColumnElement[bool]] = [
            SearchDoc.block_id.is_(None),
            tsv.op("@@")(self._tsquery_of(q.tsquery_all(groups, "AB"))),
        ]
        return SearchDoc.__table__, conditions, SearchDoc.id


def engine_for(dialect: str, language: str) -> Engine:
    return SQLiteEngine() if dialect == "sqlite" else PostgreSQLEngine(language)


def _readable(user_id: uuid.UUID) -> ColumnElement[bool]:
    """The same rule as every list: live notes the user may read; tasks without a note
    are their owner's alone."""
    return or_(
        and_(SearchDoc.note_id.is_(None), SearchDoc.user_id == user_id),
        and_(Note.deleted_at.is_(None), readable_note_filter(user_id)),
    )


@dataclass(frozen=True)
class _Row:
    id: int
    user_id: uuid.UUID
    note_id: uuid.UUID | None
    block_id: uuid.UUID | None
    task_id: uuid.UUID | None

    @property
    def group(self) -> uuid.UUID:
        """The result it belongs to: its task, or its note."""
        found = self.task_id or self.note_id
        assert found is not None
        return found


Group = tuple[tuple[q.Term, ...], bool]  # a group's terms, and whether they are substrings


@dataclass(frozen=True)
class _Start:
    """The rows a query's results are drawn from, their scores, and the groups every one
    of them matches itself (no need to test those)."""

    rows: list[_Row]
    scores: dict[int, float]
    known: list[Group]


async def _matching(
    session: AsyncSession, rows: list[_Row], match: ColumnElement[bool]
) -> tuple[set[int], set[uuid.UUID]]:
    """Which of ``rows`` match, and which of their notes have any (non-task) row that
    matches (looked up only for the notes none of ``rows`` answers for)."""
    ids = {r.id for r in rows}
    hit = set(await session.scalars(select(SearchDoc.id).where(SearchDoc.id.in_(ids), match)))
    notes = {r.note_id for r in rows if r.task_id is None and r.id in hit}
    unknown = {r.note_id for r in rows if r.task_id is None} - notes
    if unknown:
        others = select(SearchDoc.note_id).where(
            SearchDoc.note_id.in_(unknown), not_set(SearchDoc.task_id), match
        )
        notes |= set(await session.scalars(others.distinct()))
    return hit, {n for n in notes if n is not None}


async def _rarest(
    session: AsyncSession, engine: Engine, every: list[Group], narrow_rows: int
) -> _Start | None:
    """The rows of the group matching the fewest rows, scored by that group (a result must
    match every group, so it has one of them); None when every group matches more than
    ``narrow_rows`` rows. Each group is probed up to ``narrow_rows`` rows, so its cost
    follows the rarest word, not the database."""
    driver: tuple[list[_Row], Group] | None = None
    for group, sub in every:
        found = await engine.probe(session, [group], substring=sub, limit=narrow_rows + 1)
        if not found:
            return _Start([], {}, [])  # a result must match every group
        if len(found) <= narrow_rows and (driver is None or len(found) < len(driver[0])):
            driver = (found, (group, sub))
    if driver is None:
        return None
    rows, (group, sub) = driver
    scores = {
        row[0]: float(row[1])
        for row in await session.execute(engine.row_scores([group], substring=sub))
    }
    return _Start([r for r in rows if r.id in scores], scores, [(group, sub)])


# Scores of the bounded candidates: a title or tag match above a match in the text.
HEAD_SCORE, BODY_SCORE = 2.0, 1.0


async def _recent(
    session: AsyncSession,
    engine: Engine,
    user_id: uuid.UUID,
    words: Groups,
    substrings: Groups,
    filters: Filters,
    *,
    dialect: str,
    candidate_rows: int,
) -> _Start:
    """Every group is common: the ``candidate_rows`` newest rows the caller may read that
    match every word group in the row itself (a block's row holds its note's title and
    tags too), and as many of the newest notes' and tasks' own rows matching them in their
    title and tags. A common word says little about which of its rows is best, and ranking
    all of them is a pass over its whole index; newest first, titles and tags above text,
    is what bounds the cost. Substring groups when there are no word groups."""
    groups, sub = (words, False) if words else (substrings, True)
    scores: dict[int, float] = {}
    rows: dict[int, _Row] = {}
    for heads in (True, False) if not sub else (False,):
        source, conditions, rowid = engine.recent(groups, substring=sub, heads=heads)
        found = (
            select(*_ROW)
            .select_from(source.outerjoin(Note, Note.id == SearchDoc.note_id))
            .where(*conditions, _readable(user_id), *_filtered(filters, dialect))
            .order_by(rowid.desc())
            .limit(candidate_rows)
        )
        for row in await engine.newest(session, found, candidate_rows):
            rows.setdefault(row.id, row)
            scores.setdefault(row.id, HEAD_SCORE if heads else BODY_SCORE)
    return _Start(list(rows.values()), scores, [(g, sub) for g in groups])


def _filtered(filters: Filters, dialect: str) -> list[ColumnElement[bool]]:
    """The filters as conditions on ``search_docs`` joined to its note."""
    conditions: list[ColumnElement[bool]] = []
    if filters.kind == "note":
        conditions.append(SearchDoc.task_id.is_(None))
    elif filters.kind == "task":
        conditions.append(SearchDoc.task_id.is_not(None))
    if filters.notebook_id is not None:
        conditions.append(Note.notebook_id == filters.notebook_id)
    if filters.tag is not None:
        conditions.append(has_tag(dialect, filters.tag))
    return conditions


async def _results(
    session: AsyncSession,
    engine: Engine,
    user_id: uuid.UUID,
    query: q.Query,
    filters: Filters,
    every: list[Group],
    start: _Start,
    *,
    dialect: str,
    narrow_rows: int,
) -> list[tuple[_Row, float]]:
    """The results found from ``start``'s rows, best first: those of notes (or tasks) that
    match every group and no exclusion, readable and within the filters. Only those rows
    (and their notes' rows) are tested: a per-row test of each group (FTS5 seeks to the
    row, PostgreSQL tests its ``tsv``)."""
    rows, scores = start.rows, start.scores
    matched = dict.fromkeys((r.id for r in rows), 0)  # groups each row matches itself
    notes = {r.note_id for r in rows if r.task_id is None and r.note_id is not None}
    tasks = {r.id for r in rows if r.task_id is not None}
    for group, sub in every:
        if (group, sub) in start.known:
            hit = set(matched)
        else:
            hit, with_notes = await _matching(
                session, rows, engine.row_matches([group], substring=sub)
            )
            notes &= with_notes
            tasks &= hit
        for i in hit:
            matched[i] += 1
    for excluded_sub in (False, True):
        excluded: Groups = [(t,) for t in query.excluded if t.substring == excluded_sub]
        if excluded:
            found = await engine.probe(
                session, excluded, substring=excluded_sub, limit=narrow_rows + 1
            )
            if len(found) <= narrow_rows:  # the excluded words' own rows: all of them
                hit = {r.id for r in found}
                with_notes = {r.note_id for r in found if r.task_id is None and r.note_id}
            else:
                hit, with_notes = await _matching(
                    session, rows, engine.row_matches(excluded, substring=excluded_sub)
                )
            notes -= with_notes
            tasks -= hit
    kept = [r for r in rows if r.note_id in notes or r.id in tasks]
    if filters.kind == "note":
        kept = [r for r in kept if r.task_id is None]
    elif filters.kind == "task":
        kept = [r for r in kept if r.task_id is not None]
    readable = select(Note.id).where(
        Note.id.in_({r.note_id for r in kept if r.note_id is not None}),
        Note.deleted_at.is_(None),
        readable_note_filter(user_id),
    )
    if filters.notebook_id is not None:
        readable = readable.where(Note.notebook_id == filters.notebook_id)
    if filters.tag is not None:
        readable = readable.where(has_tag(dialect, filters.tag))
    allowed = set(await session.scalars(readable))
    unfiled = filters.notebook_id is None and filters.tag is None  # tasks without a note
    kept = [
        r
        for r in kept
        if r.note_id in allowed or (r.note_id is None and unfiled and r.user_id == user_id)
    ]
    # A result's row matches the most groups, then scores best; ties go to the note's own
    # row (no block), then to the earliest row. Results with equal scores: newest first.
    best: dict[uuid.UUID, _Row] = {}
    for r in sorted(
        kept, key=lambda r: (-matched[r.id], -scores[r.id], r.block_id is not None, r.id)
    ):
        best.setdefault(r.group, r)
    ordered = sorted(best.values(), key=lambda r: (-scores[r.id], -r.id))
    return [(r, scores[r.id]) for r in ordered]


async def _settled(
    session: AsyncSession, engine: Engine, query: q.Query, narrow_rows: int
) -> q.Query:
    """A prefix term whose word is itself common matches that word only: FTS5 answers a
    prefix longer than its prefix indexes (2 and 3 characters) by merging the rows of
    every word it starts, all of them, before the first row (40 ms at 100k blocks for
    ``lorem*``, and again for each row tested); such a word already has more results than
    a page, and the query is then answered from its newest rows."""
    term = next((t for t in query.terms if t.prefix), None)
    if term is None:
        return query
    whole = q.Term(term.words)
    found = await engine.probe(session, [(whole,)], substring=False, limit=narrow_rows + 1)
    common = len(found) > narrow_rows
    return q.exact(query, term) if common else query


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
    narrow_rows: int,
    candidate_rows: int,
) -> list[Hit]:
    await engine.prepare(session)
    query = await _settled(session, engine, query, narrow_rows)
    words, substrings = q.split_groups(query)
    if any(not group for group in substrings):
        return []  # a substring alternative too short for any index: nothing can match
    every = [(g, False) for g in words] + [(g, True) for g in substrings]
    start = await _rarest(session, engine, every, narrow_rows)
    if start is None:
        start = await _recent(
            session,
            engine,
            user_id,
            words,
            substrings,
            filters,
            dialect=dialect,
            candidate_rows=candidate_rows,
        )
    found = await _results(
        session,
        engine,
        user_id,
        query,
        filters,
        every,
        start,
        dialect=dialect,
        narrow_rows=narrow_rows,
    )
    page = found[offset : offset + limit]
    return [Hit(r.note_id, r.block_id, r.task_id, score) for r, score in page]


async def originals(
    session: AsyncSession,
    note_ids: set[uuid.UUID],
    block_ids: set[uuid.UUID],
    task_ids: set[uuid.UUID],
) -> tuple[dict[uuid.UUID, Note], dict[uuid.UUID, object], dict[uuid.UUID, Task]]:
    """The notes, block contents and tasks a page of hits shows (titles and snippets)."""
    notes = {n.id: n for n in await session.scalars(select(Note).where(Note.id.in_(note_ids)))}
    rows = await session.execute(select(Block.id, Block.content).where(Block.id.in_(block_ids)))
    blocks: dict[uuid.UUID, object] = {row[0]: row[1] for row in rows}
    tasks = {t.id: t for t in await session.scalars(select(Task).where(Task.id.in_(task_ids)))}
    return notes, blocks, tasks
