// Per-block save and live-merge engine for one open note.
//
// Local edits: after ~400 ms of quiet the document is diffed against what the server
// is known to hold. New node -> POST /blocks (fractional order), removed node ->
// DELETE, changed node -> PUT (metadata merged with the server's). One flush runs at a
// time, failed requests are retried with backoff, and since each flush is computed
// from the current document, nothing typed is lost while the network is away.
//
// Remote edits: block events for this note are applied to nodes that are neither
// focused nor dirty, in transactions that ProseMirror maps the selection through (read
// from the DOM first, see `readDomSelection`), so the caret in the block being edited
// never moves.
import type { Editor, JSONContent } from '@tiptap/core';
import type { Node as PMNode } from '@tiptap/pm/model';
import { ApiError, api, errorMessage, isRetryable } from '../api/client';
import type { Block, WsEnvelope } from '../api/types';
import { blockText, blockToNode, computeOrders, mergeMeta, nodeSig, nodeToData } from './blocks';
import { readDomSelection } from './extensions';

export type SaveState = 'saved' | 'unsaved' | 'saving' | 'error';

interface Known {
  block: Block;
  /** Signature of the node content the server holds. */
  sig: string;
  order: number;
}

export interface SyncCallbacks {
  onState: (state: SaveState, error?: string) => void;
  /** A write was refused (403): the note is read-only for this user. */
  onForbidden?: () => void;
  /** The note itself is gone (404 on a write). */
  onGone?: () => void;
}

const DEBOUNCE_MS = 400;
const RETRY_DELAYS = [500, 1000, 2000, 4000];
const REMOTE = 'owlRemote';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Timestamp in milliseconds with the microseconds the server sends kept as a fraction. */
const time = (s?: string) => {
  if (!s) return 0;
  const ms = Date.parse(s);
  if (!ms) return 0;
  const frac = /\.(\d+)/.exec(s)?.[1] ?? '';
  return ms + Number(`0.${frac.slice(3, 9) || '0'}`);
};

/** A full block from an event payload, when the server sent one. */
function blockFromPayload(p: Record<string, unknown>, id: string, noteId: string): Block | null {
  const type = typeof p.block_type === 'string' ? p.block_type : undefined;
  const order = typeof p.order === 'number' ? p.order : undefined;
  if (!type || order === undefined || !p.content || typeof p.content !== 'object') return null;
  return {
    id,
    note_id: noteId,
    type,
    order,
    content: p.content as Block['content'],
    metadata: (p.metadata && typeof p.metadata === 'object' ? p.metadata : {}) as Block['metadata'],
    updated_at: typeof p.updated_at === 'string' ? p.updated_at : undefined,
  };
}

export class NoteSync {
  editor: Editor | null = null;
  readOnly = false;
  private known = new Map<string, Known>();
  private doc: PMNode | null = null;
  private timer: number | undefined;
  private retryTimer: number | undefined;
  private flushing: Promise<void> | null = null;
  private again = false;
  private inflight = new Set<string>();
  private deferred = new Map<string, Block>();
  private pendingRemote: Array<() => Promise<void>> = [];
  private state: SaveState = 'saved';
  private error: string | undefined;
  private title: { local: string; server: string } = { local: '', server: '' };
  private destroyed = false;

  constructor(
    readonly noteId: string,
    private cb: SyncCallbacks,
  ) {}

  /** Initial content from the note's blocks. */
  load(blocks: Block[], title: string): JSONContent {
    this.known.clear();
    this.title = { local: title, server: title };
    const sorted = blocks.slice().sort((a, b) => Number(a.order) - Number(b.order));
    const content = sorted.map((b) => blockToNode(b));
    if (content.length === 0) content.push({ type: 'paragraph' });
    sorted.forEach((b) => this.known.set(b.id, { block: b, sig: '', order: Number(b.order) }));
    return { type: 'doc', content };
  }

  /** Called once the editor exists: record the server signature of each loaded node. */
  attach(editor: Editor): void {
    this.editor = editor;
    this.doc = editor.state.doc;
    editor.state.doc.forEach((node) => {
      const k = this.known.get(node.attrs.blockId as string);
      if (k) k.sig = nodeSig(node);
    });
  }

  detach(): void {
    if (this.editor) this.doc = this.editor.state.doc;
    this.editor = null;
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
  }

  get saveState(): SaveState {
    return this.state;
  }

  get hasUnsaved(): boolean {
    return this.state !== 'saved';
  }

  // ------------------------------------------------------------ local changes

  docChanged(doc: PMNode, remote: boolean): void {
    this.doc = doc;
    if (remote || this.readOnly) return;
    this.schedule();
  }

  setTitle(title: string): void {
    this.title.local = title;
    if (!this.readOnly) this.schedule();
  }

  /** The server's title changed (event): adopt it unless a local title edit is pending. */
  remoteTitle(title: string, userEditing: boolean): boolean {
    if (this.title.local !== this.title.server || (userEditing && this.state !== 'saved')) return false;
    this.title = { local: title, server: title };
    return true;
  }

  private schedule(): void {
    if (this.destroyed) return;
    clearTimeout(this.timer);
    this.setState(this.state === 'error' ? 'error' : 'unsaved', this.error);
    this.timer = window.setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  /** Save now (blur, navigation); resolves when everything known is saved or failed. */
  async flushNow(): Promise<void> {
    clearTimeout(this.timer);
    await this.flush();
  }

  private setState(s: SaveState, error?: string): void {
    this.state = s;
    this.error = error;
    this.cb.onState(s, error);
  }

  private isDirty(): boolean {
    if (!this.doc) return false;
    if (this.title.local !== this.title.server) return true;
    const ops = this.plan();
    return ops.length > 0;
  }

  private plan(): Array<{ kind: 'create' | 'update' | 'delete'; key: string; node?: PMNode; order?: number }> {
    const doc = this.doc;
    if (!doc || this.readOnly) return [];
    const nodes: PMNode[] = [];
    doc.forEach((n) => nodes.push(n));
    const keys = nodes.map((n) => n.attrs.blockId as string);
    const orders = computeOrders(keys.map((k) => (k && this.known.has(k) ? this.known.get(k)!.order : null)));
    const ops: Array<{ kind: 'create' | 'update' | 'delete'; key: string; node?: PMNode; order?: number }> = [];
    const present = new Set(keys);
    // An untouched empty note keeps no placeholder block on the server.
    const lonelyEmpty =
      nodes.length === 1 && nodes[0].type.name === 'paragraph' && nodes[0].content.size === 0 && this.known.size === 0;
    nodes.forEach((node, i) => {
      const key = keys[i];
      const k = key ? this.known.get(key) : undefined;
      if (!k) {
        if (!lonelyEmpty && key) ops.push({ kind: 'create', key, node, order: orders[i] });
        return;
      }
      if (nodeSig(node) !== k.sig || orders[i] !== k.order) ops.push({ kind: 'update', key, node, order: orders[i] });
    });
    for (const id of this.known.keys()) if (!present.has(id)) ops.push({ kind: 'delete', key: id });
    return ops;
  }

  private async flush(): Promise<void> {
    if (this.readOnly || this.destroyed) return;
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.runFlush().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    if (this.again && !this.destroyed) {
      this.again = false;
      await this.flush();
    }
  }

  private async runFlush(): Promise<void> {
    clearTimeout(this.retryTimer);
    const ops = this.plan();
    const titleChanged = this.title.local !== this.title.server;
    if (ops.length === 0 && !titleChanged) {
      if (this.state !== 'saved') this.setState('saved');
      this.drainRemote();
      return;
    }
    this.setState('saving');
    let failure: unknown = null;
    const tasks: Array<() => Promise<void>> = ops.map((op) => async () => {
      if (op.kind === 'create') await this.create(op.key, op.node!, op.order!);
      else if (op.kind === 'update') await this.update(op.key, op.node!, op.order!);
      else await this.remove(op.key);
    });
    if (titleChanged) tasks.push(() => this.saveTitle());
    // Run with a small concurrency limit.
    const queue = tasks.slice();
    const worker = async () => {
      while (queue.length) {
        const t = queue.shift()!;
        try {
          await t();
        } catch (e) {
          failure ??= e;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    if (failure) {
      if (failure instanceof ApiError && failure.status === 403) {
        this.readOnly = true;
        this.setState('error', 'You do not have permission to edit this note');
        this.cb.onForbidden?.();
        return;
      }
      this.setState('error', `Not saved: ${errorMessage(failure)}. Retrying…`);
      this.retryTimer = window.setTimeout(() => void this.flush(), 8000);
      return;
    }
    if (this.isDirty()) this.again = true;
    else this.setState('saved');
    this.drainRemote();
  }

  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!isRetryable(e) || attempt >= RETRY_DELAYS.length || this.destroyed) throw e;
        await sleep(RETRY_DELAYS[attempt]);
      }
    }
  }

  private async create(key: string, node: PMNode, order: number): Promise<void> {
    const data = nodeToData(node);
    const sig = nodeSig(node);
    this.inflight.add(key);
    try {
      const block = await this.withRetry(() =>
        api.createBlock({
          note_id: this.noteId,
          type: data.type,
          content: { text: data.text },
          metadata: mergeMeta({}, data.meta),
          order,
        }),
      );
      this.known.set(block.id, { block, sig, order: Number(block.order ?? order) || order });
      this.renameNode(key, block.id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.cb.onGone?.();
      throw e;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async update(id: string, node: PMNode, order: number): Promise<void> {
    const k = this.known.get(id)!;
    const data = nodeToData(node);
    const sig = nodeSig(node);
    const body: { type?: string; content?: { text: string }; metadata?: Record<string, unknown>; order?: number } = {};
    if (sig !== k.sig) {
      body.type = data.type;
      body.content = { text: data.text };
      body.metadata = mergeMeta(k.block.metadata, data.meta);
    }
    if (order !== k.order) body.order = order;
    this.inflight.add(id);
    try {
      const block = await this.withRetry(() => api.updateBlock(id, body));
      const cur = this.known.get(id);
      if (cur) {
        this.known.set(id, { block: { ...cur.block, ...block }, sig, order });
        this.deferred.delete(id);
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        // Deleted elsewhere while we were editing it: recreate it from our copy.
        this.known.delete(id);
        this.again = true;
        return;
      }
      throw e;
    } finally {
      this.inflight.delete(id);
    }
  }

  private async remove(id: string): Promise<void> {
    const k = this.known.get(id);
    this.known.delete(id);
    this.inflight.add(id);
    try {
      await this.withRetry(() => api.deleteBlock(id));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      if (k) this.known.set(id, k); // try again next flush
      throw e;
    } finally {
      this.inflight.delete(id);
    }
  }

  private async saveTitle(): Promise<void> {
    const title = this.title.local;
    try {
      await this.withRetry(() => api.updateNote(this.noteId, { title }));
      this.title.server = title;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.cb.onGone?.();
      throw e;
    }
  }

  private renameNode(from: string, to: string): void {
    const editor = this.editor;
    if (!editor || editor.isDestroyed) return;
    readDomSelection(editor.view);
    const { state } = editor;
    let tr = state.tr;
    let found = false;
    state.doc.forEach((node, offset) => {
      if (!found && node.attrs.blockId === from) {
        tr = tr.setNodeMarkup(offset, undefined, { ...node.attrs, blockId: to });
        found = true;
      }
    });
    if (!found) return;
    tr.setMeta('addToHistory', false).setMeta(REMOTE, true);
    editor.view.dispatch(tr);
    this.doc = editor.state.doc;
  }

  // ------------------------------------------------------------ remote changes

  /** Nodes we must not touch: focused, unsaved, or with a request in flight. */
  private isProtected(id: string, pos: number, node: PMNode): boolean {
    // A read-only viewer has no edits to protect: its cursor must not hold back remote
    // text (nothing would ever apply it while the cursor stays next to the block).
    if (this.readOnly) return false;
    const editor = this.editor;
    if (this.inflight.has(id)) return true;
    const k = this.known.get(id);
    if (k && nodeSig(node) !== k.sig) return true;
    if (editor && editor.isFocused) {
      const { from, to } = editor.state.selection;
      if (from <= pos + node.nodeSize && to >= pos) return true;
    }
    return false;
  }

  private findNode(id: string): { node: PMNode; pos: number; index: number } | null {
    const doc = this.editor?.state.doc;
    if (!doc) return null;
    let hit: { node: PMNode; pos: number; index: number } | null = null;
    doc.forEach((node, pos, index) => {
      if (!hit && node.attrs.blockId === id) hit = { node, pos, index };
    });
    return hit;
  }

  /** Where a block with this order belongs among the known nodes. */
  private insertPosFor(order: number): number {
    const doc = this.editor!.state.doc;
    let pos = doc.content.size;
    let done = false;
    doc.forEach((node, offset) => {
      if (done) return;
      const k = this.known.get(node.attrs.blockId as string);
      if (k && k.order > order) {
        pos = offset;
        done = true;
      }
    });
    return pos;
  }

  private dispatchRemote(build: (tr: import('@tiptap/pm/state').Transaction) => void): void {
    const editor = this.editor!;
    const tr = editor.state.tr;
    build(tr);
    if (!tr.docChanged) return;
    tr.setMeta('addToHistory', false).setMeta(REMOTE, true);
    editor.view.dispatch(tr);
    this.doc = editor.state.doc;
  }

  /** Run remote work now, or after local creates settle (so our own new blocks are known). */
  private enqueueRemote(fn: () => Promise<void>): void {
    if (this.flushing) this.pendingRemote.push(fn);
    else void fn().catch(() => undefined);
  }

  private drainRemote(): void {
    const list = this.pendingRemote.splice(0);
    for (const fn of list) void fn().catch(() => undefined);
  }

  handleEvent(msg: WsEnvelope): void {
    const p = msg.payload ?? {};
    if (p.note_id !== this.noteId && msg.event?.startsWith('block.')) return;
    const blockId = typeof p.block_id === 'string' ? p.block_id : msg.resource_type === 'block' ? msg.resource_id : undefined;
    if (!blockId || !this.editor) return;
    switch (msg.event) {
      case 'block.created':
      case 'block.updated': {
        const k = this.known.get(blockId);
        if (k && typeof p.updated_at === 'string' && time(p.updated_at) <= time(k.block.updated_at)) return;
        if (!k && msg.event === 'block.updated' && this.deletedRecently(blockId)) return;
        const fromEvent = blockFromPayload(p, blockId, this.noteId);
        this.enqueueRemote(async () => {
          if (msg.event === 'block.created' && this.known.has(blockId)) return; // our own create
          this.applyRemoteBlock(fromEvent ?? (await api.block(blockId)));
        });
        break;
      }
      case 'block.deleted':
        this.enqueueRemote(async () => this.applyRemoteDelete(blockId));
        break;
    }
  }

  private recentDeletes = new Map<string, number>();
  private deletedRecently(id: string): boolean {
    const t = this.recentDeletes.get(id);
    return t !== undefined && Date.now() - t < 60_000;
  }

  /** Apply a server version of a block (from an event or a resync). */
  applyRemoteBlock(block: Block): void {
    if (!this.editor || this.editor.isDestroyed || block.note_id !== this.noteId || block.deleted_at) return;
    // Before any position is looked up: reading the caret can itself apply deferred blocks.
    readDomSelection(this.editor.view);
    const k = this.known.get(block.id);
    const order = Number(block.order);
    if (k && time(block.updated_at) && time(block.updated_at) <= time(k.block.updated_at) && order === k.order) return;
    const schema = this.editor.schema;
    let node: PMNode;
    try {
      node = schema.nodeFromJSON(blockToNode(block));
      node.check();
    } catch {
      return;
    }
    const sig = nodeSig(node);
    const hit = this.findNode(block.id);
    if (!k || !hit) {
      if (hit) return; // a local node that is about to be created with this id
      // New block from elsewhere.
      this.known.set(block.id, { block, sig, order });
      this.dispatchRemote((tr) => {
        const pos = this.insertPosFor(order);
        tr.insert(pos, node);
      });
      return;
    }
    if (this.isProtected(block.id, hit.pos, hit.node)) {
      // Keep the server's metadata for our next PUT; apply the text later.
      k.block = { ...k.block, ...block, order: k.order };
      this.deferred.set(block.id, block);
      return;
    }
    this.deferred.delete(block.id);
    this.known.set(block.id, { block, sig, order });
    const moved = order !== k.order;
    this.dispatchRemote((tr) => {
      if (moved) {
        tr.delete(hit.pos, hit.pos + hit.node.nodeSize);
        const target = this.insertPosForIn(tr.doc, order, block.id);
        tr.insert(target, node);
        return;
      }
      if (hit.node.sameMarkup(node) && hit.node.content.eq(node.content)) return;
      if (hit.node.type === node.type && !node.isAtom) {
        // Replace only the changed inline range so positions elsewhere map cleanly.
        if (!hit.node.sameMarkup(node)) tr.setNodeMarkup(hit.pos, undefined, node.attrs);
        const a = hit.node.content;
        const b = node.content;
        const start = a.findDiffStart(b);
        if (start != null) {
          const end = a.findDiffEnd(b)!;
          let endA = end.a;
          let endB = end.b;
          const overlap = start - Math.min(endA, endB);
          if (overlap > 0) {
            endA += overlap;
            endB += overlap;
          }
          tr.replace(hit.pos + 1 + start, hit.pos + 1 + endA, node.slice(start, endB));
        }
      } else {
        tr.replaceWith(hit.pos, hit.pos + hit.node.nodeSize, node);
      }
    });
  }

  private insertPosForIn(doc: PMNode, order: number, skipId: string): number {
    let pos = doc.content.size;
    let done = false;
    doc.forEach((node, offset) => {
      if (done || node.attrs.blockId === skipId) return;
      const k = this.known.get(node.attrs.blockId as string);
      if (k && k.order > order) {
        pos = offset;
        done = true;
      }
    });
    return pos;
  }

  applyRemoteDelete(id: string): void {
    if (!this.editor || this.editor.isDestroyed) return;
    readDomSelection(this.editor.view);
    this.recentDeletes.set(id, Date.now());
    const k = this.known.get(id);
    if (!k) return;
    const hit = this.findNode(id);
    this.known.delete(id);
    this.deferred.delete(id);
    if (!hit) return;
    if (nodeSig(hit.node) !== k.sig || this.inflight.has(id)) {
      // Unsaved local edits: keep the text, it will be saved as a new block.
      this.schedule();
      return;
    }
    this.dispatchRemote((tr) => {
      if (tr.doc.childCount === 1) tr.replaceWith(hit.pos, hit.pos + hit.node.nodeSize, this.editor!.schema.nodes.paragraph.create());
      else tr.delete(hit.pos, hit.pos + hit.node.nodeSize);
    });
  }

  /** Apply deferred remote versions to nodes that are no longer focused or dirty. */
  applyDeferred(): void {
    if (!this.deferred.size || !this.editor) return;
    for (const [id, block] of [...this.deferred]) {
      const hit = this.findNode(id);
      const k = this.known.get(id);
      if (!hit || !k) {
        this.deferred.delete(id);
        continue;
      }
      if (this.isProtected(id, hit.pos, hit.node)) continue;
      this.deferred.delete(id);
      // Force apply: pretend our known version predates it.
      this.known.set(id, { ...k, block: { ...k.block, updated_at: '' } });
      this.applyRemoteBlock(block);
    }
  }

  /** After a reconnect without resume: bring the document in line with the server. */
  async reconcile(): Promise<void> {
    if (!this.editor) return;
    const blocks = await api.blocks(this.noteId);
    const ids = new Set(blocks.map((b) => b.id));
    await this.flushing;
    for (const b of blocks) this.applyRemoteBlock(b);
    for (const id of [...this.known.keys()]) if (!ids.has(id)) this.applyRemoteDelete(id);
  }

  /** Plain text of the whole note (for export fallbacks and tests). */
  static textOf(blocks: Block[]): string {
    return blocks.map(blockText).join('\n');
  }
}
