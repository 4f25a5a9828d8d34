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

  it('gives every block node the blockId attribute', () => {
    for (const name of ['paragraph', 'heading', 'codeBlock', 'horizontalRule', 'listBlock', 'taskBlock', 'quoteBlock']) {
      expect(schema.nodes[name].spec.attrs ?? {}, name).toHaveProperty('blockId');
    }
  });
});
