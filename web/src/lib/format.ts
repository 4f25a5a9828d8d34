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

/** yyyy-mm-dd → RFC 3339 at midnight UTC, what the server stores. */
export const dueToApi = (date: string) => (date ? `${date}T00:00:00Z` : '');

export const noteTitle = (t?: string | null) => (t && t.trim() ? t : 'Untitled');
