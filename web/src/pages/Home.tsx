import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { Icon } from '../components/icons';
import { HomeOrganise } from '../components/HomeOrganise';
import { EmptyState, NoteRow, TaskRow, onListKeyDown } from '../components/Rows';
import { parseDue } from '../lib/format';
import { href, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, canEdit, createNote, createNotebook, notePreview, recentNotes } from '../state';
import { openImport } from '../ui';
import { holdKeys, releaseKeys } from '../editor/typeahead';

export async function newNoteSomewhere(preferNotebookId?: string | null): Promise<void> {
  const { notebooks } = app.get();
  try {
    let nb = notebooks.find((n) => n.id === preferNotebookId && canEdit(n)) ?? notebooks.find((n) => canEdit(n));
    if (!nb) nb = await createNotebook('My notes');
    holdKeys(); // what is typed before the note opens goes into its title
    const note = await createNote(nb.id, '');
    navigate(href.note(note.id));
  } catch (e) {
    releaseKeys();
    toast(`Could not create a note: ${errorMessage(e)}`, 'error');
  }
}

export function HomePage() {
  const user = useStore(app, (s) => s.user);
  const notes = useStore(app, (s) => s.notes);
  const tasks = useStore(app, (s) => s.tasks);
  const loaded = useStore(app, (s) => s.loaded);
  const [q, setQ] = useState('');

  const query = q.trim().toLowerCase();
  const list = recentNotes(notes).filter(
    (n) => !query || (n.title || '').toLowerCase().includes(query) || notePreview(n, 2000).toLowerCase().includes(query),
  );
  const open = tasks
    .filter((t) => !t.is_completed)
    .sort((a, b) => (parseDue(a.due_date)?.getTime() ?? Infinity) - (parseDue(b.due_date)?.getTime() ?? Infinity))
    .slice(0, 8);
  const hour = new Date().getHours();
  const greet = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';

  return (
    <div class="page" data-testid="home-page">
      <header class="page-head">
        <div>
          <h1>
            {greet}
            {user?.display_name || user?.username ? `, ${user.display_name || user.username}` : ''}
          </h1>
          <p class="muted">Your recent notes and open to-dos.</p>
        </div>
        <div class="page-actions">
          <button type="button" class="btn" onClick={() => openImport()} data-testid="home-import">
            <Icon name="upload" /> <span>Import</span>
          </button>
          <button type="button" class="btn btn-primary" onClick={() => newNoteSomewhere()} data-testid="home-new-note">
            <Icon name="plus" /> <span>New note</span>
          </button>
        </div>
      </header>

      <HomeOrganise />

      <div class="home-grid">
        <section aria-labelledby="recent-h" class="card">
          <div class="card-head">
            <h2 id="recent-h">Recent notes</h2>
            <label class="search">
              <Icon name="search" size={16} />
              <span class="sr-only">Search notes</span>
              <input
                type="search"
                placeholder="Search notes (Enter: everywhere)"
                value={q}
                onInput={(e) => setQ((e.target as HTMLInputElement).value)}
                onKeyDown={(e) => e.key === 'Enter' && q.trim() && navigate(href.search({ q: q.trim() }))}
                data-testid="home-search"
              />
            </label>
          </div>
          {!loaded ? (
            <p class="muted pad">Loading…</p>
          ) : list.length === 0 ? (
            <EmptyState icon="note" title={query ? 'No matching notes' : 'No notes yet'} testid="home-empty">
              {!query && (
                <button type="button" class="btn btn-primary" onClick={() => newNoteSomewhere()}>
                  <Icon name="plus" /> Write your first note
                </button>
              )}
            </EmptyState>
          ) : (
            <ul class="rows" data-testid="recent-notes" onKeyDown={onListKeyDown}>
              {list.slice(0, query ? 50 : 12).map((n) => (
                <NoteRow key={n.id} note={n} showNotebook />
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="tasks-h" class="card">
          <div class="card-head">
            <h2 id="tasks-h">Open tasks</h2>
            <a href={href.tasks()} class="link-btn" data-testid="home-all-tasks">
              All tasks
            </a>
          </div>
          {open.length === 0 ? (
            <EmptyState icon="tasks" title="Nothing to do" testid="home-tasks-empty">
              <p class="muted">Type “[ ] ” in a note to add a to-do.</p>
            </EmptyState>
          ) : (
            <ul class="rows" data-testid="home-open-tasks" onKeyDown={onListKeyDown}>
              {open.map((t) => (
                <TaskRow key={t.id} task={t} showDelete={false} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}
