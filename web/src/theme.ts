// Light / dark / system theme, persisted in localStorage.
import { Store } from './lib/store';

export type ThemePref = 'light' | 'dark' | 'system';
const KEY = 'owlistic.theme';

const media = window.matchMedia('(prefers-color-scheme: dark)');

function read(): ThemePref {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export const theme = new Store<{ pref: ThemePref; resolved: 'light' | 'dark' }>({ pref: read(), resolved: 'light' });

function apply(): void {
  const pref = theme.get().pref;
  const resolved = pref === 'system' ? (media.matches ? 'dark' : 'light') : pref;
  document.documentElement.dataset.theme = resolved;
  document.documentElement.style.colorScheme = resolved;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', resolved === 'dark' ? '#15171c' : '#ffffff');
  if (theme.get().resolved !== resolved) theme.set({ resolved });
}

export function setTheme(pref: ThemePref): void {
  localStorage.setItem(KEY, pref);
  theme.set({ pref });
  apply();
}

export function cycleTheme(): void {
  const order: ThemePref[] = ['system', 'light', 'dark'];
  setTheme(order[(order.indexOf(theme.get().pref) + 1) % order.length]);
}

media.addEventListener('change', apply);
window.addEventListener('storage', (e) => {
  if (e.key === KEY) {
    theme.set({ pref: read() });
    apply();
  }
});
apply();
