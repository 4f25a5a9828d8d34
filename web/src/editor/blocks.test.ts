import { getSchema } from '@tiptap/core';
import { describe, expect, it } from 'vitest';
import type { Block } from '../api/types';
import { blockToNode, nodeToData } from './blocks';
import { contentExtensions } from './extensions';

const schema = getSchema(contentExtensions());
const block = (type: string, text: string, metadata: Block['metadata'] = {}): Block => ({
  id: `id-${type}-${text.length}`,
  note_id: 'n',
  type,
  content: { text },
  metadata,
  order: 1,
});

describe('block <-> node mapping (the one the server mirrors)', () => {
  const cases: Array<[Block, string, Record<string, unknown>]> = [
    [block('header', 'Title', { level: 2 }), 'heading', { level: 2 }],
    [block('listItem', 'Milk', { listType: 'ordered', item_type: 'ordered' }), 'listBlock', { listType: 'ordered' }],
    [block('task', 'Call', { is_completed: true, task_id: 't1' }), 'taskBlock', { checked: true }],
    [block('code', 'x = 1\ny = 2', { language: 'python' }), 'codeBlock', { language: 'python' }],
    [block('blockquote', 'Said'), 'quoteBlock', {}],
    [block('horizontalRule', ''), 'horizontalRule', {}],
    [block('text', 'Legacy type'), 'paragraph', { srcType: 'text' }],
    [block('listItem', 'Nested', { listType: 'unordered', depth: 2 }), 'listBlock', { depth: 2 }],
    [block('task', 'Sub-task', { is_completed: false, depth: 1 }), 'taskBlock', { depth: 1 }],
    [block('callout', 'Heads up'), 'calloutBlock', { kind: 'note' }],
    [block('callout', 'Careful', { callout_kind: 'caution' }), 'calloutBlock', { kind: 'caution' }],
    [block('table', 'a\tb\n1\t2', { header_row: true }), 'table', {}],
  ];

  it.each(cases)('%o becomes a %s node and comes back unchanged', (b, nodeName, attrs) => {
    const node = schema.nodeFromJSON(blockToNode(b));
    expect(node.type.name).toBe(nodeName);
    expect(node.attrs).toMatchObject({ blockId: b.id, ...attrs });
    const data = nodeToData(node);
    expect(data.type).toBe(b.type);
    expect(data.text).toBe((b.content as { text: string }).text);
  });

  it('keeps inline formatting as spans with an inclusive end', () => {
    const spans = [
      { start: 0, end: 3, type: 'bold' as const },
      { start: 5, end: 8, type: 'link' as const, href: 'https://example.com' },
      { start: 10, end: 13, type: 'code' as const },
    ];
    const node = schema.nodeFromJSON(blockToNode(block('paragraph', 'Bold link, code', { spans })));
    expect(node.type.name).toBe('paragraph');
    expect(nodeToData(node).meta.spans).toEqual(spans);
  });

  it('keeps the depth of nested items and a table\'s rows and header row', () => {
    expect(nodeToData(schema.nodeFromJSON(blockToNode(block('task', 'x', { depth: 3 })))).meta.depth).toBe(3);
    expect(nodeToData(schema.nodeFromJSON(blockToNode(block('listItem', 'x', {})))).meta).not.toHaveProperty('depth');
    const table = block('table', '', { header_row: true });
    table.content = { text: '', rows: [['Item', 'Cost'], ['Tea']] };
    const data = nodeToData(schema.nodeFromJSON(blockToNode(table)));
    expect(data.content?.rows).toEqual([['Item', 'Cost'], ['Tea', '']]);
    expect(data.text).toBe('Item\tCost\nTea\t');
    expect(data.meta.header_row).toBe(true);
  });

  it('keeps a table cell\'s formatting and a callout\'s kind (left out for a note)', () => {
    const table = block('table', '', { header_row: false, cell_spans: [[[{ start: 0, end: 2, type: 'bold' }], 'junk'], [[{ start: 5, end: 9, type: 'italics' }]]] });
    table.content = { text: '', rows: [['Tea', 'x'], ['Milk']] };
    const data = nodeToData(schema.nodeFromJSON(blockToNode(table)));
    // Spans that do not fit their cell are dropped, cells without any come back empty.
    expect(data.meta.cell_spans).toEqual([[[{ start: 0, end: 2, type: 'bold' }], []], [[], []]]);
    expect(nodeToData(schema.nodeFromJSON(blockToNode(block('callout', 'x', { callout_kind: 'note' })))).meta).toEqual({ spans: [] });
    expect(nodeToData(schema.nodeFromJSON(blockToNode(block('callout', 'x', { callout_kind: 'TIP' })))).meta).toEqual({ spans: [], callout_kind: 'tip' });
  });

  it('gives every block node the blockId attribute', () => {
    for (const name of ['paragraph', 'heading', 'codeBlock', 'horizontalRule', 'listBlock', 'taskBlock', 'quoteBlock', 'calloutBlock', 'table', 'image', 'file']) {
      expect(schema.nodes[name].spec.attrs ?? {}, name).toHaveProperty('blockId');
    }
  });

  const picture = '0b7a2a3e-8f3c-4a57-9b0e-2f1d3c4b5a69';

  it('maps picture and file blocks to image and file nodes and back', () => {
    const image = schema.nodeFromJSON(
      blockToNode(block('image', 'A cat', { attachment_id: picture, title: 'Tom', width: 240 })),
    );
    expect(image.type.name).toBe('image');
    expect(image.attrs).toMatchObject({ src: `/api/v1/attachments/${picture}`, alt: 'A cat', title: 'Tom', width: 240, attachmentId: picture });
    expect(nodeToData(image)).toEqual({
      type: 'image',
      text: 'A cat',
      meta: { spans: [], src: `/api/v1/attachments/${picture}`, attachment_id: picture, title: 'Tom', width: 240 },
    });
    const file = schema.nodeFromJSON(blockToNode(block('file', 'report.pdf', { src: `/api/v1/attachments/${picture}`, size: 52000, media_type: 'application/pdf' })));
    expect(file.attrs).toMatchObject({ name: 'report.pdf', size: 52000, mediaType: 'application/pdf', attachmentId: picture });
    expect(nodeToData(file).meta).toEqual({
      spans: [],
      src: `/api/v1/attachments/${picture}`,
      attachment_id: picture,
      size: 52000,
      media_type: 'application/pdf',
    });
  });

  it('never points a picture or file at script or inline data', () => {
    for (const src of ['javascript:alert(1)', ' JaVa\tScRiPt:alert(1)', 'data:image/png;base64,AAAA']) {
      const node = schema.nodeFromJSON(blockToNode(block('image', '', { src })));
      expect(node.attrs.src, src).toBeNull();
      expect(nodeToData(schema.nodeFromJSON({ type: 'image', attrs: { src } })).meta, src).toEqual({ spans: [] });
    }
    expect(blockToNode(block('image', '', { src: 'https://example.com/a.png' })).attrs?.src).toBe('https://example.com/a.png');
  });
});
