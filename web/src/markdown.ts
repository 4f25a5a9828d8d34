// Markdown import (one note per file, one block per markdown node) and export.
import { marked, type Token, type Tokens } from 'marked';
import type { BlockMetadata, Span } from './api/types';
import { blockText, validSpans } from './editor/blocks';

export interface BlockInput {
  type: string;
  text: string;
  metadata: BlockMetadata;
}

// ---------------------------------------------------------------- import

let decoder: HTMLTextAreaElement | null = null;
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  decoder ??= document.createElement('textarea');
  decoder.innerHTML = s;
  return decoder.value;
}

type Style = Exclude<Span['type'], 'link'>;

class InlineBuilder {
  text = '';
  private spans: Span[] = [];

  add(tokens: Token[] | undefined, styles: Style[] = [], href?: string): void {
    for (const t of tokens ?? []) this.token(t, styles, href);
  }

  private push(s: string, styles: Style[], href?: string): void {
    if (!s) return;
    const start = this.text.length;
    this.text += s;
    const end = this.text.length - 1;
    for (const type of styles) this.spans.push({ start, end, type });
    if (href) this.spans.push({ start, end, type: 'link', href });
  }

  private token(t: Token, styles: Style[], href?: string): void {
    switch (t.type) {
      case 'strong':
        return this.add((t as Tokens.Strong).tokens, [...styles, 'bold'], href);
      case 'em':
        return this.add((t as Tokens.Em).tokens, [...styles, 'italics'], href);
      case 'del':
        return this.add((t as Tokens.Del).tokens, [...styles, 'strikethrough'], href);
      case 'codespan':
        return this.push(decodeEntities((t as Tokens.Codespan).text), ['code'], href);
      case 'link': {
        const l = t as Tokens.Link;
        return this.add(l.tokens, styles, l.href);
      }
      case 'image': {
        const img = t as Tokens.Image;
        return this.push(img.text || img.href, styles, img.href);
      }
      case 'br':
        return this.push('\n', styles, href);
      case 'escape':
        return this.push((t as Tokens.Escape).text, styles, href);
      case 'html': {
        const raw = (t as Tokens.HTML).raw;
        if (/^<u>$/i.test(raw) || /^<\/u>$/i.test(raw)) return; // underline tags: handled below
        return this.push(raw, styles, href);
      }
      case 'text': {
        const tt = t as Tokens.Text;
        if (tt.tokens?.length) return this.add(tt.tokens, styles, href);
        // Soft line breaks are spaces in markdown.
        return this.push(decodeEntities(tt.text).replace(/\n/g, ' '), styles, href);
      }
      case 'checkbox':
        return;
      default: {
        const any = t as { tokens?: Token[]; text?: string; raw?: string };
        if (any.tokens?.length) return this.add(any.tokens, styles, href);
        return this.push(decodeEntities(any.text ?? any.raw ?? ''), styles, href);
      }
    }
  }

  result(): { text: string; spans: Span[] } {
    return { text: this.text, spans: mergeSpans(this.spans) };
  }
}

/** Support `<u>…</u>` underline, which markdown has no syntax for. */
function underlineTokens(tokens: Token[] | undefined): Token[] | undefined {
  if (!tokens) return tokens;
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'html' && /^<u>$/i.test(t.raw)) {
      const j = tokens.findIndex((x, k) => k > i && x.type === 'html' && /^<\/u>$/i.test(x.raw));
      if (j > i) {
        out.push({ type: 'underline', raw: '', tokens: underlineTokens(tokens.slice(i + 1, j)) } as unknown as Token);
        i = j;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

function mergeSpans(spans: Span[]): Span[] {
  const byKey = new Map<string, Span[]>();
  for (const s of spans) {
    const key = s.type === 'link' ? `link:${s.href}` : s.type;
    const list = byKey.get(key) ?? [];
    list.push({ ...s });
    byKey.set(key, list);
  }
  const out: Span[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.start - b.start);
    let cur: Span | null = null;
    for (const s of list) {
      if (cur && s.start <= cur.end + 1) cur.end = Math.max(cur.end, s.end);
      else {
        if (cur) out.push(cur);
        cur = s;
      }
    }
    if (cur) out.push(cur);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

function inline(tokens: Token[] | undefined): { text: string; spans: Span[] } {
  const b = new InlineBuilder();
  const prepared = underlineTokens(tokens);
  const walk = (ts: Token[] | undefined, styles: Style[]) => {
    for (const t of ts ?? []) {
      if ((t.type as string) === 'underline') walk((t as unknown as { tokens: Token[] }).tokens, [...styles, 'underline']);
      else b.add([t], styles);
    }
  };
  walk(prepared, []);
  return b.result();
}

const meta = (spans: Span[], extra: Partial<BlockMetadata> = {}): BlockMetadata => ({ spans, ...extra });

// Front matter: only `tags:` is read (`tags: [a, b]`, `tags: a, b` or a `- a` list) and written.
const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const unquote = (s: string) => s.trim().replace(/^(["'])(.*)\1$/, '$2').trim();

/** The `- item` lines that directly follow a key. */
function listAfter(lines: string[]): string[] {
  const end = lines.findIndex((l) => !/^\s*-\s/.test(l));
  return (end < 0 ? lines : lines.slice(0, end)).map((l) => l.replace(/^\s*-\s/, ''));
}

export function frontMatterTags(md: string): string[] {
  const yaml = FRONT_MATTER.exec(md)?.[1];
  if (!yaml) return [];
  const lines = yaml.split(/\r?\n/);
  const at = lines.findIndex((l) => /^tags\s*:/.test(l));
  if (at < 0) return [];
  const inline = lines[at].replace(/^tags\s*:/, '').trim();
  const items = inline
    ? inline.replace(/^\[(.*)\]$/, '$1').split(',')
    : listAfter(lines.slice(at + 1));
  return items.map(unquote).filter(Boolean);
}

export function withFrontMatter(tags: string[] | null | undefined, body: string): string {
  if (!tags?.length) return body;
  return `---\ntags: [${tags.map((t) => JSON.stringify(t)).join(', ')}]\n---\n\n${body}`;
}

export function markdownToBlocks(md: string): BlockInput[] {
  const out: BlockInput[] = [];
  const tokens = marked.lexer(md.replace(FRONT_MATTER, '').replace(/^\uFEFF/, ''), { gfm: true });

  const para = (type: string, tokens: Token[] | undefined, extra: Partial<BlockMetadata> = {}) => {
    const { text, spans } = inline(tokens);
    out.push({ type, text, metadata: meta(spans, extra) });
  };

  const walk = (ts: Token[], ctx: { quote?: boolean }) => {
    for (const t of ts) {
      switch (t.type) {
        case 'heading': {
          const h = t as Tokens.Heading;
          if (ctx.quote) para('blockquote', h.tokens);
          else para('header', h.tokens, { level: h.depth });
          break;
        }
        case 'paragraph':
          para(ctx.quote ? 'blockquote' : 'paragraph', (t as Tokens.Paragraph).tokens);
          break;
        case 'text':
          para(ctx.quote ? 'blockquote' : 'paragraph', (t as Tokens.Text).tokens ?? [t]);
          break;
        case 'blockquote':
          walk((t as Tokens.Blockquote).tokens, { quote: true });
          break;
        case 'code': {
          const c = t as Tokens.Code;
          out.push({ type: 'code', text: c.text, metadata: c.lang ? { spans: [], language: c.lang.split(/\s/)[0] } : { spans: [] } });
          break;
        }
        case 'hr':
          out.push({ type: 'horizontalRule', text: '', metadata: { spans: [] } });
          break;
        case 'list': {
          const l = t as Tokens.List;
          for (const item of l.items) {
            const own = item.tokens.filter((x) => x.type !== 'list' && x.type !== 'checkbox');
            const nested = item.tokens.filter((x) => x.type === 'list');
            const inlineTokens = own.flatMap((x) => (x.type === 'paragraph' || x.type === 'text' ? ((x as Tokens.Text).tokens ?? [x]) : [x]));
            const { text, spans } = inline(inlineTokens);
            if (item.task) {
              out.push({ type: 'task', text, metadata: meta(spans, { is_completed: !!item.checked }) });
            } else {
              const kind = l.ordered ? 'ordered' : 'unordered';
              out.push({ type: 'listItem', text, metadata: meta(spans, { listType: kind, item_type: kind }) });
            }
            walk(nested, ctx);
          }
          break;
        }
        case 'table': {
          const tb = t as Tokens.Table;
          const row = (cells: Tokens.TableCell[]) => cells.map((c) => inline(c.tokens).text).join(' | ');
          out.push({ type: 'paragraph', text: [row(tb.header), ...tb.rows.map(row)].join('\n'), metadata: { spans: [] } });
          break;
        }
        case 'html': {
          const text = (t as Tokens.HTML).text.trim();
          if (text) out.push({ type: 'paragraph', text, metadata: { spans: [] } });
          break;
        }
        case 'space':
        case 'def':
          break;
        default: {
          const any = t as { tokens?: Token[]; text?: string };
          if (any.tokens) para('paragraph', any.tokens);
          else if (any.text) out.push({ type: 'paragraph', text: any.text, metadata: { spans: [] } });
        }
      }
    }
  };
  walk(tokens, {});
  return out;
}

export const titleFromFileName = (name: string) => name.replace(/\.(md|markdown|mdown|txt)$/i, '').trim() || 'Untitled';

// ---------------------------------------------------------------- export

const MARKERS: Record<Style, [string, string]> = {
  bold: ['**', '**'],
  italics: ['_', '_'],
  strikethrough: ['~~', '~~'],
  underline: ['<u>', '</u>'],
  code: ['`', '`'],
};

function escapeMd(s: string): string {
  return s.replace(/([\\`*_[\]~<>])/g, '\\$1');
}

function escapeLineStart(s: string): string {
  return s.replace(/^(\s*)([#>+-]|\d+[.)])(?=\s)/, '$1\\$2').replace(/^(\s*)(-{3,}|_{3,}|\*{3,})\s*$/, '$1\\$2');
}

function codeSpan(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Plain text + spans to inline markdown. */
export function inlineToMarkdown(text: string, rawSpans: Span[]): string {
  if (!text) return '';
  const spans = validSpans(rawSpans, text.length);
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) (cuts.add(s.start), cuts.add(s.end + 1));
  const pts = [...cuts].sort((a, b) => a - b);
  let out = '';
  let i = 0;
  while (i < pts.length - 1) {
    const a = pts[i];
    const active = spans.filter((s) => s.start <= a && s.end + 1 >= pts[i + 1]);
    const link = active.find((s) => s.type === 'link');
    const code = active.some((s) => s.type === 'code');
    // Extend the run while the same styles hold, so markers wrap whole ranges.
    let j = i + 1;
    const key = (x: Span[]) => x.map((s) => s.type + (s.href ?? '')).sort().join('|');
    const k0 = key(active);
    while (j < pts.length - 1 && key(spans.filter((s) => s.start <= pts[j] && s.end + 1 >= pts[j + 1])) === k0) j++;
    const seg = text.slice(a, pts[j]);
    const lead = /^\s*/.exec(seg)![0];
    const trail = /\s*$/.exec(seg.slice(lead.length))![0];
    const core = seg.slice(lead.length, seg.length - trail.length);
    let md: string;
    if (!core) md = '';
    else if (code) md = codeSpan(core);
    else md = escapeMd(core).replace(/\n/g, '  \n');
    if (core && !code) {
      for (const st of ['strikethrough', 'italics', 'bold', 'underline'] as Style[]) {
        if (active.some((s) => s.type === st)) md = MARKERS[st][0] + md + MARKERS[st][1];
      }
    }
    if (core && link) md = `[${md}](${link.href!.replace(/[()\s]/g, encodeURIComponent)})`;
    out += lead.replace(/\n/g, '  \n') + md + trail.replace(/\n/g, '  \n');
    i = j;
  }
  return out;
}

export interface ExportBlock {
  type: string;
  content: unknown;
  metadata?: BlockMetadata | null;
}

/** Blocks to markdown. The title is not repeated: it is the file name. */
export function blocksToMarkdown(blocks: ExportBlock[]): string {
  const lines: string[] = [];
  let olIndex = 0;
  let prevKind = '';
  for (const b of blocks) {
    const text = blockText({ content: b.content as { text?: string } });
    const m = b.metadata ?? {};
    const inl = () => escapeLineStart(inlineToMarkdown(text, m.spans ?? []));
    let kind: string = b.type;
    let line: string;
    switch (b.type) {
      case 'header':
      case 'heading': {
        const lvl = Math.min(6, Math.max(1, Number(m.level) || 1));
        line = `${'#'.repeat(lvl)} ${inlineToMarkdown(text, m.spans ?? [])}`;
        break;
      }
      case 'task':
        line = `- [${m.is_completed ? 'x' : ' '}] ${inlineToMarkdown(text, m.spans ?? [])}`;
        kind = 'list';
        break;
      case 'listItem': {
        const ordered = (m.item_type ?? m.listType) === 'ordered';
        if (ordered) {
          olIndex = prevKind === 'ol' ? olIndex + 1 : 1;
          line = `${olIndex}. ${inlineToMarkdown(text, m.spans ?? [])}`;
          kind = 'ol';
        } else {
          line = `- ${inlineToMarkdown(text, m.spans ?? [])}`;
          kind = 'list';
        }
        break;
      }
      case 'horizontalRule':
        line = '---';
        break;
      case 'code': {
        const fence = text.includes('```') ? '~~~~' : '```';
        line = `${fence}${typeof m.language === 'string' ? m.language : ''}\n${text}\n${fence}`;
        break;
      }
      case 'blockquote':
      case 'quote':
        line = inlineToMarkdown(text, m.spans ?? [])
          .split('\n')
          .map((l) => `> ${l}`)
          .join('\n');
        kind = 'quote';
        break;
      default:
        line = inl();
        kind = 'p';
    }
    const tight = (kind === 'list' || kind === 'ol') && (prevKind === 'list' || prevKind === 'ol') && kind === prevKind;
    const quoteRun = kind === 'quote' && prevKind === 'quote';
    if (lines.length && !tight) lines.push(quoteRun ? '>' : '');
    lines.push(line);
    prevKind = kind;
  }
  return `${lines.join('\n').replace(/^\n+/, '')}\n`;
}

export function downloadText(filename: string, text: string, mime = 'text/markdown'): void {
  const blob = new Blob([text], { type: `${mime};charset=utf-8` });
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
