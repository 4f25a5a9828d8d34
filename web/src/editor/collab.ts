// One open note's shared document: a Y.Doc kept in IndexedDB (so a note opened once on this
// device opens, reads and edits offline) and synced with the server over the y-websocket
// protocol at /api/v1/notes/{id}/collab. The server seeds the document from the note's
// blocks; this client never writes initial content.
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider, messageSync } from 'y-websocket';
import * as Y from 'yjs';
import { refreshSession, session } from '../api/client';
import { noteDocName, unstoredChanges } from '../lib/offline';
import { Emitter } from '../lib/store';
import { CONTENT_FIELD } from './extensions';
import type { TitleState } from './title';

export type LinkState = 'connecting' | 'connected' | 'offline';

export interface CollabStatus {
  link: LinkState;
  /** The server's copy has been received at least once since the note was opened. */
  synced: boolean;
  /** The device's copy (IndexedDB) has been loaded. */
  local: boolean;
  /** The document holds no content yet. */
  empty: boolean;
  /** Changes made here that the server has not confirmed yet. */
  unsent: boolean;
  /** The server closed the connection for good (no access, note gone…): why. */
  closed: string | null;
}

/** What the note's content and title look like from here: on the server, on its way, or only on this device. */
export type SaveState = 'saved' | 'saving' | 'unsent' | 'error';

export function saveStateOf(status: CollabStatus, title: TitleState): SaveState {
  if (title === 'error') return 'error';
  if (!status.unsent && title === 'saved') return 'saved';
  return status.link === 'connected' ? 'saving' : 'unsent';
}

/**
 * Close codes after which reconnecting cannot help: the note is gone or no longer shared,
 * or a change is larger than the server takes. Every other close (server restarting, a
 * malformed or no-op update, access now read-only…) reconnects, and the sync handshake
 * then sends whatever the server lacks.
 */
const FINAL_CLOSE = new Set([4404, 1009]);
/** The access token was refused: refresh it, then reconnect. */
const AUTH_CLOSE = new Set([4401]);
/** How long to wait for the answer to a confirmation request before asking again. */
const CONFIRM_TIMEOUT_MS = 5000;
/** Quiet time after a local change before asking the server what it holds. */
const CONFIRM_DELAY_MS = 250;
const UNSENT_CHECK_MS = 50;
/** This tab's presence (caret, selection) goes out at most this often. */
const AWARENESS_MS = 100;
/** A device copy that does not load in this time (IndexedDB unavailable) is not waited for. */
const LOCAL_LOAD_TIMEOUT_MS = 3000;


/**
 * What the server is known to hold, as a second Y.Doc fed only by what the server sends.
 *
 * The y-websocket protocol has no acknowledgements, but the server answers every sync
 * step 1 with everything it has beyond the state vector in it (plus its whole delete set).
 * Asking with this replica's state vector therefore brings back exactly what the server
 * received from us, deletions included; the changes made here are confirmed once both
 * documents have the same state vector and delete set.
 */
export class ServerReplica {
  readonly doc = new Y.Doc();

  /** Content that came from the server (sync step 2 or an update). */
  received(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update);
  }

  /** Everything in `local` is also on the server. */
  covers(local: Y.Doc): boolean {
    return Y.equalSnapshots(Y.snapshot(local), Y.snapshot(this.doc));
  }

  /** A sync step 1 asking the server for what this replica lacks. */
  request(): Uint8Array {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, messageSync);
    syncProtocol.writeSyncStep1(enc, this.doc);
    return encoding.toUint8Array(enc);
  }

  destroy(): void {
    this.doc.destroy();
  }
}

/** Feeds the replica with the content of a sync message read from the server. */
export function readServerMessage(replica: ServerReplica, decoder: decoding.Decoder): number {
  const type = decoding.readVarUint(decoder);
  if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
    replica.received(decoding.readVarUint8Array(decoder));
  }
  return type;
}

/**
 * The changes IndexedDB may not have committed yet, kept in localStorage too. IndexedDB
 * writes are asynchronous and a page that unloads first (a reload, a closed tab) aborts
 * them: the last words typed would be gone. localStorage writes are synchronous.
 *
 * A transaction on the updates store created after y-indexeddb's write can only complete
 * after that write has: that completion is the confirmation that lets an entry go.
 */
export class UnstoredChanges {
  private readonly key: string;
  private readonly adopted: string[];

  constructor(
    docName: string,
    private readonly doc: Y.Doc,
    private readonly persistence: IndexeddbPersistence,
  ) {
    // The document's client id tells this tab's writes from every other's, as in Yjs itself.
    this.key = unstoredChanges.key(docName, String(doc.clientID));
    this.adopted = unstoredChanges.keysOf(docName);
    // y-indexeddb writes the whole document once it has opened the database, so what is
    // applied now and what is added before then is confirmed by one transaction after that.
    void persistence.whenSynced.then(() => this.confirm([...this.adopted, this.key]));
  }

  /** Applies what earlier pages of this note left unconfirmed. */
  restore(): void {
    for (const key of this.adopted) {
      const value = unstoredChanges.get(key);
      if (value) Y.applyUpdate(this.doc, fromBase64(value), this);
    }
  }

  /** Call after y-indexeddb has seen the update (its listener was registered first). */
  add(update: Uint8Array): void {
    const kept = unstoredChanges.get(this.key);
    unstoredChanges.set(this.key, toBase64(kept ? Y.mergeUpdates([fromBase64(kept), update]) : update));
    if (this.persistence.db) this.confirm([this.key]);
  }

  private confirm(keys: string[]): void {
    const db = this.persistence.db;
    if (!db) return;
    const values = keys.map((k) => [k, unstoredChanges.get(k)] as const);
    let tx: IDBTransaction;
    try {
      tx = db.transaction('updates', 'readonly');
    } catch {
      return; // Closed (the note was left): the next page that opens it takes over.
    }
    tx.oncomplete = () => {
      for (const [k, v] of values) if (v !== null) unstoredChanges.removeIf(k, v);
    };
  }
}

export class NoteCollab {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly changed = new Emitter<CollabStatus>();
  private readonly local: IndexeddbPersistence;
  private readonly unstored: UnstoredChanges;
  private readonly replica = new ServerReplica();
  /** The replica is kept too, so a reload (offline) still knows what is unsent. */
  private readonly replicaLocal: IndexeddbPersistence;
  private status: CollabStatus;
  private confirmTimer: number | undefined;
  private confirmSent = 0;
  private unsentTimer: number | undefined;
  private destroyed = false;
  private loadedOrTimedOut = false;

  constructor(
    readonly noteId: string,
    userId: string,
  ) {
    const fragment = this.doc.getXmlFragment(CONTENT_FIELD);
    const docName = noteDocName('note', userId, noteId);
    this.local = new IndexeddbPersistence(docName, this.doc);
    this.unstored = new UnstoredChanges(docName, this.doc, this.local);
    this.unstored.restore();
    const empty = fragment.length === 0;
    this.status = { link: 'connecting', synced: false, local: false, empty, unsent: false, closed: null };
    this.replicaLocal = new IndexeddbPersistence(noteDocName('server', userId, noteId), this.replica.doc);
    const loaded = Promise.all([this.local.whenSynced, this.replicaLocal.whenSynced]).then(() => {
      this.update({ local: true });
      this.scheduleUnsentCheck();
    });

    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.provider = new WebsocketProvider(`${proto}//${location.host}/api/v1/notes`, `${noteId}/collab`, this.doc, {
      // Read on every (re)connection, so a refreshed token is used.
      params: {
        get token() {
          return session.accessToken ?? '';
        },
      },
      // Spread reconnections of many clients after a server restart.
      maxBackoffTime: 3000 + Math.round(Math.random() * 2000),
      shouldReconnect: (ev) => !FINAL_CLOSE.has(ev.code),
      // Connected once the device's copy is loaded: the handshake then carries it, instead
      // of every stored update being sent again after the sync.
      connect: false,
    });
    this.watchServerMessages();
    this.shareOwnPresenceOnly();
    const giveUp = new Promise((resolve) => setTimeout(resolve, LOCAL_LOAD_TIMEOUT_MS));
    void Promise.race([loaded, giveUp])
      .catch(() => undefined)
      .then(() => {
        this.loadedOrTimedOut = true;
        if (!this.destroyed && navigator.onLine) this.provider.connect();
      });

    this.provider.on('status', () => this.refreshLink());
    this.provider.on('sync', (synced) => {
      if (!synced) return;
      this.update({ synced: true, closed: null });
      this.refreshLink();
      this.scheduleConfirm(0);
    });
    this.provider.on('connection-close', (ev) => {
      if ((ev && AUTH_CLOSE.has(ev.code)) || (session.secondsLeft() ?? Infinity) < 30) void refreshSession();
    });
    this.provider.on('closed', ({ reason }) => {
      this.update({ closed: reason || 'The server closed the connection to this note.' });
      this.refreshLink();
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.update({ empty: fragment.length === 0 });
      // The server's own updates need no keeping: it has them (a big note's first sync is MBs).
      if (origin !== this.local && origin !== this.provider) this.unstored.add(update);
      if (origin === this.provider) return;
      if (origin === this.local) {
        this.scheduleUnsentCheck();
        return;
      }
      // A change made in this tab: not on the server until it confirms it.
      this.update({ unsent: true });
      this.scheduleConfirm(CONFIRM_DELAY_MS);
    });
    window.addEventListener('online', this.onNetwork);
    window.addEventListener('offline', this.onNetwork);
    this.refreshLink();
  }

  get current(): CollabStatus {
    return this.status;
  }

  /** Connect again now (the network is back, or the user asked). */
  reconnect(): void {
    if (this.destroyed || !this.loadedOrTimedOut || this.provider.wsconnected || this.status.closed) return;
    this.provider.disconnect();
    this.provider.connect();
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.confirmTimer);
    clearTimeout(this.unsentTimer);
    window.removeEventListener('online', this.onNetwork);
    window.removeEventListener('offline', this.onNetwork);
    this.provider.destroy();
    this.provider.awareness.destroy();
    void this.local.destroy();
    void this.replicaLocal.destroy();
    this.replica.destroy();
    this.doc.destroy();
  }

  /** No attempts while the device has no network; at once when it is back. */
  private onNetwork = () => {
    if (navigator.onLine) this.reconnect();
    else this.provider.disconnect();
    this.refreshLink();
  };

  private refreshLink(): void {
    const p = this.provider;
    const link: LinkState = p.wsconnected && p.synced ? 'connected' : navigator.onLine && !this.status.closed ? 'connecting' : 'offline';
    this.update({ link });
  }

  /**
   * y-websocket sends every awareness change it sees, other people's included, back to
   * the server, and one per keystroke. The server limits how many clients and messages a
   * connection may speak for, so send only this tab's own state, and batched.
   */
  private shareOwnPresenceOnly(): void {
    const { awareness } = this.provider;
    const send = this.provider._awarenessUpdateHandler;
    awareness.off('update', send);
    let timer: number | undefined;
    awareness.on('update', (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === this.provider || timer !== undefined) return;
      if (![...changes.added, ...changes.updated, ...changes.removed].includes(awareness.clientID)) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        if (!this.destroyed) send({ added: [], updated: [awareness.clientID], removed: [] }, 'local');
      }, AWARENESS_MS);
    });
  }

  /** Every sync message from the server also feeds the replica of what the server holds. */
  private watchServerMessages(): void {
    const handlers = this.provider.messageHandlers;
    const original = handlers[messageSync];
    handlers[messageSync] = (encoder, decoder, provider, fromServer, messageType) => {
      const peek = decoding.clone(decoder);
      original(encoder, decoder, provider, fromServer, messageType);
      // The same handler reads messages from other tabs (BroadcastChannel): those are not
      // the server's.
      if (!fromServer) return;
      if (readServerMessage(this.replica, peek) === syncProtocol.messageYjsSyncStep2) this.confirmSent = 0;
      this.scheduleUnsentCheck();
    };
  }

  private scheduleConfirm(delay: number): void {
    clearTimeout(this.confirmTimer);
    this.confirmTimer = window.setTimeout(() => this.confirm(), delay);
  }

  /** Ask the server for what it holds beyond the replica, while something is unconfirmed. */
  private confirm(): void {
    if (this.destroyed || !this.status.unsent) return;
    const ws = this.provider.ws;
    if (!this.provider.synced || !ws || ws.readyState !== WebSocket.OPEN) return;
    const waited = Date.now() - this.confirmSent;
    if (this.confirmSent && waited < CONFIRM_TIMEOUT_MS) {
      this.scheduleConfirm(CONFIRM_TIMEOUT_MS - waited);
      return;
    }
    this.confirmSent = Date.now();
    ws.send(this.replica.request());
    this.scheduleConfirm(CONFIRM_TIMEOUT_MS);
  }

  /** Compare with the replica once a burst of server messages is over (it walks both documents). */
  private scheduleUnsentCheck(): void {
    if (this.unsentTimer !== undefined) return;
    this.unsentTimer = window.setTimeout(() => {
      this.unsentTimer = undefined;
      if (this.destroyed || !this.status.local) return;
      const unsent = !this.replica.covers(this.doc);
      this.update({ unsent });
      if (unsent) this.scheduleConfirm(CONFIRM_DELAY_MS);
    }, UNSENT_CHECK_MS);
  }

  private update(patch: Partial<CollabStatus>): void {
    if (this.destroyed) return;
    const next = { ...this.status, ...patch };
    if ((Object.keys(patch) as (keyof CollabStatus)[]).every((k) => next[k] === this.status[k])) return;
    this.status = next;
    this.changed.emit(next);
  }
}
