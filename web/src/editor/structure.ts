// Nesting (a list or checklist item's depth) and moving blocks (Alt+↑/↓, the drag handle).
// The document stays one level deep so that every top-level node is one server block:
// nesting is the `depth` attribute, not nested nodes.
import { Extension, type Editor } from '@tiptap/core';
import DragHandle from '@tiptap/extension-drag-handle';
import { NodeSelection, TextSelection } from '@tiptap/pm/state';
import { MAX_DEPTH } from './blocks';

export const NESTABLE = ['listBlock', 'taskBlock'];

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    owlStructure: {
      /** Indents (+1) or outdents (-1) the list and checklist items in the selection. */
      nest: (delta: 1 | -1) => ReturnType;
      /** Moves the block holding the selection one place up (-1) or down (+1). */
      moveBlock: (direction: 1 | -1) => ReturnType;
    };
  }
}

/** The top-level indexes the selection touches. */
function selectedIndexes(editor: Editor): [number, number] {
  const { doc, selection } = editor.state;
  const first = Math.min(doc.resolve(selection.from).index(0), doc.childCount - 1);
  const $to = doc.resolve(selection.to);
  // A selection ending between two blocks (a selected node, select-all) ends at the one before.
  const last = $to.depth === 0 && selection.to > selection.from ? $to.index(0) - 1 : $to.index(0);
  return [first, Math.max(first, Math.min(last, doc.childCount - 1))];
}

function topLevelPos(editor: Editor, index: number): number {
  let pos = 0;
  for (let i = 0; i < index; i++) pos += editor.state.doc.child(i).nodeSize;
  return pos;
}

export const Structure = Extension.create({
  name: 'owlStructure',
  addGlobalAttributes() {
    return [
      {
        types: NESTABLE,
        attributes: {
          depth: {
            default: 0,
            keepOnSplit: true,
            parseHTML: (el) => Math.min(MAX_DEPTH, Math.max(0, Number(el.getAttribute('data-depth')) || 0)),
            renderHTML: (attrs) => (attrs.depth ? { 'data-depth': String(attrs.depth) } : {}),
          },
        },
      },
    ];
  },
  addCommands() {
    return {
      nest:
        (delta) =>
        ({ editor, tr, dispatch }) => {
          const [first, last] = selectedIndexes(editor);
          const { doc } = editor.state;
          // An item is at most one level deeper than the item above it.
          let above = first > 0 && NESTABLE.includes(doc.child(first - 1).type.name) ? Number(doc.child(first - 1).attrs.depth) : -1;
          let changed = false;
          let pos = topLevelPos(editor, first);
          for (let i = first; i <= last; i++) {
            const node = doc.child(i);
            if (NESTABLE.includes(node.type.name)) {
              const depth = Number(node.attrs.depth) || 0;
              const next = Math.max(0, Math.min(depth + delta, above + 1, MAX_DEPTH));
              if (next !== depth) {
                tr.setNodeMarkup(pos, undefined, { ...node.attrs, depth: next });
                changed = true;
              }
              above = next;
            } else above = -1;
            pos += node.nodeSize;
          }
          if (changed && dispatch) dispatch(tr);
          return changed;
        },
      moveBlock:
        (direction) =>
        ({ editor, tr, dispatch }) => {
          const { doc, selection } = editor.state;
          const [first, last] = selectedIndexes(editor);
          const target = direction < 0 ? first - 1 : last + 1;
          if (target < 0 || target >= doc.childCount) return false;
          if (!dispatch) return true;
          // One transaction: the moved blocks keep their nodes (and ids), the block passed
          // over changes place. Everyone else receives it as one update.
          const from = topLevelPos(editor, first);
          const to = topLevelPos(editor, last + 1);
          const slice = doc.slice(from, to);
          const other = doc.child(target).nodeSize;
          tr.delete(from, to);
          const at = direction < 0 ? from - other : from + other;
          tr.insert(at, slice.content);
          const shift = at - from;
          if (selection instanceof NodeSelection) tr.setSelection(NodeSelection.create(tr.doc, selection.from + shift));
          else tr.setSelection(TextSelection.create(tr.doc, selection.anchor + shift, selection.head + shift));
          dispatch(tr.scrollIntoView());
          return true;
        },
    };
  },
  addKeyboardShortcuts() {
    const inCode = () => this.editor.isActive('codeBlock');
    const inTable = () => this.editor.isActive('table');
    return {
      // Tab never leaves the editor: it nests items, indents code, and does nothing elsewhere
      // (in a table it is the table's: the next cell).
      Tab: () => {
        if (inTable()) return false;
        if (inCode()) return this.editor.commands.insertContent('  ');
        this.editor.commands.nest(1);
        return true;
      },
      'Shift-Tab': () => {
        if (inTable()) return false;
        this.editor.commands.nest(-1);
        return true;
      },
      'Alt-ArrowUp': () => {
        this.editor.commands.moveBlock(-1);
        return true;
      },
      'Alt-ArrowDown': () => {
        this.editor.commands.moveBlock(1);
        return true;
      },
    };
  },
});

/** Outdents an item before turning it into a paragraph (Enter on an empty item, Backspace at its start). */
export function outdentFirst(editor: Editor): boolean {
  const { $from } = editor.state.selection;
  if ($from.depth !== 1 || !NESTABLE.includes($from.parent.type.name) || !Number($from.parent.attrs.depth)) return false;
  return editor.commands.nest(-1);
}

/** The grip shown left of the block under the mouse; dragging it moves the block. */
export const BlockHandle = DragHandle.configure({
  render: () => {
    const el = document.createElement('div');
    el.className = 'drag-handle';
    el.setAttribute('data-testid', 'drag-handle');
    el.setAttribute('aria-hidden', 'true');
    el.title = 'Drag to move (Alt+↑/↓)';
    return el;
  },
});
