// Typing ahead of the page. Right after "New note" the note is still being created and
// opened, and after Enter in the title its editor may still be waiting for the document:
// keys pressed meanwhile had nowhere to go (they were lost, or stayed in the title). They
// are held here and handed to the title or the editor once it can take them.
import { type Editor, type FocusPosition, resolveFocusPosition } from '@tiptap/core';

let held: string | null = null;

function onKey(e: KeyboardEvent): void {
  if (held === null || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (e.key.length === 1) held += e.key;
  else if (e.key === 'Enter') held += '\n';
  else if (e.key === 'Backspace') held = held.slice(0, -1);
  else return;
  e.preventDefault();
  e.stopImmediatePropagation();
}

/** From now on, text keys are kept instead of reaching the page (`start` is already typed). */
export function holdKeys(start = ''): void {
  if (held === null) window.addEventListener('keydown', onKey, true);
  held = (held ?? '') + start;
}

/** Stops holding keys; what was typed meanwhile (`\n` for Enter). */
export function releaseKeys(): string {
  window.removeEventListener('keydown', onKey, true);
  const typed = held ?? '';
  held = null;
  return typed;
}

/** Types `text` into the editor at the caret, Enter included (as if typed: lists continue). */
export function typeInto(editor: Editor, text: string): void {
  text.split('\n').forEach((line, i) => {
    if (i > 0) editor.commands.keyboardShortcut('Enter');
    if (line) editor.commands.insertContent({ type: 'text', text: line });
  });
}

/** Focuses the editor now, caret at `position` (`null` keeps the selection). Not Tiptap's
 * focus command: it focuses again in the next animation frame, and that frame wrote the
 * editor's selection over the browser's, undoing a selection or caret move whose
 * `selectionchange` had not arrived yet (a busy page's frames are late; a fast Shift+arrow
 * right after Enter in the title lost its first step). Before that, keys typed ahead of the
 * frame went to whatever still had the focus, the title or the closed dialog. */
export function focusEditor(editor: Editor, position: FocusPosition = null): void {
  if (editor.isDestroyed) return;
  const { state, view } = editor;
  const selection = resolveFocusPosition(state.doc, position);
  if (selection && !state.selection.eq(selection)) view.dispatch(state.tr.setSelection(selection).scrollIntoView());
  view.focus();
}
