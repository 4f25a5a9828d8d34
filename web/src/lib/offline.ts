// What this device keeps for offline use besides the notes' documents (y-indexeddb): the
// signed-in user and the notebook, note and task lists, so the app opens without the
// server and shows the notes it came from.
import { clear, createStore, get, set } from 'idb-keyval';
import type { Note, Notebook, Task, User } from '../api/types';

export interface CachedLists {
  user: User;
  notebooks: Notebook[];
  notes: Note[];
  tasks: Task[];
}

const lists = createStore('owlistic-cache', 'lists');
const key = (userId: string) => `lists:${userId}`;
/**
 * IndexedDB database of one of a note's documents on this device: `note` is the device's
 * copy, `server` what the server is known to hold (editor/collab.ts).
 */
const DOC_PREFIXES = { note: 'owlistic-note:', server: 'owlistic-server:' } as const;
export const noteDocName = (kind: keyof typeof DOC_PREFIXES, userId: string, noteId: string) =>
  `${DOC_PREFIXES[kind]}${userId}:${noteId}`;

export async function loadLists(userId: string): Promise<CachedLists | undefined> {
  try {
    return await get<CachedLists>(key(userId), lists);
  } catch {
    return undefined;
  }
}

let pending: CachedLists | null = null;
let timer: number | undefined;

/** Keep the latest lists (written after a short quiet time: the store changes in bursts). */
export function saveLists(data: CachedLists): void {
  pending = data;
  clearTimeout(timer);
  timer = window.setTimeout(() => {
    const d = pending;
    pending = null;
    if (d) void set(key(d.user.id), d, lists).catch(() => undefined);
  }, 500);
}

/**
 * A note title typed here that the server has not taken yet (the title is a REST field,
 * not part of the note's document), so it survives a reload without a network.
 */
const TITLE_PREFIX = 'owlistic.pending-title:';
export const pendingTitle = {
  get: (noteId: string): string | null => localStorage.getItem(TITLE_PREFIX + noteId),
  set: (noteId: string, title: string): void => localStorage.setItem(TITLE_PREFIX + noteId, title),
  clear: (noteId: string): void => localStorage.removeItem(TITLE_PREFIX + noteId),
};

/**
 * Changes to a note's document whose IndexedDB write is not known to be committed yet
 * (editor/collab.ts), as base64 Yjs updates: one entry per tab, so each key has one writer.
 * A write that fails (storage full) keeps the entry as it was; IndexedDB still has the change
 * unless the page unloads before it commits.
 */
const UNSTORED_PREFIX = 'owlistic.unstored:';
export const unstoredChanges = {
  key: (docName: string, tab: string): string => `${UNSTORED_PREFIX}${docName}:${tab}`,
  /** The keys of every entry of one document (this tab's, and any a closed tab left). */
  keysOf: (docName: string): string[] =>
    Object.keys(localStorage).filter((k) => k.startsWith(`${UNSTORED_PREFIX}${docName}:`)),
  get: (key: string): string | null => localStorage.getItem(key),
  set: (key: string, value: string): void => {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Full: IndexedDB alone keeps this change.
    }
  },
  /** Removes the entry if it still holds `value` (its tab may have added to it since). */
  removeIf: (key: string, value: string): void => {
    if (localStorage.getItem(key) === value) localStorage.removeItem(key);
  },
};

/** Signing out forgets everything this device kept (lists, titles, every note's document). */
export async function forgetDevice(): Promise<void> {
  clearTimeout(timer);
  pending = null;
  for (const k of Object.keys(localStorage)) {
    if (k.startsWith(TITLE_PREFIX) || k.startsWith(UNSTORED_PREFIX)) localStorage.removeItem(k);
  }
  await clear(lists).catch(() => undefined);
  const dbs = await indexedDB.databases?.().catch(() => []) ?? [];
  await Promise.all(
    dbs
      .map((d) => d.name)
      .filter((n): n is string => !!n && Object.values(DOC_PREFIXES).some((p) => n.startsWith(p)))
      .map(
        (n) =>
          new Promise<void>((resolve) => {
            const req = indexedDB.deleteDatabase(n);
            req.onsuccess = req.onerror = req.onblocked = () => resolve();
          }),
      ),
  );
}
