// Reminders in the browser: the in-app notification for a `task.reminder` event (with Done
// and Snooze), the system notification when the tab is in the background, and the Web Push
// subscription (asked for the first time the user sets a reminder, never on load).
import { api, errorMessage } from '../api/client';
import { notify, toast } from './toast';

const ASKED_KEY = 'owlistic.push_asked';

export interface ReminderPayload {
  task_id: string;
  title?: string;
  due_date?: string;
  late?: boolean;
}

/** 09:00 tomorrow, local time. */
export function tomorrowMorning(now = new Date()): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
}

async function snooze(taskId: string, body: { minutes?: number; until?: string }): Promise<void> {
  try {
    await api.snoozeTask(taskId, body);
  } catch (e) {
    toast(`Could not snooze: ${errorMessage(e)}`, 'error');
  }
}

export function showReminder(p: ReminderPayload, markDone: (taskId: string) => Promise<void>): void {
  const title = p.title || 'A task';
  const text = `${p.late ? 'Missed reminder' : 'Reminder'}: ${title}`;
  notify(
    text,
    [
      { label: 'Done', testid: 'reminder-done', run: () => void markDone(p.task_id) },
      { label: '10 min', testid: 'reminder-snooze-10', run: () => void snooze(p.task_id, { minutes: 10 }) },
      { label: '1 h', testid: 'reminder-snooze-60', run: () => void snooze(p.task_id, { minutes: 60 }) },
      { label: 'Tomorrow', testid: 'reminder-snooze-tomorrow', run: () => void snooze(p.task_id, { until: tomorrowMorning().toISOString() }) },
    ],
    'reminder-toast',
  );
  // A visible tab has the toast; a hidden one gets a system notification (the service
  // worker shows pushes only when no tab is visible, so the two never double up).
  if (document.visibilityState === 'hidden' && 'Notification' in window && Notification.permission === 'granted') {
    new Notification(text, { body: p.due_date ? `Due ${p.due_date}` : undefined, tag: `reminder:${p.task_id}` });
  }
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob((base64url + pad).replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** On the first reminder the user sets: ask to notify, then subscribe this browser to push. */
export async function enableNotificationsOnce(): Promise<void> {
  if (localStorage.getItem(ASKED_KEY) || !('Notification' in window)) return;
  localStorage.setItem(ASKED_KEY, '1');
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  if (permission !== 'granted' || !('serviceWorker' in navigator) || !('PushManager' in window)) return;
  try {
    const reg = await navigator.serviceWorker.ready;
    const { public_key } = await api.pushKey();
    const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) }));
    const json = sub.toJSON();
    if (json.endpoint && json.keys?.p256dh && json.keys.auth) {
      await api.pushSubscribe({ endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
    }
  } catch (e) {
    console.warn('push subscription failed', e);
  }
}

// ---------------------------------------------------------------- repeat presets

export type Repeat = '' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'yearly';
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** The RRULE for a preset, every `interval` periods, weekly on the due date's weekday. */
export function ruleFor(repeat: Repeat, interval: number, due: Date | null): string | null {
  if (!repeat) return null;
  const every = interval > 1 ? `;INTERVAL=${interval}` : '';
  switch (repeat) {
    case 'daily':
      return `FREQ=DAILY${every}`;
    case 'weekdays':
      return 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';
    case 'weekly':
      return `FREQ=WEEKLY${every}${due ? `;BYDAY=${DAYS[due.getDay()]}` : ''}`;
    case 'monthly':
      return `FREQ=MONTHLY${every}`;
    case 'yearly':
      return `FREQ=YEARLY${every}`;
  }
}

export function presetOf(rule: string | null | undefined): { repeat: Repeat; interval: number } {
  if (!rule) return { repeat: '', interval: 1 };
  const interval = Number(/INTERVAL=(\d+)/.exec(rule)?.[1] ?? 1);
  if (rule.includes('BYDAY=MO,TU,WE,TH,FR')) return { repeat: 'weekdays', interval: 1 };
  const freq = /FREQ=(\w+)/.exec(rule)?.[1];
  const repeat: Repeat = freq === 'DAILY' ? 'daily' : freq === 'WEEKLY' ? 'weekly' : freq === 'MONTHLY' ? 'monthly' : freq === 'YEARLY' ? 'yearly' : '';
  return { repeat, interval };
}

export function describeRule(rule: string | null | undefined): string {
  const { repeat, interval } = presetOf(rule);
  if (!repeat) return rule ? 'Repeats' : '';
  if (repeat === 'weekdays') return 'Every weekday';
  const unit = { daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' }[repeat];
  return interval > 1 ? `Every ${interval} ${unit}s` : `Every ${unit}`;
}
