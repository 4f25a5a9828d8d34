// Application state: the signed-in user, notebooks, notes and tasks, kept fresh by
// REST calls and the WebSocket event stream.
import { ApiError, NetworkError, api, decodeJwt, errorMessage, isGone, session } from './api/client';
import type { Block, Note, Notebook, Role, ServerEvent, Task, TimeZoneName, User, WsEnvelope } from './api/types';
import { forgetDevice, loadLists, saveLists } from './lib/offline';
import { browserZone } from './lib/format';
import { realtime, type ConnState } from './lib/realtime';
import { showReminder } from './lib/reminders';
import { Coalescer } from './lib/coalesce';
import { Store } from './lib/store';
import { toast } from './lib/toast';

export type Phase = 'booting' | 'signedOut' | 'ready' | 'offline';

export interface AppState {
  phase: Phase;
  user: User | null;
  notebooks: Notebook[];
  notes: Note[];
  tasks: Task[];
  loaded: boolean;
  tasksLoaded: boolean;
  conn: ConnState;
}

export const app = new Store<AppState>({
  phase: 'booting',
  user: null,
  notebooks: [],
  notes: [],
  tasks: [],
  loaded: false,
  tasksLoaded: false,
  conn: 'connecting',
});

realtime.stateChanged.on((conn) => app.set({ conn }));

// ---------------------------------------------------------------- helpers

const byUpdatedDesc = (a: { updated_at?: string }, b: { updated_at?: string }) =>
  (b.updated_at ?? '').localeCompare(a.updated_at ?? '');

function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}

export function sortBlocks(blocks: Block[] | null | undefined): Block[] {
  return (blocks ?? []).slice().sort((a, b) => Number(a.order) - Number(b.order));
}

export function roleOf(notebook: Notebook | undefined, user: User | null = app.get().user): Role {
  if (!notebook) return 'owner';
  if (notebook.role) return notebook.role as Role; // the schema types it as a string
  if (user && notebook.user_id === user.id) return 'owner';
  return 'editor';
}

export const canEdit = (nb: Notebook | undefined) => roleOf(nb) !== 'viewer';

/** First characters of a note's text, for list previews. */
export function notePreview(note: Note, max = 140): string {
  const parts: string[] = [];
  let len = 0;
  for (const b of sortBlocks(note.blocks)) {
    const t = typeof b.content === 'string' ? b.content : (b.content?.text ?? '');
    if (!t) continue;
    parts.push(t);
    len += t.length;
    if (len > max) break;
  }
  const s = parts.join(' · ').replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function taskNoteId(t: Task): string | undefined {
  const nid = t.note_id && t.note_id !== '00000000-0000-0000-0000-000000000000' ? t.note_id : undefined;
  return nid ?? (typeof t.metadata?.note_id === 'string' ? t.metadata.note_id : undefined);
}

// ---------------------------------------------------------------- session lifecycle

export async function boot(): Promise<void> {
  if (!session.accessToken) {
    app.set({ phase: 'signedOut' });
    return;
  }
  try {
    let user = await api.profile();
    // The profile's time zone defaults to the browser's ("today" and new tasks use it).
    if (!user.time_zone) user = await api.updateProfile({ time_zone: browserZone() }).catch(() => user);
    app.set({ user, phase: 'ready' });
    realtime.start();
    await loadAll();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      session.clear();
      app.set({ phase: 'signedOut', user: null });
    } else if (!(await bootFromDevice())) {
      app.set({ phase: 'offline' });
    }
  }
}

/** No server: open with what this device kept, and catch up once the connection is back. */
async function bootFromDevice(): Promise<boolean> {
  const userId = decodeJwt(session.accessToken ?? '')?.user_id;
  const cached = typeof userId === 'string' ? await loadLists(userId) : undefined;
  if (!cached) return false;
  app.set({ ...cached, phase: 'ready', loaded: true, tasksLoaded: true });
  realtime.start();
  const off = realtime.stateChanged.on((conn) => {
    if (conn !== 'connected') return;
    off();
    api
      .profile()
      .then((user) => app.set({ user }))
      .catch(() => undefined);
    void loadAll();
  });
  return true;
}

// The lists the app shows are kept on the device for the next start without a network.
app.subscribe(() => {
  const { phase, loaded, user, notebooks, notes, tasks } = app.get();
  if (phase === 'ready' && loaded && user) saveLists({ user, notebooks, notes, tasks });
});

export async function signIn(email: string, password: string): Promise<void> {
  const tokens = await api.login({ email, password });
  if (!tokens?.token && !tokens?.access_token) throw new Error('The server did not return a token');
  session.store(tokens);
  await boot();
}

export async function signOut(): Promise<void> {
  const refresh = session.refreshToken;
  try {
    await api.logout(refresh ? { refresh_token: refresh } : {});
  } catch {
    /* logging out locally is what matters */
  }
  realtime.stop();
  session.clear();
  app.set({ phase: 'signedOut', user: null, notebooks: [], notes: [], tasks: [], loaded: false, tasksLoaded: false });
  await forgetDevice();
  history.replaceState(null, '', '#/login');
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

session.onChange((signedIn) => {
  if (!signedIn && app.get().phase === 'ready') {
    realtime.stop();
    app.set({ phase: 'signedOut', user: null, notebooks: [], notes: [], tasks: [], loaded: false, tasksLoaded: false });
    toast('Your session has ended. Please sign in again.');
  }
});

export async function loadAll(): Promise<void> {
  try {
    const [notebooks, ownNotes] = await Promise.all([api.notebooks(), api.notes()]);
    const me = app.get().user;
    const shared = notebooks.filter((nb) => me && nb.user_id !== me.id);
    const sharedNotes = await Promise.all(
      shared.map((nb) => api.notes({ notebook_id: nb.id }).catch(() => [] as Note[])),
    );
    const notesById = new Map<string, Note>();
    for (const n of [...ownNotes, ...sharedNotes.flat()]) notesById.set(n.id, n);
    app.set({ notebooks, notes: [...notesById.values()], loaded: true });
  } catch (e) {
    app.set({ loaded: true });
    toast(`Could not load your notes: ${errorMessage(e)}`, 'error');
  }
  void loadTasks();
}

export async function loadTasks(): Promise<void> {
  try {
    const tasks = await api.tasks();
    app.set({ tasks, tasksLoaded: true });
  } catch (e) {
    app.set({ tasksLoaded: true });
    if (!(e instanceof NetworkError)) toast(`Could not load tasks: ${errorMessage(e)}`, 'error');
  }
}

realtime.resync.on(() => void loadAll());

// ---------------------------------------------------------------- notebooks

export async function createNotebook(name: string, description = ''): Promise<Notebook> {
  const nb = await api.createNotebook({ name, description });
  app.set((s) => ({ notebooks: upsert(s.notebooks, nb) }));
  return nb;
}

export async function updateNotebook(id: string, patch: { name?: string; description?: string }): Promise<void> {
  const nb = await api.updateNotebook(id, patch);
  app.set((s) => ({ notebooks: upsert(s.notebooks, { ...s.notebooks.find((n) => n.id === id), ...nb }) }));
}

export async function deleteNotebook(id: string): Promise<void> {
  await api.deleteNotebook(id);
  removeNotebookLocal(id);
}

function removeNotebookLocal(id: string): void {
  app.set((s) => ({
    notebooks: s.notebooks.filter((n) => n.id !== id),
    notes: s.notes.filter((n) => n.notebook_id !== id),
  }));
}

// ---------------------------------------------------------------- notes

export async function createNote(notebookId: string, title = ''): Promise<Note> {
  const note = await api.createNote({ notebook_id: notebookId, title });
  app.set((s) => ({ notes: upsert(s.notes, note) }));
  return note;
}

export function patchNoteLocal(id: string, patch: Partial<Note>): void {
  app.set((s) => {
    const cur = s.notes.find((n) => n.id === id);
    if (!cur) return {};
    return { notes: upsert(s.notes, { ...cur, ...patch }) };
  });
}

export function upsertNoteLocal(note: Note): void {
  upsertNotesLocal([note]);
}

/** Several notes in one change of the state (an import's batch): one render, not one each. */
export function upsertNotesLocal(notes: Note[]): void {
  app.set((s) => {
    let list = s.notes;
    for (const note of notes) {
      const cur = list.find((n) => n.id === note.id);
      list = upsert(list, { ...cur, ...note, blocks: note.blocks ?? cur?.blocks ?? [] });
    }
    return { notes: list };
  });
}

export async function moveNote(id: string, notebookId: string): Promise<void> {
  const note = await api.updateNote(id, { notebook_id: notebookId });
  upsertNoteLocal({ ...note, notebook_id: note.notebook_id || notebookId });
}

export async function deleteNote(id: string): Promise<void> {
  await api.deleteNote(id);
  app.set((s) => ({ notes: s.notes.filter((n) => n.id !== id) }));
}

/** Pinned notes first, then the most recently edited (the server lists notes this way). */
export const recentNotes = (notes: Note[]) =>
  notes.slice().sort((a, b) => Number(b.pinned === true) - Number(a.pinned === true) || byUpdatedDesc(a, b));

// ---------------------------------------------------------------- tasks

export async function createTask(input: { title: string; note_id: string; due_at?: string; time_zone?: TimeZoneName; description?: string }) {
  const body: { title: string; note_id: string; due_at?: string; time_zone?: TimeZoneName; description?: string } = {
    title: input.title,
    note_id: input.note_id,
  };
  if (input.due_at) body.due_at = input.due_at;
  if (input.time_zone) body.time_zone = input.time_zone;
  if (input.description) body.description = input.description;
  const task = await api.createTask(body);
  app.set((s) => ({ tasks: upsert(s.tasks, task) }));
  void refreshNote(input.note_id);
  return task;
}

export async function setTaskDone(task: Task, done: boolean): Promise<void> {
  app.set((s) => ({ tasks: upsert(s.tasks, { ...task, is_completed: done }) }));
  try {
    const t = await api.updateTask(task.id, { is_completed: done });
    app.set((s) => ({ tasks: upsert(s.tasks, { ...task, ...t }) }));
  } catch (e) {
    app.set((s) => ({ tasks: upsert(s.tasks, task) }));
    throw e;
  }
}

/** "Done" on a reminder: the task may not be loaded here yet (another tab, a fresh load). */
async function markReminderDone(taskId: string): Promise<void> {
  try {
    upsertTaskLocal(await api.updateTask(taskId, { is_completed: true }));
  } catch (e) {
    toast(`Could not update the task: ${errorMessage(e)}`, 'error');
  }
}

export function upsertTaskLocal(task: Task): void {
  app.set((s) => ({ tasks: upsert(s.tasks, task) }));
}

export async function deleteTask(id: string): Promise<void> {
  await api.deleteTask(id);
  app.set((s) => ({ tasks: s.tasks.filter((t) => t.id !== id) }));
}

// ---------------------------------------------------------------- events

// A refresh drops what it fetched only when the server says it is gone (`isGone`): any
// other failure keeps what this tab shows until the next event or reload (treating every
// error as "gone" made a note vanish from its own open page on a 503).

async function refreshNotebook(id: string): Promise<void> {
  try {
    const nb = await api.notebook(id);
    app.set((s) => {
      const cur = s.notebooks.find((n) => n.id === id);
      return { notebooks: upsert(s.notebooks, { ...cur, ...nb, role: nb.role ?? cur?.role }) };
    });
    const me = app.get().user;
    if (me && nb.user_id !== me.id) {
      const notes = await api.notes({ notebook_id: id }).catch(() => [] as Note[]);
      notes.forEach(upsertNoteLocal);
    }
  } catch (e) {
    if (isGone(e)) removeNotebookLocal(id);
  }
}

export async function refreshNote(id: string): Promise<void> {
  try {
    const note = await api.note(id);
    if (note.deleted_at) throw new ApiError(404, 'deleted');
    upsertNoteLocal(note);
  } catch (e) {
    if (isGone(e)) app.set((s) => ({ notes: s.notes.filter((n) => n.id !== id) }));
  }
}

async function refreshTask(id: string): Promise<void> {
  try {
    const t = await api.task(id);
    app.set((s) => ({ tasks: upsert(s.tasks, t) }));
  } catch (e) {
    if (isGone(e)) app.set((s) => ({ tasks: s.tasks.filter((x) => x.id !== id) }));
  }
}

// One refresh per changed note, notebook or task per burst of events, however many arrive;
// past 20 of them (an import), one reload of everything instead.
const refreshes = new Coalescer(150, 4, 'all', { over: 20, refresh: loadAll });

/** Runs this tab's bulk write with the refreshes its own events would start held until it
 * ends (it has the answers already): then one burst, a reload of everything for an import. */
export async function holdingRefreshes<T>(work: () => Promise<T>): Promise<T> {
  const release = refreshes.hold();
  try {
    return await work();
  } finally {
    release();
  }
}

function patchBlockInNote(noteId: string, blockId: string, f: (b: Block | undefined) => Block | null): void {
  app.set((s) => {
    const note = s.notes.find((n) => n.id === noteId);
    if (!note) return {};
    const blocks = (note.blocks ?? []).slice();
    const i = blocks.findIndex((b) => b.id === blockId);
    const next = f(i >= 0 ? blocks[i] : undefined);
    if (i >= 0) {
      if (next) blocks[i] = next;
      else blocks.splice(i, 1);
    } else if (next) blocks.push(next);
    return { notes: upsert(s.notes, { ...note, blocks: sortBlocks(blocks) }) };
  });
}

function handleEvent(msg: WsEnvelope): void {
  if (msg.type !== 'event') return;
  // Event payloads are typed from the server's published schemas (ServerEvent).
  const ev = msg as ServerEvent;
  switch (ev.event) {
    case 'notebook.created':
    case 'notebook.updated':
    case 'notebook.restored': {
      const nid = ev.payload.notebook_id;
      refreshes.soon(`nb:${nid}`, () => refreshNotebook(nid));
      if (ev.event === 'notebook.restored') refreshes.soon('all', loadAll);
      break;
    }
    case 'notebook.deleted':
    case 'notebook.permanent_deleted':
      removeNotebookLocal(ev.payload.notebook_id);
      break;
    case 'note.created':
    case 'note.updated':
    case 'note.restored': {
      const nid = ev.payload.note_id;
      refreshes.soon(`note:${nid}`, () => refreshNote(nid));
      break;
    }
    case 'note.deleted':
    case 'note.permanent_deleted': {
      const nid = ev.payload.note_id;
      app.set((s) => ({ notes: s.notes.filter((n) => n.id !== nid) }));
      break;
    }
    case 'block.created':
    case 'block.updated': {
      const p = ev.payload;
      patchBlockInNote(p.note_id, p.block_id, (b) => {
        const base: Block = b ?? { id: p.block_id, note_id: p.note_id, type: 'text', content: { text: '' }, metadata: {}, order: 0 };
        return { ...base, content: p.content, metadata: p.metadata as Block['metadata'], type: p.block_type || base.type, order: p.order };
      });
      break;
    }
    case 'block.deleted':
      patchBlockInNote(ev.payload.note_id, ev.payload.block_id, () => null);
      break;
    case 'task.created':
    case 'task.updated': {
      const tid = ev.payload.task_id;
      refreshes.soon(`task:${tid}`, () => refreshTask(tid));
      break;
    }
    case 'task.reminder':
      showReminder(ev.payload, markReminderDone);
      break;
    case 'task.deleted': {
      const tid = ev.payload.task_id;
      app.set((s) => ({ tasks: s.tasks.filter((t) => t.id !== tid) }));
      break;
    }
    case 'user.updated':
      refreshes.soon('profile', () => api.profile().then((user) => app.set({ user })));
      break;
    default:
      break;
  }
}

realtime.events.on(handleEvent);
