from __future__ import annotations

import base64
import binascii
import html
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from owlistic.index.text import content_text
from owlistic.kit.errors import BadRequest
from owlistic.note.tags import normalize_tag
from owlistic.search import query as q
from owlistic.search import repository
from owlistic.search.schemas import Kind, SearchPage, SearchResult
from owlistic.search.snippet import snippet
from owlistic.settings import Settings


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, max_offset: int) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset = int(raw[1:]) if raw.startswith("o") and raw[1:].isdigit() else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
    if offset < 0 or offset > max_offset:
        raise BadRequest("invalid cursor: pass the next_cursor of a previous page")
    return offset


def _tags_line(tags: list[str] | None) -> str:
    return " ".join(f"#{t}" for t in tags or [])


class SearchService:
    async def search(
        self,
        session: AsyncSession,
        settings: Settings,
        user_id: uuid.UUID,
        *,
        text: str,
        kind: Kind | None,
        notebook_id: uuid.UUID | None,
        tag: str | None,
        limit: int | None,
        cursor: str | None,
    ) -> SearchPage:
        if not text.strip():
            raise BadRequest("q is required: the words to search for")
        if len(text) > settings.search_max_query_chars:
            raise BadRequest(f"q is longer than {settings.search_max_query_chars} characters")
        size = settings.search_default_limit if limit is None else limit
        if not 1 <= size <= settings.search_max_limit:
            raise BadRequest(f"limit must be between 1 and {settings.search_max_limit}")
        offset = 0 if cursor is None else decode_cursor(cursor, settings.search_max_offset)
        parsed = q.parse(text, max_terms=settings.search_max_terms)
        if parsed.empty:  # only operators, punctuation or exclusions: nothing to look for
            return SearchPage(results=[], next_cursor=None)
        dialect = session.get_bind().dialect.name
        filters = repository.Filters(
            kind=kind,
            notebook_id=notebook_id,
            tag=None if tag is None else normalize_tag(tag, settings.tag_max_chars),
        )
        hits = await repository.search(
            session,
            repository.engine_for(dialect, settings.search_language),
            user_id,
            parsed,
            filters,
            dialect=dialect,
            offset=offset,
            limit=size + 1,
            narrow_rows=settings.search_narrow_rows,
            candidate_rows=settings.search_candidate_rows,
        )
        more = len(hits) > size and offset + size <= settings.search_max_offset
        results = await self._results(session, hits[:size], parsed.terms)
        return SearchPage(
            results=results, next_cursor=encode_cursor(offset + size) if more else None
        )

    async def _results(
        self, session: AsyncSession, hits: list[repository.Hit], terms: list[q.Term]
    ) -> list[SearchResult]:
        """Titles and snippets from the original texts of this page's hits only."""
        note_ids = {h.note_id for h in hits if h.note_id is not None}
        block_ids = {h.block_id for h in hits if h.block_id is not None}
        task_ids = {h.task_id for h in hits if h.task_id is not None}
        notes, blocks, tasks = await repository.originals(session, note_ids, block_ids, task_ids)
        results = []
        for hit in hits:
            note = notes.get(hit.note_id) if hit.note_id else None
            if hit.task_id is not None:
                task = tasks[hit.task_id]
                title, updated_at, block_id = task.title, task.updated_at, task.block_id
                texts = [task.title, task.description]
                kind: Kind = "task"
            else:
                assert note is not None
                title, updated_at, block_id = note.title, note.updated_at, hit.block_id
                body = content_text(blocks[hit.block_id], 1_000_000) if hit.block_id else ""
                texts = [body, note.title, _tags_line(note.tags)]
                kind = "note"
            marked = next((s for s in (snippet(t, terms) for t in texts) if s), None)
            results.append(
                SearchResult(
                    kind=kind,
                    note_id=hit.note_id,
                    notebook_id=note.notebook_id if note else None,
                    task_id=hit.task_id,
                    title=title,
                    snippet=marked if marked is not None else html.escape(texts[0][:160]),
                    block_id=block_id,
                    score=hit.score,
                    updated_at=updated_at,
                )
            )
        return results


search = SearchService()
