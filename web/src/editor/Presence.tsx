import { useEffect, useState } from 'preact/hooks';
import type { Awareness } from 'y-protocols/awareness';
import type { CollabUser } from './extensions';

/** Caret colours (#rrggbb, as the caret extension requires), readable on light and dark. */
const PALETTE = ['#d9480f', '#2f9e44', '#1971c2', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5f3dc4', '#66a80f', '#f08c00'];

/** The same colour for a user on every device and in every note. */
export function colorOf(userId: string): string {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

export function initials(name: string): string {
  const parts = name.trim().split(/[\s@._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

/** Other people with the note open, one entry per user however many tabs they have. */
export function othersIn(states: Map<number, Record<string, unknown>>, selfClient: number, selfUser: string): CollabUser[] {
  const byUser = new Map<string, CollabUser>();
  for (const [client, state] of states) {
    const u = state.user as Partial<CollabUser> | undefined;
    if (client === selfClient || !u || typeof u.id !== 'string' || u.id === selfUser) continue;
    if (!byUser.has(u.id)) byUser.set(u.id, { id: u.id, name: String(u.name ?? 'Someone'), color: String(u.color ?? PALETTE[0]) });
  }
  return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function Presence({ awareness, userId }: { awareness: Awareness; userId: string }) {
  const read = () => othersIn(awareness.getStates() as Map<number, Record<string, unknown>>, awareness.clientID, userId);
  const [others, setOthers] = useState(read);
  useEffect(() => {
    const onChange = () => setOthers(read());
    onChange();
    awareness.on('change', onChange);
    return () => awareness.off('change', onChange);
  }, [awareness, userId]);
  if (!others.length) return null;
  const names = others.map((o) => o.name).join(', ');
  return (
    <ul class="presence" data-testid="presence" aria-label={`Also here: ${names}`} title={`Also here: ${names}`}>
      {others.map((o) => (
        <li key={o.id} class="presence-user" data-testid="presence-user" data-user-id={o.id} style={{ background: o.color }}>
          <span aria-hidden="true">{initials(o.name)}</span>
          <span class="sr-only">{o.name}</span>
        </li>
      ))}
    </ul>
  );
}
