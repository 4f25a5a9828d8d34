"""The patterns the OpenAPI schema states are exactly the rules the server applies."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from owlistic.kit.errors import BadRequest
from owlistic.kit.time import ZONE_NAMES, zone, zone_schema
from owlistic.note.tags import TAG_PATTERN, normalize_tag

# Characters near every rule: spaces, separators, controls, invisible formatting, letters.
NEAR = st.text(
    st.sampled_from([" ", "\t", "\n", "\u3000", "#", "/", ",", "\x07", "\u200b", "a", "Ä", "ß"])
    | st.characters(codec="utf-8"),
    max_size=12,
)


@settings(max_examples=500, deadline=None)
@given(NEAR)
def test_a_tag_is_accepted_exactly_when_it_matches_the_pattern(raw: str) -> None:
    matches = re.fullmatch(TAG_PATTERN, raw) is not None
    try:
        tag = normalize_tag(raw, 100)
    except BadRequest:
        assert not matches
        return
    assert matches
    assert tag == tag.strip()
    assert not {",", "#"} & set(tag)
    assert all(part for part in tag.split("/"))


def test_the_zone_pattern_is_the_list_the_server_accepts() -> None:
    pattern = re.compile(zone_schema()["pattern"])
    assert len(ZONE_NAMES) > 400
    for name in ZONE_NAMES:
        assert pattern.fullmatch(name), name
        assert zone(name).key == name
    for name in ("", "Europe", "Europe/", "Mars/Olympus", "europe/paris", "../etc/passwd"):
        assert not pattern.fullmatch(name), name
