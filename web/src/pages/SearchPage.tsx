// Full search: snippets, filters (notebook, tag, notes/tasks) and paging. The filters live
// in the URL (#/search?q=…&tag=…&notebook_id=…&kind=…) so a result page can be linked.
import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api/client';
import type { Note, SearchResult } from '../api/types';
import { Icon } from '../components/icons';
import { EmptyState, NoteRow, onListKeyDown } from '../components/Rows';
import { noteTitle, timeAgo } from '../lib/format';
import { href, navigate, routeParams } from '../lib/router';
import { useStore } from '../lib/store';
import { organise } from '../organise';
import { app } from '../state';

type Kind = '' | 'note' | 'task';

function useHashParams(): URLSearchParams {
  const [params, setParams] = useState(() => routeParams());
  useEffect(() => {
    const on = () => setParams(routeParams());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return params;
}

export function SearchPage() {
  const params = useHashParams();
  const q = params.get('q') ?? '';
  const tag = params.get('tag') ?? '';
  const notebookId = params.get('notebook_id') ?? '';
  const kind = (params.get('kind') ?? '') as Kind;
  const notebooks = useStore(app, (s) => s.notebooks);
  const tags = useStore(organise, (s) => s.tags);
  const [draft, setDraft] = useState(q);
  const [results, setResults] = useState<SearchResult[]>([]);
  const [tagged, setTagged] = useState<Note[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'done' | 'error'>('idle');
  const [error, setError] = useState('');

  const go = (patch: Record<string, string>) =>
    navigate(href.search({ q, tag, notebook_id: notebookId, kind, ...patch }), true);

  const load = async (after: string | null) => {
    setState('loading');
    try {
      if (!q.trim()) {
        // Browsing a tag: every note with it (or one nested under it).
        setTagged(tag ? await api.notes({ tag }) : []);
        setResults([]);
        setCursor(null);
      } else {
        const page = await api.search({ q, tag: tag || undefined, notebook_id: notebookId || undefined, kind: kind || undefined, cursor: after ?? undefined, limit: 20 });
        setResults((prev) => (after ? [...prev, ...page.results] : page.results));
        setCursor(page.next_cursor ?? null);
      }
      setState('done');
    } catch (e) {
      setError(errorMessage(e));
      setState('error');
    }
  };

  useEffect(() => {
    setDraft(q);
    void load(null);
  }, [q, tag, notebookId, kind]);

  const notebookName = (id?: string | null) => notebooks.find((n) => n.id === id)?.name || 'Untitled notebook';

  return (
    <div class="page search-page" data-testid="search-page">
      <header class="page-head">
        <h1>{q ? `Results for “${q}”` : tag ? `#${tag}` : 'Search'}</h1>
      </header>
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: draft.trim() });
        }}
      >
        <label class="search grow">
          <Icon name="search" size={16} />
          <span class="sr-only">Search</span>
          <input type="search" value={draft} maxLength={256} placeholder={'Words, "a phrase", -excluded, a OR b'} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} data-testid="search-input" />
        </label>
        <label>
          <span class="sr-only">Notebook</span>
          <select value={notebookId} onChange={(e) => go({ notebook_id: (e.target as HTMLSelectElement).value })} data-testid="search-notebook">
            <option value="">All notebooks</option>
            {notebooks.map((nb) => (
              <option key={nb.id} value={nb.id}>
                {nb.name || 'Untitled notebook'}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="sr-only">Tag</span>
          <select value={tag} onChange={(e) => go({ tag: (e.target as HTMLSelectElement).value })} data-testid="search-tag">
            <option value="">All tags</option>
            {tags.map((t) => (
              <option key={t.name} value={t.name}>
                #{t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="sr-only">Kind</span>
          <select value={kind} onChange={(e) => go({ kind: (e.target as HTMLSelectElement).value })} data-testid="search-kind">
            <option value="">Notes and tasks</option>
            <option value="note">Notes</option>
            <option value="task">Tasks</option>
          </select>
        </label>
        <button type="submit" class="btn btn-primary">
          Search
        </button>
      </form>

      {state === 'error' && (
        <div class="banner banner-warn" role="alert">
          <Icon name="alert" /> {error}
        </div>
      )}
      {!q.trim() && tag ? (
        tagged.length ? (
          <ul class="rows" data-testid="tag-notes" onKeyDown={onListKeyDown}>
            {tagged.map((n) => (
              <NoteRow key={n.id} note={n} showNotebook />
            ))}
          </ul>
        ) : (
          state === 'done' && <EmptyState icon="tag" title="No notes with this tag" testid="search-empty" />
        )
      ) : results.length === 0 ? (
        state === 'done' && q.trim() && <EmptyState icon="search" title="Nothing found" testid="search-empty" />
      ) : (
        <ul class="rows" data-testid="search-results" onKeyDown={onListKeyDown} aria-live="polite">
          {results.map((r) => (
            <li key={`${r.kind}:${r.task_id ?? r.note_id}`} class="row" data-testid="search-result" data-kind={r.kind}>
              <a href={r.note_id ? href.noteAt(r.note_id, r.block_id, q) : href.tasks()} class="row-main" data-row>
                <span class="row-title">
                  <Icon name={r.kind === 'task' ? 'tasks' : 'note'} size={16} />
                  <span>{r.kind === 'task' ? r.title || 'Untitled task' : noteTitle(r.title)}</span>
                </span>
                <span class="row-sub search-snippet" dangerouslySetInnerHTML={{ __html: r.snippet }} />
                <span class="row-meta">
                  {r.notebook_id && (
                    <span class="chip">
                      <Icon name="book" size={12} /> {notebookName(r.notebook_id)}
                    </span>
                  )}
                  <time dateTime={r.updated_at}>Edited {timeAgo(r.updated_at)}</time>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="btn full" onClick={() => void load(cursor)} disabled={state === 'loading'} data-testid="search-more">
          More results
        </button>
      )}
    </div>
  );
}
