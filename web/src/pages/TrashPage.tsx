import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api/client';
import type { Trash } from '../api/types';
import { confirmDialog } from '../components/Dialog';
import { Icon } from '../components/icons';
import { EmptyState, onListKeyDown } from '../components/Rows';
import { noteTitle, timeAgo } from '../lib/format';
import { realtime } from '../lib/realtime';
import { toast } from '../lib/toast';
import { loadAll } from '../state';

export function TrashPage() {
  const [trash, setTrash] = useState<Trash | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);

  const load = async () => {
    try {
      setTrash(await api.trash());
      setError('');
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  useEffect(() => {
    void load();
    let t: number | undefined;
    const off = realtime.events.on((m) => {
      if (/^(note|notebook)\.(deleted|restored|permanent_deleted)$|^trash\./.test(m.event ?? '')) {
        clearTimeout(t);
        t = window.setTimeout(() => void load(), 200);
      }
    });
    return () => {
      off();
      clearTimeout(t);
    };
  }, []);

  const restore = async (type: 'note' | 'notebook', id: string, name: string) => {
    setBusy(id);
    try {
      await api.restore(type, id);
      toast(`Restored “${name}”`, 'success');
      await Promise.all([load(), loadAll()]);
    } catch (e) {
      toast(`Could not restore: ${errorMessage(e)}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  const destroy = async (type: 'note' | 'notebook', id: string, name: string) => {
    const ok = await confirmDialog({
      title: 'Delete forever?',
      message: `“${name}” will be permanently deleted${type === 'notebook' ? ' together with its notes' : ''}. This cannot be undone.`,
      confirmLabel: 'Delete forever',
      danger: true,
    });
    if (!ok) return;
    setBusy(id);
    try {
      await api.destroy(type, id);
      await load();
    } catch (e) {
      toast(`Could not delete: ${errorMessage(e)}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  const empty = async () => {
    const ok = await confirmDialog({
      title: 'Empty the trash?',
      message: 'Everything in the trash will be permanently deleted. This cannot be undone.',
      confirmLabel: 'Empty trash',
      danger: true,
    });
    if (!ok) return;
    setBusy('all');
    try {
      await api.emptyTrash();
      setTrash({ notes: [], notebooks: [] });
      toast('Trash emptied', 'success');
    } catch (e) {
      toast(`Could not empty the trash: ${errorMessage(e)}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  const count = trash ? trash.notes.length + trash.notebooks.length : 0;
  const nbName = (id: string) => trash?.notebooks.find((n) => n.id === id)?.name;

  const row = (type: 'note' | 'notebook', id: string, name: string, sub: string, when?: string | null) => (
    <li class="row trash-row" key={`${type}:${id}`} data-testid="trash-row" data-id={id} data-type={type}>
      <div class="row-main" tabindex={0} data-row>
        <span class="row-title">
          <Icon name={type === 'note' ? 'note' : 'book'} size={16} />
          <span data-testid="trash-row-title">{name}</span>
        </span>
        <span class="row-meta">
          <span class="chip">{type === 'note' ? 'Note' : 'Notebook'}</span>
          {sub && <span>{sub}</span>}
          {when && <time dateTime={when}>Deleted {timeAgo(when)}</time>}
        </span>
      </div>
      <div class="row-actions always">
        <button type="button" class="btn small" disabled={busy === id} onClick={() => restore(type, id, name)} data-testid="trash-restore" aria-label={`Restore ${name}`}>
          <Icon name="restore" size={16} /> <span class="hide-sm">Restore</span>
        </button>
        <button type="button" class="btn small btn-danger-ghost" disabled={busy === id} onClick={() => destroy(type, id, name)} data-testid="trash-delete" aria-label={`Delete ${name} forever`}>
          <Icon name="trash" size={16} /> <span class="hide-sm">Delete forever</span>
        </button>
      </div>
    </li>
  );

  return (
    <div class="page" data-testid="trash-page">
      <header class="page-head">
        <div>
          <h1>Trash</h1>
          <p class="muted">Deleted notes and notebooks stay here until you delete them forever.</p>
        </div>
        <div class="page-actions">
          <button type="button" class="btn btn-danger" disabled={!count || busy === 'all'} onClick={empty} data-testid="trash-empty">
            <Icon name="trash" /> Empty trash
          </button>
        </div>
      </header>
      <section class="card">
        {error ? (
          <p class="form-error pad" role="alert">
            Could not load the trash: {error}{' '}
            <button type="button" class="link-btn" onClick={load}>
              Retry
            </button>
          </p>
        ) : !trash ? (
          <p class="muted pad">Loading…</p>
        ) : count === 0 ? (
          <EmptyState icon="trash" title="The trash is empty" testid="trash-empty-state" />
        ) : (
          <ul class="rows" data-testid="trash-list" onKeyDown={onListKeyDown}>
            {trash.notebooks.map((nb) => row('notebook', nb.id, nb.name || 'Untitled notebook', '', nb.deleted_at))}
            {trash.notes.map((n) => row('note', n.id, noteTitle(n.title), nbName(n.notebook_id) ? `in ${nbName(n.notebook_id)}` : '', n.deleted_at))}
          </ul>
        )}
      </section>
    </div>
  );
}
