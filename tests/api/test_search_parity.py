"""One corpus, one table of queries and the notes each must find, in order.

The table is the same for both databases, so the two runs of ``make test`` (SQLite, then
PostgreSQL) prove the engines agree, including on the text that tokenizers treat
differently (addresses, hyphens, apostrophes, numbers, accents, ligatures, CJK)."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.helpers import API, block, note, notebook, ok
from tests.api.test_search import note_ids, search, word
from tests.conftest import register

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


async def test_same_hits_on_either_database(client: httpx.AsyncClient) -> None:
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
