"""One corpus, one table of queries and the notes each must find, in order.

The table is the same for both databases, so the two runs of ``make test`` (SQLite, then
PostgreSQL) prove the engines agree, including on the text that tokenizers treat
differently (addresses, hyphens, apostrophes, numbers, accents, ligatures, CJK)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from owlistic.search import query as q
from owlistic.search import repository
from tests.api.helpers import API, block, note, notebook, ok, share
from tests.api.test_search import note_ids, search, word
from tests.conftest import LiveServer, register

CORPUS = {
    "mail": (
        "Contacts",
        ["Write to ann@example.com about the e-mail", "see https://owl.example/docs"],
    ),
    "accents": ("Crème brûlée", ["Ærøskøbing, naïve façade, Straße, ﬁnal"]),
    "numbers": ("Budget 2026", ["Total 3.14 million, v2 release, 10km run"]),
    "apostrophe": ("Don't panic", ["l'été est là, it's fine"]),
    "cjk": ("東京メモ", ["昨日は東京タワーに行きました", "北京烤鸭很好吃"]),
    "plain": ("Shopping", ["milk eggs bread", "the quick brown fox"]),
}

# query -> the corpus notes it finds. Only the hits must agree: bm25 and ts_rank order
# notes differently (the ranking tests check what both must do: titles and tags first).
EXPECTED: dict[str, list[str]] = {
    "example": ["mail"],
    "ann": ["mail"],
    "mail": ["mail"],
    '"e mail"': ["mail"],
    "docs": ["mail"],
    "creme brulee": ["accents"],
    "aeroskobing": [],
    "ærøskøbing": ["accents"],
    "naive facade": ["accents"],
    "strasse": ["accents"],
    "final": ["accents"],
    "2026": ["numbers"],
    "3 14": ["numbers"],
    "v2": ["numbers"],
    "10km": ["numbers"],
    "don": ["apostrophe"],
    "ete": ["apostrophe"],
    "京タワ": ["cjk"],
    "烤鸭很": ["cjk"],
    "東京": ["cjk"],
    "東京メモ": ["cjk"],
    "milk OR fox": ["plain"],
    "quick -milk": [],
    "bread fox": ["plain"],
    "tokyo": [],
    "brown bread": ["plain"],
    '"brown fox"': ["plain"],
    '"fox brown"': [],
    "bre": ["plain"],
    "shop": ["plain"],
    "the": ["mail", "plain"],
}

# Queries whose words the corpus has only in different blocks of a note.
SPLIT = {"bread fox", "brown bread"}


async def _ordered(
    server: LiveServer,
    user: str,
    text: str,
    tag: str | None,
    narrow_rows: int,
    candidate_rows: int | None = None,
) -> list[str]:
    """The notes ``repository.search`` finds, in order, with the given bounds."""
    settings = server.settings
    async with server.app.state.runtime.db.session() as session:
        dialect = session.get_bind().dialect.name
        hits = await repository.search(
            session,
            repository.engine_for(dialect, settings.search_language),
            uuid.UUID(user),
            q.parse(text, max_terms=settings.search_max_terms),
            repository.Filters(kind=None, notebook_id=None, tag=tag),
            dialect=dialect,
            offset=0,
            limit=settings.search_max_limit,
            narrow_rows=narrow_rows,
            candidate_rows=candidate_rows or settings.search_candidate_rows,
        )
    return [str(h.note_id) for h in hits]


async def _found(server: LiveServer, user: str, text: str, tag: str, narrow_rows: int) -> set[str]:
    return set(await _ordered(server, user, text, tag, narrow_rows))


async def test_same_hits_on_either_database(client: httpx.AsyncClient, server: LiveServer) -> None:
    me = await register(client)
    tag = word()  # makes the queries of this test find only its own notes
    nb = await notebook(client, me)
    made: dict[str, str] = {}
    for key, (title, texts) in CORPUS.items():
        n = await note(client, me, nb["id"], title)
        ok(await client.put(f"{API}/notes/{n['id']}", json={"tags": [tag]}, headers=me.headers))
        await asyncio.gather(*(block(client, me, n["id"], text) for text in texts))
        made[n["id"]] = key
    got = {
        q: sorted(made[i] for i in note_ids(await search(client, me, q, tag=tag))) for q in EXPECTED
    }
    assert got == EXPECTED
    # The same hits whether a query starts from its rarest word's rows or, as when all its
    # words are common (narrow_rows=0), from the newest rows holding them all (here every
    # row of the corpus): but for the notes whose words are only in different blocks.
    for text in EXPECTED:
        narrowed = await _found(server, me.id, text, tag, server.settings.search_narrow_rows)
        bounded = await _found(server, me.id, text, tag, 0)
        assert sorted(made[i] for i in narrowed) == EXPECTED[text]
        assert (text, bounded) == (text, set() if text in SPLIT else narrowed)


async def test_common_words_draw_from_the_newest_readable_matches(
    client: httpx.AsyncClient, server: LiveServer
) -> None:
    """When every word is common, results come from the newest ``candidate_rows`` rows the
    caller may read holding every word, plus as many newest title and tag matches, titles
    first: the same results in the same order on both databases."""
    me, other = await register(client), await register(client)
    w = word()
    nb = await notebook(client, me)
    titled = await note(client, me, nb["id"], f"About {w}")  # the oldest match
    bodies = []
    for i in range(3):
        n = await note(client, me, nb["id"], f"Body {i}")
        await block(client, me, n["id"], f"some text with {w} in it")
        bodies.append(n["id"])
    theirs = await notebook(client, other)
    shared = await note(client, other, theirs["id"], "Shared")
    await block(client, other, shared["id"], f"{w} shared with me")
    await share(client, other, theirs["id"], me, "viewer")
    # Newer rows the caller may not read take no candidate's place.
    private = await notebook(client, other)
    for i in range(3):
        n = await note(client, other, private["id"], f"{w} private {i}")
        await block(client, other, n["id"], f"{w} private text")

    def bounded(text: str, rows: int) -> Any:
        return _ordered(server, me.id, text, None, narrow_rows=0, candidate_rows=rows)

    assert await bounded(w, 2) == [titled["id"], shared["id"], bodies[2]]
    assert await bounded(w, 10) == [titled["id"], shared["id"], *reversed(bodies)]
    # The newest rows holding every word (the title hit and the shared block lack "text").
    assert await bounded(f"{w} text", 2) == [bodies[2], bodies[1]]
    # A common word typed last matches itself, not the longer words it starts.
    longer = await note(client, me, nb["id"], f"{w}x")
    assert await bounded(w, 10) == [titled["id"], shared["id"], *reversed(bodies)]
    assert await bounded(f"{w}x", 10) == [longer["id"]]
    # The word is rare here: the narrowed form finds them all, as a prefix too.
    assert set(await _ordered(server, me.id, w, None, narrow_rows=500)) == {
        titled["id"],
        shared["id"],
        longer["id"],
        *bodies,
    }
