"""Top-level nodes of the note's document ⇄ block rows (the web editor's schema).

The document is the ``XmlFragment`` named ``default`` that Tiptap's Collaboration
extension binds. Each top-level ``XmlElement`` is one block: its name is the editor node
(``web/src/editor/extensions.ts``), attribute ``blockId`` the block id; its inline content
is ``XmlText`` runs whose formatting attributes are the marks (mark name -> mark attrs, as
y-prosemirror stores them, a ``--hash`` suffix on marks that may overlap) and inline
``XmlElement`` nodes (``hardBreak`` is a newline). The mapping is the one of
``web/src/editor/blocks.ts``: plain ``content.text`` and ``metadata.spans`` with an
inclusive ``end``.

Nested list and checklist items stay flat blocks: their ``depth`` attribute (0 at the top)
is ``metadata.depth`` (left out at 0). A ``table`` node is one block of type ``table``:
``content.rows`` is its cells' plain text row by row (``[["a", "b"], ["1", "2"]]``),
``content.text`` the same as tab-separated lines (what search and the original clients
read), ``metadata.header_row`` whether the first row is a header row. Cells hold one line of
text each; their formatting is ``metadata.cell_spans``: row by row, cell by cell, a list of
spans like ``metadata.spans`` (left out when no cell is formatted). A callout's ``kind`` is
one of GitHub's alert kinds, ``metadata.callout_kind`` (left out for ``note``).
"""

from __future__ import annotations

import itertools
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pycrdt import XmlElement, XmlFragment, XmlText

from owlistic.attachment.keys import attachment_of_path, attachment_path
from owlistic.kit.links import unsafe_href

FRAGMENT = "default"
ID_ATTRIBUTE = "blockId"

# Span type <-> editor mark name.
MARK_OF_SPAN = {
    "bold": "bold",
    "italics": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "link": "link",
    "code": "code",
}
SPAN_OF_MARK = {mark: span for span, mark in MARK_OF_SPAN.items()}
# Picture and file blocks: node attribute <-> metadata key (the text is the alt text or the
# file's name). ``src`` is the attachment's URL (``/api/v1/attachments/<id>``) or an
# http(s) address; the editor adds the reader's token when it loads it.
IMAGE_ATTRS = {"src": "src", "attachmentId": "attachment_id", "title": "title", "width": "width"}
FILE_ATTRS = {
    "src": "src",
    "attachmentId": "attachment_id",
    "size": "size",
    "mediaType": "media_type",
}
MEDIA_META = ("src", "attachment_id", "title", "width", "size", "media_type")
_NUMERIC_META = {"width", "size"}
# Metadata keys the document decides; every other key of a block's metadata is kept.
OWNED_META = (
    "spans",
    "level",
    "listType",
    "item_type",
    "is_completed",
    "language",
    "depth",
    "header_row",
    "cell_spans",
    "callout_kind",
    *MEDIA_META,
)
# Content keys the document decides besides ``text``.
OWNED_CONTENT = ("spans", "rows")
MAX_DEPTH = 8
# GitHub's alert kinds, a callout's ``kind`` attribute; ``note`` (the default) is left out
# of ``metadata.callout_kind``.
CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")
# Block types the editor renders with a node of their own (others are paragraphs that
# remember their source type in ``srcType``).
_STRUCTURED = {
    "header",
    "heading",
    "task",
    "listItem",
    "horizontalRule",
    "code",
    "blockquote",
    "table",
    "callout",
    "image",
    "file",
}
_HEADER = re.compile(r"^header([1-6])$")
_HASHED_MARK = re.compile(r"^(.*)--[a-zA-Z0-9+/=]{8}$")


@dataclass(frozen=True, slots=True)
class NodeBlock:
    """What one top-level node says about its block."""

    type: str
    text: str
    meta: dict[str, Any]  # the owned keys only
    content: dict[str, Any] = field(default_factory=dict)  # owned content keys but text


def valid_block_id(value: object) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# ---------------------------------------------------------------- node -> block


def _mark_name(attribute: str) -> str:
    hashed = _HASHED_MARK.match(attribute)
    return hashed.group(1) if hashed else attribute


def text_and_spans(element: XmlElement) -> tuple[str, list[dict[str, Any]]]:
    parts: list[str] = []
    length = 0
    ranges: dict[str, tuple[str, str | None, list[list[int]]]] = {}
    for child in element.children:
        if isinstance(child, XmlText):
            for chunk, attrs in child.diff():
                if not isinstance(chunk, str):
                    continue  # an embed: not part of our schema
                start = length
                parts.append(chunk)
                length += utf16_len(chunk)
                for attribute, value in (attrs or {}).items():
                    span = SPAN_OF_MARK.get(_mark_name(attribute))
                    if span is None:
                        continue
                    href = None
                    if span == "link":
                        href = str((value or {}).get("href") or "")
                    key = f"link:{href}" if span == "link" else span
                    entry = ranges.setdefault(key, (span, href, []))
                    spans = entry[2]
                    if spans and spans[-1][1] >= start:
                        spans[-1][1] = max(spans[-1][1], length)
                    else:
                        spans.append([start, length])
        elif isinstance(child, XmlElement):
            piece = "\n" if child.tag == "hardBreak" else _plain_text(child)
            parts.append(piece)
            length += utf16_len(piece)
    spans_out: list[dict[str, Any]] = []
    for span, href, found in ranges.values():
        for start, end in found:
            if end <= start:
                continue
            item: dict[str, Any] = {"start": start, "end": end - 1, "type": span}
            if span == "link":
                item["href"] = href
            spans_out.append(item)
    spans_out.sort(key=lambda s: (s["start"], s["end"], s["type"]))
    return "".join(parts), spans_out


def _plain_text(element: XmlElement) -> str:
    out = []
    for child in element.children:
        if isinstance(child, XmlText):
            out.append("".join(c for c, _ in child.diff() if isinstance(c, str)))
        elif isinstance(child, XmlElement):
            out.append(_plain_text(child))
    return "".join(out)


def _number(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        try:
            value = float(str(value))
        except ValueError:
            return default
    return int(value) or default


def _positive(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if value >= 1 else None


def _media_meta(attrs: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"spans": []}
    for attr, key in names.items():
        value = attrs.get(attr)
        if key in _NUMERIC_META:
            value = _positive(value)
        elif not isinstance(value, str) or (key == "src" and unsafe_href(value)):
            continue
        if value is not None and value != "":
            meta[key] = value
    src = meta.get("src")
    if "attachment_id" not in meta and isinstance(src, str):
        found = attachment_of_path(src)
        if found:
            meta["attachment_id"] = found
    return meta


def node_block(element: XmlElement) -> NodeBlock:
    """``nodeToData`` of the web editor, for a node as the document stores it."""
    name = element.tag
    attrs = element.attributes
    if name in ("image", "file"):
        text = attrs.get("alt" if name == "image" else "name")
        names = IMAGE_ATTRS if name == "image" else FILE_ATTRS
        media = _media_meta({a: attrs.get(a) for a in names}, names)
        return NodeBlock(name, text if isinstance(text, str) else "", media)
    if name == "codeBlock":
        language = attrs.get("language")
        meta: dict[str, Any] = {"spans": []}
        if isinstance(language, str) and language:
            meta["language"] = language
        return NodeBlock("code", _plain_text(element), meta)
    if name == "horizontalRule":
        return NodeBlock("horizontalRule", "", {"spans": []})
    if name == "table":
        return _table_block(element)
    text, spans = text_and_spans(element)
    if name == "heading":
        level = _number(attrs.get("level"), 1)
        return NodeBlock("header", text, {"spans": spans, "level": level})
    if name == "taskBlock":
        done = attrs.get("checked") is True
        meta = {"spans": spans, "is_completed": done} | _depth_meta(attrs.get("depth"))
        return NodeBlock("task", text, meta | _schedule({k: attrs.get(k) for k in SCHEDULE_ATTRS}))
    if name == "listBlock":
        kind = "ordered" if attrs.get("listType") == "ordered" else "unordered"
        meta = {"spans": spans, "listType": kind, "item_type": kind} | _depth_meta(
            attrs.get("depth")
        )
        return NodeBlock("listItem", text, meta)
    if name == "quoteBlock":
        return NodeBlock("blockquote", text, {"spans": spans})
    if name == "calloutBlock":
        kind = callout_kind(attrs.get("kind"))
        return NodeBlock("callout", text, {"spans": spans} | _kind_meta(kind))
    source = attrs.get("srcType")
    keep = isinstance(source, str) and source and source not in _STRUCTURED
    keep = keep and source != "quote" and not _HEADER.match(str(source))
    return NodeBlock(str(source) if keep else "paragraph", text, {"spans": spans})


# A checklist item's schedule: node attribute <-> block metadata key (``due`` decides: a
# node without it says nothing about its task's schedule, ``""`` means no due date).
SCHEDULE_ATTRS = {
    "due": "due_date",
    "timeZone": "time_zone",
    "remindAt": "remind_at",
    "remindBefore": "remind_before_minutes",
    "repeat": "recurrence",
}


def _schedule(attrs: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(attrs.get("due"), str):
        return {}
    # Only the keys with a value, as ``task/planning.py: schedule_meta`` writes them.
    out: dict[str, Any] = {}
    for attribute, key in SCHEDULE_ATTRS.items():
        value = attrs.get(attribute)
        if attribute == "remindBefore":
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if math.isfinite(value):
                out[key] = int(value)
        elif isinstance(value, str) and (value or key == "due_date"):
            out[key] = value
    return out


def _schedule_attrs(meta: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(meta.get("due_date"), str):
        return {}
    out: dict[str, Any] = {}
    for attribute, key in SCHEDULE_ATTRS.items():
        value = meta.get(key)
        if attribute == "remindBefore" and isinstance(value, int) and not isinstance(value, bool):
            out[attribute] = float(value)  # a plain JS number
        elif isinstance(value, str) and (value or attribute == "due"):
            out[attribute] = value
    return out


def callout_kind(value: object) -> str:
    kind = str(value).lower() if isinstance(value, str) else ""
    return kind if kind in CALLOUT_KINDS else "note"


def _kind_meta(kind: str) -> dict[str, Any]:
    return {"callout_kind": kind} if kind != "note" else {}


def _depth(value: object) -> int:
    return min(MAX_DEPTH, max(0, _number(value, 0)))


def _depth_meta(value: object) -> dict[str, Any]:
    depth = _depth(value)
    return {"depth": depth} if depth else {}


Cells = list[list[tuple[str, list[dict[str, Any]]]]]


def _table_block(element: XmlElement) -> NodeBlock:
    rows: Cells = []
    header = False
    for i, row in enumerate(element.children):
        if not isinstance(row, XmlElement):
            continue
        cells = [c for c in row.children if isinstance(c, XmlElement)]
        if i == 0:
            header = bool(cells) and all(c.tag == "tableHeader" for c in cells)
        # A line break in a cell is a space: one line per cell, the spans' offsets unchanged.
        found = (text_and_spans(c) for c in cells)
        rows.append([(text.replace("\n", " "), spans) for text, spans in found])
    return _table_data(rows, header)


def _table_data(rows: Cells, header: bool) -> NodeBlock:
    texts = [[text for text, _ in row] for row in rows]
    meta: dict[str, Any] = {"spans": [], "header_row": header}
    if any(spans for row in rows for _, spans in row):
        meta["cell_spans"] = [[spans for _, spans in row] for row in rows]
    text = "\n".join("\t".join(row) for row in texts)
    return NodeBlock("table", text, meta, {"rows": texts})


def _table_cells(content: object, meta: dict[str, Any]) -> Cells:
    """The table's cells with their well-formed spans (``metadata.cell_spans``)."""
    given = meta.get("cell_spans")
    grid = given if isinstance(given, list) else []
    out: Cells = []
    for i, row in enumerate(_table_rows(content)):
        spans_row = grid[i] if i < len(grid) and isinstance(grid[i], list) else []
        out.append(
            [
                (cell, valid_spans(spans_row[j] if j < len(spans_row) else None, utf16_len(cell)))
                for j, cell in enumerate(row)
            ]
        )
    return out


def _table_rows(content: object) -> list[list[str]]:
    """A table block's cells, every row as wide as the widest, one line per cell."""
    rows = content.get("rows") if isinstance(content, dict) else None
    if isinstance(rows, list) and rows and all(isinstance(r, list) and r for r in rows):
        found = [[c.replace("\n", " ") if isinstance(c, str) else "" for c in r] for r in rows]
    else:  # a table written without rows: its tab-separated text
        text = _block_text(content)
        found = [line.split("\t") for line in text.split("\n")] if text else [[""]]
    width = max(len(r) for r in found)
    return [r + [""] * (width - len(r)) for r in found]


def _insert_table(
    fragment: XmlFragment, index: int, block_id: str, content: object, meta: dict[str, Any]
) -> XmlElement:
    """The table with empty cells, then each cell's formatted text (prelims carry no marks)."""
    cells = _table_cells(content, meta)
    header = meta.get("header_row") is True
    prelim = XmlElement(
        "table",
        {ID_ATTRIBUTE: block_id},
        [
            XmlElement(
                "tableRow",
                None,
                [XmlElement("tableHeader" if header and i == 0 else "tableCell") for _ in row],
            )
            for i, row in enumerate(cells)
        ],
    )
    table: XmlElement = fragment.children.insert(index, prelim)
    for row_element, row in zip(table.children, cells, strict=True):
        assert isinstance(row_element, XmlElement)
        for cell_element, (text, spans) in zip(row_element.children, row, strict=True):
            assert isinstance(cell_element, XmlElement)
            fill(cell_element, inline_runs(text, spans, breaks=False))
    return table


def is_placeholder(block_type: str, content: object, meta: dict[str, Any]) -> bool:
    """The empty ``text`` block every note is created with (the contract's), untouched."""
    bare = set(meta) <= {"spans", "_sync_source", "block_id"} and not meta.get("spans")
    return block_type == "text" and not _block_text(content) and bare


# ---------------------------------------------------------------- block -> node


def valid_spans(spans: object, length: int) -> list[dict[str, Any]]:
    """Well-formed spans only (inclusive end); an exclusive end at the text's end is taken."""
    if not isinstance(spans, list):
        return []
    out = []
    for span in spans:
        if not isinstance(span, dict):
            continue
        start, end, kind, href = (span.get(k) for k in ("start", "end", "type", "href"))
        if type(start) is not int or type(end) is not int or kind not in MARK_OF_SPAN:
            continue
        if end == length:
            end = length - 1
        if start < 0 or end < start or end >= length:
            continue
        if kind == "link":
            if not isinstance(href, str) or not href:
                continue
            out.append({"start": start, "end": end, "type": kind, "href": href})
        else:
            out.append({"start": start, "end": end, "type": kind})
    return out


def _block_text(content: object) -> str:
    if isinstance(content, str):
        return content
    text = content.get("text") if isinstance(content, dict) else None
    return text if isinstance(text, str) else ""


def _block_spans(content: object, meta: dict[str, Any]) -> object:
    spans = meta.get("spans")
    if not isinstance(spans, list) and isinstance(content, dict):
        spans = content.get("spans")  # older data keeps them under content
    return spans


def inline_runs(
    text: str, spans: list[dict[str, Any]], *, marks: bool = True, breaks: bool = True
) -> list[tuple[str, dict[str, Any]] | None]:
    """``inlineFromText``: text runs with their mark attributes; None is a hard break."""
    if not text:
        return []
    spans = _to_code_points(text, spans) if marks else []
    cuts = {0, len(text)}
    for span in spans:
        cuts.add(span["start"])
        cuts.add(span["end"] + 1)
    if breaks:
        for i, char in enumerate(text):
            if char == "\n":
                cuts.update((i, i + 1))
    points = sorted(n for n in cuts if 0 <= n <= len(text))
    out: list[tuple[str, dict[str, Any]] | None] = []
    for a, b in itertools.pairwise(points):
        piece = text[a:b]
        if not piece:
            continue
        if breaks and piece == "\n":
            out.append(None)
            continue
        attrs: dict[str, Any] = {}
        for span in spans:
            if span["start"] <= a and span["end"] + 1 >= b:
                mark = MARK_OF_SPAN[span["type"]]
                if mark not in attrs:
                    attrs[mark] = {"href": span["href"]} if mark == "link" else {}
        if "code" in attrs:  # inline code excludes every other mark in the editor schema
            attrs = {"code": {}}
        out.append((piece, attrs))
    return out


def _media_attrs(meta: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A picture's or file's node attributes from its metadata: a safe ``src`` only, and the
    attachment's own URL when only its id is given."""
    attrs: dict[str, Any] = {}
    for attr, key in names.items():
        value = meta.get(key)
        if key in _NUMERIC_META:
            number = _positive(value)
            if number is not None:
                attrs[attr] = float(number)  # a plain JS number
        elif key == "attachment_id":
            if valid_block_id(value) is not None:
                attrs[attr] = str(value).lower()
        elif isinstance(value, str) and value and not (key == "src" and unsafe_href(value)):
            attrs[attr] = value
    if "src" not in attrs and "attachmentId" in attrs:
        attrs["src"] = attachment_path(attrs["attachmentId"])
    found = attachment_of_path(attrs["src"]) if "src" in attrs else None
    if "attachmentId" not in attrs and found:
        attrs["attachmentId"] = found
    return attrs


def block_node(
    block_id: str, block_type: str, content: object, meta: dict[str, Any]
) -> tuple[str, dict[str, Any], list[tuple[str, dict[str, Any]] | None]]:
    """``blockToNode``: the node name, its attributes and its inline runs."""
    text = _block_text(content)
    if block_type in ("image", "file"):
        media = {ID_ATTRIBUTE: block_id}
        media |= _media_attrs(meta, IMAGE_ATTRS if block_type == "image" else FILE_ATTRS)
        if text:
            media["alt" if block_type == "image" else "name"] = text
        return block_type, media, []
    spans = valid_spans(_block_spans(content, meta), utf16_len(text))
    header = _HEADER.match(block_type)
    attrs: dict[str, Any] = {ID_ATTRIBUTE: block_id}
    if block_type in ("header", "heading") or header:
        level = _number(meta.get("level", header.group(1) if header else 1), 1)
        attrs["level"] = float(min(6, max(1, level)))  # a float is a plain JS number
        return "heading", attrs, inline_runs(text, spans)
    if block_type in ("task", "listItem") and _depth(meta.get("depth")):
        attrs["depth"] = float(_depth(meta.get("depth")))
    if block_type == "task":
        attrs["checked"] = meta.get("is_completed") is True
        attrs.update(_schedule_attrs(meta))
        return "taskBlock", attrs, inline_runs(text, spans)
    if block_type == "listItem":
        kind = meta.get("item_type", meta.get("listType"))
        attrs["listType"] = "ordered" if kind == "ordered" else "unordered"
        return "listBlock", attrs, inline_runs(text, spans)
    if block_type == "horizontalRule":
        return "horizontalRule", attrs, []
    if block_type == "code":
        language = meta.get("language")
        if isinstance(language, str) and language:
            attrs["language"] = language
        return "codeBlock", attrs, inline_runs(text, [], marks=False, breaks=False)
    if block_type in ("blockquote", "quote"):
        return "quoteBlock", attrs, inline_runs(text, spans)
    if block_type == "callout":
        attrs["kind"] = callout_kind(meta.get("callout_kind"))
        return "calloutBlock", attrs, inline_runs(text, spans)
    attrs["srcType"] = block_type
    return "paragraph", attrs, inline_runs(text, spans)


def new_element(
    block_id: str, block_type: str, content: object, meta: dict[str, Any]
) -> tuple[XmlElement, list[tuple[str, dict[str, Any]] | None]]:
    """A prelim element for the block (attributes set); fill it with ``fill`` once inserted."""
    name, attrs, runs = block_node(block_id, block_type, content, meta)
    return XmlElement(name, attrs), runs


def fill(element: XmlElement, runs: list[tuple[str, dict[str, Any]] | None]) -> None:
    """Append inline content to an integrated element: one ``XmlText`` per line."""
    text: XmlText | None = None
    for run in runs:
        if run is None:
            element.children.append(XmlElement("hardBreak"))
            text = None
            continue
        if text is None:
            text = element.children.append(XmlText())
        piece, attrs = run
        text.insert(len(text), piece, attrs or None)  # len() is in UTF-8 bytes, like insert


def append_block(
    fragment: XmlFragment,
    index: int,
    block_id: str,
    block_type: str,
    content: object,
    meta: dict[str, Any],
) -> XmlElement:
    if block_type == "table":
        return _insert_table(fragment, index, block_id, content, meta)
    element, runs = new_element(block_id, block_type, content, meta)
    placed = fragment.children.insert(index, element)
    fill(placed, runs)
    return placed


# Attributes the block decides; any other attribute a client put on the node is kept.
_MANAGED_ATTRS = (
    "level",
    "checked",
    "listType",
    "language",
    "srcType",
    "depth",
    *IMAGE_ATTRS,
    *FILE_ATTRS,
    "alt",
    "name",
    "kind",
)


def _runs_of(element: XmlElement) -> list[tuple[str, dict[str, Any]] | None] | None:
    """The element's inline content as runs, or None when it is not one plain text."""
    children = list(element.children)
    if not children:
        return []
    if len(children) != 1 or not isinstance(children[0], XmlText):
        return None
    runs: list[tuple[str, dict[str, Any]] | None] = []
    for chunk, attrs in children[0].diff():
        if not isinstance(chunk, str):
            return None
        runs.append((chunk, dict(attrs or {})))
    return runs


def _plain(runs: list[tuple[str, dict[str, Any]] | None]) -> str:
    return "".join("\n" if run is None else run[0] for run in runs)


def set_block(
    fragment: XmlFragment,
    index: int,
    block_id: str,
    block_type: str,
    content: object,
    meta: dict[str, Any],
) -> None:
    """Make the node at ``index`` show the block, changing only what differs.

    Text is edited in place (common prefix and suffix kept) when the node holds one text
    run and no hard break, so a concurrent edit elsewhere in the block survives; anything
    else is rebuilt. A change of node type replaces the node, as the editor itself does.
    """
    element = fragment.children[index]
    if block_type == "table":
        table = _table_data(_table_cells(content, meta), meta.get("header_row") is True)
        if (
            not isinstance(element, XmlElement)
            or element.tag != "table"
            or node_block(element) != table
        ):
            del fragment.children[index]
            append_block(fragment, index, block_id, block_type, content, meta)
        return
    name, attrs, target = block_node(block_id, block_type, content, meta)
    if not isinstance(element, XmlElement) or element.tag != name:
        del fragment.children[index]
        append_block(fragment, index, block_id, block_type, content, meta)
        return
    for key, value in attrs.items():
        if element.attributes.get(key) != value:
            element.attributes[key] = value
    # A block that says nothing about a schedule leaves the node's alone.
    managed = (*_MANAGED_ATTRS, *SCHEDULE_ATTRS) if "due" in attrs else _MANAGED_ATTRS
    for key in managed:
        if key not in attrs and key in element.attributes:
            del element.attributes[key]
    current = _runs_of(element)
    if current == target:
        return
    if current is None or any(run is None for run in target):
        for _ in range(len(element.children)):
            del element.children[0]
        fill(element, target)
        return
    if not current:
        fill(element, target)
        return
    text = element.children[0]
    assert isinstance(text, XmlText)
    old, new = _plain(current), _plain(target)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    # pycrdt's text offsets count UTF-8 bytes.
    at = utf8_len(old[:prefix])
    removed = utf8_len(old[prefix : len(old) - suffix])
    if removed:
        del text[at : at + removed]
    if len(new) - prefix - suffix:
        text.insert(at, new[prefix : len(new) - suffix])
    present = {key for run in current if run is not None for key in run[1]}
    offset = 0
    for run in target:
        assert run is not None
        piece, wanted = run
        size = utf8_len(piece)
        text.format(offset, offset + size, {**dict.fromkeys(present), **wanted})
        offset += size


def utf8_len(text: str) -> int:
    return len(text.encode())


def utf16_len(text: str) -> int:
    """Spans count UTF-16 code units, as the web and the original clients' strings do."""
    return len(text.encode("utf-16-le")) // 2


def _to_code_points(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if utf16_len(text) == len(text):
        return spans
    index_of: dict[int, int] = {}
    unit = 0
    for i, char in enumerate(text):
        index_of[unit] = i
        unit += 2 if ord(char) > 0xFFFF else 1
    index_of[unit] = len(text)
    out = []
    for span in spans:
        start = index_of.get(span["start"])
        after = index_of.get(span["end"] + 1)
        if start is not None and after is not None and after > start:
            out.append({**span, "start": start, "end": after - 1})
    return out
