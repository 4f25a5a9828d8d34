import { describe, expect, it } from 'vitest';
import { colorOf, initials, othersIn } from './Presence';

describe('presence', () => {
  it('lists each other user once, without this tab or this user', () => {
    const states = new Map<number, Record<string, unknown>>([
      [1, { user: { id: 'me', name: 'Me', color: '#000000' } }],
      [2, { user: { id: 'me', name: 'Me', color: '#000000' } }], // my other tab
      [3, { user: { id: 'bob', name: 'Bob', color: '#111111' } }],
      [4, { user: { id: 'bob', name: 'Bob', color: '#111111' } }],
      [5, { user: { id: 'ann', name: 'Ann', color: '#222222' } }],
      [6, {}], // connected, no user yet
    ]);
    expect(othersIn(states, 1, 'me').map((u) => u.name)).toEqual(['Ann', 'Bob']);
  });

  it('gives a user the same caret colour everywhere', () => {
    expect(colorOf('0b6f1f3e-6a0e-4c43-9a57-2d4f7e1c0a11')).toBe(colorOf('0b6f1f3e-6a0e-4c43-9a57-2d4f7e1c0a11'));
    expect(colorOf('someone')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('makes initials from names and emails', () => {
    expect(initials('Victor Viewer')).toBe('VV');
    expect(initials('ann@example.com')).toBe('AE');
    expect(initials('bob')).toBe('BO');
  });
});
