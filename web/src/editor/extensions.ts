// Editor schema: a flat list of top-level text blocks, one per server block.
// Lists and checklists are flat nodes (one node per item) so that every top-level
// node maps to exactly one block.
import { Extension, Node, mergeAttributes, textblockTypeInputRule, type Extensions } from '@tiptap/core';
import { Placeholder } from '@tiptap/extensions';
import { Plugin, PluginKey, TextSelection } from '@tiptap/pm/state';
import type { EditorView } from '@tiptap/pm/view';
import StarterKit from '@tiptap/starter-kit';

export const BLOCK_NODES = ['paragraph', 'heading', 'codeBlock', 'horizontalRule', 'listBlock', 'taskBlock', 'quoteBlock'];

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    owlBlocks: {
      toggleListBlock: (listType: 'unordered' | 'ordered') => ReturnType;
      toggleTaskBlock: () => ReturnType;
      toggleQuoteBlock: () => ReturnType;
    };
  }
}

let tmpCounter = 0;
export const newTmpId = () => `tmp:${Date.now().toString(36)}:${(tmpCounter++).toString(36)}`;
export const isTmpId = (id: unknown) => typeof id !== 'string' || id.startsWith('tmp:');

/** `blockId` on every block node, plus a plugin that keeps ids present and unique. */
const BlockIds = Extension.create({
  name: 'blockIds',
  addGlobalAttributes() {
    return [
      {
        types: BLOCK_NODES,
        attributes: {
          blockId: { default: null, rendered: false, keepOnSplit: false, parseHTML: () => null },
        },
      },
      {
        types: ['paragraph'],
        attributes: {
          srcType: { default: null, rendered: false, keepOnSplit: false, parseHTML: () => null },
        },
      },
    ];
  },
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: new PluginKey('owlBlockIds'),
        appendTransaction: (trs, oldState, state) => {
          if (!trs.some((t) => t.docChanged)) return null;
          // A node re-typed in place (heading, list, to-do… via setBlockType) comes back
          // without attributes: give it back the id of the node that stood there, so the
          // server block is updated rather than deleted and re-created.
          const present = new Set<string>();
          state.doc.forEach((n) => {
            if (typeof n.attrs.blockId === 'string') present.add(n.attrs.blockId);
          });
          const landed = new Map<number, { id: string; srcType: unknown }>();
          oldState.doc.forEach((node, offset) => {
            const id = node.attrs.blockId as string | null;
            if (!id || present.has(id)) return;
            let pos = offset;
            for (const t of trs) pos = t.mapping.map(pos, 1);
            if (!landed.has(pos)) landed.set(pos, { id, srcType: node.attrs.srcType });
          });
          const seen = new Set<string>();
          let tr = state.tr;
          let changed = false;
          state.doc.forEach((node, offset) => {
            if (!('blockId' in node.attrs)) return;
            const id = node.attrs.blockId as string | null;
            if (!id) {
              const back = landed.get(offset);
              if (back && !seen.has(back.id)) {
                landed.delete(offset);
                tr = tr.setNodeMarkup(offset, undefined, { ...node.attrs, blockId: back.id });
                seen.add(back.id);
                changed = true;
                return;
              }
            }
            if (!id || seen.has(id)) {
              const fresh = newTmpId();
              tr = tr.setNodeMarkup(offset, undefined, { ...node.attrs, blockId: fresh, ...(id ? { srcType: null } : {}) });
              seen.add(fresh);
              changed = true;
            } else seen.add(id);
          });
          if (!changed) return null;
          tr.setMeta('addToHistory', false);
          return tr;
        },
      }),
    ];
  },
});

/**
 * ProseMirror learns where a click, tap or caret key (End, arrows) put the caret only from the
 * document's `selectionchange` event, which Chromium queues behind input events. A key pressed
 * in that window ran its command on the previous selection (on a freshly opened note, the start
 * of its first block: Enter split it there and the typing went in front of its text), and a
 * remote change applied in it wrote the previous selection back over the caret. Delivering the
 * pending notification now makes the editor read the DOM selection first; when it has it already,
 * this changes nothing.
 */
export function readDomSelection(view: EditorView): void {
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
    // Enter on an empty item ends the list.
    return editor.chain().setNode('paragraph').run();
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
  return editor.commands.setNode('paragraph');
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
      Backspace: ({ editor }) => unwrapAtStart(editor, ['listBlock', 'taskBlock', 'quoteBlock', 'heading']),
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

export function buildExtensions(placeholder: string): Extensions {
  return [
    StarterKit.configure({
      blockquote: false,
      bulletList: false,
      orderedList: false,
      listItem: false,
      listKeymap: false,
      trailingNode: false,
      heading: { levels: [1, 2, 3, 4, 5, 6] },
      link: { openOnClick: false, autolink: true, linkOnPaste: true, defaultProtocol: 'https', markdownLinks: true },
      codeBlock: { HTMLAttributes: { class: 'blk-code', spellcheck: 'false' } },
    }),
    ListBlock,
    TaskBlock,
    QuoteBlock,
    BlockIds,
    DomSelectionFirst,
    Placeholder.configure({
      placeholder: ({ editor, node }) => {
        if (editor.state.doc.childCount === 1 && node.type.name === 'paragraph') return placeholder;
        if (node.type.name === 'heading') return `Heading ${node.attrs.level}`;
        if (node.type.name === 'taskBlock') return 'To-do';
        if (node.type.name === 'listBlock') return 'List item';
        if (node.type.name === 'quoteBlock') return 'Quote';
        return "Type '# ' for a heading, '- ' for a list, '[ ] ' for a to-do…";
      },
      showOnlyCurrent: true,
      includeChildren: false,
    }),
  ];
}
