import type { TimeZoneName } from '../api/types';

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function timeAgo(iso?: string | null): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!t) return '';
  const s = (t - Date.now()) / 1000;
  const abs = Math.abs(s);
  if (abs < 45) return 'just now';
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  if (abs < 86400 * 7) return rtf.format(Math.round(s / 86400), 'day');
  return new Date(t).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Parse a task due date ("2025-01-31", RFC 3339, or Go's "2024-12-31 00:00:00 +0000 UTC"). */
export function parseDue(due?: string | null): Date | null {
  if (!due) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(due.trim());
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function dueLabel(due?: string | null): { text: string; overdue: boolean; today: boolean } | null {
  const d = parseDue(due);
  if (!d) return null;
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const diff = Math.round((d.getTime() - today.getTime()) / 86400000);
  let text: string;
  if (diff === 0) text = 'Today';
  else if (diff === 1) text = 'Tomorrow';
  else if (diff === -1) text = 'Yesterday';
  else text = d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric' });
  return { text, overdue: diff < 0, today: diff === 0 };
}

export const noteTitle = (t?: string | null) => (t && t.trim() ? t : 'Untitled');

export type DueSection = 'overdue' | 'today' | 'upcoming' | 'none';

interface Dated {
  due_at?: string | null;
  due_date?: string | null;
  due_all_day?: boolean;
  is_completed: boolean;
}

/** The instant a task is due (an all-day task: the start of its day, local time). */
export function dueMoment(t: Dated): Date | null {
  const iso = t.due_at ?? t.due_date;
  if (!iso) return null;
  if (t.due_all_day || iso.length === 10) return parseDue(iso);
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Which section of the Tasks screen a task belongs to, by the browser's clock and zone
 * (the same rules as `GET /tasks?due=`). */
export function dueSection(t: Dated, now = new Date()): DueSection {
  const at = dueMoment(t);
  if (!at) return 'none';
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  if (!t.is_completed && (t.due_all_day ? at < start : at < now)) return 'overdue';
  if (at >= start && at < end) return 'today';
  return at >= end ? 'upcoming' : 'overdue';
}

export function dueText(t: Dated): string {
  const at = dueMoment(t);
  if (!at) return '';
  const day = dueLabel(`${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`)?.text ?? '';
  return t.due_all_day ? day : `${day} ${at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

/** Local yyyy-mm-dd and hh:mm of a date, for <input type=date|time>. */
export function localParts(d: Date): { date: string; time: string } {
  const p = (n: number) => String(n).padStart(2, '0');
  return { date: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`, time: `${p(d.getHours())}:${p(d.getMinutes())}` };
}

/** The browser's zone: an IANA name (what the server lists; it refuses any other). */
export const browserZone = (): TimeZoneName => (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC') as TimeZoneName;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Screenshots arrive from the clipboard as "image.png": give them a findable name. */
export function uploadName(file: File): File {
  if (!/^image\.\w+$/.test(file.name)) return file;
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
  return new File([file], `Pasted ${stamp}${file.name.slice(file.name.lastIndexOf('.'))}`, { type: file.type });
}
