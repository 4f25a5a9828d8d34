// Folders and zip files of Markdown with their images: reading them for import, and writing
// notes (one, a notebook's, everything) with their files as a zip for export.
import { unzip, zipSync, type Unzipped } from 'fflate';
import { api, attachmentUrl } from './api/client';
import type { Block, BlockMetadata, Note } from './api/types';
import { blockText } from './editor/blocks';
import { blocksToDoc, downloadBlob, noteToMarkdown, safeFileName } from './markdown';

/** A file of an import, by its path inside the folder or zip (`/`-separated). */
export interface BundleFile {
  path: string;
  blob: Blob;
}

// A zip whose entries would inflate past this is refused (zip bombs): it is read in memory.
export const MAX_UNZIPPED_BYTES = 512 * 1024 * 1024;
const FILES_DIR = 'files';
const ATTACHMENT_HREF = /^\/api\/v1\/attachments\/([0-9a-f-]{36})$/;

export const isZip = (f: File) => /\.zip$/i.test(f.name) || f.type === 'application/zip';

/** `a/b/../c.png` -> `a/c.png`; null for anything that leaves the bundle or is not relative. */
export function normalizePath(path: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || path.startsWith('\\')) return null;
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(part);
  }
  return out.length ? out.join('/') : null;
}

/** Where a link in the Markdown file at `from` points inside the bundle (or null). */
export function resolveLink(from: string, href: string): string | null {
  let target: string;
  try {
    target = decodeURI(href.split(/[?#]/, 1)[0]);
  } catch {
    return null;
  }
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
  return normalizePath(dir + target);
}

async function unzipFile(file: File): Promise<BundleFile[]> {
  const data = new Uint8Array(await file.arrayBuffer());
  let declared = 0;
  const entries = await new Promise<Unzipped>((resolve, reject) =>
    unzip(
      data,
      {
        filter: (entry) => {
          declared += entry.originalSize;
          if (declared > MAX_UNZIPPED_BYTES) throw new Error(`${file.name} unpacks to more than ${MAX_UNZIPPED_BYTES} bytes`);
          return !entry.name.endsWith('/');
        },
      },
      (err, out) => (err ? reject(err) : resolve(out)),
    ),
  );
  const files: BundleFile[] = [];
  for (const [name, bytes] of Object.entries(entries)) {
    const path = normalizePath(name);
    if (path && !path.startsWith('__MACOSX/')) files.push({ path, blob: new Blob([bytes]) });
  }
  return files;
}

/** Picked or dropped files (a folder's carry their relative path), zips unpacked. */
export async function readBundle(files: File[]): Promise<BundleFile[]> {
  const out: BundleFile[] = [];
  for (const f of files) {
    if (isZip(f)) out.push(...(await unzipFile(f)));
    else out.push({ path: normalizePath(f.webkitRelativePath || f.name) ?? f.name, blob: f });
  }
  return out;
}

/** Unique file names inside one folder of the zip. */
function uniqueName(used: Set<string>, name: string): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let out = name;
  for (let i = 2; used.has(out.toLowerCase()); i++) out = `${stem} (${i})${ext}`;
  used.add(out.toLowerCase());
  return out;
}

const RAW_ATTACHMENT = /\]\(\/api\/v1\/attachments\/([0-9a-f-]{36})\)/g;

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/**
 * Notes as Markdown files with front matter, each in its folder (`folderOf`, '' for the
 * zip's root) with its files in that folder's files/, links to them made relative.
 */
export async function exportZip(notes: Note[], folderOf: (note: Note) => string): Promise<Blob> {
  const entries: Record<string, Uint8Array> = {};
  const usedNames = new Map<string, Set<string>>(); // folder -> names taken (notes and files)
  const taken = (folder: string) => usedNames.get(folder) ?? usedNames.set(folder, new Set()).get(folder)!;
  await pool(notes, 4, async (note) => {
    const [blocks, attachments] = await Promise.all([
      note.blocks ? Promise.resolve(note.blocks) : api.blocks(note.id),
      api.attachments(note.id),
    ]);
    const folder = folderOf(note);
    const prefix = folder ? `${folder}/` : '';
    const names = new Map<string, string>();
    for (const a of attachments) names.set(a.id, uniqueName(taken(`${prefix}${FILES_DIR}`), a.name));
    const linked = new Set<string>();
    const relative = (id: string) => {
      linked.add(id);
      return `${FILES_DIR}/${encodeURI(names.get(id)!)}`;
    };
    const relink = (b: Block): Block => {
      const meta: BlockMetadata = b.metadata ?? {};
      const spans = (meta.spans ?? []).map((s) => {
        const id = s.type === 'link' && s.href ? ATTACHMENT_HREF.exec(s.href)?.[1] : undefined;
        return id && names.has(id) ? { ...s, href: relative(id) } : s;
      });
      const text = blockText(b).replace(RAW_ATTACHMENT, (all, id: string) => (names.has(id) ? `](${relative(id)})` : all));
      const srcId = typeof meta.src === 'string' ? ATTACHMENT_HREF.exec(meta.src)?.[1] : undefined;
      const src = srcId && names.has(srcId) ? { src: relative(srcId) } : {};
      return { ...b, content: { ...(typeof b.content === 'object' ? b.content : {}), text }, metadata: { ...meta, ...src, spans } };
    };
    const ordered = blocks.slice().sort((a: Block, b: Block) => Number(a.order) - Number(b.order));
    let markdown = noteToMarkdown(note, blocksToDoc(ordered.map(relink)));
    const rest = attachments.filter((a) => !linked.has(a.id));
    if (rest.length) {
      const lines = rest.map((a) => {
        const target = `${FILES_DIR}/${encodeURI(names.get(a.id)!)}`;
        return a.media_type.startsWith('image/') ? `![${a.name}](${target})` : `[${a.name}](${target})`;
      });
      markdown += `\n${lines.join('\n\n')}\n`;
    }
    entries[`${prefix}${uniqueName(taken(folder), `${safeFileName(note.title)}.md`)}`] = new TextEncoder().encode(markdown);
    for (const a of attachments) {
      const res = await fetch(attachmentUrl(a.id));
      if (!res.ok) throw new Error(`could not download ${a.name} (${res.status})`);
      entries[`${prefix}${FILES_DIR}/${names.get(a.id)}`] = new Uint8Array(await res.arrayBuffer());
    }
  });
  // Pictures and most files are compressed already: store them, deflate only the text.
  const zipped = zipSync(
    Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: k.endsWith('.md') ? 6 : 0 }]])),
  );
  return new Blob([zipped], { type: 'application/zip' });
}

/** One note as Markdown with its files beside it. */
export async function exportNoteZip(noteId: string): Promise<Blob> {
  return exportZip([await api.note(noteId)], () => '');
}

/** A notebook's notes, or (without an id) every notebook's, one folder per notebook. */
export async function exportNotebooksZip(notebookId?: string): Promise<Blob> {
  const [notebooks, notes] = await Promise.all([
    api.notebooks(),
    api.notes(notebookId ? { notebook_id: notebookId } : {}),
  ]);
  const folders = new Map<string, string>();
  const used = new Set<string>();
  for (const nb of notebooks) folders.set(nb.id, uniqueName(used, safeFileName(nb.name || 'Untitled notebook')));
  return exportZip(notes, (n) => (notebookId ? '' : (folders.get(n.notebook_id) ?? 'Notes')));
}

/** Downloads a notebook (or everything, without an id) as a zip named `name`. */
export async function downloadNotebooks(name: string, notebookId?: string): Promise<void> {
  downloadBlob(`${safeFileName(name)}.zip`, await exportNotebooksZip(notebookId));
}
