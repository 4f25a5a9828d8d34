// Markdown files -> notes: one note per file, one block per markdown node.
import { api } from './api/client';
import type { Note } from './api/types';
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

export async function importMarkdownFile(file: File, notebookId: string): Promise<Note> {
  const text = await file.text();
  const blocks = markdownToBlocks(text);
  const created = await api.createNote({ notebook_id: notebookId, title: titleFromFileName(file.name) });
  const tags = frontMatterTags(text);
  const note = tags.length ? await api.updateNote(created.id, { tags }) : created;
  upsertNoteLocal(note);
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

export async function importMarkdownFiles(
  files: File[],
  notebookId: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  const result: ImportResult = { notes: [], failed: [] };
  let done = 0;
  onProgress?.(0, files.length);
  for (const f of files) {
    try {
      result.notes.push(await importMarkdownFile(f, notebookId));
    } catch (e) {
      result.failed.push({ name: f.name, error: e instanceof Error ? e.message : String(e) });
    }
    onProgress?.(++done, files.length);
  }
  return result;
}
