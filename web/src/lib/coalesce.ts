/**
 * Realtime events name what changed; a burst of them (an import of many notes, a bulk move,
 * another tab typing) becomes one refresh per changed entity. The first event of a burst
 * starts the clock, so a steady stream of events still refreshes every `delayMs`; the
 * refreshes of one burst run a few at a time, and events arriving meanwhile make the next.
 * A burst naming very many entities (an import of a folder) is cheaper as one refresh of
 * everything than as one request per entity: `tooMany` says when and how.
 */
export class Coalescer {
  private pending = new Map<string, () => Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly delayMs = 150,
    private readonly concurrency = 4,
    /** Refreshing this key refreshes everything: the others of its burst are skipped. */
    private readonly everything = 'all',
    private readonly tooMany?: { over: number; refresh: () => Promise<void> },
  ) {}

  private held = 0;

  soon(key: string, refresh: () => Promise<void>): void {
    this.pending.set(key, refresh);
    if (!this.held && this.timer === undefined && this.running === undefined) this.schedule();
  }

  /**
   * Until the returned release is called, events only collect: for a bulk write of this tab's
   * own (an import), whose answers it already has, so each of its batches' echoes does not
   * reload everything. After the release, one burst refreshes whatever they named.
   */
  hold(): () => void {
    this.held += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= 1;
      if (!this.held && this.pending.size && this.timer === undefined && this.running === undefined) this.schedule();
    };
  }

  /** Resolves once nothing is waiting or running (for tests). */
  async idle(): Promise<void> {
    while (this.running || this.timer !== undefined) {
      if (this.running) await this.running;
      else await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.flush().finally(() => {
        this.running = undefined;
        if (this.pending.size && !this.held) this.schedule();
      });
    }, this.delayMs);
  }

  private async flush(): Promise<void> {
    const crowded = this.tooMany && this.pending.size > this.tooMany.over;
    const all = this.pending.get(this.everything) ?? (crowded ? this.tooMany?.refresh : undefined);
    const burst = all ? [all] : [...this.pending.values()];
    this.pending.clear();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < burst.length) {
        const refresh = burst[next++];
        await refresh().catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, burst.length) }, worker));
  }
}
