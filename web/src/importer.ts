// Markdown files -> notes: one note per file, one block per markdown node. Files that the
// Markdown links to by a relative path (images beside it in a folder or zip) are uploaded
// to the note and the links point at them.
import { api, uploadAttachment } from './api/client';
import type { Note } from './api/types';
import { readBundle, resolveLink, type BundleFile } from './bundle';
import { frontMatterTags, markdownToBlocks, titleFromFileName, type BlockInput } from './markdown';
import { refreshNote, upsertNoteLocal } from './state';

export interface ImportResult {
  notes: Note[];
  failed: { name: string; error: string }[];
}

async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

const isMarkdownPath = (path: string) => /\.(md|markdown|mdown)$/i.test(path);

/** Uploads the bundle's files that the blocks link to, and points those links at them. */
async function attachLinkedFiles(noteId: string, from: string, blocks: BlockInput[], files: Map<string, Blob>): Promise<void> {
  const uploaded = new Map<string, string>(); // bundle path -> attachment href
  for (const b of blocks) {
    for (const span of b.metadata.spans ?? []) {
      if (span.type !== 'link' || !span.href) continue;
      const path = resolveLink(from, span.href);
      const blob = path ? files.get(path) : undefined;
      if (!path || !blob) continue;
      if (!uploaded.has(path)) {
        const name = path.slice(path.lastIndexOf('/') + 1);
        const file = blob instanceof File ? blob : new File([blob], name);
        const attachment = await uploadAttachment(noteId, file, () => undefined).done;
        uploaded.set(path, `/api/v1/attachments/${attachment.id}`);
      }
      span.href = uploaded.get(path);
    }
  }
}

async function importMarkdown(path: string, text: string, notebookId: string, files: Map<string, Blob>): Promise<Note> {
  const blocks = markdownToBlocks(text);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const created = await api.createNote({ notebook_id: notebookId, title: titleFromFileName(name) });
  const tags = frontMatterTags(text);
  const note = tags.length ? await api.updateNote(created.id, { tags }) : created;
  upsertNoteLocal(note);
  await attachLinkedFiles(note.id, path, blocks, files);
  const initial = (note.blocks ?? []).slice().sort((a, b) => Number(a.order) - Number(b.order))[0];
  const meta = (b: BlockInput) => ({ ...b.metadata, _sync_source: 'block' });
  let rest = blocks;
  if (initial && blocks.length) {
    // Reuse the empty block the server created instead of leaving a blank first line.
    const first = blocks[0];
    await api.updateBlock(initial.id, {
      type: first.type,
      content: { text: first.text },
      metadata: { ...(initial.metadata ?? {}), ...meta(first) },
    });
    rest = blocks.slice(1);
  }
  const base = initial ? Number(initial.order) || 0 : 0;
  await pool(rest, 4, async (b, i) => {
    try {
      await api.createBlock({
        note_id: note.id,
        type: b.type,
        content: { text: b.text },
        metadata: meta(b),
        order: base + (i + 1) * 1000,
      });
    } catch (e) {
      // Skip a node that the server refuses, like the original client.
      console.warn('block import failed', e);
    }
  });
  await refreshNote(note.id);
  return note;
}

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
  for (const doc of documents) {
    try {
      result.notes.push(await importMarkdown(doc.path, await doc.blob.text(), notebookId, files));
    } catch (e) {
      result.failed.push({ name: doc.path, error: e instanceof Error ? e.message : String(e) });
    }
    onProgress?.(++done, documents.length);
  }
  return result;
}
