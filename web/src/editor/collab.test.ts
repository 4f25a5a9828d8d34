import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { ServerReplica, readServerMessage, saveStateOf, type CollabStatus } from './collab';

/** What a y-websocket server answers to a message (here: the replica's sync step 1). */
function serverAnswer(server: Y.Doc, message: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(message);
  expect(decoding.readVarUint(decoder)).toBe(0); // messageSync
  const reply = encoding.createEncoder();
  syncProtocol.readSyncMessage(decoder, reply, server, 'client');
  return encoding.toUint8Array(reply);
}

/** The client reads the server's sync message: the replica learns what the server holds. */
function deliver(replica: ServerReplica, local: Y.Doc, reply: Uint8Array): void {
  readServerMessage(replica, decoding.createDecoder(reply));
  // The provider applies the same message to the note's document.
  syncProtocol.readSyncMessage(decoding.createDecoder(reply), encoding.createEncoder(), local, 'server');
}

function pair() {
  const local = new Y.Doc();
  const server = new Y.Doc();
  const replica = new ServerReplica();
  const text = local.getText('t');
  const toServer: Uint8Array[] = [];
  local.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'server') toServer.push(u);
  });
  const flush = () => toServer.splice(0).forEach((u) => Y.applyUpdate(server, u, 'client'));
  const confirm = () => deliver(replica, local, serverAnswer(server, replica.request()));
  return { local, server, replica, text, flush, confirm };
}

describe('ServerReplica', () => {
  it('knows an insertion is unsent until the server has it', () => {
    const { local, replica, text, flush, confirm } = pair();
    expect(replica.covers(local)).toBe(true);
    text.insert(0, 'hello');
    expect(replica.covers(local)).toBe(false);
    confirm(); // the update has not reached the server yet
    expect(replica.covers(local)).toBe(false);
    flush();
    confirm();
    expect(replica.covers(local)).toBe(true);
  });

  it('tracks a deletion, which leaves the state vector unchanged', () => {
    const { local, replica, text, flush, confirm } = pair();
    text.insert(0, 'hello world');
    flush();
    confirm();
    const before = Y.encodeStateVector(local);
    text.delete(5, 6);
    expect(Y.encodeStateVector(local)).toEqual(before);
    expect(replica.covers(local)).toBe(false);
    flush();
    confirm();
    expect(replica.covers(local)).toBe(true);
    expect(replica.doc.getText('t').toString()).toBe('hello');
  });

  it("takes in the server's updates and sync step 2, never its sync step 1", () => {
    const replica = new ServerReplica();
    const server = new Y.Doc();
    server.getText('t').insert(0, 'from the server');
    const step1 = encoding.createEncoder();
    syncProtocol.writeSyncStep1(step1, server);
    expect(readServerMessage(replica, decoding.createDecoder(encoding.toUint8Array(step1)))).toBe(syncProtocol.messageYjsSyncStep1);
    expect(replica.doc.getText('t').toString()).toBe('');
    const update = encoding.createEncoder();
    syncProtocol.writeUpdate(update, Y.encodeStateAsUpdate(server));
    expect(readServerMessage(replica, decoding.createDecoder(encoding.toUint8Array(update)))).toBe(syncProtocol.messageYjsUpdate);
    expect(replica.doc.getText('t').toString()).toBe('from the server');
  });

  it('asks with a sync step 1 message of the replica', () => {
    const replica = new ServerReplica();
    const d = decoding.createDecoder(replica.request());
    expect(decoding.readVarUint(d)).toBe(0);
    expect(decoding.readVarUint(d)).toBe(syncProtocol.messageYjsSyncStep1);
  });
});

describe('saveStateOf', () => {
  const status = (patch: Partial<CollabStatus>): CollabStatus => ({
    link: 'connected',
    synced: true,
    local: true,
    empty: false,
    unsent: false,
    closed: null,
    ...patch,
  });
  it('is saved only when neither the content nor the title waits', () => {
    expect(saveStateOf(status({}), 'saved')).toBe('saved');
    expect(saveStateOf(status({ link: 'offline' }), 'saved')).toBe('saved');
    expect(saveStateOf(status({ unsent: true }), 'saved')).toBe('saving');
    expect(saveStateOf(status({}), 'pending')).toBe('saving');
    expect(saveStateOf(status({ unsent: true, link: 'offline' }), 'saved')).toBe('unsent');
    expect(saveStateOf(status({ link: 'connecting' }), 'pending')).toBe('unsent');
    expect(saveStateOf(status({}), 'error')).toBe('error');
  });
});
