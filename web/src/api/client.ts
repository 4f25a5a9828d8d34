// Thin typed REST client. The only file that knows endpoint paths.
//
// `src/api/schema.d.ts` is generated from `web/openapi.json` (`npm run gen:api`).
// Endpoint paths are checked against it (`satisfies` below) and request bodies are
// typed from it, so a schema change shows up as a compile error in this file only.
import type { paths } from './schema';
import type {
  Attachment,
  Block,
  CalendarFeed,
  Message,
  Note,
  SearchPage,
  SearchQuery,
  TagCount,
  Notebook,
  Share,
  Task,
  TokenResponse,
  Trash,
  User,
} from './types';

const E = {
  register: '/api/v1/register',
  login: '/api/v1/login',
  refresh: '/api/v1/refresh',
  logout: '/api/v1/logout',
  profile: '/api/v1/profile',
  password: '/api/v1/users/{user_id}/password',
  notebooks: '/api/v1/notebooks',
  notebook: '/api/v1/notebooks/{notebook_id}',
  shares: '/api/v1/notebooks/{notebook_id}/shares',
  share: '/api/v1/notebooks/{notebook_id}/shares/{user_id}',
  notes: '/api/v1/notes',
  note: '/api/v1/notes/{note_id}',
  importNotes: '/api/v1/import/notes',
  blocks: '/api/v1/blocks',
  block: '/api/v1/blocks/{block_id}',
  tasks: '/api/v1/tasks',
  task: '/api/v1/tasks/{task_id}',
  snooze: '/api/v1/tasks/{task_id}/snooze',
  skip: '/api/v1/tasks/{task_id}/skip',
  endSeries: '/api/v1/tasks/{task_id}/end-series',
  pushKey: '/api/v1/push/key',
  pushSubscriptions: '/api/v1/push/subscriptions',
  calendarFeed: '/api/v1/calendar/feed',
  trash: '/api/v1/trash',
  restore: '/api/v1/trash/restore/{item_type}/{item_id}',
  trashItem: '/api/v1/trash/{item_type}/{item_id}',
  search: '/api/v1/search',
  tags: '/api/v1/tags',
  renameTag: '/api/v1/tags/rename',
  favourites: '/api/v1/favourites',
  favourite: '/api/v1/favourites/{note_id}',
  attachments: '/api/v1/attachments',
  attachment: '/api/v1/attachments/{attachment_id}',
  attachmentPreview: '/api/v1/attachments/{attachment_id}/preview',
} as const satisfies Record<string, keyof paths>;

type Method = 'get' | 'post' | 'put' | 'delete';
type Op<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O } ? O : never;
type Body<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never reached the server (offline, DNS, connection refused…). */
export class NetworkError extends Error {
  constructor(message = 'You are offline or the server cannot be reached') {
    super(message);
    this.name = 'NetworkError';
  }
}

/** The thing asked for is gone or no longer the caller's to see (404 / 403). Any other
 * failure (busy, a restart, a timeout) says nothing about it: keep what is shown. */
export function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 403);
}

export function isRetryable(err: unknown): boolean {
  return err instanceof NetworkError || (err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.status === 408));
}

// ---------------------------------------------------------------- session

const ACCESS_KEY = 'owlistic.access_token';
const REFRESH_KEY = 'owlistic.refresh_token';

type SessionListener = (signedIn: boolean) => void;
const sessionListeners = new Set<SessionListener>();

export const session = {
  get accessToken(): string | null {
    return localStorage.getItem(ACCESS_KEY);
  },
  get refreshToken(): string | null {
    return localStorage.getItem(REFRESH_KEY);
  },
  store(t: TokenResponse): void {
    const access = t.access_token || t.token;
    localStorage.setItem(ACCESS_KEY, access);
    if (t.refresh_token) localStorage.setItem(REFRESH_KEY, t.refresh_token);
    sessionListeners.forEach((l) => l(true));
  },
  setAccessToken(token: string): void {
    localStorage.setItem(ACCESS_KEY, token);
  },
  clear(): void {
    const had = localStorage.getItem(ACCESS_KEY) !== null;
    localStorage.removeItem(ACCESS_KEY);
    localStorage.removeItem(REFRESH_KEY);
    if (had) sessionListeners.forEach((l) => l(false));
  },
  onChange(l: SessionListener): () => void {
    sessionListeners.add(l);
    return () => sessionListeners.delete(l);
  },
  /** Seconds until the access token expires (JWT `exp`), or null if unknown. */
  secondsLeft(): number | null {
    const tok = localStorage.getItem(ACCESS_KEY);
    const exp = tok ? decodeJwt(tok)?.exp : undefined;
    return typeof exp === 'number' ? exp - Date.now() / 1000 : null;
  },
};

export function decodeJwt(token: string): Record<string, unknown> | null {
  try {
    const part = token.split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
  } catch {
    return null;
  }
}

let refreshing: Promise<boolean> | null = null;

/** Use the refresh token to get a new access token. Shared by concurrent callers. */
export function refreshSession(): Promise<boolean> {
  const rt = session.refreshToken;
  if (!rt) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const res = await fetch(E.refresh, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: rt }),
      });
      if (!res.ok) return false;
      session.store((await res.json()) as TokenResponse);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// ---------------------------------------------------------------- transport

interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  auth?: boolean;
  signal?: AbortSignal;
}

function fill(path: string, args: readonly string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => encodeURIComponent(args[i++] ?? ''));
}

async function request<T>(method: Method, url: string, opts: RequestOptions = {}, retried = false): Promise<T> {
  let full = url;
  if (opts.query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== undefined && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    if (s) full += `?${s}`;
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const auth = opts.auth !== false;
  const token = session.accessToken;
  if (auth && token) headers.Authorization = `Bearer ${token}`;

  let res: Response;
  try {
    res = await fetch(full, {
      method: method.toUpperCase(),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new NetworkError();
  }

  if (res.status === 401 && auth && !retried) {
    if (await refreshSession()) return request<T>(method, url, opts, true);
    session.clear();
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`.trim();
    try {
      const data = (await res.json()) as { error?: string; detail?: unknown; message?: string };
      if (typeof data.error === 'string') message = data.error;
      else if (typeof data.detail === 'string') message = data.detail;
      else if (Array.isArray(data.detail)) message = data.detail.map((d: { msg?: string }) => d.msg ?? '').join('; ');
      else if (typeof data.message === 'string') message = data.message;
    } catch {
      /* body was not JSON */
    }
    throw new ApiError(res.status, message);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const asArray = <T>(v: T[] | null | undefined | { data?: T[] }): T[] =>
  Array.isArray(v) ? v : v && Array.isArray((v as { data?: T[] }).data) ? (v as { data: T[] }).data : [];

// ---------------------------------------------------------------- uploads

export interface UploadHandle {
  done: Promise<Attachment>;
  abort(): void;
}

/** Sends a file with XMLHttpRequest, which (unlike fetch) reports upload progress. */
export function uploadAttachment(noteId: string, file: File, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const send = (retried: boolean): Promise<Attachment> =>
    new Promise((resolve, reject) => {
      xhr.open('POST', E.attachments);
      const token = session.accessToken;
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      };
      xhr.onerror = () => reject(new NetworkError());
      xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
      xhr.onload = () => {
        if (xhr.status === 401 && !retried) {
          void refreshSession().then((ok) => (ok ? send(true).then(resolve, reject) : reject(new ApiError(401, 'signed out'))));
          return;
        }
        let body: { error?: string } & Partial<Attachment> = {};
        try {
          body = JSON.parse(xhr.responseText) as typeof body;
        } catch {
          /* not JSON */
        }
        if (xhr.status === 201) resolve(body as Attachment);
        else reject(new ApiError(xhr.status, body.error ?? `${xhr.status} ${xhr.statusText}`));
      };
      const form = new FormData();
      form.append('note_id', noteId); // first, so the server refuses a forbidden note before the file
      form.append('file', file, file.name);
      xhr.send(form);
    });
  return { done: send(false), abort: () => xhr.abort() };
}

/** An attachment's address as picture and file nodes keep it: no credentials in the document. */
export function attachmentPath(id: string): string {
  return fill(E.attachment, [id]);
}

const ATTACHMENT_PATH = new RegExp(`^${E.attachments}/([0-9a-fA-F-]{36})(?:[?#].*)?$`);

/** The attachment an address (`attachmentPath`) points at, or null for any other address. */
export function attachmentIdOf(src: unknown): string | null {
  return typeof src === 'string' ? (ATTACHMENT_PATH.exec(src)?.[1]?.toLowerCase() ?? null) : null;
}

/** A URL an `<img>` or a download link can load: it carries the token (the server takes `?token=`). */
export function attachmentUrl(id: string, which: 'file' | 'preview' = 'file'): string {
  const path = fill(which === 'preview' ? E.attachmentPreview : E.attachment, [id]);
  return `${path}?token=${encodeURIComponent(session.accessToken ?? '')}`;
}

// ---------------------------------------------------------------- endpoints

export const api = {
  register: (body: Body<typeof E.register, 'post'>) => request<User>('post', E.register, { body, auth: false }),
  login: (body: Body<typeof E.login, 'post'>) => request<TokenResponse>('post', E.login, { body, auth: false }),
  logout: (body: Body<typeof E.logout, 'post'>) => request<Message>('post', E.logout, { body }),

  profile: () => request<User>('get', E.profile),
  updateProfile: (body: Body<typeof E.profile, 'put'>) => request<User>('put', E.profile, { body }),
  changePassword: (userId: string, body: Body<typeof E.password, 'put'>) =>
    request<Message>('put', fill(E.password, [userId]), { body }),

  notebooks: async () => asArray(await request<Notebook[]>('get', E.notebooks)),
  notebook: (id: string) => request<Notebook>('get', fill(E.notebook, [id])),
  createNotebook: (body: Body<typeof E.notebooks, 'post'>) => request<Notebook>('post', E.notebooks, { body }),
  updateNotebook: (id: string, body: Body<typeof E.notebook, 'put'>) =>
    request<Notebook>('put', fill(E.notebook, [id]), { body }),
  deleteNotebook: (id: string) => request<void>('delete', fill(E.notebook, [id])),

  shares: async (notebookId: string) => asArray(await request<Share[]>('get', fill(E.shares, [notebookId]))),
  share: (notebookId: string, body: Body<typeof E.shares, 'put'>) =>
    request<Share>('put', fill(E.shares, [notebookId]), { body }),
  unshare: (notebookId: string, userId: string) => request<void>('delete', fill(E.share, [notebookId, userId])),

  notes: async (query: { notebook_id?: string; title?: string; tag?: string } = {}) =>
    asArray(await request<Note[]>('get', E.notes, { query })),
  note: (id: string) => request<Note>('get', fill(E.note, [id])),
  createNote: (body: Body<typeof E.notes, 'post'>) => request<Note>('post', E.notes, { body }),
  updateNote: (id: string, body: Body<typeof E.note, 'put'>) => request<Note>('put', fill(E.note, [id]), { body }),
  deleteNote: (id: string) => request<void>('delete', fill(E.note, [id])),
  /** Many notes with their blocks in one transaction (Markdown import). */
  importNotes: (body: Body<typeof E.importNotes, 'post'>) => request<{ notes: Note[] }>('post', E.importNotes, { body }),

  /** All live blocks of a note, following pages until a short page. */
  blocks: async (noteId: string): Promise<Block[]> => {
    const out: Block[] = [];
    const pageSize = 100;
    for (let page = 1; page < 1000; page++) {
      const chunk = asArray(
        await request<Block[]>('get', E.blocks, { query: { note_id: noteId, page, page_size: pageSize } }),
      );
      out.push(...chunk);
      if (chunk.length < pageSize) break;
    }
    return out;
  },
  block: (id: string) => request<Block>('get', fill(E.block, [id])),
  createBlock: (body: Body<typeof E.blocks, 'post'>) => request<Block>('post', E.blocks, { body }),
  updateBlock: (id: string, body: Body<typeof E.block, 'put'>) => request<Block>('put', fill(E.block, [id]), { body }),
  deleteBlock: (id: string) => request<void>('delete', fill(E.block, [id])),

  attachments: async (noteId: string) =>
    asArray(await request<Attachment[]>('get', E.attachments, { query: { note_id: noteId } })),
  deleteAttachment: (id: string) => request<void>('delete', fill(E.attachment, [id])),

  tasks: async (query: { is_completed?: boolean; note_id?: string } = {}) =>
    asArray(await request<Task[]>('get', E.tasks, { query })),
  task: (id: string) => request<Task>('get', fill(E.task, [id])),
  createTask: (body: Body<typeof E.tasks, 'post'>) => request<Task>('post', E.tasks, { body }),
  updateTask: (id: string, body: Body<typeof E.task, 'put'>) => request<Task>('put', fill(E.task, [id]), { body }),
  deleteTask: (id: string) => request<void>('delete', fill(E.task, [id])),
  snoozeTask: (id: string, body: Body<typeof E.snooze, 'post'>) => request<Task>('post', fill(E.snooze, [id]), { body }),
  skipOccurrence: (id: string) => request<Task>('post', fill(E.skip, [id])),
  endSeries: (id: string) => request<Task>('post', fill(E.endSeries, [id])),
  pushKey: () => request<{ public_key: string }>('get', E.pushKey),
  pushSubscribe: (body: Body<typeof E.pushSubscriptions, 'post'>) => request<{ endpoint: string }>('post', E.pushSubscriptions, { body }),
  createCalendarFeed: () => request<CalendarFeed>('post', E.calendarFeed),
  revokeCalendarFeed: () => request<void>('delete', E.calendarFeed),

  trash: async (): Promise<Trash> => {
    const t = await request<Partial<Trash> | null>('get', E.trash);
    return { notes: asArray(t?.notes), notebooks: asArray(t?.notebooks) };
  },
  restore: (type: 'note' | 'notebook', id: string) => request<Message>('post', fill(E.restore, [type, id]), { body: {} }),
  destroy: (type: 'note' | 'notebook', id: string) => request<Message>('delete', fill(E.trashItem, [type, id])),
  emptyTrash: () => request<Message>('delete', E.trash),

  search: (query: SearchQuery, signal?: AbortSignal) =>
    request<SearchPage>('get', E.search, { query: { ...query }, signal }),
  tags: async () => asArray(await request<TagCount[]>('get', E.tags)),
  renameTag: (body: Body<typeof E.renameTag, 'post'>) =>
    request<{ name: string; notes: number }>('post', E.renameTag, { body }),
  favourites: async () => asArray(await request<Note[]>('get', E.favourites)),
  addFavourite: (noteId: string) => request<void>('put', fill(E.favourite, [noteId])),
  removeFavourite: (noteId: string) => request<void>('delete', fill(E.favourite, [noteId])),
};

/** WebSocket URL for the event stream (relative to the page's host). */
export function wsUrl(token: string, since?: string | null): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const qs = new URLSearchParams({ token });
  if (since) qs.set('since', since);
  return `${proto}//${location.host}/api/v1/ws?${qs.toString()}`;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError || err instanceof NetworkError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
