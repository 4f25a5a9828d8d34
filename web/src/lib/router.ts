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
};

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
