import { describe, expect, it } from 'vitest';
import { chipLabel, dueString, parseTyped } from './due';

describe('typed due dates', () => {
  const now = new Date(2027, 2, 10, 15, 0); // Wednesday 10 March 2027, 15:00 local

  it('reads @tomorrow as an all-day date', () => {
    expect(parseTyped('tomorrow', now)).toEqual({ due: '2027-03-11', allDay: true });
  });

  it('reads a weekday with a time as the next such day, with the local offset', () => {
    const parsed = parseTyped('fri 9:00', now);
    expect(parsed?.allDay).toBe(false);
    expect(parsed?.due).toBe(dueString(new Date(2027, 2, 12, 9, 0), false));
    expect(parsed?.due).toMatch(/^2027-03-12T09:00:00[+-]\d{2}:\d{2}$/);
  });

  it('offers nothing for text that is not wholly a date', () => {
    expect(parseTyped('banana', now)).toBeNull();
    expect(parseTyped('tomorrow and some words', now)).toBeNull();
    expect(parseTyped('  ', now)).toBeNull();
  });

  it('labels the chip with date, reminder and repetition', () => {
    expect(chipLabel({ due: null, timeZone: null, remindAt: null, remindBefore: null, repeat: null })).toBeNull();
    expect(chipLabel({ due: '', timeZone: 'UTC', remindAt: null, remindBefore: null, repeat: null })).toBeNull();
    const label = chipLabel({ due: '2031-05-02', timeZone: 'UTC', remindAt: null, remindBefore: 10, repeat: 'FREQ=WEEKLY' });
    expect(label).toContain('🔔');
    expect(label).toContain('↻');
  });
});
