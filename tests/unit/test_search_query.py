"""The query parser and snippets, over any input (hypothesis), against a real FTS5 table."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from owlistic.index.text import fold, index_text
from owlistic.search import query as q
from owlistic.search.snippet import snippet

# Query syntax, FTS5 and tsquery operators, accents, CJK, and any text at all.
NASTY = st.lists(
    st.sampled_from([*"\"-*()^:'\\%_éÉ東京タワー\u0301\u00a0\t ", "OR", "NOT", "AND", "a", "zz"]),
    max_size=20,
).map("".join) | st.text(max_size=40)


def fts_table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE w USING fts5(title, tags, body, prefix='2 3')")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(substrings, tokenize='trigram')")
    db.execute("INSERT INTO w VALUES ('cafe', 'or', 'not and near')")
    db.execute("INSERT INTO t VALUES ('東京タワー')")
    return db


DB = fts_table()


@settings(max_examples=400, deadline=None)
@given(NASTY)
def test_any_input_parses_and_compiles_to_valid_fts5(raw: str) -> None:
    parsed = q.parse(raw, max_terms=16)
    assert len(parsed.terms) + len(parsed.excluded) <= 16
    words, substrings = q.split_groups(parsed)
    for groups, table in ((words, "w"), (substrings, "t")):
        if groups and all(groups):
            expression = (q.fts5_any if table == "w" else q.fts5_substring_any)(groups)
            DB.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (expression,)).fetchall()


@settings(deadline=None)  # no timing in tests: a loaded machine is not a failure
@given(NASTY)
def test_snippets_escape_everything_but_marks(raw: str) -> None:
    terms = q.parse("cafe " + raw, max_terms=100).terms
    text = f"<script>{raw}</script> & Café"
    marked = snippet(text, terms)
    assert marked is not None
    stripped = marked.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped
    assert ">" not in stripped


def test_syntax() -> None:
    parsed = q.parse('"Exact Phrase" -Bad wor', max_terms=16)
    assert [t.words for t in parsed.terms] == [("exact", "phrase"), ("wor",)]
    assert [t.prefix for t in parsed.terms] == [False, True]
    assert [t.words for t in parsed.excluded] == [("bad",)]
    either = q.parse("a OR b c", max_terms=16)
    assert [[t.words for t in g] for g in either.groups] == [[("a",), ("b",)], [("c",)]]
    assert q.parse('OR - "', max_terms=16).empty
    assert q.parse('"unbalanced quote', max_terms=16).terms[0].words == ("unbalanced", "quote")
    assert q.parse("京タワ", max_terms=16).terms[0].substring
    assert not q.parse("東京", max_terms=16).terms[0].substring  # too short: a prefix instead
    capped = q.parse("a -b c d e", max_terms=3)
    assert [t.words for t in capped.terms] == [("a",), ("c",)]
    assert [t.words for t in capped.excluded] == [("b",)]


def test_folding() -> None:
    assert fold("Crème BRÛLÉE ﬁn") == "creme brulee fin"
    assert index_text("ann@example.com, e-mail_x") == "ann example com e mail x"
