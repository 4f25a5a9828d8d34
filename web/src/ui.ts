// UI-only state shared across screens.
import { Store } from './lib/store';

export const ui = new Store<{
  drawerOpen: boolean;
  importOpen: boolean;
  importFiles: File[];
  importNotebookId: string | null;
  shareNotebookId: string | null;
  moveNoteId: string | null;
  /** The notebook the user is looking at (notebook page or the open note's notebook). */
  contextNotebookId: string | null;
}>({
  drawerOpen: false,
  importOpen: false,
  importFiles: [],
  importNotebookId: null,
  shareNotebookId: null,
  moveNoteId: null,
  contextNotebookId: null,
});

export function openImport(files: File[] = [], notebookId: string | null = ui.get().contextNotebookId): void {
  ui.set({ importOpen: true, importFiles: files, importNotebookId: notebookId });
}

const EXPANDED_KEY = 'owlistic.sidebar.expanded';
export const expanded = new Store<{ ids: string[] }>({
  ids: (() => {
    try {
      const v = JSON.parse(localStorage.getItem(EXPANDED_KEY) ?? '[]');
      return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    } catch {
      return [];
    }
  })(),
});

export function setExpanded(id: string, open: boolean): void {
  const ids = new Set(expanded.get().ids);
  if (open) ids.add(id);
  else ids.delete(id);
  expanded.set({ ids: [...ids] });
  localStorage.setItem(EXPANDED_KEY, JSON.stringify([...ids]));
}

export const isMarkdownFile = (f: File) => /\.(md|markdown|mdown)$/i.test(f.name) || f.type === 'text/markdown';
/** What the import reads as documents: Markdown files and zips of them. */
export const isImportable = (f: File) => isMarkdownFile(f) || /\.zip$/i.test(f.name) || f.type === 'application/zip';
