"""The node <-> block mapping of co-editing (pure functions, no server)."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from owlistic.collab import schema
from owlistic.collab.projection import compute_orders


def _doc() -> tuple[Doc[Any], XmlFragment]:
    doc: Doc[Any] = Doc()
    return doc, doc.get(schema.FRAGMENT, type=XmlFragment)


def test_blocks_round_trip_through_nodes_with_spans_and_breaks() -> None:
    _, fragment = _doc()
    cases: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
        ("header", {"level": 3}, "Title", {"level": 3}),
        ("task", {"is_completed": True}, "do it", {"is_completed": True}),
        (
            "listItem",
            {"listType": "ordered"},
            "one",
            {"listType": "ordered", "item_type": "ordered"},
        ),
        ("code", {"language": "py"}, "a\nb", {"language": "py"}),
        ("blockquote", {}, "quoted", {}),
        ("text", {}, "line\nnext", {}),
    ]
    for index, (kind, meta, text, _) in enumerate(cases):
        schema.append_block(fragment, index, f"id{index}", kind, {"text": text}, meta)
    got = [schema.node_block(child) for child in fragment.children if isinstance(child, XmlElement)]
    assert [(g.type, g.text) for g in got] == [
        ("header", "Title"),
        ("task", "do it"),
        ("listItem", "one"),
        ("code", "a\nb"),
        ("blockquote", "quoted"),
        ("text", "line\nnext"),
    ]
    for g, (_, _, _, owned) in zip(got, cases, strict=True):
        assert {k: v for k, v in g.meta.items() if k != "spans"} == owned
    paragraph = fragment.children[5]
    assert isinstance(paragraph, XmlElement)
    assert [c.tag for c in paragraph.children if isinstance(c, XmlElement)] == ["hardBreak"]


def test_spans_count_utf16_units_and_marks_follow_the_editor() -> None:
    _, fragment = _doc()
    text = "\U0001f989 bold link"  # the owl is two UTF-16 units
    spans = [
        {"start": 3, "end": 6, "type": "bold"},
        {"start": 8, "end": 11, "type": "link", "href": "https://example.com"},
    ]
    element = schema.append_block(fragment, 0, "b", "text", {"text": text}, {"spans": spans})
    inline = element.children[0]
    assert isinstance(inline, XmlText)
    runs = inline.diff()
    assert ("bold", {"bold": {}}) in runs
    assert ("link", {"link": {"href": "https://example.com"}}) in runs
    node = schema.node_block(element)
    assert node.text == text
    assert node.meta["spans"] == spans


def test_set_block_edits_text_in_place_and_changes_only_what_differs() -> None:
    doc, fragment = _doc()
    schema.append_block(fragment, 0, "b", "text", {"text": "hello world"}, {})
    other: Doc[Any] = Doc()
    other.apply_update(doc.get_update())
    other_fragment = other.get(schema.FRAGMENT, type=XmlFragment)
    # A concurrent edit at the end survives a REST rewrite of the start.
    element = other_fragment.children[0]
    assert isinstance(element, XmlElement)
    inline = element.children[0]
    assert isinstance(inline, XmlText)
    inline.insert(len(inline), "!")
    schema.set_block(fragment, 0, "b", "text", {"text": "HELLO world"}, {})
    doc.apply_update(other.get_update())
    first = fragment.children[0]
    assert isinstance(first, XmlElement)
    assert schema.node_block(first).text == "HELLO world!"
    schema.set_block(fragment, 0, "b", "task", {"text": "HELLO world!"}, {"is_completed": True})
    first = fragment.children[0]
    assert isinstance(first, XmlElement)
    assert (first.tag, first.attributes.get("blockId"), first.attributes.get("checked")) == (
        "taskBlock",
        "b",
        True,
    )


def test_orders_keep_the_increasing_ones() -> None:
    assert compute_orders([1000.0, None, 2000.0]) == [1000.0, 1500.0, 2000.0]
    assert compute_orders([None, None]) == [1000.0, 2000.0]
    assert compute_orders([3000.0, 1000.0, 2000.0]) == [0.0, 1000.0, 2000.0]
    assert compute_orders([1000.0, None]) == [1000.0, 2000.0]
