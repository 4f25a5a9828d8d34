import type { Editor } from '@tiptap/core';
import { promptDialog } from '../components/Dialog';
import { Icon, type IconName } from '../components/icons';

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
    editor.commands.focus();
    return;
  }
  const chain = editor.chain().focus().extendMarkRange('link');
  if (!url.trim()) chain.unsetLink().run();
  else {
    const href = /^[a-z][a-z0-9+.-]*:|^\/|^#/i.test(url.trim()) ? url.trim() : `https://${url.trim()}`;
    if (editor.state.selection.empty && !prev) {
      editor.chain().focus().insertContent({ type: 'text', text: url.trim(), marks: [{ type: 'link', attrs: { href } }] }).run();
    } else chain.setLink({ href }).run();
  }
}

const GROUPS: Btn[][] = [
  [
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
  ],
];

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
      {GROUPS.map((g, gi) => (
        <div class="tb-group" key={gi}>
          {g.map((b) => {
            const active = b.active?.(editor) ?? false;
            const enabled = b.enabled ? b.enabled(editor) : true;
            return (
              <button
                key={b.id}
                type="button"
                class={`tb-btn${active ? ' active' : ''}`}
                aria-label={b.label}
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
