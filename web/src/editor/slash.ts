// The slash menu: `/` at the start of a line or after a space lists every block type,
// filtered by what follows the slash; ↑/↓ and Enter or a click turn the current block into
// the chosen one. Trigger and query tracking are Tiptap's Suggestion utility.
import { Extension, type Editor, type Range } from '@tiptap/core';
import { computePosition, flip, offset, shift } from '@floating-ui/dom';
import { PluginKey } from '@tiptap/pm/state';
import Suggestion, { type SuggestionProps } from '@tiptap/suggestion';
import type { CalloutKind } from './blocks';

export interface BlockChoice {
  id: string;
  label: string;
  hint: string;
  keywords: string;
  run: (editor: Editor) => void;
}

// One choice per GitHub alert kind (Markdown `> [!TIP]`).
const CALLOUT_CHOICES: Array<[CalloutKind, string, string, string]> = [
  ['note', 'Callout', 'A note that stands out', 'info'],
  ['tip', 'Tip', 'Advice, a better way', 'hint idea'],
  ['important', 'Important', 'What must not be missed', 'key'],
  ['warning', 'Warning', 'Needs attention', 'attention'],
  ['caution', 'Caution', 'Risk of harm or loss', 'danger'],
];

export const BLOCK_CHOICES: BlockChoice[] = [
  { id: 'paragraph', label: 'Text', hint: 'Plain paragraph', keywords: 'paragraph plain', run: (e) => e.chain().focus().setNode('paragraph').run() },
  { id: 'h1', label: 'Heading 1', hint: 'Large section heading', keywords: 'title h1 #', run: (e) => e.chain().focus().setNode('heading', { level: 1 }).run() },
  { id: 'h2', label: 'Heading 2', hint: 'Medium section heading', keywords: 'subtitle h2 ##', run: (e) => e.chain().focus().setNode('heading', { level: 2 }).run() },
  { id: 'h3', label: 'Heading 3', hint: 'Small section heading', keywords: 'h3 ###', run: (e) => e.chain().focus().setNode('heading', { level: 3 }).run() },
  { id: 'bullet', label: 'Bulleted list', hint: 'A simple list', keywords: 'unordered ul bullet -', run: (e) => e.chain().focus().setNode('listBlock', { listType: 'unordered' }).run() },
  { id: 'numbered', label: 'Numbered list', hint: 'A list with numbers', keywords: 'ordered ol 1.', run: (e) => e.chain().focus().setNode('listBlock', { listType: 'ordered' }).run() },
  { id: 'checklist', label: 'Checklist', hint: 'To-dos that are tasks', keywords: 'todo task checkbox []', run: (e) => e.chain().focus().setNode('taskBlock', { checked: false }).run() },
  { id: 'quote', label: 'Quote', hint: 'A quotation', keywords: 'blockquote >', run: (e) => e.chain().focus().setNode('quoteBlock').run() },
  { id: 'code', label: 'Code', hint: 'Code with highlighting', keywords: 'codeblock snippet ```', run: (e) => e.chain().focus().setNode('codeBlock').run() },
  { id: 'divider', label: 'Divider', hint: 'A horizontal line', keywords: 'rule hr separator ---', run: (e) => e.chain().focus().setHorizontalRule().run() },
  { id: 'table', label: 'Table', hint: 'Rows and columns', keywords: 'grid spreadsheet', run: (e) => e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run() },
  ...CALLOUT_CHOICES.map(([kind, label, hint, keywords]): BlockChoice => ({
    id: kind === 'note' ? 'callout' : `callout-${kind}`,
    label,
    hint,
    keywords: `callout alert ${kind} ${keywords}`,
    run: (e) => e.chain().focus().setNode('calloutBlock', { kind }).run(),
  })),
];

export function matchChoices(query: string): BlockChoice[] {
  const q = query.trim().toLowerCase();
  if (!q) return BLOCK_CHOICES;
  const starts = BLOCK_CHOICES.filter((c) => c.label.toLowerCase().startsWith(q) || c.id.startsWith(q));
  const rest = BLOCK_CHOICES.filter((c) => !starts.includes(c) && `${c.label} ${c.keywords}`.toLowerCase().includes(q));
  return [...starts, ...rest];
}

/** The menu's DOM: a listbox next to the caret, kept for one open menu. */
class SlashMenu {
  readonly el = document.createElement('div');
  private items: BlockChoice[] = [];
  private active = 0;
  private props: SuggestionProps<BlockChoice, BlockChoice>;

  constructor(props: SuggestionProps<BlockChoice, BlockChoice>) {
    this.props = props;
    this.el.className = 'slash-menu';
    this.el.id = 'slash-menu';
    this.el.setAttribute('role', 'listbox');
    this.el.setAttribute('aria-label', 'Block types');
    this.el.setAttribute('data-testid', 'slash-menu');
    // Clicks must not take the focus (and the caret) out of the editor.
    this.el.addEventListener('mousedown', (e) => e.preventDefault());
    document.body.append(this.el);
    this.update(props);
  }

  update(props: SuggestionProps<BlockChoice, BlockChoice>): void {
    this.props = props;
    this.items = props.items;
    this.active = Math.min(this.active, Math.max(0, this.items.length - 1));
    this.render();
    const rect = props.clientRect?.();
    if (!rect) return;
    const anchor = { getBoundingClientRect: () => rect };
    void computePosition(anchor, this.el, { placement: 'bottom-start', strategy: 'fixed', middleware: [offset(6), flip(), shift({ padding: 8 })] }).then(({ x, y }) => {
      this.el.style.left = `${x}px`;
      this.el.style.top = `${y}px`;
    });
  }

  private render(): void {
    if (!this.items.length) {
      const none = document.createElement('div');
      none.className = 'slash-empty';
      none.textContent = 'No matching block';
      this.el.replaceChildren(none);
      return;
    }
    this.el.replaceChildren(
      ...this.items.map((item, i) => {
        const option = document.createElement('div');
        option.className = `slash-item${i === this.active ? ' active' : ''}`;
        option.id = `slash-${item.id}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', i === this.active ? 'true' : 'false');
        option.setAttribute('data-testid', `slash-${item.id}`);
        const label = document.createElement('span');
        label.className = 'slash-label';
        label.textContent = item.label;
        const hint = document.createElement('span');
        hint.className = 'slash-hint';
        hint.textContent = item.hint;
        option.append(label, hint);
        option.addEventListener('click', () => this.props.command(item));
        option.addEventListener('mousemove', () => {
          if (this.active !== i) (this.active = i), this.render();
        });
        return option;
      }),
    );
    this.props.editor.view.dom.setAttribute('aria-activedescendant', `slash-${this.items[this.active].id}`);
    this.el.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }

  key(event: KeyboardEvent): boolean {
    const n = this.items.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (n) this.active = (this.active + (event.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.render();
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      if (!n) return false;
      this.props.command(this.items[this.active]);
      return true;
    }
    return false;
  }

  destroy(): void {
    this.props.editor.view.dom.removeAttribute('aria-activedescendant');
    this.el.remove();
  }
}

export const slashMenuKey = new PluginKey('owlSlashMenu');

export const SlashCommands = Extension.create({
  name: 'owlSlashCommands',
  addProseMirrorPlugins() {
    return [
      Suggestion<BlockChoice, BlockChoice>({
        editor: this.editor,
        pluginKey: slashMenuKey,
        char: '/',
        items: ({ query }) => matchChoices(query),
        // Only in a top-level text block that is not code (a slash in code is just a slash).
        allow: ({ state, range }) => {
          const $from = state.doc.resolve(range.from);
          return $from.depth === 1 && $from.parent.type.name !== 'codeBlock';
        },
        command: ({ editor, range, props }: { editor: Editor; range: Range; props: BlockChoice }) => {
          editor.chain().focus().deleteRange(range).run();
          props.run(editor);
        },
        render: () => {
          let menu: SlashMenu | null = null;
          return {
            onStart: (props) => {
              menu = new SlashMenu(props);
            },
            onUpdate: (props) => menu?.update(props),
            onKeyDown: ({ event }) => {
              if (event.key === 'Escape') {
                menu?.destroy();
                menu = null;
                return true;
              }
              return menu?.key(event) ?? false;
            },
            onExit: () => {
              menu?.destroy();
              menu = null;
            },
          };
        },
      }),
    ];
  },
});

/** The `+` button: a new block below the caret's (or this one, when empty) with the menu open on it. */
export function openSlashMenu(editor: Editor): void {
  const { $from } = editor.state.selection;
  const chain = editor.chain().focus();
  if ($from.depth !== 1 || $from.parent.content.size || !$from.parent.isTextblock) {
    const after = $from.depth >= 1 ? $from.after(1) : $from.pos;
    chain.insertContentAt(after, { type: 'paragraph' }).setTextSelection(after + 1);
  }
  chain.insertContent('/').run();
}
