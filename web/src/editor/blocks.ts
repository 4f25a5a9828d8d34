// Server block  <->  editor node mapping (contract section 10.2).
//
// Every top-level node of the note's document is exactly one server block. The node
// keeps the block id in its `blockId` attribute. Text is plain (`content.text`) and
// inline formatting is carried by `metadata.spans` with an INCLUSIVE `end`.
//
// The server builds a note's document from its blocks and projects the document back
// into blocks with this same mapping; `blockToNode` and `nodeToData` are its reference
// (pinned by the unit tests) and `nodeToData` also feeds the Markdown export.
//
// Nesting stays flat: a list or checklist item's `depth` attribute is `metadata.depth`
// (absent at 0). A table is one block of type `table`: `content.rows` holds its cells'
// text row by row, `content.text` the same as tab-separated lines, `metadata.header_row`
// whether the first row is a header row, `metadata.cell_spans` each cell's spans row by row
// (left out when no cell is formatted). A callout's kind is `metadata.callout_kind`
// (owlistic/collab/schema.py states the same shapes).
import type { JSONContent } from '@tiptap/core';
import type { Node as PMNode } from '@tiptap/pm/model';
import { attachmentIdOf, attachmentPath } from '../api/client';
import type { Block, BlockMetadata, Span } from '../api/types';

export const SPAN_TYPES = ['bold', 'italics', 'underline', 'strikethrough', 'link', 'code'] as const;
type SpanType = Span['type'];

/** Editor mark name for each span type. */
const MARK_OF: Record<SpanType, string> = {
  bold: 'bold',
  italics: 'italic',
  underline: 'underline',
  strikethrough: 'strike',
  link: 'link',
  code: 'code',
};
const SPAN_OF: Record<string, SpanType> = Object.fromEntries(
  Object.entries(MARK_OF).map(([k, v]) => [v, k as SpanType]),
);

export interface BlockData {
  type: string;
  text: string;
  meta: Partial<BlockMetadata>;
  /** Content keys besides `text` (a table's `rows`). */
  content?: { rows?: string[][] };
}

export const MAX_DEPTH = 8;

/** GitHub's alert kinds (`> [!NOTE]` … `> [!CAUTION]`); `note` is the default,
 * left out of `metadata.callout_kind`. */
export const CALLOUT_KINDS = ['note', 'tip', 'important', 'warning', 'caution'] as const;
export type CalloutKind = (typeof CALLOUT_KINDS)[number];
export const calloutKind = (value: unknown): CalloutKind =>
  CALLOUT_KINDS.find((k) => k === String(value ?? '').toLowerCase()) ?? 'note';

function depthOf(meta: BlockMetadata): number {
  const d = Number(meta.depth);
  return Number.isFinite(d) ? Math.min(MAX_DEPTH, Math.max(0, Math.round(d))) : 0;
}

const withDepth = (node: PMNode, meta: Partial<BlockMetadata>): Partial<BlockMetadata> =>
  Number(node.attrs.depth) > 0 ? { ...meta, depth: Number(node.attrs.depth) } : meta;

/** A table block's cells: every row as wide as the widest, one line per cell. */
export function tableRows(content: Block['content']): string[][] {
  const rows = (content as { rows?: unknown })?.rows;
  let found: string[][];
  if (Array.isArray(rows) && rows.length && rows.every((r) => Array.isArray(r) && r.length)) {
    found = (rows as unknown[][]).map((r) => r.map((c) => (typeof c === 'string' ? c.replace(/\n/g, ' ') : '')));
  } else {
    const text = blockText({ content });
    found = text ? text.split('\n').map((line) => line.split('\t')) : [['']];
  }
  const width = Math.max(...found.map((r) => r.length));
  return found.map((r) => [...r, ...Array<string>(width - r.length).fill('')]);
}

export function blockText(b: Pick<Block, 'content'>): string {
  const c = b.content;
  if (typeof c === 'string') return c;
  return typeof c?.text === 'string' ? c.text : '';
}

function blockMeta(b: Pick<Block, 'metadata' | 'content'>): BlockMetadata {
  const m = b.metadata && typeof b.metadata === 'object' ? { ...b.metadata } : {};
  // Older data may keep spans under content.
  if (!Array.isArray(m.spans) && b.content && typeof b.content === 'object') {
    const cs = (b.content as { spans?: unknown }).spans;
    if (Array.isArray(cs)) m.spans = cs as Span[];
  }
  return m;
}

/** Keep only well-formed spans (inclusive end); tolerate an exclusive end at the text's end. */
export function validSpans(spans: unknown, length: number): Span[] {
  if (!Array.isArray(spans)) return [];
  const out: Span[] = [];
  for (const s of spans) {
    if (!s || typeof s !== 'object') continue;
    const { start, type, href } = s as Partial<Span>;
    let { end } = s as Partial<Span>;
    if (!Number.isInteger(start) || !Number.isInteger(end) || !SPAN_TYPES.includes(type as SpanType)) continue;
    if (end === length) end = length - 1;
    if (start! < 0 || end! < start! || end! >= length) continue;
    if (type === 'link' && (typeof href !== 'string' || !href)) continue;
    out.push(type === 'link' ? { start: start!, end: end!, type, href } : { start: start!, end: end!, type: type! });
  }
  return out;
}

// ---------------------------------------------------------------- pictures and files

/** Node attribute -> metadata key of picture and file blocks (the text is the alt text or the name). */
export const IMAGE_ATTRS = { src: 'src', attachmentId: 'attachment_id', title: 'title', width: 'width' } as const;
export const FILE_ATTRS = { src: 'src', attachmentId: 'attachment_id', size: 'size', mediaType: 'media_type' } as const;
const NUMERIC_META = new Set(['width', 'size']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `src` if a picture or file may point there: http(s) or a relative address, never script or data. */
export function safeSrc(src: unknown): string | null {
  if (typeof src !== 'string' || !src) return null;
  // Browsers ignore whitespace and control characters in a scheme ("java\tscript:").
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(src.replace(/[\x00-\x20\x7f]/g, '').toLowerCase());
  return !scheme || scheme[1] === 'http' || scheme[1] === 'https' ? src : null;
}

const positive = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.trunc(v) : null);

function mediaAttrs(meta: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [attr, key] of Object.entries(names)) {
    const value = meta[key];
    if (NUMERIC_META.has(key)) attrs[attr] = positive(value);
    else if (key === 'attachment_id') attrs[attr] = typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
    else if (key === 'src') attrs[attr] = safeSrc(value);
    else attrs[attr] = typeof value === 'string' && value ? value : null;
  }
  if (!attrs.src && attrs.attachmentId) attrs.src = attachmentPath(attrs.attachmentId as string);
  if (!attrs.attachmentId && attrs.src) attrs.attachmentId = attachmentIdOf(attrs.src);
  return attrs;
}

function mediaMeta(node: PMNode, names: Record<string, string>): Partial<BlockMetadata> {
  const meta: Record<string, unknown> = { spans: [] };
  for (const [attr, key] of Object.entries(names)) {
    const value = NUMERIC_META.has(key) ? positive(node.attrs[attr]) : node.attrs[attr];
    if (key === 'src' ? safeSrc(value) : typeof value === 'number' || (typeof value === 'string' && value)) meta[key] = value;
  }
  if (!meta.attachment_id && meta.src) {
    const id = attachmentIdOf(meta.src);
    if (id) meta.attachment_id = id;
  }
  return meta as Partial<BlockMetadata>;
}

// ---------------------------------------------------------------- text + spans -> inline JSON

type MarkJSON = { type: string; attrs?: Record<string, unknown> };

export function inlineFromText(text: string, spans: Span[], allowMarks = true, allowBreaks = true): JSONContent[] {
  if (!text) return [];
  if (!allowMarks) spans = [];
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end + 1);
  }
  if (allowBreaks) for (let i = 0; i < text.length; i++) if (text[i] === '\n') (cuts.add(i), cuts.add(i + 1));
  const points = [...cuts].filter((n) => n >= 0 && n <= text.length).sort((a, b) => a - b);
  const out: JSONContent[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i];
    const b = points[i + 1];
    const seg = text.slice(a, b);
    if (!seg) continue;
    if (allowBreaks && seg === '\n') {
      out.push({ type: 'hardBreak' });
      continue;
    }
    let marks: MarkJSON[] = [];
    const seen = new Set<string>();
    for (const s of spans) {
      if (s.start <= a && s.end + 1 >= b && !seen.has(s.type)) {
        seen.add(s.type);
        marks.push(s.type === 'link' ? { type: 'link', attrs: { href: s.href } } : { type: MARK_OF[s.type] });
      }
    }
    // Inline code excludes every other mark in the editor schema.
    if (seen.has('code')) marks = [{ type: 'code' }];
    out.push(marks.length ? { type: 'text', text: seg, marks } : { type: 'text', text: seg });
  }
  return out;
}

// ---------------------------------------------------------------- block -> node JSON

export function blockToNode(b: Pick<Block, 'id' | 'type' | 'content' | 'metadata'>): JSONContent {
  const text = blockText(b);
  const meta = blockMeta(b);
  const spans = validSpans(meta.spans, text.length);
  const blockId = b.id;
  const type = b.type ?? 'text';
  const inline = () => inlineFromText(text, spans);

  const headerMatch = /^header([1-6])$/.exec(type);
  if (type === 'header' || type === 'heading' || headerMatch) {
    const lvl = Number(meta.level ?? headerMatch?.[1] ?? 1);
    const level = Number.isFinite(lvl) ? Math.min(6, Math.max(1, Math.round(lvl))) : 1;
    return { type: 'heading', attrs: { blockId, level }, content: inline() };
  }
  const depth = depthOf(meta);
  switch (type) {
    case 'task':
      return { type: 'taskBlock', attrs: { blockId, checked: meta.is_completed === true, depth }, content: inline() };
    case 'listItem': {
      const kind = meta.item_type ?? meta.listType;
      return {
        type: 'listBlock',
        attrs: { blockId, listType: kind === 'ordered' ? 'ordered' : 'unordered', depth },
        content: inline(),
      };
    }
    case 'table': {
      const header = meta.header_row === true;
      const grid = Array.isArray(meta.cell_spans) ? (meta.cell_spans as unknown[]) : [];
      const spansAt = (i: number, j: number): unknown => {
        const row = grid[i];
        return Array.isArray(row) ? row[j] : undefined;
      };
      return {
        type: 'table',
        attrs: { blockId },
        content: tableRows(b.content).map((row, i) => ({
          type: 'tableRow',
          content: row.map((cell, j) => ({
            type: header && i === 0 ? 'tableHeader' : 'tableCell',
            content: inlineFromText(cell, validSpans(spansAt(i, j), cell.length), true, false),
          })),
        })),
      };
    }
    case 'horizontalRule':
      return { type: 'horizontalRule', attrs: { blockId } };
    case 'code':
      return {
        type: 'codeBlock',
        attrs: { blockId, language: typeof meta.language === 'string' && meta.language ? meta.language : null },
        content: inlineFromText(text, [], false, false),
      };
    case 'blockquote':
    case 'quote':
      return { type: 'quoteBlock', attrs: { blockId }, content: inline() };
    case 'callout':
      return { type: 'calloutBlock', attrs: { blockId, kind: calloutKind(meta.callout_kind) }, content: inline() };
    case 'image':
      return { type: 'image', attrs: { blockId, ...mediaAttrs(meta, IMAGE_ATTRS), alt: text || null } };
    case 'file':
      return { type: 'file', attrs: { blockId, ...mediaAttrs(meta, FILE_ATTRS), name: text || null } };
    default:
      return { type: 'paragraph', attrs: { blockId, srcType: type }, content: inline() };
  }
}

// ---------------------------------------------------------------- node -> block data

export function nodeTextAndSpans(node: PMNode): { text: string; spans: Span[] } {
  let text = '';
  const ranges = new Map<string, { type: SpanType; href?: string; list: [number, number][] }>();
  node.forEach((child) => {
    if (child.isText) {
      const t = child.text ?? '';
      const from = text.length;
      text += t;
      for (const m of child.marks) {
        const type = SPAN_OF[m.type.name];
        if (!type) continue;
        const href = type === 'link' ? String(m.attrs.href ?? '') : undefined;
        const key = type === 'link' ? `link:${href}` : type;
        let r = ranges.get(key);
        if (!r) ranges.set(key, (r = { type, href, list: [] }));
        const last = r.list[r.list.length - 1];
        if (last && last[1] >= from) last[1] = Math.max(last[1], from + t.length);
        else r.list.push([from, from + t.length]);
      }
    } else if (child.type.name === 'hardBreak') {
      text += '\n';
    } else {
      text += child.textContent;
    }
  });
  const spans: Span[] = [];
  for (const r of ranges.values()) {
    for (const [a, b] of r.list) {
      if (b <= a) continue;
      spans.push(r.type === 'link' ? { start: a, end: b - 1, type: 'link', href: r.href } : { start: a, end: b - 1, type: r.type });
    }
  }
  spans.sort((x, y) => x.start - y.start || x.end - y.end || x.type.localeCompare(y.type));
  return { text, spans };
}

export function nodeToData(node: PMNode): BlockData {
  const { text, spans } = nodeTextAndSpans(node);
  switch (node.type.name) {
    case 'heading':
      return { type: 'header', text, meta: { spans, level: Number(node.attrs.level) || 1 } };
    case 'taskBlock':
      return { type: 'task', text, meta: withDepth(node, { spans, is_completed: !!node.attrs.checked }) };
    case 'listBlock': {
      const kind = node.attrs.listType === 'ordered' ? 'ordered' : 'unordered';
      return { type: 'listItem', text, meta: withDepth(node, { spans, listType: kind, item_type: kind }) };
    }
    case 'table': {
      const rows: string[][] = [];
      const cellSpans: Span[][][] = [];
      node.forEach((row) => {
        const found = [] as Array<{ text: string; spans: Span[] }>;
        row.forEach((cell) => found.push(nodeTextAndSpans(cell)));
        // A line break in a cell is a space: one line per cell, the spans' offsets unchanged.
        rows.push(found.map((c) => c.text.replace(/\n/g, ' ')));
        cellSpans.push(found.map((c) => c.spans));
      });
      let header = false;
      node.firstChild?.forEach((cell, _o, i) => {
        header = (i === 0 || header) && cell.type.name === 'tableHeader';
      });
      const formatted = cellSpans.some((r) => r.some((c) => c.length));
      return {
        type: 'table',
        text: rows.map((r) => r.join('\t')).join('\n'),
        meta: formatted ? { spans: [], header_row: header, cell_spans: cellSpans } : { spans: [], header_row: header },
        content: { rows },
      };
    }
    case 'horizontalRule':
      return { type: 'horizontalRule', text: '', meta: { spans: [] } };
    case 'codeBlock':
      return {
        type: 'code',
        text: node.textContent,
        meta: node.attrs.language ? { spans: [], language: String(node.attrs.language) } : { spans: [] },
      };
    case 'quoteBlock':
      return { type: 'blockquote', text, meta: { spans } };
    case 'calloutBlock': {
      const kind = calloutKind(node.attrs.kind);
      return { type: 'callout', text, meta: kind === 'note' ? { spans } : { spans, callout_kind: kind } };
    }
    case 'image':
      return { type: 'image', text: typeof node.attrs.alt === 'string' ? node.attrs.alt : '', meta: mediaMeta(node, IMAGE_ATTRS) };
    case 'file':
      return { type: 'file', text: typeof node.attrs.name === 'string' ? node.attrs.name : '', meta: mediaMeta(node, FILE_ATTRS) };
    default: {
      const src = typeof node.attrs.srcType === 'string' ? node.attrs.srcType : '';
      const structured = ['header', 'heading', 'task', 'listItem', 'horizontalRule', 'code', 'blockquote', 'quote', 'image', 'file', 'table', 'callout'];
      const keep = src && !structured.includes(src) && !/^header[1-6]$/.test(src);
      return { type: keep ? src : 'paragraph', text, meta: { spans } };
    }
  }
}
