import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { Icon } from '../components/icons';
import { EmptyState, TaskRow, onListKeyDown } from '../components/Rows';
import { TaskEditor } from '../components/TaskEditor';
import type { Task } from '../api/types';
import { browserZone, dueMoment, dueSection, noteTitle, type DueSection } from '../lib/format';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, canEdit, createNote, createNotebook, createTask, loadTasks, recentNotes } from '../state';

type Filter = 'open' | 'done' | 'all';

const SECTIONS: [DueSection, string][] = [
  ['overdue', 'Overdue'],
  ['today', 'Today'],
  ['upcoming', 'Upcoming'],
  ['none', 'No date'],
];

export function TasksPage() {
  const tasks = useStore(app, (s) => s.tasks);
  const tasksLoaded = useStore(app, (s) => s.tasksLoaded);
  const notes = useStore(app, (s) => s.notes);
  const notebooks = useStore(app, (s) => s.notebooks);
  const [filter, setFilter] = useState<Filter>('open');
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [dueTime, setDueTime] = useState('');
  const [editing, setEditing] = useState<Task | null>(null);
  const [noteId, setNoteId] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void loadTasks();
  }, []);

  const writableNotes = recentNotes(notes).filter((n) => canEdit(notebooks.find((nb) => nb.id === n.notebook_id)));
  useEffect(() => {
    if (!noteId && writableNotes.length) setNoteId(writableNotes[0].id);
  }, [writableNotes.length]);

  const counts = {
    open: tasks.filter((t) => !t.is_completed).length,
    done: tasks.filter((t) => t.is_completed).length,
    all: tasks.length,
  };
  const shown = tasks
    .filter((t) => (filter === 'all' ? true : filter === 'done' ? t.is_completed : !t.is_completed))
    .sort((a, b) => {
      if (a.is_completed !== b.is_completed) return a.is_completed ? 1 : -1;
      const da = dueMoment(a)?.getTime() ?? Infinity;
      const db = dueMoment(b)?.getTime() ?? Infinity;
      if (da !== db) return da - db;
      return (b.created_at ?? '').localeCompare(a.created_at ?? '');
    });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    try {
      let target = noteId;
      if (!target) {
        // No note to hold the task yet: make a "Tasks" note.
        let nb = notebooks.find((n) => canEdit(n));
        if (!nb) nb = await createNotebook('My notes');
        target = (await createNote(nb.id, 'Tasks')).id;
        setNoteId(target);
      }
      await createTask({ title: title.trim(), note_id: target, due_at: due ? (dueTime ? `${due}T${dueTime}` : due) : undefined, time_zone: browserZone() });
      setTitle('');
      setDue('');
      setDueTime('');
      if (filter === 'done') setFilter('open');
    } catch (err) {
      toast(`Could not add the task: ${errorMessage(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  const tab = (f: Filter, label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={filter === f}
      class={`tab${filter === f ? ' active' : ''}`}
      onClick={() => setFilter(f)}
      data-testid={`tasks-filter-${f}`}
    >
      {label} <span class="tab-count">{counts[f]}</span>
    </button>
  );

  return (
    <div class="page" data-testid="tasks-page">
      <header class="page-head">
        <div>
          <h1>Tasks</h1>
          <p class="muted">Every to-do from your notes. Checking one here checks it in its note, and the other way round.</p>
        </div>
      </header>

      <form class="card task-form" onSubmit={submit} data-testid="task-form">
        <label class="field grow">
          <span>New task</span>
          <input
            type="text"
            placeholder="What needs doing?"
            value={title}
            onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
            data-testid="task-new-title"
            required
          />
        </label>
        <label class="field">
          <span>Due</span>
          <input type="date" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} data-testid="task-new-due" />
        </label>
        <label class="field">
          <span>Time</span>
          <input type="time" value={dueTime} disabled={!due} onInput={(e) => setDueTime((e.target as HTMLInputElement).value)} data-testid="task-new-time" />
        </label>
        <label class="field">
          <span>In note</span>
          <select value={noteId} onChange={(e) => setNoteId((e.target as HTMLSelectElement).value)} data-testid="task-new-note">
            {writableNotes.length === 0 && <option value="">New note “Tasks”</option>}
            {writableNotes.map((n) => (
              <option key={n.id} value={n.id}>
                {noteTitle(n.title)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !title.trim()} data-testid="task-new-submit">
          <Icon name="plus" /> Add
        </button>
      </form>

      <section class="card">
        <div class="tabs" role="tablist" aria-label="Filter tasks">
          {tab('open', 'Open')}
          {tab('done', 'Done')}
          {tab('all', 'All')}
        </div>
        {!tasksLoaded ? (
          <p class="muted pad">Loading…</p>
        ) : shown.length === 0 ? (
          <EmptyState icon="tasks" title={filter === 'done' ? 'No finished tasks yet' : filter === 'open' ? 'All done!' : 'No tasks yet'} testid="tasks-empty">
            <p class="muted">Add one above, or type “[ ] ” at the start of a line in any note.</p>
          </EmptyState>
        ) : filter === 'open' ? (
          <div data-testid="task-list">
            {SECTIONS.map(([key, label]) => {
              const inSection = shown.filter((t) => dueSection(t) === key);
              return inSection.length === 0 ? null : (
                <section key={key} class="task-section" data-testid={`tasks-section-${key}`} aria-label={label}>
                  <h3 class={`section-title${key === 'overdue' ? ' danger' : ''}`}>
                    {label} <span class="tab-count">{inSection.length}</span>
                  </h3>
                  <ul class="rows" onKeyDown={onListKeyDown}>
                    {inSection.map((t) => (
                      <TaskRow key={t.id} task={t} onEdit={setEditing} />
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
        ) : (
          <ul class="rows" data-testid="task-list" onKeyDown={onListKeyDown}>
            {shown.map((t) => (
              <TaskRow key={t.id} task={t} onEdit={setEditing} />
            ))}
          </ul>
        )}
      </section>
      <TaskEditor task={editing} onClose={() => setEditing(null)} />
    </div>
  );
}
