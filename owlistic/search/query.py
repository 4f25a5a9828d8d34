"""Web-search syntax -> one parsed query -> each engine's match expression.

``"exact phrase"``, ``-excluded``, ``a OR b``; the last plain word matches as a prefix
(search while typing). Anything else is text: no input is a syntax error, an unbalanced
quote runs to the end, operators without words are ignored, and so are the terms after the
first ``max_terms``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from owlistic.index.text import SUBSTRING_MIN_CHARS, is_unspaced, words

PREFIX_MIN_CHARS = 2  # a one-letter prefix matches most of an index


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False

    @property
    def substring(self) -> bool:
        """Matched inside words (trigram index): text without spaces between words."""
        word = self.words[0]
        return len(self.words) == 1 and len(word) >= SUBSTRING_MIN_CHARS and is_unspaced(word)

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Term, ...], ...]  # every group must match, any term of a group
    excluded: tuple[Term, ...]

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    @property
    def empty(self) -> bool:
        return not self.groups


_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


def parse(raw: str, *, max_terms: int) -> Query:
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    last_plain: tuple[int, int] | None = None  # (group, index) of the last unquoted term
    for match in _TOKEN.finditer(raw.replace("\u201c", '"').replace("\u201d", '"')):
        negate, quoted, plain = match.group(1) == "-", match.group(2), match.group(3)
        if plain == "OR" and not negate:
            join_next = bool(groups)
            continue
        found = tuple(words(quoted if quoted is not None else plain or ""))
        if not found:
            continue
        if sum(map(len, groups)) + len(excluded) == max_terms:
            break  # the rest is ignored, as web search engines do: the cost stays bounded
        term = Term(found)
        if negate:
            excluded.append(term)
            join_next = False
            continue
        if join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
        last_plain = (len(groups) - 1, len(groups[-1]) - 1) if quoted is None else None
    if last_plain is not None:
        group, index = last_plain
        term = groups[group][index]
        if not term.substring and len(term.words[-1]) >= PREFIX_MIN_CHARS:
            groups[group][index] = Term(term.words, prefix=True)
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def exact(query: Query, term: Term) -> Query:
    """``query`` with ``term`` (its prefix term) matching only itself."""
    groups = tuple(tuple(Term(t.words) if t == term else t for t in g) for g in query.groups)
    return Query(groups, query.excluded)


def _substring_usable(term: Term) -> bool:
    return len(term.text) >= SUBSTRING_MIN_CHARS


def split_groups(
    query: Query,
) -> tuple[list[tuple[Term, ...]], list[tuple[Term, ...]]]:
    """Groups for the word index and groups for the substring (trigram) index.

    A group with a substring term goes to the trigram index whole; there a term is found
    as a substring too, and terms shorter than a trigram are dropped (on both engines).
    """
    word_groups: list[tuple[Term, ...]] = []
    substring_groups: list[tuple[Term, ...]] = []
    for group in query.groups:
        if any(t.substring for t in group):
            usable = tuple(t for t in group if _substring_usable(t))
            substring_groups.append(usable)
        else:
            word_groups.append(group)
    return word_groups, substring_groups


# --- SQLite FTS5 ---------------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    # Words are letters and digits only, so a double-quoted string needs no escaping.
    return f'"{term.text}"' + ("*" if term.prefix else "")


def fts5_any(groups: list[tuple[Term, ...]]) -> str:
    """Rows matching any of the groups (a note must match each group in some row)."""
    return " OR ".join(_fts5_term(t) for g in groups for t in g)


def fts5_substring_any(groups: list[tuple[Term, ...]]) -> str:
    return " OR ".join(f'"{t.text}"' for g in groups for t in g)


def fts5_all(groups: list[tuple[Term, ...]], *, substring: bool) -> str:
    """Rows matching every group in the row itself."""
    any_of = fts5_substring_any if substring else fts5_any
    return " AND ".join(f"({any_of([g])})" for g in groups)


# --- PostgreSQL tsquery / LIKE -------------------------------------------------------


def _tsquery_term(term: Term, weights: str) -> str:
    lexemes = [f"'{w}':{weights}" if weights else f"'{w}'" for w in term.words]
    if term.prefix:
        lexemes[-1] = f"'{term.words[-1]}':*{weights}"
    return "(" + " <-> ".join(lexemes) + ")"


def tsquery_any(groups: list[tuple[Term, ...]], weights: str = "") -> str:
    """``weights``: only lexemes of those weights match (``AB``: title and tags)."""
    return " | ".join(_tsquery_term(t, weights) for g in groups for t in g)


def tsquery_all(groups: list[tuple[Term, ...]], weights: str = "") -> str:
    return " & ".join(f"({tsquery_any([g], weights)})" for g in groups)


def like_pattern(term: Term) -> str:
    # Words hold no LIKE wildcards (letters and digits only).
    return f"%{term.text}%"
