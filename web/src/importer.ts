// Markdown files -> notes. Files are parsed here and sent in batches to the server's bulk
// import (one request and one transaction per batch, however many blocks), so a folder of
// a thousand files is a few dozen requests. Files a note links to by a relative path
// (images beside it in a folder or zip) are then uploaded to it and the links pointed at them.
import { api, ApiError, uploadAttachment } from './api/client';
import type { Block, Note, Span } from './api/types';
import { readBundle, resolveLink, type BundleFile } from './bundle';
import { docToBlocks, parseNote, RAW_MARKDOWN, type BlockInput } from './markdown';
import { holdingRefreshes, upsertNotesLocal } from './state';

export interface ImportResult {
  notes: Note[];
  failed: { name: string; error: string }[];
}

// Well under the server's defaults (100 notes, 8 MiB): a batch it still refuses as too
// large (413) is split in two.
const BATCH_NOTES = 50;
const BATCH_BYTES = 1024 * 1024;

const isMarkdownPath = (path: string) => /\.(md|markdown|mdown)$/i.test(path);

interface Prepared {
  path: string;
  note: { title: string; tags: string[]; created_at?: string; updated_at?: string; blocks: BlockInput[] };
  size: number;
}

// Markdown links and images in a raw Markdown block: `](target)` or `](<target>)`.
const RAW_TARGET = /\]\(\s*<?([^)\s>]+)>?/g;
// Picture and file blocks point at their file with `metadata.src`.
const MEDIA_BLOCKS = new Set(['image', 'file']);

/** Where the block links to a file of the bundle: its link spans, or targets in raw Markdown. */
function linkedPaths(from: string, b: BlockInput, files: Map<string, Blob>): string[] {
  const src = MEDIA_BLOCKS.has(b.type) && typeof b.metadata.src === 'string' ? [b.metadata.src] : [];
  const hrefs = b.type === RAW_MARKDOWN
    ? [...b.content.text.matchAll(RAW_TARGET)].map((m) => m[1])
    : [...src, ...(b.metadata.spans ?? []).filter((s: Span) => s.type === 'link' && s.href).map((s: Span) => s.href!)];
  return hrefs.map((h) => resolveLink(from, h)).filter((p): p is string => !!p && files.has(p));
}

/** Uploads the files the note links to, then points those links at the attachments. */
async function attachLinkedFiles(note: Note, item: Prepared, files: Map<string, Blob>): Promise<void> {
  const blocks = (note.blocks ?? []).slice().sort((a: Block, b: Block) => Number(a.order) - Number(b.order));
  const uploaded = new Map<string, string>(); // bundle path -> attachment href
  const target = async (path: string) => {
    if (!uploaded.has(path)) {
      const blob = files.get(path)!;
      const name = path.slice(path.lastIndexOf('/') + 1);
      const file = blob instanceof File ? blob : new File([blob], name);
      const attachment = await uploadAttachment(note.id, file, () => undefined).done;
      uploaded.set(path, `/api/v1/attachments/${attachment.id}`);
    }
    return uploaded.get(path)!;
  };
  for (const [i, input] of item.note.blocks.entries()) {
    const block = blocks[i];
    if (!block || !linkedPaths(item.path, input, files).length) continue;
    const relink = async (href: string) => {
      const path = resolveLink(item.path, href);
      return path && files.has(path) ? target(path) : href;
    };
    let text = input.content.text;
    const spans = [...(input.metadata.spans ?? [])];
    const media: Record<string, string> = {};
    if (MEDIA_BLOCKS.has(input.type) && typeof input.metadata.src === 'string') {
      media.src = await relink(input.metadata.src);
      const id = /\/api\/v1\/attachments\/([0-9a-f-]{36})$/.exec(media.src)?.[1];
      if (id) media.attachment_id = id;
    }
    if (input.type === RAW_MARKDOWN) {
      for (const m of [...text.matchAll(RAW_TARGET)]) text = text.replace(`](${m[1]}`, `](${await relink(m[1])}`);
    } else {
      for (const [k, s] of spans.entries()) if (s.type === 'link' && s.href) spans[k] = { ...s, href: await relink(s.href) };
    }
    await api.updateBlock(block.id, { content: { text }, metadata: { ...input.metadata, ...media, spans } });
  }
}

function prepare(path: string, text: string): Prepared {
  const parsed = parseNote(text, path);
  const note = {
    title: parsed.title,
    tags: parsed.tags,
    ...(parsed.created ? { created_at: parsed.created } : {}),
    ...(parsed.updated ? { updated_at: parsed.updated } : {}),
    blocks: docToBlocks(parsed.doc),
  };
  return { path, note, size: JSON.stringify(note).length };
}

function batches(items: Prepared[]): Prepared[][] {
  const out: Prepared[][] = [];
  let cur: Prepared[] = [];
  let bytes = 0;
  for (const item of items) {
    if (cur.length && (cur.length >= BATCH_NOTES || bytes + item.size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += item.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Markdown files, folders and zips of them (with their images) into notes. */
export async function importMarkdownFiles(
  picked: File[],
  notebookId: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  const result: ImportResult = { notes: [], failed: [] };
  const bundle: BundleFile[] = await readBundle(picked);
  const files = new Map(bundle.map((f) => [f.path, f.blob]));
  const documents = bundle.filter((f) => isMarkdownPath(f.path));
  let done = 0;
  onProgress?.(0, documents.length);
  const prepared: Prepared[] = [];
  for (const doc of documents) {
    try {
      prepared.push(prepare(doc.path, await doc.blob.text()));
    } catch (e) {
      result.failed.push({ name: doc.path, error: message(e) });
      onProgress?.(++done, documents.length);
    }
  }
  const send = async (batch: Prepared[]): Promise<void> => {
    let created: Note[];
    try {
      created = (await api.importNotes({ notebook_id: notebookId, notes: batch.map((p) => p.note) })).notes;
    } catch (e) {
      if (e instanceof ApiError && e.status === 413 && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await send(batch.slice(0, half));
        await send(batch.slice(half));
        return;
      }
      for (const p of batch) result.failed.push({ name: p.path, error: message(e) });
      done += batch.length;
      onProgress?.(done, documents.length);
      return;
    }
    const shown: Note[] = [];
    for (const [i, note] of created.entries()) {
      const item = batch[i];
      try {
        const linking = item.note.blocks.some((b) => linkedPaths(item.path, b, files).length);
        if (linking) await attachLinkedFiles(note, item, files);
        shown.push(linking ? await api.note(note.id) : note);
        result.notes.push(note);
      } catch (e) {
        result.notes.push(note); // the note is there; only some of its files are missing
        result.failed.push({ name: item.path, error: message(e) });
      }
    }
    upsertNotesLocal(shown);
    done += batch.length;
    onProgress?.(done, documents.length);
  };
  // The batches' own events would reload everything once per batch: once at the end instead.
  await holdingRefreshes(async () => {
    for (const batch of batches(prepared)) await send(batch);
  });
  return result;
}
