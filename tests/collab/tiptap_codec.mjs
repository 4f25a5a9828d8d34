// The browser's side of the document format, for the co-editing tests: Tiptap's own
// y-tiptap binding turns ProseMirror JSON into a Yjs update ("encode") and a Yjs update
// back into ProseMirror JSON checked against the editor's schema ("decode").
// Input on stdin, output on stdout; updates travel as base64.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const Y = require('yjs');
const { prosemirrorJSONToYDoc, yDocToProsemirrorJSON } = require('@tiptap/y-tiptap');
const { Extension, getSchema, Node } = require('@tiptap/core');
const StarterKit = require('@tiptap/starter-kit').default;

// The node names and attributes of web/src/editor/extensions.ts (what the contract is).
const flat = (name, attributes = {}) =>
  Node.create({
    name,
    group: 'block',
    content: 'inline*',
    addAttributes: () => attributes,
  });
const schema = getSchema([
  StarterKit.configure({
    blockquote: false,
    bulletList: false,
    orderedList: false,
    listItem: false,
    listKeymap: false,
    trailingNode: false,
  }),
  flat('listBlock', { listType: { default: 'unordered' } }),
  flat('taskBlock', { checked: { default: false } }),
  flat('quoteBlock'),
  // web/src/editor/media.ts: pictures and files are leaf blocks.
  Node.create({
    name: 'image',
    group: 'block',
    atom: true,
    addAttributes: () => ({ src: {}, alt: { default: null }, title: { default: null }, attachmentId: { default: null }, width: { default: null } }),
  }),
  Node.create({
    name: 'file',
    group: 'block',
    atom: true,
    addAttributes: () => ({ src: {}, name: { default: null }, size: { default: null }, mediaType: { default: null }, attachmentId: { default: null } }),
  }),
  Extension.create({
    name: 'blockIds',
    addGlobalAttributes: () => [
      {
        types: ['paragraph', 'heading', 'codeBlock', 'horizontalRule', 'listBlock', 'taskBlock', 'quoteBlock', 'image', 'file'],
        attributes: { blockId: { default: null } },
      },
      { types: ['paragraph'], attributes: { srcType: { default: null } } },
    ],
  }),
]);

const input = await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (c) => (data += c));
  process.stdin.on('end', () => resolve(data));
});

if (process.argv[2] === 'encode') {
  const doc = prosemirrorJSONToYDoc(schema, JSON.parse(input), 'default');
  process.stdout.write(Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64'));
} else {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Buffer.from(input, 'base64'));
  const json = yDocToProsemirrorJSON(doc, 'default');
  schema.nodeFromJSON(json).check();
  process.stdout.write(JSON.stringify(json));
}
