// Hash-based routing: works when the server serves only "/" and needs no fallback.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'register' }
  | { name: 'notebook'; id: string }
  | { name: 'note'; id: string }
  | { name: 'tasks' }
  | { name: 'trash' }
  | { name: 'profile' }
  | { name: 'search' }
  | { name: 'notfound' };

export function parseRoute(hash: string = location.hash): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'home' };
  const [a, b] = parts;
  switch (a) {
    case 'login':
      return { name: 'login' };
    case 'register':
      return { name: 'register' };
    case 'notebooks':
      return b ? { name: 'notebook', id: b } : { name: 'home' };
    case 'notes':
      return b ? { name: 'note', id: b } : { name: 'home' };
    case 'tasks':
      return { name: 'tasks' };
    case 'trash':
      return { name: 'trash' };
    case 'profile':
      return { name: 'profile' };
    case 'search':
      return { name: 'search' };
    default:
      return { name: 'notfound' };
  }
}

export const href = {
  home: () => '#/',
  login: () => '#/login',
  register: () => '#/register',
  notebook: (id: string) => `#/notebooks/${encodeURIComponent(id)}`,
  note: (id: string) => `#/notes/${encodeURIComponent(id)}`,
  tasks: () => '#/tasks',
  trash: () => '#/trash',
  profile: () => '#/profile',
  /** The full results page; its filters are the query string. */
  search: (params: Record<string, string | undefined> = {}) => withQuery('#/search', params),
  /** A note scrolled to a block, with the words of a search highlighted there. */
  noteAt: (id: string, block?: string | null, q?: string) =>
    withQuery(`#/notes/${encodeURIComponent(id)}`, { block: block ?? undefined, q }),
};

function withQuery(path: string, params: Record<string, string | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** The query string of the current hash route (`#/search?q=…`). */
export function routeParams(hash: string = location.hash): URLSearchParams {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else location.hash = to.replace(/^#/, '');
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute());
  useEffect(() => {
    const on = () => setRoute(parseRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
