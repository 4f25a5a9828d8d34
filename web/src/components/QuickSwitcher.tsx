// Ctrl/⌘+K: notes, tasks (server search), notebooks and tags (local), as you type.
// Keyboard only: ↑/↓ choose, Enter opens, Esc closes and gives focus back.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { SearchResult } from '../api/types';
import { noteTitle } from '../lib/format';
import { href, navigate } from '../lib/router';
import { Store, useStore } from '../lib/store';
import { organise } from '../organise';
import { app, recentNotes } from '../state';
import { Icon } from './icons';

export const switcher = new Store<{ open: boolean }>({ open: false });
let returnFocus: HTMLElement | null = null;

export function openSwitcher(): void {
  returnFocus = document.activeElement as HTMLElement | null;
  switcher.set({ open: true });
}

function closeSwitcher(): void {
  switcher.set({ open: false });
  returnFocus?.focus?.();
}

// Ctrl/⌘+K anywhere, unless something under it took the key (in the editor it links words).
window.addEventListener('keydown', (e) => {
  if (e.defaultPrevented) return;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k' && app.get().phase === 'ready') {
    e.preventDefault();
    if (switcher.get().open) closeSwitcher();
    else openSwitcher();
  }
});

interface Item {
  key: string;
  icon: 'note' | 'tasks' | 'book' | 'tag' | 'search';
  label: string;
  /** Server-escaped HTML (text with <mark> around matches). */
  snippetHtml?: string;
  hint?: string;
  go: () => void;
}

const fold = (s: string) => s.normalize('NFKD').replace(/\p{Mn}/gu, '').toLowerCase();

function resultItem(r: SearchResult, q: string): Item {
  const open = () => navigate(r.note_id ? href.noteAt(r.note_id, r.block_id, q) : href.tasks());
  return {
    key: `${r.kind}:${r.task_id ?? r.note_id}`,
    icon: r.kind === 'task' ? 'tasks' : 'note',
    label: r.kind === 'task' ? r.title || 'Untitled task' : noteTitle(r.title),
    snippetHtml: r.snippet,
    hint: r.kind === 'task' ? 'Task' : app.get().notebooks.find((n) => n.id === r.notebook_id)?.name,
    go: open,
  };
}

function localItems(q: string): Item[] {
  const { notebooks, notes } = app.get();
  if (!q.trim()) {
    return recentNotes(notes)
      .slice(0, 8)
      .map((n) => ({ key: `note:${n.id}`, icon: 'note', label: noteTitle(n.title), hint: 'Recent', go: () => navigate(href.note(n.id)) }));
  }
  const f = fold(q.trim().replace(/^#/, ''));
  const books: Item[] = notebooks
    .filter((nb) => fold(nb.name || '').includes(f))
    .slice(0, 5)
    .map((nb) => ({ key: `nb:${nb.id}`, icon: 'book', label: nb.name || 'Untitled notebook', hint: 'Notebook', go: () => navigate(href.notebook(nb.id)) }));
  const tags: Item[] = organise
    .get()
    .tags.filter((t) => fold(t.name).includes(f))
    .slice(0, 5)
    .map((t) => ({ key: `tag:${t.name}`, icon: 'tag', label: `#${t.name}`, hint: `${t.count} notes`, go: () => navigate(href.search({ tag: t.name })) }));
  return [...books, ...tags];
}

export function QuickSwitcher() {
  const open = useStore(switcher, (s) => s.open);
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchResult[]>([]);
  const [searched, setSearched] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    setQ('');
    setResults([]);
    setSearched('');
    setActive(0);
    requestAnimationFrame(() => input.current?.focus());
  }, [open]);

  useEffect(() => {
    if (!open || !q.trim()) return;
    const abort = new AbortController();
    const t = window.setTimeout(() => {
      api
        .search({ q, limit: 12 }, abort.signal)
        .then((page) => {
          setResults(page.results);
          setSearched(q);
          setActive(0);
        })
        .catch(() => {
          /* a bad or interrupted query shows no server results */
        });
    }, 120);
    return () => (clearTimeout(t), abort.abort());
  }, [q, open]);

  if (!open) return null;
  const serverItems = q.trim() && searched === q ? results.map((r) => resultItem(r, q)) : [];
  const items: Item[] = [...serverItems, ...localItems(q)];
  if (q.trim()) items.push({ key: 'all', icon: 'search', label: `All results for “${q.trim()}”`, go: () => navigate(href.search({ q: q.trim() })) });
  const current = Math.min(active, items.length - 1);
  const choose = (item: Item | undefined) => {
    if (!item) return;
    switcher.set({ open: false });
    item.go();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + items.length) % Math.max(1, items.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(items[current]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      closeSwitcher();
    }
  };

  return (
    <div class="qs-backdrop" onClick={(e) => e.target === e.currentTarget && closeSwitcher()}>
      <div class="qs" role="dialog" aria-modal="true" aria-label="Find notes, tasks, notebooks and tags" data-testid="quick-switcher">
        <div class="qs-input">
          <Icon name="search" />
          <input
            ref={input}
            type="text"
            role="combobox"
            aria-expanded="true"
            aria-controls="qs-list"
            aria-activedescendant={items[current] ? `qs-${current}` : undefined}
            aria-autocomplete="list"
            placeholder="Search notes, tasks, notebooks, #tags"
            value={q}
            maxLength={256}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            onKeyDown={onKeyDown}
            data-testid="quick-switcher-input"
          />
          <kbd class="qs-kbd">Esc</kbd>
        </div>
        <ul id="qs-list" role="listbox" class="qs-list" aria-label="Results" data-testid="quick-switcher-results">
          {items.length === 0 && <li class="qs-empty muted">{q.trim() ? 'Searching…' : 'No notes yet'}</li>}
          {items.map((item, i) => (
            <li
              key={item.key}
              id={`qs-${i}`}
              role="option"
              aria-selected={i === current}
              class={`qs-item${i === current ? ' active' : ''}`}
              data-testid="quick-switcher-item"
              data-kind={item.icon}
              onMouseMove={() => i !== current && setActive(i)}
              onClick={() => choose(item)}
            >
              <Icon name={item.icon} size={16} />
              <span class="qs-text">
                <span class="qs-label">{item.label}</span>
                {item.snippetHtml && <span class="qs-snippet" dangerouslySetInnerHTML={{ __html: item.snippetHtml }} />}
              </span>
              {item.hint && <span class="qs-hint">{item.hint}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
