"""Search on the current database: matching, ranking, access, paging and bad input.

Every test uses words of its own (``word()``), so the session-wide accounts' other notes
never match."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.api.helpers import (
    API,
    Json,
    block,
    error_of,
    get,
    note,
    notebook,
    ok,
    share,
    task,
)
from tests.conftest import Account


def word() -> str:
    """A word no other test uses (letters only: digits would make it two words nowhere)."""
    return "zq" + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])


async def search(client: httpx.AsyncClient, who: Account, q: str, **params: Any) -> list[Json]:
    body = await get(client, who, "/search", q=q, **params)
    assert set(body) == {"results", "next_cursor"}
    results: list[Json] = body["results"]
    return results


def note_ids(results: list[Json]) -> list[str]:
    return [r["note_id"] for r in results if r["kind"] == "note"]


async def test_result_shape_snippet_and_block(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "Plain title")
    b = await block(client, owner, n["id"], f"Some <b>bold</b> & {w} text")
    (hit,) = await search(client, owner, w)
    assert set(hit) == {
        "kind",
        "note_id",
        "notebook_id",
        "task_id",
        "title",
        "snippet",
        "block_id",
        "score",
        "updated_at",
    }
    assert (hit["kind"], hit["note_id"], hit["notebook_id"]) == ("note", n["id"], nb["id"])
    assert (hit["block_id"], hit["title"], hit["task_id"]) == (b["id"], "Plain title", None)
    assert hit["snippet"] == f"Some &lt;b&gt;bold&lt;/b&gt; &amp; <mark>{w}</mark> text"
    assert isinstance(hit["score"], float)


async def test_title_hit_ranks_above_body_hit(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    in_body = await note(client, owner, nb["id"], "Unrelated")
    await block(client, owner, in_body["id"], f"we talked about {w} at length, {w} again")
    in_title = await note(client, owner, nb["id"], f"{w} plans")
    results = await search(client, owner, w)
    assert note_ids(results) == [in_title["id"], in_body["id"]]
    assert results[0]["block_id"] is None
    assert results[0]["snippet"] == f"<mark>{w}</mark> plans"


async def test_tag_hit_ranks_above_body_hit(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    in_body = await note(client, owner, nb["id"], "One")
    await block(client, owner, in_body["id"], f"mentions {w}")
    tagged = await note(client, owner, nb["id"], "Two")
    ok(await client.put(f"{API}/notes/{tagged['id']}", json={"tags": [w]}, headers=owner.headers))
    results = await search(client, owner, w)
    assert note_ids(results) == [tagged["id"], in_body["id"]]
    assert results[0]["snippet"] == f"#<mark>{w}</mark>"


async def test_phrase_exclusion_or_and_prefix(client: httpx.AsyncClient, owner: Account) -> None:
    a, b, c = word(), word(), word()
    nb = await notebook(client, owner)
    n1 = await note(client, owner, nb["id"], "n1")
    await block(client, owner, n1["id"], f"{a} {b} together")
    n2 = await note(client, owner, nb["id"], "n2")
    await block(client, owner, n2["id"], f"{b} then {a}")
    n3 = await note(client, owner, nb["id"], "n3")
    await block(client, owner, n3["id"], f"{c} only")
    await block(client, owner, n3["id"], f"and {a} in another block")

    assert set(note_ids(await search(client, owner, f"{a} {b}"))) == {n1["id"], n2["id"]}
    assert note_ids(await search(client, owner, f'"{a} {b}"')) == [n1["id"]]
    assert set(note_ids(await search(client, owner, f"{a} -{b}"))) == {n3["id"]}
    # exclusion is per note: n3 has c in one block and a in another
    assert set(note_ids(await search(client, owner, f"{a} -{c}"))) == {n1["id"], n2["id"]}
    assert set(note_ids(await search(client, owner, f"{b} OR {c}"))) == {
        n1["id"],
        n2["id"],
        n3["id"],
    }
    assert note_ids(await search(client, owner, f'"{a} {b}" -together')) == []
    # the last word is a prefix while typing, an earlier one is not
    assert set(note_ids(await search(client, owner, c[:-3]))) == {n3["id"]}
    assert note_ids(await search(client, owner, f"{c[:-3]} only")) == []
    assert note_ids(await search(client, owner, f'"{c[:-3]}"')) == []


async def test_words_split_between_title_and_body(
    client: httpx.AsyncClient, owner: Account
) -> None:
    a, b = word(), word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], f"Meeting {a}")
    blk = await block(client, owner, n["id"], f"budget {b}")
    (hit,) = await search(client, owner, f"{a} {b}")
    assert (hit["note_id"], hit["block_id"]) == (n["id"], blk["id"])
    assert hit["snippet"] == f"budget <mark>{b}</mark>"


async def test_accents_and_case(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "Menu")
    await block(client, owner, n["id"], f"Un CAFÉ crème {w}")
    for q in (f"cafe creme {w}", f"Café {w}", f"CAFE {w.upper()}", f"café crème {w}"):
        results = await search(client, owner, q)
        assert note_ids(results) == [n["id"]], q
    assert (await search(client, owner, f"cafe {w}"))[0]["snippet"] == (
        f"Un <mark>CAFÉ</mark> crème <mark>{w}</mark>"
    )


async def test_cjk_substring(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], w)
    b = await block(client, owner, n["id"], "昨日は東京タワーに行きました")
    hits = await search(client, owner, f"京タワ {w}")
    assert [(h["note_id"], h["block_id"]) for h in hits] == [(n["id"], b["id"])]
    assert hits[0]["snippet"] == "昨日は東<mark>京タワ</mark>ーに行きました"
    assert note_ids(await search(client, owner, f"タワーに行 {w}")) == [n["id"]]
    assert note_ids(await search(client, owner, f"大阪城 {w}")) == []


async def test_match_deep_in_a_long_note(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    # One request for the 500 blocks (the bulk import): 500 POSTs took most of this test.
    body = {
        "notebook_id": nb["id"],
        "notes": [
            {
                "title": "Long",
                "blocks": [
                    {"type": "text", "content": {"text": f"Paragraph {i} {w}x{i}"}}
                    for i in range(500)
                ],
            }
        ],
    }
    imported = await client.post(f"{API}/import/notes", json=body, headers=owner.headers)
    (created,) = ok(imported, 201)["notes"]
    by_text = {b["content"]["text"]: b["id"] for b in created["blocks"]}
    (hit,) = await search(client, owner, f"paragraph {w}x451")
    assert hit["block_id"] == by_text[f"Paragraph 451 {w}x451"]
    assert hit["snippet"] == f"<mark>Paragraph</mark> 451 <mark>{w}x451</mark>"


async def test_tasks_are_found_and_filtered_by_kind(
    client: httpx.AsyncClient, owner: Account
) -> None:
    w, d = word(), word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "Chores")
    t = await task(client, owner, title=f"buy {w}", note_id=n["id"], description=f"at {d}")
    alone = await task(client, owner, title=f"call {w}")
    results = await search(client, owner, w, kind="task")
    assert {r["task_id"] for r in results} == {t["id"], alone["id"]}
    linked = next(r for r in results if r["task_id"] == t["id"])
    assert (linked["note_id"], linked["notebook_id"], linked["title"]) == (
        n["id"],
        nb["id"],
        f"buy {w}",
    )
    assert linked["block_id"] == t["metadata"]["block_id"]
    assert note_ids(await search(client, owner, w, kind="note")) == [n["id"]]
    (by_description,) = await search(client, owner, d)
    assert (by_description["task_id"], by_description["snippet"]) == (
        t["id"],
        f"at <mark>{d}</mark>",
    )
    ok(await client.delete(f"{API}/tasks/{alone['id']}", headers=owner.headers), 204)
    assert {r["task_id"] for r in await search(client, owner, w, kind="task")} == {t["id"]}


async def test_index_follows_edits_and_block_deletion(
    client: httpx.AsyncClient, owner: Account
) -> None:
    a, b = word(), word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "Edits")
    blk = await block(client, owner, n["id"], a)
    assert note_ids(await search(client, owner, a)) == [n["id"]]
    r = await client.put(
        f"{API}/blocks/{blk['id']}", json={"content": {"text": b}}, headers=owner.headers
    )
    ok(r)
    assert note_ids(await search(client, owner, a)) == []
    assert note_ids(await search(client, owner, b)) == [n["id"]]
    ok(
        await client.put(
            f"{API}/notes/{n['id']}", json={"title": f"renamed {a}"}, headers=owner.headers
        )
    )
    assert note_ids(await search(client, owner, f"{a} {b}")) == [n["id"]]
    ok(await client.delete(f"{API}/blocks/{blk['id']}", headers=owner.headers), 204)
    assert note_ids(await search(client, owner, b)) == []
    assert note_ids(await search(client, owner, a)) == [n["id"]]


async def test_private_notes_never_appear_to_others(
    client: httpx.AsyncClient, owner: Account, outsider: Account
) -> None:
    w = word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], f"secret {w}")
    await block(client, owner, n["id"], f"{w} body")
    await task(client, owner, title=f"{w} task", note_id=n["id"])
    await task(client, owner, title=f"{w} alone")
    assert len(await search(client, owner, w)) == 3
    assert await search(client, outsider, w) == []
    assert await search(client, outsider, w, notebook_id=nb["id"]) == []


async def test_share_and_revoke(client: httpx.AsyncClient, owner: Account, peer: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "Shared")
    await block(client, owner, n["id"], f"shared {w}")
    assert await search(client, peer, w) == []
    await share(client, owner, nb["id"], peer, "viewer")
    assert note_ids(await search(client, peer, w)) == [n["id"]]
    r = await client.delete(f"{API}/notebooks/{nb['id']}/shares/{peer.id}", headers=owner.headers)
    assert r.status_code in (200, 204), r.text
    assert await search(client, peer, w) == []


async def test_trash_and_restore(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb = await notebook(client, owner)
    n = await note(client, owner, nb["id"], "Trashed")
    await block(client, owner, n["id"], f"gone {w}")
    t = await task(client, owner, title=f"task {w}", note_id=n["id"])
    assert len(await search(client, owner, w)) == 2
    ok(await client.delete(f"{API}/notes/{n['id']}", headers=owner.headers), 204)
    assert await search(client, owner, w) == []
    ok(await client.post(f"{API}/trash/restore/note/{n['id']}", headers=owner.headers))
    results = await search(client, owner, w)
    assert {(r["kind"], r["note_id"]) for r in results} == {("note", n["id"]), ("task", n["id"])}
    assert any(r["task_id"] == t["id"] for r in results)
    ok(await client.delete(f"{API}/notebooks/{nb['id']}", headers=owner.headers), 204)
    assert await search(client, owner, w) == []
    ok(await client.delete(f"{API}/trash/notebook/{nb['id']}", headers=owner.headers))
    assert await search(client, owner, w) == []


async def test_filters_by_notebook_and_tag(client: httpx.AsyncClient, owner: Account) -> None:
    w = word()
    nb1, nb2 = await notebook(client, owner), await notebook(client, owner)
    n1 = await note(client, owner, nb1["id"], f"{w} one")
    n2 = await note(client, owner, nb2["id"], f"{w} two")
    ok(
        await client.put(
            f"{API}/notes/{n2['id']}", json={"tags": ["Work/Clients"]}, headers=owner.headers
        )
    )
    assert note_ids(await search(client, owner, w, notebook_id=nb1["id"])) == [n1["id"]]
    assert note_ids(await search(client, owner, w, tag="work")) == [n2["id"]]
    assert note_ids(await search(client, owner, w, tag="#work/clients")) == [n2["id"]]
    assert note_ids(await search(client, owner, w, tag="clients")) == []


async def test_cursor_pages_are_consistent_with_one_page(
    client: httpx.AsyncClient, owner: Account
) -> None:
    w = word()
    nb = await notebook(client, owner)
    made = {(await note(client, owner, nb["id"], f"{w} {i}"))["id"] for i in range(4)}
    for i in range(3):  # body hits rank below the title hits; equal scores tie on the id
        n = await note(client, owner, nb["id"], f"Body {i}")
        await block(client, owner, n["id"], f"the word {w} in a block")
        made.add(n["id"])
    whole = await search(client, owner, w, limit=50)
    assert len(whole) == 7
    pages: list[Json] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": w, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = await get(client, owner, "/search", **params)
        pages += body["results"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    key = [(r["note_id"], r["block_id"]) for r in pages]
    assert key == [(r["note_id"], r["block_id"]) for r in whole]  # same order, no repeats
    assert set(note_ids(pages)) == made


async def test_terms_past_the_limit_are_ignored(
    client: httpx.AsyncClient, owner: Account, runtime: Any
) -> None:
    words = [word() for _ in range(runtime.settings.search_max_terms)]
    n = await note(client, owner, (await notebook(client, owner))["id"], "Many words")
    await block(client, owner, n["id"], " ".join(words))
    # Every term must match; one more that matches nothing is past the limit, so it is ignored.
    assert note_ids(await search(client, owner, " ".join([*words, word()]))) == [n["id"]]
    assert note_ids(await search(client, owner, " ".join([*words[1:], word()]))) == []


async def test_bad_input_is_a_clear_error_or_an_empty_result(
    client: httpx.AsyncClient, owner: Account, runtime: Any
) -> None:
    h = owner.headers
    assert "q" in error_of(await client.get(f"{API}/search", headers=h), 422)
    error_of(await client.get(f"{API}/search", params={"q": "   "}, headers=h), 400)
    too_long = "a" * (runtime.settings.search_max_query_chars + 1)
    assert "longer" in error_of(
        await client.get(f"{API}/search", params={"q": too_long}, headers=h), 400
    )
    for params in ({"limit": 0}, {"limit": 10_000}, {"cursor": "nope!"}, {"cursor": "bzk5OTk5OQ"}):
        error_of(await client.get(f"{API}/search", params={"q": "x", **params}, headers=h), 400)
    error_of(await client.get(f"{API}/search", params={"q": "x", "kind": "nope"}, headers=h), 422)
    error_of(await client.get(f"{API}/search", params={"q": "x", "tag": "#"}, headers=h), 400)
    error_of(await client.get(f"{API}/search", params={"q": "x"}), 401)
    error_of(await client.get(f"{API}/search", params={"q": "a\x00b"}, headers=h), 422)
    for q in ("OR", "-", '"', "-x", '""', "OR OR", "---", "*", "!!!", "\u0301"):
        assert await search(client, owner, q) == [], q
    # Operators of either engine, wildcards, quotes and odd scripts are plain text.
    nasty = [
        "NOT",
        "AND x",
        "NEAR(a b)",
        "a:*",
        "'",
        "''",
        "\\",
        "%",
        "_",
        "a & b | !c",
        "<->",
        "x*",
        "title:x",
        "^x",
        "{x}",
        "(x",
        "x)",
        '"a" OR',
        "OR -",
        "- -x",
        "a OR OR b",
        "😀 emoji",
        "שלום",
        "ǅ",
        "ß",
        "東",
        "東京",
        "東京タ",
        "x" * 256,
        "a" * 200 + " 東京タワー",
        '"' * 50,
        "-" * 100,
        "OR " * 5,
        "a\tb\nc",
        "%_%",
        "x'y",
        "1e10",
        "0x1F",
    ]
    for q in nasty:
        r = await client.get(f"{API}/search", params={"q": q}, headers=h)
        assert r.status_code == 200, (q, r.status_code, r.text)
        assert set(r.json()) == {"results", "next_cursor"}
