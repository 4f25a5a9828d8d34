// Server block  <->  editor node mapping (contract section 10.2).
//
// Every top-level node of the note's document is exactly one server block. The node
// keeps the block id in its `blockId` attribute. Text is plain (`content.text`) and
// inline formatting is carried by `metadata.spans` with an INCLUSIVE `end`.
//
// The server builds a note's document from its blocks and projects the document back
// into blocks with this same mapping; `blockToNode` and `nodeToData` are its reference
// (pinned by the unit tests) and `nodeToData` also feeds the Markdown export.
import type { JSONContent } from '@tiptap/core';
import type { Node as PMNode } from '@tiptap/pm/model';
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
  switch (type) {
    case 'task':
      return { type: 'taskBlock', attrs: { blockId, checked: meta.is_completed === true }, content: inline() };
    case 'listItem': {
      const kind = meta.item_type ?? meta.listType;
      return {
        type: 'listBlock',
        attrs: { blockId, listType: kind === 'ordered' ? 'ordered' : 'unordered' },
        content: inline(),
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
      return { type: 'task', text, meta: { spans, is_completed: !!node.attrs.checked } };
    case 'listBlock': {
      const kind = node.attrs.listType === 'ordered' ? 'ordered' : 'unordered';
      return { type: 'listItem', text, meta: { spans, listType: kind, item_type: kind } };
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
    default: {
      const src = typeof node.attrs.srcType === 'string' ? node.attrs.srcType : '';
      const keep = src && !['header', 'heading', 'task', 'listItem', 'horizontalRule', 'code', 'blockquote', 'quote'].includes(src) && !/^header[1-6]$/.test(src);
      return { type: keep ? src : 'paragraph', text, meta: { spans } };
    }
  }
}
