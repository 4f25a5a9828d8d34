// The note's title is a REST field (not part of the shared document): saved debounced,
// retried while the server cannot be reached (and kept on the device until then), and
// replaced by a remote title only when nothing typed here is pending.
import { ApiError, api, errorMessage, isRetryable } from '../api/client';
import { pendingTitle } from '../lib/offline';
import { Emitter } from '../lib/store';

export type TitleState = 'saved' | 'pending' | 'error';

const DEBOUNCE_MS = 400;
const RETRY_MS = 3000;

export class TitleSync {
  readonly changed = new Emitter<{ state: TitleState; error?: string }>();
  private local: string;
  /** The title the server is known to have; unknown while one typed here is kept. */
  private server: string | null;
  private timer: number | undefined;
  private saving: Promise<void> | null = null;
  private state: TitleState = 'saved';
  private destroyed = false;

  constructor(
    private readonly noteId: string,
    title: string,
    private readonly onGone: () => void,
  ) {
    const kept = pendingTitle.get(noteId);
    this.local = kept ?? title;
    // Offline, `title` may be the kept one (the cached lists show it too).
    this.server = kept === null ? title : null;
    window.addEventListener('online', this.onOnline);
    if (this.pending) this.schedule(0);
  }

  /** What to show: the title typed here if the server does not have it yet. */
  get title(): string {
    return this.local;
  }

  get pending(): boolean {
    return this.local !== this.server;
  }

  set(title: string): void {
    this.local = title;
    if (this.pending) pendingTitle.set(this.noteId, title);
    else pendingTitle.clear(this.noteId);
    this.schedule(DEBOUNCE_MS);
  }

  /** The server's title changed (event): adopt it unless a local edit is pending. */
  remote(title: string): boolean {
    if (this.pending) return false;
    this.local = title;
    this.server = title;
    return true;
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    return this.save();
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
  }

  private onOnline = () => {
    if (this.pending) this.schedule(0);
  };

  private schedule(ms: number): void {
    if (this.destroyed) return;
    clearTimeout(this.timer);
    if (this.pending && this.state === 'saved') this.setState('pending');
    this.timer = window.setTimeout(() => void this.save(), ms);
  }

  private async save(): Promise<void> {
    if (this.saving) return this.saving;
    if (!this.pending) {
      this.setState('saved');
      return;
    }
    const title = this.local;
    this.saving = (async () => {
      try {
        await api.updateNote(this.noteId, { title });
        this.server = title;
        if (!this.pending) pendingTitle.clear(this.noteId);
        this.setState(this.pending ? 'pending' : 'saved');
        if (this.pending) this.schedule(0);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) this.onGone();
        if (isRetryable(e)) {
          this.setState('pending');
          this.schedule(RETRY_MS);
        } else {
          pendingTitle.clear(this.noteId); // refused: trying again cannot help
          this.setState('error', `The title was not saved: ${errorMessage(e)}`);
        }
      } finally {
        this.saving = null;
      }
    })();
    return this.saving;
  }

  private setState(state: TitleState, error?: string): void {
    this.state = state;
    this.changed.emit({ state, error });
  }
}
