import { errorMessage } from '../api/client';
import type { Note, Task } from '../api/types';
import { dueSection, dueText, noteTitle, timeAgo } from '../lib/format';
import { describeRule } from '../lib/reminders';
import { href, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, canEdit, deleteNote, deleteTask, notePreview, setTaskDone, taskNoteId } from '../state';
import { ui } from '../ui';
import { confirmDialog } from './Dialog';
import { Icon } from './icons';

/** Arrow keys move between rows of a list (each row has one primary link with data-row). */
export function onListKeyDown(e: KeyboardEvent) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const root = e.currentTarget as HTMLElement;
  const rows = [...root.querySelectorAll<HTMLElement>('[data-row]')];
  const i = rows.findIndex((r) => r === document.activeElement || r.contains(document.activeElement));
  if (i < 0) return;
  e.preventDefault();
  rows[e.key === 'ArrowDown' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i - 1)]?.focus();
}

export function NoteRow({ note, showNotebook = false }: { note: Note; showNotebook?: boolean }) {
  const nb = useStore(app, (s) => s.notebooks.find((n) => n.id === note.notebook_id));
  const editable = canEdit(nb);
  const preview = notePreview(note);
  const remove = async () => {
    const ok = await confirmDialog({
      title: 'Move note to trash?',
      message: `“${noteTitle(note.title)}” will be moved to the trash. You can restore it from there.`,
      confirmLabel: 'Move to trash',
      danger: true,
    });
    if (!ok) return;
    try {
      await deleteNote(note.id);
      toast('Note moved to trash', 'info', { label: 'Open trash', run: () => navigate(href.trash()) });
    } catch (e) {
      toast(`Could not delete the note: ${errorMessage(e)}`, 'error');
    }
  };
  return (
    <li class="row note-row" data-testid="note-row" data-id={note.id}>
      <a href={href.note(note.id)} class="row-main" data-row data-testid="note-row-link">
        <span class="row-title">
          <Icon name="note" size={16} />
          <span>{noteTitle(note.title)}</span>
        </span>
        {preview && <span class="row-sub">{preview}</span>}
        <span class="row-meta">
          {showNotebook && nb && (
            <span class="chip">
              <Icon name="book" size={12} /> {nb.name || 'Untitled notebook'}
            </span>
          )}
          <time dateTime={note.updated_at}>Edited {timeAgo(note.updated_at)}</time>
        </span>
      </a>
      {editable && (
        <div class="row-actions">
          <button type="button" class="icon-btn" aria-label={`Move “${noteTitle(note.title)}” to another notebook`} title="Move" data-testid="note-move" onClick={() => ui.set({ moveNoteId: note.id })}>
            <Icon name="move" />
          </button>
          <button type="button" class="icon-btn danger" aria-label={`Delete “${noteTitle(note.title)}”`} title="Move to trash" data-testid="note-delete" onClick={remove}>
            <Icon name="trash" />
          </button>
        </div>
      )}
    </li>
  );
}

export function TaskRow({ task, showDelete = true, onEdit }: { task: Task; showDelete?: boolean; onEdit?: (t: Task) => void }) {
  const noteId = taskNoteId(task);
  const note = useStore(app, (s) => (noteId ? s.notes.find((n) => n.id === noteId) : undefined));
  const dueAt = dueText(task);
  const section = dueSection(task);
  const due = dueAt ? { text: dueAt, overdue: section === 'overdue', today: section === 'today' } : null;
  const toggle = async () => {
    try {
      await setTaskDone(task, !task.is_completed);
    } catch (e) {
      toast(`Could not update the task: ${errorMessage(e)}`, 'error');
    }
  };
  const remove = async () => {
    const ok = await confirmDialog({
      title: 'Delete task?',
      message: `“${task.title || 'Untitled task'}” will be deleted.`,
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    try {
      await deleteTask(task.id);
    } catch (e) {
      toast(`Could not delete the task: ${errorMessage(e)}`, 'error');
    }
  };
  return (
    <li class={`row task-row${task.is_completed ? ' done' : ''}`} data-testid="task-row" data-id={task.id} data-completed={task.is_completed ? 'true' : 'false'}>
      <label class="task-check">
        <input type="checkbox" checked={task.is_completed} onChange={toggle} data-testid="task-toggle" data-row aria-label={`Mark “${task.title || 'task'}” as ${task.is_completed ? 'not done' : 'done'}`} />
      </label>
      <div class="task-body">
        <span class="task-title" data-testid="task-title">
          {task.title || 'Untitled task'}
        </span>
        <span class="row-meta">
          {due && (
            <span class={`chip${due.overdue && !task.is_completed ? ' chip-danger' : due.today ? ' chip-accent' : ''}`} data-testid="task-due">
              <Icon name="calendar" size={12} /> {due.text}
            </span>
          )}
          {task.remind_at && !task.is_completed && (
            <span class="chip" data-testid="task-reminder" title={`Reminder ${new Date(task.remind_at).toLocaleString()}`}>
              <Icon name="bell" size={12} /> {new Date(task.remind_at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
            </span>
          )}
          {task.recurrence && (
            <span class="chip" data-testid="task-repeat">
              ↻ {describeRule(task.recurrence)}
            </span>
          )}
          {noteId && (
            <a href={href.note(noteId)} class="chip chip-link" data-testid="task-open-note">
              <Icon name="note" size={12} /> {note ? noteTitle(note.title) : 'Open note'}
            </a>
          )}
        </span>
      </div>
      {onEdit && (
        <button type="button" class="icon-btn" aria-label={`Edit task “${task.title || 'task'}”: due date, reminder, repeat`} data-testid="task-edit" onClick={() => onEdit(task)}>
          <Icon name="more" />
        </button>
      )}
      {showDelete && (
        <button type="button" class="icon-btn danger" aria-label={`Delete task “${task.title || 'task'}”`} data-testid="task-delete" onClick={remove}>
          <Icon name="trash" />
        </button>
      )}
    </li>
  );
}

export function EmptyState(props: { icon: Parameters<typeof Icon>[0]['name']; title: string; children?: preact.ComponentChildren; testid?: string }) {
  return (
    <div class="empty" data-testid={props.testid}>
      <Icon name={props.icon} size={36} />
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}
