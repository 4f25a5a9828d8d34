import { useEffect, useRef } from 'preact/hooks';
import { errorMessage } from '../api/client';
import type { Notebook } from '../api/types';
import { noteTitle } from '../lib/format';
import { href, navigate, type Route } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, createNotebook, roleOf } from '../state';
import { cycleTheme, theme } from '../theme';
import { expanded, openImport, setExpanded, ui } from '../ui';
import { ConnectionIndicator } from './ConnectionIndicator';
import { promptDialog } from './Dialog';
import { SidebarOrganise, SidebarSearchButton } from './SidebarOrganise';
import { Icon } from './icons';

/** Arrow-key navigation between the sidebar's focusable rows. */
function onNavKeyDown(e: KeyboardEvent) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  const root = e.currentTarget as HTMLElement;
  const items = [...root.querySelectorAll<HTMLElement>('[data-nav]')];
  const i = items.indexOf(document.activeElement as HTMLElement);
  if (i < 0) return;
  e.preventDefault();
  const next =
    e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : e.key === 'ArrowDown' ? Math.min(items.length - 1, i + 1) : Math.max(0, i - 1);
  items[next]?.focus();
}

export function Sidebar({ route }: { route: Route }) {
  const notebooks = useStore(app, (s) => s.notebooks);
  const notes = useStore(app, (s) => s.notes);
  const tasks = useStore(app, (s) => s.tasks);
  const user = useStore(app, (s) => s.user);
  const open = useStore(ui, (s) => s.drawerOpen);
  const context = useStore(ui, (s) => s.contextNotebookId);
  const expandedIds = useStore(expanded, (s) => s.ids);
  const themePref = useStore(theme, (s) => s.pref);
  const openTasks = tasks.filter((t) => !t.is_completed).length;

  const asideRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!open) return;
    // Phone drawer: move focus into it; Esc closes it and focus returns to the menu button.
    requestAnimationFrame(() => asideRef.current?.querySelector<HTMLElement>('.drawer-close')?.focus());
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      ui.set({ drawerOpen: false });
      document.querySelector<HTMLElement>('[data-testid="sidebar-toggle"]')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const sortedNotebooks = notebooks.slice().sort((a, b) => (a.name || '').localeCompare(b.name || ''));
  const close = () => ui.set({ drawerOpen: false });
  const exportAll = async () => {
    try {
      const { downloadNotebooks } = await import('../bundle');
      await downloadNotebooks('Owlistic export');
    } catch (e) {
      toast(`Export failed: ${errorMessage(e)}`, 'error');
    }
  };

  const newNotebook = async () => {
    const name = await promptDialog({ title: 'New notebook', label: 'Name', confirmLabel: 'Create', placeholder: 'e.g. Work' });
    if (!name) return;
    try {
      const nb = await createNotebook(name.trim());
      setExpanded(nb.id, true);
      navigate(href.notebook(nb.id));
      close();
    } catch (e) {
      toast(`Could not create the notebook: ${errorMessage(e)}`, 'error');
    }
  };

  const active = (name: Route['name'], id?: string) => route.name === name && (!id || ('id' in route && route.id === id));

  const notebookRow = (nb: Notebook) => {
    const isOpen = expandedIds.includes(nb.id) || (context === nb.id && route.name === 'note');
    const nbNotes = notes
      .filter((n) => n.notebook_id === nb.id)
      .sort((a, b) => noteTitle(a.title).localeCompare(noteTitle(b.title)));
    const role = roleOf(nb, user);
    return (
      <li key={nb.id} class="tree-item">
        <div class={`tree-row${active('notebook', nb.id) ? ' active' : ''}`}>
          <button
            type="button"
            class="tree-toggle"
            aria-label={`${isOpen ? 'Collapse' : 'Expand'} ${nb.name || 'notebook'}`}
            aria-expanded={isOpen}
            aria-controls={`nb-notes-${nb.id}`}
            data-testid="sidebar-notebook-toggle"
            onClick={() => setExpanded(nb.id, !isOpen)}
          >
            <Icon name={isOpen ? 'chevronDown' : 'chevronRight'} size={16} />
          </button>
          <a
            href={href.notebook(nb.id)}
            class="tree-link"
            data-nav
            data-testid="sidebar-notebook"
            data-id={nb.id}
            aria-current={active('notebook', nb.id) ? 'page' : undefined}
            onClick={close}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' && !isOpen) (e.preventDefault(), setExpanded(nb.id, true));
              if (e.key === 'ArrowLeft' && isOpen) (e.preventDefault(), setExpanded(nb.id, false));
            }}
          >
            <Icon name="book" size={16} />
            <span class="tree-label">{nb.name || 'Untitled notebook'}</span>
            {role !== 'owner' && (
              <span class="tree-badge" title={role === 'viewer' ? 'Shared with you (view only)' : 'Shared with you'}>
                <Icon name={role === 'viewer' ? 'eye' : 'users'} size={14} />
                <span class="sr-only">{role === 'viewer' ? 'shared, view only' : 'shared'}</span>
              </span>
            )}
            <span class="tree-count" aria-label={`${nbNotes.length} notes`}>
              {nbNotes.length}
            </span>
          </a>
        </div>
        {isOpen && (
          <ul class="tree-children" id={`nb-notes-${nb.id}`} aria-label={`Notes in ${nb.name || 'notebook'}`}>
            {nbNotes.length === 0 && <li class="tree-empty">No notes yet</li>}
            {nbNotes.map((n) => (
              <li key={n.id}>
                <a
                  href={href.note(n.id)}
                  class={`tree-link tree-note${active('note', n.id) ? ' active' : ''}`}
                  data-nav
                  data-testid="sidebar-note"
                  data-id={n.id}
                  aria-current={active('note', n.id) ? 'page' : undefined}
                  onClick={close}
                >
                  <Icon name="note" size={15} />
                  <span class="tree-label">{noteTitle(n.title)}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </li>
    );
  };

  const themeIcon = themePref === 'dark' ? 'moon' : themePref === 'light' ? 'sun' : 'monitor';

  return (
    <>
      <div class={`drawer-backdrop${open ? ' show' : ''}`} onClick={close} aria-hidden="true" />
      <aside ref={asideRef} class={`sidebar${open ? ' open' : ''}`} aria-label="Sidebar" data-testid="sidebar" onKeyDown={onNavKeyDown}>
        <div class="sidebar-head">
          <a href={href.home()} class="brand" onClick={close} aria-label="Owlistic home">
            <img src="/icons/icon.svg" alt="" width={28} height={28} />
            <span>Owlistic</span>
          </a>
          <button type="button" class="icon-btn drawer-close" aria-label="Close menu" data-testid="sidebar-close" onClick={close}>
            <Icon name="x" />
          </button>
        </div>

        <nav aria-label="Main" class="sidebar-nav">
          <SidebarSearchButton />
          <a href={href.home()} class={`nav-link${active('home') ? ' active' : ''}`} data-nav data-testid="nav-home" aria-current={active('home') ? 'page' : undefined} onClick={close}>
            <Icon name="home" /> <span>Home</span>
          </a>
          <a href={href.tasks()} class={`nav-link${active('tasks') ? ' active' : ''}`} data-nav data-testid="nav-tasks" aria-current={active('tasks') ? 'page' : undefined} onClick={close}>
            <Icon name="tasks" /> <span>Tasks</span>
            {openTasks > 0 && <span class="nav-count" aria-label={`${openTasks} open`}>{openTasks}</span>}
          </a>
          <a href={href.trash()} class={`nav-link${active('trash') ? ' active' : ''}`} data-nav data-testid="nav-trash" aria-current={active('trash') ? 'page' : undefined} onClick={close}>
            <Icon name="trash" /> <span>Trash</span>
          </a>
        </nav>

        <SidebarOrganise />

        <section class="sidebar-section" aria-labelledby="nb-heading">
          <div class="section-head">
            <h2 id="nb-heading">Notebooks</h2>
            <button type="button" class="icon-btn small" aria-label="New notebook" title="New notebook" data-testid="notebook-create" onClick={newNotebook}>
              <Icon name="plus" />
            </button>
          </div>
          <ul aria-labelledby="nb-heading" class="tree" data-testid="notebook-tree">
            {sortedNotebooks.map(notebookRow)}
          </ul>
          {sortedNotebooks.length === 0 && app.get().loaded && (
            <button type="button" class="btn btn-ghost full" onClick={newNotebook} data-testid="notebook-create-empty">
              <Icon name="plus" /> Create your first notebook
            </button>
          )}
        </section>

        <div class="sidebar-foot">
          <ConnectionIndicator />
          <div class="foot-row">
            <a href={href.profile()} class={`nav-link profile-link${active('profile') ? ' active' : ''}`} data-nav data-testid="nav-profile" onClick={close}>
              <span class="avatar" aria-hidden="true">{(user?.display_name || user?.username || user?.email || '?').slice(0, 1).toUpperCase()}</span>
              <span class="profile-name">{user?.display_name || user?.username || 'Profile'}</span>
            </a>
            <button type="button" class="icon-btn" aria-label="Import markdown" title="Import markdown" data-testid="import-button" onClick={() => (openImport(), close())}>
              <Icon name="upload" />
            </button>
            <button type="button" class="icon-btn" aria-label="Export everything as Markdown (.zip)" title="Export everything (.zip)" data-testid="export-all-button" onClick={() => void exportAll()}>
              <Icon name="download" />
            </button>
            <button
              type="button"
              class="icon-btn"
              aria-label={`Theme: ${themePref}. Switch theme`}
              title={`Theme: ${themePref}`}
              data-testid="theme-toggle"
              onClick={cycleTheme}
            >
              <Icon name={themeIcon} />
            </button>
          </div>
        </div>
      </aside>
    </>
  );
}
