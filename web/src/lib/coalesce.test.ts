import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalesce';

/** Records which keys were refreshed and how many refreshes ran at once. */
function recorder() {
  const done: string[] = [];
  let running = 0;
  let most = 0;
  const refresh = (key: string) => async () => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 1));
    running -= 1;
    done.push(key);
  };
  return { done, refresh, most: () => most };
}

describe('Coalescer', () => {
  it('refreshes each changed entity once per burst, however many events name it', async () => {
    const coalescer = new Coalescer(5, 4);
    const { done, refresh, most } = recorder();
    for (let round = 0; round < 10; round++) {
      for (let id = 0; id < 100; id++) coalescer.soon(`note:${id}`, refresh(`note:${id}`));
    }
    await coalescer.idle();
    expect(done).toHaveLength(100);
    expect(new Set(done).size).toBe(100);
    expect(most()).toBeLessThanOrEqual(4);
  });

  it('an event during a burst\'s refreshes makes another refresh after them', async () => {
    const coalescer = new Coalescer(5, 2);
    const done: string[] = [];
    coalescer.soon('note:a', async () => {
      done.push('a');
      coalescer.soon('note:a', async () => void done.push('a again'));
    });
    await coalescer.idle();
    expect(done).toEqual(['a', 'a again']);
  });

  it('a refresh of everything replaces the burst\'s single refreshes', async () => {
    const coalescer = new Coalescer(5, 4);
    const { done, refresh } = recorder();
    coalescer.soon('note:1', refresh('note:1'));
    coalescer.soon('all', refresh('all'));
    coalescer.soon('note:2', refresh('note:2'));
    await coalescer.idle();
    expect(done).toEqual(['all']);
  });

  it('a failing refresh does not stop the others', async () => {
    const coalescer = new Coalescer(5, 1);
    const { done, refresh } = recorder();
    coalescer.soon('note:1', () => Promise.reject(new Error('offline')));
    coalescer.soon('note:2', refresh('note:2'));
    await coalescer.idle();
    expect(done).toEqual(['note:2']);
  });

  it('a burst naming more entities than it is worth refreshing one by one refreshes everything', async () => {
    const { done, refresh } = recorder();
    const coalescer = new Coalescer(5, 4, 'all', { over: 3, refresh: refresh('everything') });
    for (const id of [1, 2, 3]) coalescer.soon(`note:${id}`, refresh(`note:${id}`));
    await coalescer.idle();
    expect(done).toEqual(['note:1', 'note:2', 'note:3']);
    done.length = 0;
    for (const id of [1, 2, 3, 4]) coalescer.soon(`note:${id}`, refresh(`note:${id}`));
    await coalescer.idle();
    expect(done).toEqual(['everything']);
  });

  it('held, events only collect; the release refreshes them in one burst', async () => {
    const done: string[] = [];
    const coalescer = new Coalescer(5, 4, 'all', { over: 3, refresh: async () => void done.push('all') });
    const release = coalescer.hold();
    for (let batch = 0; batch < 5; batch++) {
      for (let id = 0; id < 10; id++) coalescer.soon(`note:${batch}-${id}`, async () => void done.push('one'));
      await new Promise((resolve) => setTimeout(resolve, 20)); // past the delay: nothing runs
      expect(done).toEqual([]);
    }
    release();
    release(); // a second call changes nothing
    await coalescer.idle();
    expect(done).toEqual(['all']);
  });
});
