"""Text folding shared by indexing, querying and highlighting, on both databases.

Both engines index the same folded, word-split text (``index_text``), so they agree on
what a word is and on accents: neither SQLite's tokenizers nor PostgreSQL's parser ever
see a character they could treat differently.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
# Scripts written without spaces between words: a query word in them is matched as a
# substring (trigram index) rather than as a whole word.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]"
)
SUBSTRING_MIN_CHARS = 3  # what a trigram index can find


@lru_cache(maxsize=65_536)
def fold_char(char: str) -> str:
    """One character without case and accents (``É`` -> ``e``, ``ﬁ`` -> ``fi``)."""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    return "".join(map(fold_char, text))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def index_text(text: str) -> str:
    """What the engines index: folded words separated by single spaces."""
    return " ".join(words(text))


def is_unspaced(word: str) -> bool:
    return _UNSPACED.search(word) is not None


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, the index of the source character."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        out.append(folded)
        where.extend([index] * len(folded))
    return "".join(out), where


def content_text(content: object, limit: int) -> str:
    """Every string inside a block's content (text, code, captions, list items), joined."""
    parts: list[str] = []
    size = 0

    def walk(value: object) -> None:
        nonlocal size
        if size >= limit:
            return
        if isinstance(value, str):
            parts.append(value)
            size += len(value) + 1
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(content)
    return "\n".join(parts)[:limit]
