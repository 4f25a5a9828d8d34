"""Snippets: the matching part of the original text, each match in ``<mark>``, the rest
HTML-escaped. Built here rather than by the engines, so both give the same snippet and
accents are matched as the index matches them (``cafe`` marks ``Café``)."""

from __future__ import annotations

import html
import re

from owlistic.index.text import folded_with_offsets
from owlistic.search.query import Term

WINDOW = 160


def _pattern(terms: list[Term]) -> re.Pattern[str] | None:
    alternatives = []
    for term in terms:
        body = r"[\W_]+".join(re.escape(w) for w in term.words)
        if term.substring:
            alternatives.append(body)
        else:
            # A prefix marks the whole word it starts.
            tail = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
            alternatives.append(rf"(?<![^\W_]){body}{tail}")
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


def matches(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Spans of ``text`` (original characters) that the terms match."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    folded, where = folded_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for found in pattern.finditer(folded):
        if found.end() > found.start():
            start, end = where[found.start()], where[found.end() - 1] + 1
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


def snippet(text: str, terms: list[Term], window: int = WINDOW) -> str | None:
    """The window of ``text`` around its first match, or None when nothing matches."""
    spans = matches(text, terms)
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - window // 4)
    if start > 0:  # begin at a word
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + window)
    out = ["\u2026" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s >= end:
            break
        s, e = max(s, cursor), min(e, end)
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("\u2026")
    return "".join(out)
