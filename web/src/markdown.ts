// Markdown <-> a note's document. Parsing and rendering are Tiptap's Markdown manager
// (marked, GFM) on the editor's own extension list, so every node type the editor has
// (and the Markdown rules its extension brings) is imported and exported by construction.
// Only the editor's flat block nodes need rules of their own here: a Markdown list or
// quote is several top-level nodes, one per server block. Blocks <-> nodes is
// editor/blocks.ts; front matter (title, tags, dates) is YAML.
import {
  Extension,
  flattenExtensions,
  getExtensionField,
  getSchema,
  type AnyExtension,
  type JSONContent,
  type MarkdownParseHelpers,
  type MarkdownToken,
} from '@tiptap/core';
import type { Schema } from '@tiptap/pm/model';
import { MarkdownManager } from '@tiptap/markdown';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Block, BlockMetadata } from './api/types';
import { CALLOUT_KINDS, blockToNode, calloutKind, nodeToData } from './editor/blocks';
import { contentExtensions } from './editor/extensions';

/** `srcType` of a paragraph that holds Markdown the schema has no node for (an image
 * before image nodes exist, a table before tables do): kept as typed, written back verbatim. */
export const RAW_MARKDOWN = 'markdown';
/** The attribute of list and checklist items that holds their nesting level, if the schema has it. */
export const DEPTH_ATTR = 'depth';

const LIST_NODES = new Set(['listBlock', 'taskBlock']);
// GitHub's alert syntax; another `[!WORD]` stays quoted text, as GitHub shows it.
const ALERT = new RegExp(`^\\[!(${CALLOUT_KINDS.join('|')})\\][ \\t]*(?:\\n|$)`, 'i');
const TEXT_RUN = new Set(['text', 'paragraph']);

interface Markdown {
  manager: MarkdownManager;
  schema: Schema;
  hasDepth: boolean;
}

const textNodes = (text: string): JSONContent[] =>
  text.split('\n').flatMap((line, i) => [
    ...(i ? [{ type: 'hardBreak' }] : []),
    ...(line ? [{ type: 'text', text: line }] : []),
  ]);

const rawParagraph = (raw: string): JSONContent => ({
  type: 'paragraph',
  attrs: { srcType: RAW_MARKDOWN },
  content: textNodes(raw.replace(/\n+$/, '')),
});

/** The block rules of the flat list, checklist and quote nodes. */
function flatRules(schema: Schema): Record<string, Record<string, unknown>> {
  const hasDepth = !!schema.nodes.listBlock?.spec.attrs?.[DEPTH_ATTR];
  const depthAttr = (depth: number) => (hasDepth ? { [DEPTH_ATTR]: depth } : {});

  const inlineOf = (t: MarkdownToken, h: MarkdownParseHelpers): JSONContent[] =>
    h.parseInline(t.tokens?.length ? t.tokens : [{ type: 'text', raw: t.raw ?? '', text: t.text ?? '' }]);

  const listNodes = (list: MarkdownToken, h: MarkdownParseHelpers, depth: number): JSONContent[] => {
    const out: JSONContent[] = [];
    for (const item of (list.items ?? []) as MarkdownToken[]) {
      let own: JSONContent[] | null = null;
      const after: JSONContent[] = [];
      for (const t of item.tokens ?? []) {
        if (t.type === 'checkbox') continue;
        if (t.type === 'list') after.push(...listNodes(t, h, depth + 1));
        else if (own === null && TEXT_RUN.has(t.type ?? '')) own = inlineOf(t, h);
        else after.push(...h.parseChildren([t])); // a second paragraph or a code block in an item
      }
      const attrs = item.task
        ? { checked: !!item.checked, ...depthAttr(depth) }
        : { listType: list.ordered ? 'ordered' : 'unordered', ...depthAttr(depth) };
      out.push({ type: item.task ? 'taskBlock' : 'listBlock', attrs, content: own ?? [] }, ...after);
    }
    return out;
  };

  return {
    listBlock: {
      markdownTokenName: 'list',
      parseMarkdown: (token: MarkdownToken, h: MarkdownParseHelpers) => listNodes(token, h, 0),
      renderMarkdown: (node: JSONContent, h: { renderChildren: (n: JSONContent[]) => string }) =>
        h.renderChildren(node.content ?? []),
    },
    taskBlock: {
      renderMarkdown: (node: JSONContent, h: { renderChildren: (n: JSONContent[]) => string }) =>
        h.renderChildren(node.content ?? []),
    },
    quoteBlock: {
      markdownTokenName: 'blockquote',
      parseMarkdown: (token: MarkdownToken, h: MarkdownParseHelpers) => {
        // A GitHub alert (`> [!NOTE]`) is a callout when the editor has them.
        const [first, ...others] = token.tokens ?? [];
        const alert = schema.nodes.calloutBlock && first?.type === 'paragraph' ? ALERT.exec(first.raw ?? '') : null;
        const kind = alert ? 'calloutBlock' : 'quoteBlock';
        const attrs = alert ? { kind: calloutKind(alert[1]) } : undefined;
        const inner = alert
          ? [
              { type: 'paragraph', content: h.parseInline(h.tokenizeInline?.((first.raw ?? '').slice(alert[0].length).trim()) ?? []) },
              ...h.parseChildren(others),
            ]
          : h.parseChildren(token.tokens ?? []);
        const quoted = inner.map((n) =>
          n.type === 'paragraph' || n.type === 'heading' ? { type: kind, attrs, content: n.content ?? [] } : n,
        );
        return quoted.length ? quoted : [{ type: kind, attrs, content: [] }];
      },
      renderMarkdown: (node: JSONContent, h: { renderChildren: (n: JSONContent[]) => string }) =>
        h.renderChildren(node.content ?? []),
    },
    calloutBlock: {
      renderMarkdown: (node: JSONContent, h: { renderChildren: (n: JSONContent[]) => string }) =>
        [`[!${calloutKind(node.attrs?.kind).toUpperCase()}]`, ...h.renderChildren(node.content ?? []).split('\n')].map((l) => `> ${l}`.trimEnd()).join('\n'),
    },
    paragraph: {
      parseMarkdown(this: { parent?: (t: MarkdownToken, h: MarkdownParseHelpers) => unknown }, token: MarkdownToken, h: MarkdownParseHelpers) {
        // Images stay Markdown until the schema has an image node (the editor's media nodes).
        const hasImage = (token.tokens ?? []).some((t) => t.type === 'image');
        if (hasImage && !schema.nodes.image) return rawParagraph(token.raw ?? '');
        return this.parent?.(token, h);
      },
    },
    codeBlock: {
      renderMarkdown: (node: JSONContent) => {
        const code = (node.content ?? []).map((c) => c.text ?? '').join('');
        const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((r) => r.length));
        const fence = '`'.repeat(longest + 1);
        return `${fence}${node.attrs?.language ?? ''}\n${code}\n${fence}`;
      },
    },
    table: {
      // GFM tables; cells hold one line of formatted text (paragraphs where the schema wants them).
      parseMarkdown: (token: MarkdownToken, h: MarkdownParseHelpers) => {
        const inlineCells = /inline/.test(String(schema.nodes.tableCell?.spec.content ?? ''));
        const cell = (type: string, c: MarkdownToken) => {
          const inline = h.parseInline(c.tokens ?? []);
          return { type, content: inlineCells ? inline : [{ type: 'paragraph', content: inline }] };
        };
        const rows = [
          ...(token.header?.length ? [{ type: 'tableRow', content: token.header.map((c: MarkdownToken) => cell('tableHeader', c)) }] : []),
          ...(token.rows ?? []).map((r: MarkdownToken[]) => ({ type: 'tableRow', content: r.map((c) => cell('tableCell', c)) })),
        ];
        return { type: 'table', content: rows };
      },
      renderMarkdown: (node: JSONContent, h: { renderChildren: (n: JSONContent[]) => string }) => {
        const cellText = (c: JSONContent) =>
          ((c.content ?? []).some((x) => x.type === 'paragraph')
            ? (c.content ?? []).map((p) => h.renderChildren(p.content ?? [])).join(' ')
            : h.renderChildren(c.content ?? []))
            .replace(/\n/g, ' ')
            .replace(/\|/g, '\\|')
            .trim();
        const rows = (node.content ?? []).map((r) => (r.content ?? []).map(cellText));
        const width = Math.max(1, ...rows.map((r) => r.length));
        const line = (cells: string[]) => `| ${[...cells, ...Array<string>(width - cells.length).fill('')].join(' | ')} |`;
        const [head = [], ...body] = rows;
        return [line(head), line(Array<string>(width).fill('---')), ...body.map(line)].join('\n');
      },
    },
    underline: {
      // `++x++` is Tiptap's own syntax; the HTML tag reads everywhere.
      renderMarkdown: (node: JSONContent, h: { renderChildren: (n: JSONContent) => string }) =>
        `<u>${h.renderChildren(node)}</u>`,
    },
  };
}

/** A GFM table or an image (or other block) the schema cannot hold yet stays Markdown. */
function rawFallbacks(schema: Schema): AnyExtension[] {
  return schema.nodes.table
    ? []
    : [
        Extension.create({
          name: 'owlRawTable',
          markdownTokenName: 'table',
          parseMarkdown: (token: MarkdownToken) => rawParagraph(token.raw ?? ''),
        }),
      ];
}

let built: Markdown | null = null;

function markdown(): Markdown {
  if (built) return built;
  const base = contentExtensions();
  const schema = getSchema(base);
  const rules = flatRules(schema);
  // Leaf extensions only (StarterKit and its kind only bundle others), each with its rule.
  const leaves = flattenExtensions(base)
    .filter((ext) => !getExtensionField(ext, 'addExtensions'))
    .map((ext) => (rules[ext.name] ? (ext as { extend: (c: object) => AnyExtension }).extend(rules[ext.name]) : ext));
  const manager = new MarkdownManager({ extensions: [...leaves, ...rawFallbacks(schema)], markedOptions: { gfm: true } });
  built = { manager, schema, hasDepth: !!schema.nodes.listBlock?.spec.attrs?.[DEPTH_ATTR] };
  return built;
}

// ---------------------------------------------------------------- front matter

export interface FrontMatter {
  title?: string;
  tags: string[];
  created?: string;
  updated?: string;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

function isoDate(value: unknown): string | undefined {
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value.trim() : '';
  if (!text) return undefined;
  // A date without a time is midnight UTC; a time without a zone is taken as UTC.
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(text) || /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(withZone.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The front matter's fields and the Markdown after it. YAML that does not parse stays in
 * the note, as a code block, rather than being lost or read as a heading. */
export function splitFrontMatter(md: string): { front: FrontMatter; body: string } {
  const text = md.replace(/^\uFEFF/, '');
  const m = FRONT_MATTER.exec(text);
  if (!m) return { front: { tags: [] }, body: text };
  const body = text.slice(m[0].length).replace(/^(?:[ \t]*\r?\n)+/, '');
  let data: unknown;
  try {
    data = parseYaml(m[1]);
  } catch {
    return { front: { tags: [] }, body: `\`\`\`yaml\n${m[1]}\n\`\`\`\n\n${body}` };
  }
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const rawTags = d.tags ?? d.tag ?? d.keywords;
  const tags = (Array.isArray(rawTags) ? rawTags : typeof rawTags === 'string' ? rawTags.split(',') : [])
    .map((t) => String(t).trim())
    .filter(Boolean);
  const title = typeof d.title === 'string' || typeof d.title === 'number' ? String(d.title).trim() : '';
  return {
    front: {
      ...(title ? { title } : {}),
      tags,
      created: isoDate(d.created ?? d.created_at ?? d.date),
      updated: isoDate(d.updated ?? d.updated_at ?? d.modified),
    },
    body,
  };
}

export function frontMatterText(front: FrontMatter): string {
  const data: Record<string, unknown> = {};
  if (front.title) data.title = front.title;
  if (front.tags.length) data.tags = front.tags;
  if (front.created) data.created = front.created;
  if (front.updated) data.updated = front.updated;
  if (!Object.keys(data).length) return '';
  return `---\n${stringifyYaml(data)}---\n\n`;
}

// ---------------------------------------------------------------- import

export interface BlockInput {
  type: string;
  content: { text: string; rows?: string[][] };
  metadata: BlockMetadata;
}

export interface ParsedNote {
  title: string;
  tags: string[];
  created?: string;
  updated?: string;
  doc: JSONContent;
}

const plainText = (node: JSONContent): string =>
  node.type === 'hardBreak' ? ' ' : (node.text ?? '') + (node.content ?? []).map(plainText).join('');

export const titleFromFileName = (name: string) =>
  name.replace(/^.*\//, '').replace(/\.(md|markdown|mdown|txt)$/i, '').trim() || 'Untitled';

// A soft line break is a space in Markdown; a newline in a block's text is a hard break.
function softBreaks(node: JSONContent): JSONContent {
  if (node.type === 'codeBlock' || node.attrs?.srcType === RAW_MARKDOWN) return node;
  if (node.type === 'text') return node.text?.includes('\n') ? { ...node, text: node.text.replace(/[ \t]*\n[ \t]*/g, ' ') } : node;
  return node.content ? { ...node, content: node.content.map(softBreaks) } : node;
}

export function markdownToDoc(md: string): JSONContent {
  const doc = markdown().manager.parse(md);
  const content = (doc.content ?? []).filter((n) => n.type !== 'text').map(softBreaks);
  return { type: 'doc', content };
}

/** A Markdown file as a note: named after `title:`, else its first heading, else the file. */
export function parseNote(md: string, fileName: string): ParsedNote {
  const { front, body } = splitFrontMatter(md);
  const doc = markdownToDoc(body);
  const heading = doc.content?.find((n) => n.type === 'heading');
  const headingTitle = heading ? plainText(heading).trim() : '';
  return {
    title: front.title || headingTitle || titleFromFileName(fileName),
    tags: front.tags,
    created: front.created,
    updated: front.updated,
    doc,
  };
}

/** The document as server blocks, in order (`editor/blocks.ts: nodeToData`). */
export function docToBlocks(doc: JSONContent): BlockInput[] {
  const node = markdown().schema.nodeFromJSON(doc);
  const out: BlockInput[] = [];
  node.forEach((child) => {
    const d = nodeToData(child);
    out.push({ type: d.type, content: { ...d.content, text: d.text }, metadata: { spans: [], ...d.meta } as BlockMetadata });
  });
  return out;
}

// ---------------------------------------------------------------- export

export type ExportBlock = Pick<Block, 'id' | 'type' | 'content' | 'metadata'>;

export function blocksToDoc(blocks: ExportBlock[]): JSONContent {
  return { type: 'doc', content: blocks.map((b) => blockToNode(b)) };
}

// A paragraph line that Markdown would read as something else gets a backslash.
const escapeLineStarts = (md: string) =>
  md
    .split('\n')
    .map((line) =>
      line
        .replace(/^(\s*)([#>+|-])(?=\s|$)/, '$1\\$2')
        .replace(/^(\s*)(\d+)([.)])(?=\s|$)/, '$1$2\\$3')
        .replace(/^(\s*)(=+|-{3,}|\*{3,})\s*$/, '$1\\$2'),
    )
    .join('\n');

interface ListPlace {
  prefix: string; // indentation + marker
  column: number; // where continuation lines start
}

/** Indentation and marker of every list item, from the flat sequence of items. */
function listPlaces(nodes: JSONContent[], hasDepth: boolean): Map<JSONContent, ListPlace> {
  const places = new Map<JSONContent, ListPlace>();
  let columns: number[] = []; // content column of the open item at each depth
  let counters: number[] = [];
  for (const node of nodes) {
    if (!LIST_NODES.has(node.type ?? '')) {
      columns = [];
      counters = [];
      continue;
    }
    const wanted = hasDepth ? Math.max(0, Number(node.attrs?.[DEPTH_ATTR]) || 0) : 0;
    const depth = Math.min(wanted, columns.length); // an item cannot be deeper than one below the last
    const indent = depth ? columns[depth - 1] : 0;
    const ordered = node.type === 'listBlock' && node.attrs?.listType === 'ordered';
    const n = counters.length > depth && counters[depth] > 0 && ordered ? counters[depth] + 1 : 1;
    const marker = node.type === 'taskBlock' ? `- [${node.attrs?.checked ? 'x' : ' '}]` : ordered ? `${n}.` : '-';
    columns = [...columns.slice(0, depth), indent + (node.type === 'taskBlock' ? 2 : marker.length + 1)];
    counters = [...counters.slice(0, depth), ordered ? n : 0];
    places.set(node, { prefix: ' '.repeat(indent) + marker, column: indent + marker.length + 1 });
  }
  return places;
}

export function docToMarkdown(doc: JSONContent): string {
  const { manager, hasDepth } = markdown();
  const nodes = doc.content ?? [];
  const places = listPlaces(nodes, hasDepth);
  const parts: string[] = [];
  let prev: JSONContent | null = null;
  nodes.forEach((node, i) => {
    let md: string;
    if (node.type === 'paragraph' && node.attrs?.srcType === RAW_MARKDOWN) {
      md = (node.content ?? []).map((c) => (c.type === 'hardBreak' ? '\n' : (c.text ?? ''))).join('');
    } else {
      md = manager.renderNodeToMarkdown(node, doc, i);
      const place = places.get(node);
      if (place) md = `${place.prefix} ${md.replace(/\n/g, `\n${' '.repeat(place.column)}`)}`.trimEnd();
      else if (node.type === 'quoteBlock') md = md.split('\n').map((l) => `> ${l}`.trimEnd()).join('\n');
      else if (node.type === 'paragraph') md = escapeLineStarts(md);
    }
    if (!md.trim()) return; // empty blocks are not written
    if (parts.length) {
      const before = prev && places.get(prev);
      const here = places.get(node);
      // Items follow each other; a top-level item of another kind (bullet, number) starts a new list.
      const tight = before && here && (here.prefix.startsWith(' ') || /^\d/.test(here.prefix) === /^\d/.test(before.prefix.trimStart()));
      const quoted = prev?.type === 'quoteBlock' && node.type === 'quoteBlock';
      parts.push(tight ? '\n' : quoted ? '\n>\n' : '\n\n');
    }
    parts.push(md);
    prev = node;
  });
  return parts.length ? `${parts.join('')}\n` : '';
}

export interface ExportNote {
  title: string;
  tags?: string[] | null;
  created_at?: string;
  updated_at?: string;
}

/** A note as a Markdown file: front matter (title, tags, dates), then its content. */
export function noteToMarkdown(note: ExportNote, doc: JSONContent): string {
  const front = frontMatterText({
    title: note.title || undefined,
    tags: note.tags ?? [],
    created: note.created_at,
    updated: note.updated_at,
  });
  return front + docToMarkdown(doc);
}

export function downloadText(filename: string, text: string, mime = 'text/markdown'): void {
  downloadBlob(filename, new Blob([text], { type: `${mime};charset=utf-8` }));
}

export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const safeFileName = (title: string) =>
  (title || 'Untitled').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120) || 'Untitled';
