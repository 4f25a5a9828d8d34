import type { Editor } from '@tiptap/core';
import { TextSelection } from '@tiptap/pm/state';
import { promptDialog } from '../components/Dialog';
import { Icon, type IconName } from '../components/icons';
import { openSlashMenu } from './slash';
import { focusEditor } from './typeahead';

const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

interface Btn {
  id: string;
  label: string;
  keys?: string;
  icon?: IconName;
  text?: string;
  active?: (e: Editor) => boolean;
  run: (e: Editor) => void;
  enabled?: (e: Editor) => boolean;
}

async function editLink(editor: Editor) {
  const prev = (editor.getAttributes('link').href as string | undefined) ?? '';
  const url = await promptDialog({
    title: prev ? 'Edit link' : 'Add link',
    label: 'URL (leave empty to remove the link)',
    value: prev,
    placeholder: 'https://',
    confirmLabel: 'Apply',
    allowEmpty: true,
  });
  if (url === null) {
    focusEditor(editor);
    return;
  }
  // Focused once, at the end (`focusEditor`, which leaves nothing for a later frame).
  const chain = editor.chain().extendMarkRange('link');
  if (!url.trim()) chain.unsetLink().run();
  else {
    const href = /^[a-z][a-z0-9+.-]*:|^\/|^#/i.test(url.trim()) ? url.trim() : `https://${url.trim()}`;
    if (editor.state.selection.empty && !prev) {
      editor.chain().insertContent({ type: 'text', text: url.trim(), marks: [{ type: 'link', attrs: { href } }] }).run();
    } else chain.setLink({ href }).run();
  }
  // The caret goes after the link, and what is typed next is not part of it: the next key
  // must not replace the linked words.
  editor
    .chain()
    .command(({ tr }) => {
      tr.setSelection(TextSelection.create(tr.doc, tr.selection.to));
      tr.setStoredMarks(tr.selection.$to.marks().filter((m) => m.type.name !== 'link'));
      return true;
    })
    .run();
  focusEditor(editor);
}

/** Nesting and moving: a phone's keyboard has no Tab or Alt+arrows, so these come first
 * (right after inserting) where a phone's narrow toolbar shows them without scrolling. */
const STRUCTURE_GROUP: Btn[] = [
  { id: 'outdent', label: 'Outdent item', keys: 'Shift+Tab', icon: 'outdent', run: (e) => e.chain().focus().nest(-1).run(), enabled: (e) => e.can().nest(-1) },
  { id: 'indent', label: 'Indent item', keys: 'Tab', icon: 'indent', run: (e) => e.chain().focus().nest(1).run(), enabled: (e) => e.can().nest(1) },
  { id: 'move-up', label: 'Move block up', keys: 'Alt+↑', icon: 'arrowUp', run: (e) => e.chain().focus().moveBlock(-1).run(), enabled: (e) => e.can().moveBlock(-1) },
  { id: 'move-down', label: 'Move block down', keys: 'Alt+↓', icon: 'arrowDown', run: (e) => e.chain().focus().moveBlock(1).run(), enabled: (e) => e.can().moveBlock(1) },
];

const GROUPS: Btn[][] = [
  [
    { id: 'insert', label: 'Insert block', keys: '/', icon: 'plus', run: (e) => openSlashMenu(e) },
    { id: 'photo', label: 'Photo or picture', icon: 'camera', run: (e) => e.commands.takePhoto() },
    { id: 'undo', label: 'Undo', keys: `${mod}Z`, icon: 'undo', run: (e) => e.chain().focus().undo().run(), enabled: (e) => e.can().undo() },
    { id: 'redo', label: 'Redo', keys: `${mod}Shift+Z`, icon: 'redo', run: (e) => e.chain().focus().redo().run(), enabled: (e) => e.can().redo() },
  ],
  [
    { id: 'h1', label: 'Heading 1', keys: `${mod}Alt+1`, text: 'H1', active: (e) => e.isActive('heading', { level: 1 }), run: (e) => e.chain().focus().toggleHeading({ level: 1 }).run() },
    { id: 'h2', label: 'Heading 2', keys: `${mod}Alt+2`, text: 'H2', active: (e) => e.isActive('heading', { level: 2 }), run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run() },
    { id: 'h3', label: 'Heading 3', keys: `${mod}Alt+3`, text: 'H3', active: (e) => e.isActive('heading', { level: 3 }), run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run() },
  ],
  [
    { id: 'bold', label: 'Bold', keys: `${mod}B`, icon: 'bold', active: (e) => e.isActive('bold'), run: (e) => e.chain().focus().toggleBold().run() },
    { id: 'italic', label: 'Italic', keys: `${mod}I`, icon: 'italic', active: (e) => e.isActive('italic'), run: (e) => e.chain().focus().toggleItalic().run() },
    { id: 'underline', label: 'Underline', keys: `${mod}U`, icon: 'underline', active: (e) => e.isActive('underline'), run: (e) => e.chain().focus().toggleUnderline().run() },
    { id: 'strike', label: 'Strikethrough', keys: `${mod}Shift+S`, icon: 'strike', active: (e) => e.isActive('strike'), run: (e) => e.chain().focus().toggleStrike().run() },
    { id: 'code', label: 'Inline code', keys: `${mod}E`, icon: 'code', active: (e) => e.isActive('code'), run: (e) => e.chain().focus().toggleCode().run() },
    { id: 'link', label: 'Link', keys: `${mod}K`, icon: 'link', active: (e) => e.isActive('link'), run: (e) => void editLink(e) },
  ],
  [
    { id: 'bullet', label: 'Bulleted list', keys: `${mod}Shift+8`, icon: 'list', active: (e) => e.isActive('listBlock', { listType: 'unordered' }), run: (e) => e.chain().focus().toggleListBlock('unordered').run() },
    { id: 'ordered', label: 'Numbered list', keys: `${mod}Shift+7`, icon: 'listOrdered', active: (e) => e.isActive('listBlock', { listType: 'ordered' }), run: (e) => e.chain().focus().toggleListBlock('ordered').run() },
    { id: 'task', label: 'Checklist', keys: `${mod}Shift+9`, icon: 'checklist', active: (e) => e.isActive('taskBlock'), run: (e) => e.chain().focus().toggleTaskBlock().run() },
    { id: 'quote', label: 'Quote', keys: `${mod}Shift+B`, icon: 'quote', active: (e) => e.isActive('quoteBlock'), run: (e) => e.chain().focus().toggleQuoteBlock().run() },
    { id: 'codeblock', label: 'Code block', keys: `${mod}Alt+C`, icon: 'codeBlock', active: (e) => e.isActive('codeBlock'), run: (e) => e.chain().focus().toggleCodeBlock().run() },
    { id: 'rule', label: 'Divider', icon: 'rule', run: (e) => e.chain().focus().setHorizontalRule().run() },
    { id: 'table', label: 'Table', icon: 'table', run: (e) => e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(), enabled: (e) => !e.isActive('table') },
  ],
];

/** Shown while the caret is in a table. */
const TABLE_GROUP: Btn[] = [
  { id: 'row-add', label: 'Add row below', text: '+ Row', run: (e) => e.chain().focus().addRowAfter().run() },
  { id: 'row-delete', label: 'Delete row', text: '− Row', run: (e) => e.chain().focus().deleteRow().run() },
  { id: 'col-add', label: 'Add column right', text: '+ Col', run: (e) => e.chain().focus().addColumnAfter().run() },
  { id: 'col-delete', label: 'Delete column', text: '− Col', run: (e) => e.chain().focus().deleteColumn().run() },
  { id: 'header-row', label: 'Header row', text: 'Header', active: (e) => headerRow(e), run: (e) => e.chain().focus().toggleHeaderRow().run() },
  { id: 'table-delete', label: 'Delete table', icon: 'trash', run: (e) => e.chain().focus().deleteTable().run() },
];

function headerRow(editor: Editor): boolean {
  const { $from } = editor.state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (node.type.name === 'table') return node.firstChild?.firstChild?.type.name === 'tableHeader';
  }
  return false;
}

export { editLink };

export function Toolbar({ editor }: { editor: Editor }) {
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const btns = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button:not([disabled])')];
    const i = btns.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    e.preventDefault();
    btns[(i + (e.key === 'ArrowRight' ? 1 : btns.length - 1)) % btns.length].focus();
  };
  return (
    <div class="toolbar" role="toolbar" aria-label="Formatting" data-testid="editor-toolbar" onKeyDown={onKeyDown}>
      {/* In a table its own buttons come first, on screen on a phone too. */}
      {[GROUPS[0], ...(editor.isActive('table') ? [TABLE_GROUP] : []), STRUCTURE_GROUP, ...GROUPS.slice(1)].map((g, gi) => (
        <div class="tb-group" key={gi}>
          {g.map((b) => {
            const active = b.active?.(editor) ?? false;
            const enabled = b.enabled ? b.enabled(editor) : true;
            return (
              <button
                key={b.id}
                type="button"
                class={`tb-btn${active ? ' active' : ''}`}
                // The name includes the visible text (H1, + Row), so speech users can say what they see.
                aria-label={b.text && !b.label.includes(b.text) ? `${b.text}, ${b.label}` : b.label}
                aria-pressed={b.active ? active : undefined}
                title={b.keys ? `${b.label} (${b.keys})` : b.label}
                data-testid={`tb-${b.id}`}
                disabled={!enabled}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => b.run(editor)}
              >
                {b.icon ? <Icon name={b.icon} size={17} /> : <span class="tb-text">{b.text}</span>}
              </button>
            );
          })}
        </div>
      ))}
    </div>
  );
}
