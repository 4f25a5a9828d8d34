// Editor schema: a flat list of top-level blocks, one per server block.
// Lists and checklists are flat nodes (one node per item, nested by their `depth`
// attribute) so that every top-level node maps to exactly one block; a table is one node.
import { Extension, Node, mergeAttributes, textblockTypeInputRule, type Extensions } from '@tiptap/core';
import Collaboration, { isChangeOrigin } from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import UniqueID from '@tiptap/extension-unique-id';
import { Placeholder } from '@tiptap/extensions';
import { Plugin, PluginKey, TextSelection } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import StarterKit from '@tiptap/starter-kit';
import type { WebsocketProvider } from 'y-websocket';
import { ySyncPluginKey } from '@tiptap/y-tiptap';
import type * as Y from 'yjs';
import { calloutKind } from './blocks';
import { CodeBlock } from './code';
import { DueDates } from './due';
import { MEDIA_NODES, Media } from './media';
import { SlashCommands } from './slash';
import { BlockHandle, Structure, outdentFirst } from './structure';
import { tableExtensions } from './tables';

export const BLOCK_NODES = ['paragraph', 'heading', 'codeBlock', 'horizontalRule', 'listBlock', 'taskBlock', 'quoteBlock', 'calloutBlock', 'table', ...MEDIA_NODES];

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    owlBlocks: {
      toggleListBlock: (listType: 'unordered' | 'ordered') => ReturnType;
      toggleTaskBlock: () => ReturnType;
      toggleQuoteBlock: () => ReturnType;
      toggleCalloutBlock: () => ReturnType;
    };
  }
}

/**
 * Keeps this user's caret where Yjs puts it when another user's change arrives.
 *
 * y-tiptap (3.0.7 to 3.0.9) second-guesses that position whenever the text of the caret's
 * block changed, and for a block with distinctive attributes (our `blockId`) puts the
 * caret back at its old offset: someone typing before the caret in the same paragraph
 * then makes this user's next letters land in the wrong place. Without the absolute
 * positions it uses for that guess, the binding keeps the Yjs position, which is anchored
 * to the character before the caret.
 */
const KeepRemoteCaret = Extension.create({
  name: 'owlKeepRemoteCaret',
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey('owlKeepRemoteCaret'),
        view: (view) => {
          const binding = ySyncPluginKey.getState(view.state)?.binding as
            | { doc: Y.Doc; beforeTransactionSelection: { absAnchor?: number; absHead?: number } | null }
            | undefined;
          if (!binding) return {};
          // Registered after the binding's own listener, so it sees the selection it saved.
          const forgetOffsets = () => {
            const saved = binding.beforeTransactionSelection;
            if (saved) {
              delete saved.absAnchor;
              delete saved.absHead;
            }
          };
          binding.doc.on('beforeAllTransactions', forgetOffsets);
          return { destroy: () => binding.doc.off('beforeAllTransactions', forgetOffsets) };
        },
      }),
    ];
  },
});

/**
 * `srcType` keeps a paragraph's original block type (`text`, unknown types) so the server
 * can write it back unchanged. Block ids come from UniqueID (`blockId`) in `buildExtensions`.
 */
const SourceType = Extension.create({
  name: 'owlSourceType',
  addGlobalAttributes() {
    return [
      {
        types: ['paragraph'],
        attributes: {
          srcType: { default: null, rendered: false, keepOnSplit: false, parseHTML: () => null },
        },
      },
    ];
  },
});

/**
 * A read-only editor applies remote changes only: no local transaction may change the
 * document (the server would refuse the update and close the connection).
 */
const ReadOnlyGuard = Extension.create({
  name: 'owlReadOnlyGuard',
  addProseMirrorPlugins() {
    const editor = this.editor;
    return [
      new Plugin({
        key: new PluginKey('owlReadOnlyGuard'),
        filterTransaction: (tr) => editor.isEditable || !tr.docChanged || isChangeOrigin(tr),
      }),
    ];
  },
});

/**
 * ProseMirror learns where a click, tap or caret key (End, arrows) put the caret only from the
 * document's `selectionchange` event, which Chromium queues behind input events. A key pressed
 * in that window ran its command on the previous selection (on a freshly opened note, the start
 * of its first block: Enter split it there and the typing went in front of its text).
 * Delivering the pending notification now makes the editor read the DOM selection first; when
 * it has it already, this changes nothing.
 */
function readDomSelection(view: EditorView): void {
  if (view.isDestroyed || view.composing || !view.hasFocus()) return;
  const doc = view.dom.ownerDocument;
  const focusNode = doc.getSelection()?.focusNode;
  if (focusNode && view.dom.contains(focusNode)) doc.dispatchEvent(new Event('selectionchange'));
}

/** Every key command acts on the caret the user sees (see `readDomSelection`). */
const DomSelectionFirst = Extension.create({
  name: 'domSelectionFirst',
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey('owlDomSelectionFirst'),
        props: {
          handleDOMEvents: {
            keydown: (view) => {
              readDomSelection(view);
              return false;
            },
          },
        },
      }),
    ];
  },
});

function splitSameType(editor: import('@tiptap/core').Editor, typeName: string, resetAttrs: Record<string, unknown>): boolean {
  const { state } = editor;
  const { $from, empty } = state.selection;
  if ($from.depth !== 1 || $from.parent.type.name !== typeName) return false;
  if (empty && $from.parent.content.size === 0) {
    // Enter on an empty item outdents it, and at the top ends the list.
    return outdentFirst(editor) || editor.chain().setNode('paragraph').run();
  }
  if (empty && $from.parentOffset === 0) {
    // Enter at the start of an item inserts an empty item above and keeps this one
    // (and its server block, e.g. a linked task) intact.
    const pos = $from.before();
    const node = $from.parent;
    return editor
      .chain()
      .command(({ tr }) => {
        tr.insert(pos, node.type.create({ ...node.attrs, blockId: null, ...resetAttrs }));
        tr.scrollIntoView();
        return true;
      })
      .run();
  }
  return editor
    .chain()
    .command(({ tr }) => {
      if (!tr.selection.empty) tr.deleteSelection();
      const pos = tr.selection.from;
      const node = tr.doc.resolve(pos).parent;
      tr.split(pos, 1, [{ type: node.type, attrs: { ...node.attrs, blockId: null, ...resetAttrs } }]);
      tr.setSelection(TextSelection.create(tr.doc, pos + 2));
      tr.scrollIntoView();
      return true;
    })
    .run();
}

/** Backspace at the start of a structured block turns it back into a paragraph. */
function unwrapAtStart(editor: import('@tiptap/core').Editor, names: string[]): boolean {
  const { $from, empty } = editor.state.selection;
  if (!empty || $from.depth !== 1 || $from.parentOffset !== 0) return false;
  if (!names.includes($from.parent.type.name)) return false;
  return outdentFirst(editor) || editor.commands.setNode('paragraph');
}

function toggleTo(
  editor: import('@tiptap/core').Editor,
  name: string,
  attrs: Record<string, unknown>,
  isActive: boolean,
): boolean {
  return isActive ? editor.commands.setNode('paragraph') : editor.commands.setNode(name, attrs);
}

export const ListBlock = Node.create({
  name: 'listBlock',
  group: 'block',
  content: 'inline*',
  defining: true,
  addAttributes() {
    return {
      listType: {
        default: 'unordered',
        keepOnSplit: true,
        parseHTML: (el) => (el.getAttribute('data-list') ?? (el.parentElement?.tagName === 'OL' ? 'ordered' : 'unordered')),
        renderHTML: (attrs) => ({ 'data-list': attrs.listType }),
      },
    };
  },
  parseHTML() {
    return [{ tag: 'div[data-block="list"]' }, { tag: 'li', priority: 40 }];
  },
  renderHTML({ HTMLAttributes }) {
    return ['div', mergeAttributes(HTMLAttributes, { 'data-block': 'list', class: 'blk-list' }), 0];
  },
  addCommands() {
    return {
      toggleListBlock:
        (listType) =>
        ({ editor }) =>
          toggleTo(editor, 'listBlock', { listType }, editor.isActive('listBlock', { listType })),
    };
  },
  addKeyboardShortcuts() {
    return {
      Enter: ({ editor }) => splitSameType(editor, 'listBlock', {}),
      Backspace: ({ editor }) => unwrapAtStart(editor, ['listBlock', 'taskBlock', 'quoteBlock', 'calloutBlock', 'heading']),
      'Mod-Shift-8': ({ editor }) => editor.commands.toggleListBlock('unordered'),
      'Mod-Shift-7': ({ editor }) => editor.commands.toggleListBlock('ordered'),
    };
  },
  addInputRules() {
    return [
      textblockTypeInputRule({ find: /^\s*([-+*])\s$/, type: this.type, getAttributes: { listType: 'unordered' } }),
      textblockTypeInputRule({ find: /^\s*(\d+)[.)]\s$/, type: this.type, getAttributes: { listType: 'ordered' } }),
    ];
  },
});

export const TaskBlock = Node.create({
  name: 'taskBlock',
  group: 'block',
  content: 'inline*',
  defining: true,
  addAttributes() {
    return {
      checked: {
        default: false,
        keepOnSplit: false,
        parseHTML: (el) => el.getAttribute('data-checked') === 'true' || !!el.querySelector('input[type=checkbox]:checked'),
        renderHTML: (attrs) => ({ 'data-checked': attrs.checked ? 'true' : 'false' }),
      },
    };
  },
  parseHTML() {
    return [
      { tag: 'div[data-block="task"]', contentElement: '.blk-task-text' },
      { tag: 'li[data-type="taskItem"]', priority: 60 },
      { tag: 'li[data-checked]', priority: 60 },
    ];
  },
  renderHTML({ HTMLAttributes }) {
    return [
      'div',
      mergeAttributes(HTMLAttributes, { 'data-block': 'task', class: 'blk-task' }),
      ['span', { class: 'blk-task-box', contenteditable: 'false' }, ['input', { type: 'checkbox', tabindex: '-1' }]],
      ['div', { class: 'blk-task-text' }, 0],
    ];
  },
  addNodeView() {
    return ({ node, getPos, editor }) => {
      let current = node;
      const dom = document.createElement('div');
      dom.className = 'blk-task';
      dom.setAttribute('data-block', 'task');
      const box = document.createElement('span');
      box.className = 'blk-task-box';
      box.contentEditable = 'false';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.setAttribute('aria-label', 'Done');
      input.setAttribute('data-testid', 'editor-task-checkbox');
      box.append(input);
      const text = document.createElement('div');
      text.className = 'blk-task-text';
      dom.append(box, text);
      const sync = (n: typeof node) => {
        input.checked = !!n.attrs.checked;
        dom.setAttribute('data-checked', n.attrs.checked ? 'true' : 'false');
        if (n.attrs.depth) dom.setAttribute('data-depth', String(n.attrs.depth));
        else dom.removeAttribute('data-depth');
        if (n.attrs.blockId) dom.setAttribute('data-blockid', String(n.attrs.blockId));
      };
      sync(node);
      input.addEventListener('mousedown', (e) => e.preventDefault());
      // The padded box around the checkbox is part of its touch target.
      box.addEventListener('mousedown', (e) => e.preventDefault());
      box.addEventListener('click', (e) => {
        if (e.target !== input && editor.isEditable) input.click();
      });
      input.addEventListener('change', () => {
        const pos = typeof getPos === 'function' ? getPos() : undefined;
        if (!editor.isEditable || typeof pos !== 'number') {
          input.checked = !!current.attrs.checked;
          return;
        }
        editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...current.attrs, checked: input.checked }));
      });
      return {
        dom,
        contentDOM: text,
        update: (n) => {
          if (n.type !== current.type) return false;
          current = n;
          sync(n);
          return true;
        },
        ignoreMutation: (m) => m.type === 'attributes' || box.contains(m.target),
        stopEvent: (e) => box.contains(e.target as globalThis.Node),
      };
    };
  },
  addCommands() {
    return {
      toggleTaskBlock:
        () =>
        ({ editor }) =>
          toggleTo(editor, 'taskBlock', { checked: false }, editor.isActive('taskBlock')),
    };
  },
  addKeyboardShortcuts() {
    return {
      Enter: ({ editor }) => splitSameType(editor, 'taskBlock', { checked: false }),
      'Mod-Shift-9': ({ editor }) => editor.commands.toggleTaskBlock(),
      'Mod-Enter': ({ editor }) => {
        const { $from } = editor.state.selection;
        if ($from.depth !== 1 || $from.parent.type.name !== 'taskBlock') return false;
        return editor.commands.updateAttributes('taskBlock', { checked: !$from.parent.attrs.checked });
      },
    };
  },
  addInputRules() {
    return [
      textblockTypeInputRule({
        find: /^\s*\[([ xX]?)\]\s$/,
        type: this.type,
        getAttributes: (m) => ({ checked: m[1] === 'x' || m[1] === 'X' }),
      }),
    ];
  },
});

export const QuoteBlock = Node.create({
  name: 'quoteBlock',
  group: 'block',
  content: 'inline*',
  defining: true,
  parseHTML() {
    return [{ tag: 'blockquote' }];
  },
  renderHTML({ HTMLAttributes }) {
    return ['blockquote', mergeAttributes(HTMLAttributes, { class: 'blk-quote' }), 0];
  },
  addCommands() {
    return {
      toggleQuoteBlock:
        () =>
        ({ editor }) =>
          toggleTo(editor, 'quoteBlock', {}, editor.isActive('quoteBlock')),
    };
  },
  addKeyboardShortcuts() {
    return {
      'Mod-Shift-b': ({ editor }) => editor.commands.toggleQuoteBlock(),
      Enter: ({ editor }) => {
        const { $from } = editor.state.selection;
        if ($from.depth !== 1 || $from.parent.type.name !== 'quoteBlock') return false;
        if ($from.parent.content.size === 0) return editor.commands.setNode('paragraph');
        return splitSameType(editor, 'quoteBlock', {});
      },
    };
  },
  addInputRules() {
    return [textblockTypeInputRule({ find: /^\s*>\s$/, type: this.type })];
  },
});

export const CalloutBlock = Node.create({
  name: 'calloutBlock',
  group: 'block',
  content: 'inline*',
  defining: true,
  addAttributes() {
    return {
      kind: {
        default: 'note',
        keepOnSplit: false,
        parseHTML: (el) => calloutKind(el.getAttribute('data-kind')),
        renderHTML: (attrs) => ({ 'data-kind': calloutKind(attrs.kind) }),
      },
    };
  },
  parseHTML() {
    return [{ tag: 'div[data-block="callout"]' }, { tag: 'aside' }];
  },
  renderHTML({ HTMLAttributes }) {
    return ['div', mergeAttributes(HTMLAttributes, { 'data-block': 'callout', class: 'blk-callout', role: 'note' }), 0];
  },
  addCommands() {
    return {
      toggleCalloutBlock:
        () =>
        ({ editor }) =>
          toggleTo(editor, 'calloutBlock', {}, editor.isActive('calloutBlock')),
    };
  },
  addKeyboardShortcuts() {
    return {
      Enter: ({ editor }) => {
        const { $from } = editor.state.selection;
        if ($from.depth !== 1 || $from.parent.type.name !== 'calloutBlock') return false;
        // Enter leaves the callout for a new paragraph (an empty callout becomes one);
        // Shift+Enter breaks the line.
        if ($from.parent.content.size === 0) return editor.commands.setNode('paragraph');
        return editor
          .chain()
          .command(({ tr }) => {
            if (!tr.selection.empty) tr.deleteSelection();
            const pos = tr.selection.from;
            tr.split(pos, 1, [{ type: editor.schema.nodes.paragraph }]);
            tr.setSelection(TextSelection.create(tr.doc, pos + 2));
            tr.scrollIntoView();
            return true;
          })
          .run();
      },
    };
  },
});

export interface CollabUser {
  id: string;
  name: string;
  color: string;
}

export interface EditorSetup {
  placeholder: string;
  doc: Y.Doc;
  provider: WebsocketProvider;
  user: CollabUser;
}

/**
 * Another person's caret. The name is drawn by CSS from an attribute, so it is never part
 * of the text around it (copying, reading the block's text).
 */
function renderCaret(user: Record<string, unknown>): HTMLElement {
  const caret = document.createElement('span');
  caret.className = 'remote-caret';
  caret.setAttribute('data-testid', 'remote-caret');
  caret.setAttribute('data-name', String(user.name ?? ''));
  caret.style.setProperty('--caret', String(user.color ?? 'transparent'));
  return caret;
}

/** The Y.Doc field holding the note's content (the server reads the same one). */
export const CONTENT_FIELD = 'default';

/** The note schema (node names and attributes the server reads) and its editing behaviour. */
export function contentExtensions(): Extensions {
  return [
    StarterKit.configure({
      blockquote: false,
      bulletList: false,
      orderedList: false,
      listItem: false,
      listKeymap: false,
      trailingNode: false,
      // The collaboration extension's undo only takes back this user's own changes.
      undoRedo: false,
      heading: { levels: [1, 2, 3, 4, 5, 6] },
      link: { openOnClick: false, autolink: true, linkOnPaste: true, defaultProtocol: 'https', markdownLinks: true },
      codeBlock: false,
    }),
    CodeBlock,
    ListBlock,
    TaskBlock,
    QuoteBlock,
    CalloutBlock,
    ...tableExtensions(),
    Structure,
    Media,
    SourceType,
    DueDates,
    UniqueID.configure({
      types: BLOCK_NODES,
      attributeName: 'blockId',
      // Remote changes already carry their ids: never re-id what another client wrote.
      filterTransaction: (tr) => !isChangeOrigin(tr),
    }),
  ];
}

export function buildExtensions({ placeholder, doc, provider, user }: EditorSetup): Extensions {
  return [
    ...contentExtensions(),
    ReadOnlyGuard,
    DomSelectionFirst,
    Collaboration.configure({ document: doc, field: CONTENT_FIELD, provider }),
    KeepRemoteCaret,
    SlashCommands,
    BlockHandle,
    CollaborationCaret.configure({ provider, user, render: renderCaret }),
    Placeholder.configure({
      placeholder: ({ editor, node }) => {
        if (editor.state.doc.childCount === 1 && node.type.name === 'paragraph') return placeholder;
        if (node.type.name === 'heading') return `Heading ${node.attrs.level}`;
        if (node.type.name === 'taskBlock') return 'To-do';
        if (node.type.name === 'listBlock') return 'List item';
        if (node.type.name === 'quoteBlock') return 'Quote';
        if (node.type.name === 'calloutBlock') return 'Callout';
        return "Type '/' for blocks, '# ' for a heading, '- ' for a list, '[ ] ' for a to-do…";
      },
      showOnlyCurrent: true,
      includeChildren: false,
    }),
  ];
}
