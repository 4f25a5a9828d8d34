// @vitest-environment happy-dom
// Markdown import -> server blocks -> export, on a corpus of realistic notes (which come back
// exactly) and GFM-style samples (which come back in the normal form of docs/architecture.md).
import { describe, expect, it } from 'vitest';
import type { Block } from './api/types';
import { blocksToDoc, docToBlocks, noteToMarkdown, parseNote, splitFrontMatter, type BlockInput } from './markdown';

const corpus = import.meta.glob('./markdown-corpus/*.md', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** What the server stores and gives back: blocks with ids, in order. */
const stored = (blocks: BlockInput[]): Block[] =>
  blocks.map((b, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, note_id: 'n', order: i + 1, ...b }));

function roundTrip(md: string, fileName = 'note.md'): string {
  const note = parseNote(md, fileName);
  const blocks = stored(docToBlocks(note.doc));
  return noteToMarkdown(
    { title: note.title, tags: note.tags, created_at: note.created, updated_at: note.updated },
    blocksToDoc(blocks),
  );
}

const body = (md: string) => splitFrontMatter(md).body;

describe('Markdown corpus: import then export gives the file back', () => {
  for (const [path, md] of Object.entries(corpus)) {
    it(path.replace('./markdown-corpus/', ''), () => {
      expect(roundTrip(md)).toBe(md);
    });
  }
});

describe('what import makes of a file', () => {
  it('names the note after title:, else the first heading, else the file', () => {
    expect(parseNote('---\ntitle: From front matter\n---\n\n# Heading\n', 'file.md').title).toBe('From front matter');
    expect(parseNote('Intro\n\n## First *heading*\n\n# Second\n', 'file.md').title).toBe('First heading');
    expect(parseNote('just text\n', 'folder/My file.markdown').title).toBe('My file');
  });

  it('never turns front matter into a heading or text', () => {
    const note = parseNote('---\ntitle: T\ntags: [a, "b c"]\ndate: 2024-05-06\n---\nBody\n', 'x.md');
    expect(note.doc.content).toEqual([{ type: 'paragraph', content: [{ type: 'text', text: 'Body' }] }]);
    expect(note.tags).toEqual(['a', 'b c']);
    expect(note.created).toBe('2024-05-06T00:00:00.000Z');
  });

  it('reads tags written as a list, a flow sequence or a comma string', () => {
    expect(parseNote('---\ntags:\n  - x\n  - y\n---\n', 'a.md').tags).toEqual(['x', 'y']);
    expect(parseNote('---\ntags: x, y\n---\n', 'a.md').tags).toEqual(['x', 'y']);
  });

  it('keeps front matter that is not YAML as a code block', () => {
    const note = parseNote('---\ntitle: [unclosed\n---\n\nText\n', 'broken.md');
    expect(note.title).toBe('broken');
    expect(note.doc.content?.[0]).toMatchObject({ type: 'codeBlock', attrs: { language: 'yaml' } });
  });

  it('makes one block per list item, checklist items tasks with their done state', () => {
    const blocks = docToBlocks(parseNote('- [ ] a\n- [x] b\n- c\n1. d\n', 'x.md').doc);
    expect(blocks.map((b) => [b.type, b.content.text, b.metadata.is_completed ?? b.metadata.listType])).toEqual([
      ['task', 'a', false],
      ['task', 'b', true],
      ['listItem', 'c', 'unordered'],
      ['listItem', 'd', 'ordered'],
    ]);
  });

  it('keeps the code language and links as spans', () => {
    const [code, para] = docToBlocks(parseNote('```ts\nlet a = 1;\n```\n\n[x](https://e.org)\n', 'x.md').doc);
    expect([code.type, code.content.text, code.metadata.language]).toEqual(['code', 'let a = 1;', 'ts']);
    expect(para.metadata.spans).toEqual([{ start: 0, end: 0, type: 'link', href: 'https://e.org' }]);
  });

  it('keeps nesting as the items\' depth', () => {
    const blocks = docToBlocks(parseNote('- a\n  - [x] b\n    1. c\n- d\n', 'x.md').doc);
    expect(blocks.map((b) => [b.type, b.content.text, b.metadata.depth ?? 0])).toEqual([
      ['listItem', 'a', 0],
      ['task', 'b', 1],
      ['listItem', 'c', 2],
      ['listItem', 'd', 0],
    ]);
  });

  it('makes a GFM table one table block with its header row', () => {
    const [table] = docToBlocks(parseNote('| a | b |\n|---|---|\n| 1 | x\\|y |\n', 'x.md').doc);
    expect([table.type, table.content.rows, table.metadata.header_row]).toEqual(['table', [['a', 'b'], ['1', 'x|y']], true]);
  });

  it('reads a GitHub alert as a callout and writes it back as one', () => {
    const md = '> [!NOTE]\n> Bring *cash*.\n';
    const [callout] = docToBlocks(parseNote(md, 'x.md').doc);
    expect([callout.type, callout.content.text]).toEqual(['callout', 'Bring cash.']);
    expect(body(roundTrip(md))).toBe(md);
  });

  it('keeps formatting inside table cells as the cells\' spans', () => {
    const [table] = docToBlocks(parseNote('| **a** | b |\n|---|---|\n| `1` | [x](https://e.org) |\n', 'x.md').doc);
    expect(table.content.rows).toEqual([['a', 'b'], ['1', 'x']]);
    expect(table.metadata.cell_spans).toEqual([
      [[{ start: 0, end: 0, type: 'bold' }], []],
      [[{ start: 0, end: 0, type: 'code' }], [{ start: 0, end: 0, type: 'link', href: 'https://e.org' }]],
    ]);
    expect(docToBlocks(parseNote('| a |\n|---|\n| b |\n', 'x.md').doc)[0].metadata).not.toHaveProperty('cell_spans');
  });

  it('reads each GitHub alert kind as a callout of that kind; another [!WORD] stays a quote', () => {
    const kinds = ['NOTE', 'TIP', 'IMPORTANT', 'WARNING', 'CAUTION'];
    const md = kinds.map((k) => `> [!${k}]\n> ${k.toLowerCase()} text\n`).join('\n');
    const blocks = docToBlocks(parseNote(md, 'x.md').doc);
    expect(blocks.map((b) => [b.type, b.metadata.callout_kind ?? 'note'])).toEqual(kinds.map((k) => ['callout', k.toLowerCase()]));
    expect(body(roundTrip(md))).toBe(md);
    expect(docToBlocks(parseNote('> [!tip]\n> lower case\n', 'x.md').doc)[0].metadata.callout_kind).toBe('tip');
    const [quote] = docToBlocks(parseNote('> [!FOO]\n> text\n', 'x.md').doc);
    expect([quote.type, quote.content.text]).toEqual(['blockquote', '[!FOO] text']);
  });

  it('makes an image line a picture block', () => {
    const [img] = docToBlocks(parseNote('![a cat](cat.png)\n', 'x.md').doc);
    expect([img.type, img.content.text, img.metadata.src]).toEqual(['image', 'a cat', 'cat.png']);
    expect(body(roundTrip('![a cat](cat.png)\n'))).toBe('![a cat](cat.png)\n');
  });
});

describe('GFM-style samples come back in normal form', () => {
  const cases: Array<[string, string, string]> = [
    ['ATX closing hashes and setext headings', '# One #\n\nTwo\n===\n\nThree\n---\n', '# One\n\n# Two\n\n## Three\n'],
    ['other bullets and emphasis markers', '* a\n+ b\n\n__strong__ _em_\n', '- a\n- b\n\n**strong** *em*\n'],
    ['soft line breaks are spaces, hard ones stay', 'one\ntwo\\\nthree\n', 'one two  \nthree\n'],
    ['ordered lists are numbered from 1', '3. c\n4. d\n', '1. c\n2. d\n'],
    ['indented code and tildes are fenced', '    code here\n\n~~~js\nx\n~~~\n', '```\ncode here\n```\n\n```js\nx\n```\n'],
    ['thematic breaks', '***\n\n___\n', '---\n\n---\n'],
    ['underline as ++ or <u>', '++a++ and <u>b</u>\n', '<u>a</u> and <u>b</u>\n'],
    ['a paragraph that would read as a list or heading', '\\# not a heading\n\n1\\. not a list\n', '\\# not a heading\n\n1\\. not a list\n'],
    ['entities and autolinks', 'Tom &amp; Jerry <https://example.com>\n', 'Tom &amp; Jerry [https://example.com](https://example.com)\n'],
    ['a quoted heading becomes a quote line', '> # Title\n> text\n', '> Title\n>\n> text\n'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const once = roundTrip(input, 'sample.md');
      expect(body(once)).toBe(expected);
      expect(roundTrip(once, 'sample.md')).toBe(once);
    });
  }
});
