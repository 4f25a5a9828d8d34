// Tags, favourites and pins: what the sidebar, home page, note header and quick switcher
// share. Kept fresh by the event stream (note.updated carries tags and pinned;
// note.favourited / note.unfavourited are the user's own).
import { api, errorMessage } from './api/client';
import type { Note, TagCount } from './api/types';
import { realtime } from './lib/realtime';
import { Store } from './lib/store';
import { toast } from './lib/toast';
import { app, patchNoteLocal } from './state';

export const organise = new Store<{ tags: TagCount[]; favourites: Note[] }>({ tags: [], favourites: [] });

let timer: number | undefined;
/** Reload tags and favourites soon (many events in a row cost one reload). */
function reloadSoon(): void {
  clearTimeout(timer);
  timer = window.setTimeout(() => void reload(), 200);
}

export async function reload(): Promise<void> {
  try {
    const [tags, favourites] = await Promise.all([api.tags(), api.favourites()]);
    organise.set({ tags, favourites });
  } catch {
    /* shown again on the next event or reload; the lists are a convenience */
  }
}

const RELOADING = new Set([
  'note.created', 'note.updated', 'note.deleted', 'note.restored', 'note.permanent_deleted',
  'note.favourited', 'note.unfavourited', 'notebook.deleted', 'notebook.restored', 'trash.emptied',
]);
realtime.events.on((msg) => {
  if (RELOADING.has(msg.event ?? '')) reloadSoon();
});
realtime.resync.on(reloadSoon);
let wasReady = false;
app.subscribe(() => {
  const ready = app.get().phase === 'ready';
  if (ready && !wasReady) void reload();
  if (!ready) organise.set({ tags: [], favourites: [] });
  wasReady = ready;
});

export const isFavourite = (id: string) => organise.get().favourites.some((n) => n.id === id);

export async function setFavourite(note: Note, on: boolean): Promise<void> {
  const before = organise.get().favourites;
  organise.set({ favourites: on ? [note, ...before.filter((n) => n.id !== note.id)] : before.filter((n) => n.id !== note.id) });
  try {
    await (on ? api.addFavourite(note.id) : api.removeFavourite(note.id));
  } catch (e) {
    organise.set({ favourites: before });
    toast(`Could not update favourites: ${errorMessage(e)}`, 'error');
  }
}

export async function setPinned(id: string, pinned: boolean): Promise<void> {
  patchNoteLocal(id, { pinned });
  try {
    patchNoteLocal(id, await api.updateNote(id, { pinned }));
  } catch (e) {
    patchNoteLocal(id, { pinned: !pinned });
    toast(`Could not pin the note: ${errorMessage(e)}`, 'error');
  }
}

/** Replaces the note's tags; the server's normalised list comes back. */
export async function setTags(id: string, tags: string[]): Promise<boolean> {
  try {
    const note = await api.updateNote(id, { tags });
    patchNoteLocal(id, { tags: note.tags, updated_at: note.updated_at });
    reloadSoon();
    return true;
  } catch (e) {
    toast(`Could not save the tags: ${errorMessage(e)}`, 'error');
    return false;
  }
}

