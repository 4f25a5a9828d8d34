import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage } from '../api/client';
import type { Share } from '../api/types';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, canEdit, moveNote } from '../state';
import { ui } from '../ui';
import { Dialog } from './Dialog';
import { Icon } from './icons';

export function ShareDialog() {
  const nbId = useStore(ui, (s) => s.shareNotebookId);
  const nb = useStore(app, (s) => s.notebooks.find((n) => n.id === nbId));
  const [shares, setShares] = useState<Share[] | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'viewer' | 'editor'>('viewer');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async (id: string) => {
    try {
      setShares(await api.shares(id));
    } catch (e) {
      setShares([]);
      setError(`Could not load who has access: ${errorMessage(e)}`);
    }
  };

  useEffect(() => {
    setShares(null);
    setError('');
    setEmail('');
    if (nbId) void load(nbId);
  }, [nbId]);

  const close = () => ui.set({ shareNotebookId: null });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!nbId || !email.trim()) return;
    setBusy(true);
    setError('');
    try {
      await api.share(nbId, { email: email.trim(), role });
      setEmail('');
      toast(`Shared with ${email.trim()} as ${role}`, 'success');
      await load(nbId);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? 'No user with that email address' : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (s: Share) => {
    if (!nbId) return;
    try {
      await api.unshare(nbId, s.user_id);
      setShares((cur) => (cur ?? []).filter((x) => x.user_id !== s.user_id));
      toast(`Access removed for ${s.email || s.username}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const changeRole = async (s: Share, r: 'viewer' | 'editor') => {
    if (!nbId || !s.email) return;
    try {
      await api.share(nbId, { email: s.email, role: r });
      await load(nbId);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <Dialog open={!!nbId} title={`Share “${nb?.name || 'notebook'}”`} onClose={close} testid="share-dialog" wide>
      <form class="share-form" onSubmit={submit}>
        <label class="field grow">
          <span>Email address</span>
          <input
            type="email"
            required
            autocomplete="off"
            value={email}
            placeholder="friend@example.com"
            data-testid="share-email"
            data-autofocus
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>Permission</span>
          <select value={role} data-testid="share-role" onChange={(e) => setRole((e.target as HTMLSelectElement).value as 'viewer' | 'editor')}>
            <option value="viewer">Can view</option>
            <option value="editor">Can edit</option>
          </select>
        </label>
        <button type="submit" class="btn btn-primary" data-testid="share-submit" disabled={busy || !email.trim()}>
          Share
        </button>
      </form>
      {error && (
        <p class="form-error" role="alert" data-testid="share-error">
          {error}
        </p>
      )}
      <h3 class="subhead">People with access</h3>
      {shares === null ? (
        <p class="muted">Loading…</p>
      ) : shares.length === 0 ? (
        <p class="muted" data-testid="share-empty">
          Only you can see this notebook.
        </p>
      ) : (
        <ul class="share-list">
          {shares.map((s) => (
            <li key={s.user_id} data-testid="share-row" data-user-id={s.user_id}>
              <span class="avatar" aria-hidden="true">
                {(s.display_name || s.username || s.email || '?').slice(0, 1).toUpperCase()}
              </span>
              <span class="share-who">
                <strong>{s.display_name || s.username || s.email}</strong>
                <small>{s.email}</small>
              </span>
              {s.role === 'owner' ? (
                <span class="badge">Owner</span>
              ) : (
                <>
                  <select
                    aria-label={`Permission for ${s.email || s.username}`}
                    value={s.role}
                    data-testid="share-row-role"
                    onChange={(e) => changeRole(s, (e.target as HTMLSelectElement).value as 'viewer' | 'editor')}
                  >
                    <option value="viewer">Can view</option>
                    <option value="editor">Can edit</option>
                  </select>
                  <button type="button" class="icon-btn" aria-label={`Remove access for ${s.email || s.username}`} data-testid="share-revoke" onClick={() => revoke(s)}>
                    <Icon name="x" />
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

export function MoveDialog() {
  const noteId = useStore(ui, (s) => s.moveNoteId);
  const note = useStore(app, (s) => s.notes.find((n) => n.id === noteId));
  const notebooks = useStore(app, (s) => s.notebooks).filter((nb) => canEdit(nb));
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const other = notebooks.find((nb) => nb.id !== note?.notebook_id);
    setTarget(other?.id ?? '');
  }, [noteId]);

  const close = () => ui.set({ moveNoteId: null });
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!noteId || !target) return;
    setBusy(true);
    try {
      await moveNote(noteId, target);
      const nb = notebooks.find((n) => n.id === target);
      toast(`Moved to ${nb?.name || 'notebook'}`, 'success');
      close();
    } catch (err) {
      toast(`Could not move the note: ${errorMessage(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const choices = notebooks.filter((nb) => nb.id !== note?.notebook_id);

  return (
    <Dialog open={!!noteId} title="Move note" onClose={close} testid="move-dialog">
      <form onSubmit={submit}>
        {choices.length === 0 ? (
          <p class="muted">Create another notebook first.</p>
        ) : (
          <label class="field">
            <span>Move “{note?.title || 'Untitled'}” to</span>
            <select value={target} data-testid="move-notebook-select" data-autofocus onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
              {choices.map((nb) => (
                <option key={nb.id} value={nb.id}>
                  {nb.name || 'Untitled notebook'}
                </option>
              ))}
            </select>
          </label>
        )}
        <div class="dialog-foot">
          <button type="button" class="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" data-testid="move-submit" disabled={busy || !target}>
            Move
          </button>
        </div>
      </form>
    </Dialog>
  );
}
