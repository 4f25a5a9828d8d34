import { Store } from './store';

export interface ToastItem {
  id: number;
  text: string;
  kind: 'info' | 'error' | 'success';
  action?: { label: string; run: () => void };
  /** Several buttons (a reminder's Done and Snooze choices). */
  actions?: { label: string; run: () => void; testid?: string }[];
  testid?: string;
}

export const toasts = new Store<{ items: ToastItem[] }>({ items: [] });
let nextId = 1;

export function toast(text: string, kind: ToastItem['kind'] = 'info', action?: ToastItem['action'], ms = 5000): void {
  const id = nextId++;
  toasts.set((s) => ({ items: [...s.items.slice(-3), { id, text, kind, action }] }));
  window.setTimeout(() => dismiss(id), kind === 'error' ? ms * 1.6 : ms);
}

export function dismiss(id: number): void {
  toasts.set((s) => ({ items: s.items.filter((t) => t.id !== id) }));
}

/** A toast with several actions that stays until acted on or dismissed (or ``ms``). */
export function notify(text: string, actions: NonNullable<ToastItem['actions']>, testid: string, ms = 10 * 60_000): void {
  const id = nextId++;
  toasts.set((s) => ({ items: [...s.items.slice(-3), { id, text, kind: 'info', actions, testid }] }));
  window.setTimeout(() => dismiss(id), ms);
}
