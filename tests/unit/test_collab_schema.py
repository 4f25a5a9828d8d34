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


def test_depth_callout_and_tables_round_trip_and_update_in_place() -> None:
    _, fragment = _doc()
    schema.append_block(fragment, 0, "a", "listItem", {"text": "sub"}, {"depth": 2})
    schema.append_block(fragment, 1, "b", "callout", {"text": "note"}, {})
    rows = {"rows": [["Item", "Cost"], ["Tea"]], "text": "ignored"}
    schema.append_block(fragment, 2, "c", "table", rows, {"header_row": True})
    schema.append_block(fragment, 3, "d", "table", {"text": "x\ty\n1\t2"}, {})
    nested, callout, table, from_text = (schema.node_block(c) for c in fragment.children)  # type: ignore[arg-type]
    assert nested.meta["depth"] == 2
    assert (callout.type, callout.text) == ("callout", "note")
    assert table == schema.NodeBlock(
        "table",
        "Item\tCost\nTea\t",
        {"spans": [], "header_row": True},
        {"rows": [["Item", "Cost"], ["Tea", ""]]},
    )
    assert from_text.content == {"rows": [["x", "y"], ["1", "2"]]}
    assert from_text.meta["header_row"] is False

    # A REST write: depth removed, the table's cells and header row changed.
    schema.set_block(fragment, 0, "a", "listItem", {"text": "sub"}, {})
    schema.set_block(fragment, 2, "c", "table", {"rows": [["Item", "Price"]]}, {})
    assert "depth" not in schema.node_block(fragment.children[0]).meta  # type: ignore[arg-type]
    element = fragment.children[2]
    assert isinstance(element, XmlElement)
    assert element.attributes[schema.ID_ATTRIBUTE] == "c"
    assert schema.node_block(element).content == {"rows": [["Item", "Price"]]}
    assert (
        str(element.children[0])
        == "<tableRow><tableCell>Item</tableCell><tableCell>Price</tableCell></tableRow>"
    )


def test_table_cells_keep_their_formatting_and_callouts_their_kind() -> None:
    _, fragment = _doc()
    bold = [{"start": 0, "end": 3, "type": "bold"}]
    link = [{"start": 2, "end": 4, "type": "link", "href": "https://example.com"}]
    rows = {"rows": [["Item", "Cost"], ["Tea", "a 🍵b"]]}
    cell_spans = [[bold, []], [[{"start": 0, "end": 9, "type": "code"}], link]]
    schema.append_block(fragment, 0, "t", "table", rows, {"cell_spans": cell_spans})
    schema.append_block(fragment, 1, "w", "callout", {"text": "Mind"}, {"callout_kind": "Warning"})
    schema.append_block(fragment, 2, "n", "callout", {"text": "Plain"}, {"callout_kind": "odd"})
    table, warning, plain = (schema.node_block(c) for c in fragment.children)  # type: ignore[arg-type]
    # A span past its cell's end is dropped; the emoji counts two UTF-16 units, as on the web.
    assert table.meta == {"spans": [], "header_row": False, "cell_spans": [[bold, []], [[], link]]}
    assert table.content == {"rows": [["Item", "Cost"], ["Tea", "a 🍵b"]]}
    element = fragment.children[0]
    assert isinstance(element, XmlElement)
    assert str(element.children[0]).startswith("<tableRow><tableCell><bold>Item</bold>")
    assert (warning.meta, plain.meta) == (
        {"spans": [], "callout_kind": "warning"},
        {"spans": []},
    )
    assert fragment.children[1].attributes["kind"] == "warning"  # type: ignore[union-attr]

    # A REST write that drops the formatting rebuilds the cells plain; the kind changes in place.
    schema.set_block(fragment, 0, "t", "table", rows, {})
    schema.set_block(fragment, 1, "w", "callout", {"text": "Mind"}, {"callout_kind": "tip"})
    assert "cell_spans" not in schema.node_block(fragment.children[0]).meta  # type: ignore[arg-type]
    assert schema.node_block(fragment.children[1]).meta["callout_kind"] == "tip"  # type: ignore[arg-type]
