import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { confirmDialog, promptDialog } from '../components/Dialog';
import { Icon } from '../components/icons';
import { EmptyState, NoteRow, onListKeyDown } from '../components/Rows';
import { href, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, createNote, deleteNotebook, recentNotes, roleOf, updateNotebook } from '../state';
import { openImport, ui } from '../ui';
import { holdKeys, releaseKeys } from '../editor/typeahead';

export function NotebookPage({ id }: { id: string }) {
  const nb = useStore(app, (s) => s.notebooks.find((n) => n.id === id));
  const loaded = useStore(app, (s) => s.loaded);
  const allNotes = useStore(app, (s) => s.notes);
  const user = useStore(app, (s) => s.user);
  const [sort, setSort] = useState<'updated' | 'title'>('updated');

  useEffect(() => {
    ui.set({ contextNotebookId: id });
  }, [id]);

  if (!nb) {
    return (
      <div class="page">
        {loaded ? (
          <EmptyState icon="book" title="Notebook not found" testid="notebook-missing">
            <p class="muted">It may have been deleted or you no longer have access.</p>
            <a class="btn" href={href.home()}>
              Go home
            </a>
          </EmptyState>
        ) : (
          <p class="muted pad">Loading…</p>
        )}
      </div>
    );
  }

  const role = roleOf(nb, user);
  const editable = role !== 'viewer';
  const owner = role === 'owner';
  const notes = (sort === 'updated' ? recentNotes(allNotes) : allNotes.slice().sort((a, b) => (a.title || '').localeCompare(b.title || ''))).filter(
    (n) => n.notebook_id === id,
  );

  const newNote = async () => {
    try {
      holdKeys(); // what is typed before the note opens goes into its title
      const note = await createNote(id, '');
      navigate(href.note(note.id));
    } catch (e) {
      releaseKeys();
      toast(`Could not create a note: ${errorMessage(e)}`, 'error');
    }
  };
  const rename = async () => {
    const name = await promptDialog({ title: 'Rename notebook', label: 'Name', value: nb.name, confirmLabel: 'Rename' });
    if (name === null || name.trim() === nb.name) return;
    try {
      await updateNotebook(id, { name: name.trim() });
    } catch (e) {
      toast(`Could not rename: ${errorMessage(e)}`, 'error');
    }
  };
  const editDescription = async () => {
    const description = await promptDialog({
      title: 'Notebook description',
      label: 'Description',
      value: nb.description,
      confirmLabel: 'Save',
      allowEmpty: true,
    });
    if (description === null) return;
    try {
      await updateNotebook(id, { description: description.trim() });
    } catch (e) {
      toast(`Could not save: ${errorMessage(e)}`, 'error');
    }
  };
  const exportNotebook = async () => {
    try {
      const { downloadNotebooks } = await import('../bundle');
      await downloadNotebooks(nb?.name || 'Untitled notebook', id);
    } catch (e) {
      toast(`Export failed: ${errorMessage(e)}`, 'error');
    }
  };

  const remove = async () => {
    const ok = await confirmDialog({
      title: 'Move notebook to trash?',
      message: `“${nb.name || 'Untitled notebook'}” and its ${notes.length} note${notes.length === 1 ? '' : 's'} will be moved to the trash.`,
      confirmLabel: 'Move to trash',
      danger: true,
    });
    if (!ok) return;
    try {
      await deleteNotebook(id);
      toast('Notebook moved to trash', 'info', { label: 'Open trash', run: () => navigate(href.trash()) });
      navigate(href.home());
    } catch (e) {
      toast(`Could not delete the notebook: ${errorMessage(e)}`, 'error');
    }
  };

  return (
    <div class="page" data-testid="notebook-page" data-id={id} data-role={role}>
      <header class="page-head">
        <div class="grow">
          <p class="eyebrow">
            <Icon name="book" size={14} /> Notebook
            {role !== 'owner' && (
              <span class="badge" data-testid="notebook-role">
                {role === 'viewer' ? 'View only' : 'Can edit'}
              </span>
            )}
          </p>
          <h1 data-testid="notebook-title">{nb.name || 'Untitled notebook'}</h1>
          {nb.description ? (
            <p class="muted">
              {nb.description}
              {editable && (
                <button type="button" class="link-btn" onClick={editDescription} aria-label="Edit description">
                  <Icon name="edit" size={14} />
                </button>
              )}
            </p>
          ) : (
            editable && (
              <button type="button" class="link-btn muted" onClick={editDescription} data-testid="notebook-description">
                Add a description
              </button>
            )
          )}
        </div>
        <div class="page-actions">
          {editable && (
            <button type="button" class="btn" onClick={rename} data-testid="notebook-rename" aria-label="Rename notebook">
              <Icon name="edit" /> <span class="hide-sm">Rename</span>
            </button>
          )}
          {owner && (
            <button type="button" class="btn" onClick={() => ui.set({ shareNotebookId: id })} data-testid="notebook-share" aria-label="Share notebook">
              <Icon name="share" /> <span class="hide-sm">Share</span>
            </button>
          )}
          {editable && (
            <button type="button" class="btn" onClick={() => openImport([], id)} data-testid="notebook-import" aria-label="Import markdown into this notebook">
              <Icon name="upload" /> <span class="hide-sm">Import</span>
            </button>
          )}
          <button type="button" class="btn" onClick={() => void exportNotebook()} data-testid="notebook-export" aria-label="Export this notebook as Markdown (.zip)">
            <Icon name="download" /> <span class="hide-sm">Export</span>
          </button>
          {owner && (
            <button type="button" class="btn btn-danger-ghost" onClick={remove} data-testid="notebook-delete" aria-label="Delete notebook">
              <Icon name="trash" /> <span class="hide-sm">Delete</span>
            </button>
          )}
          {editable && (
            <button type="button" class="btn btn-primary" onClick={newNote} data-testid="notebook-new-note">
              <Icon name="plus" /> <span>New note</span>
            </button>
          )}
        </div>
      </header>

      <section class="card" aria-label="Notes">
        <div class="card-head">
          <h2>
            {notes.length} note{notes.length === 1 ? '' : 's'}
          </h2>
          <label class="inline-field">
            <span>Sort</span>
            <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as 'updated' | 'title')} data-testid="notebook-sort">
              <option value="updated">Last edited</option>
              <option value="title">Title</option>
            </select>
          </label>
        </div>
        {notes.length === 0 ? (
          <EmptyState icon="note" title="This notebook is empty" testid="notebook-empty">
            {editable && (
              <p class="muted">
                Create a note, or drop <code>.md</code> files anywhere to import them.
              </p>
            )}
          </EmptyState>
        ) : (
          <ul class="rows" data-testid="note-list" onKeyDown={onListKeyDown}>
            {notes.map((n) => (
              <NoteRow key={n.id} note={n} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
