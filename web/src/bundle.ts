// Folders and zip files of Markdown with their images: reading them for import, and writing
// a note with its files as a zip for export.
import { unzip, zipSync, type Unzipped } from 'fflate';
import { api, attachmentUrl } from './api/client';
import type { Attachment, Block, BlockMetadata } from './api/types';
import { blocksToMarkdown } from './markdown';

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

/** Unique file names inside the zip's files/ folder. */
function namesFor(attachments: Attachment[]): Map<string, string> {
  const used = new Set<string>();
  const names = new Map<string, string>();
  for (const a of attachments) {
    const dot = a.name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [a.name.slice(0, dot), a.name.slice(dot)] : [a.name, ''];
    let name = a.name;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${stem} (${i})${ext}`;
    used.add(name.toLowerCase());
    names.set(a.id, name);
  }
  return names;
}

/** The note as Markdown with its files beside it, links to them made relative. */
export async function exportNoteZip(noteId: string, title: string): Promise<Blob> {
  const [blocks, attachments] = await Promise.all([api.blocks(noteId), api.attachments(noteId)]);
  const names = namesFor(attachments);
  const linked = new Set<string>();
  const relink = (meta: BlockMetadata | null | undefined): BlockMetadata | null | undefined => {
    if (!meta?.spans) return meta;
    const spans = meta.spans.map((s) => {
      const id = s.type === 'link' && s.href ? ATTACHMENT_HREF.exec(s.href)?.[1] : undefined;
      const name = id ? names.get(id) : undefined;
      if (!id || !name) return s;
      linked.add(id);
      return { ...s, href: `${FILES_DIR}/${encodeURI(name)}` };
    });
    return { ...meta, spans };
  };
  const ordered = blocks.slice().sort((a: Block, b: Block) => Number(a.order) - Number(b.order));
  let markdown = blocksToMarkdown(ordered.map((b) => ({ type: b.type, content: b.content, metadata: relink(b.metadata) })));
  const rest = attachments.filter((a) => !linked.has(a.id));
  if (rest.length) {
    const lines = rest.map((a) => {
      const target = `${FILES_DIR}/${encodeURI(names.get(a.id)!)}`;
      return a.media_type.startsWith('image/') ? `![${a.name}](${target})` : `[${a.name}](${target})`;
    });
    markdown += `\n${lines.join('\n\n')}\n`;
  }
  const entries: Record<string, Uint8Array> = { [`${title}.md`]: new TextEncoder().encode(markdown) };
  for (const a of attachments) {
    const res = await fetch(attachmentUrl(a.id));
    if (!res.ok) throw new Error(`could not download ${a.name} (${res.status})`);
    entries[`${FILES_DIR}/${names.get(a.id)}`] = new Uint8Array(await res.arrayBuffer());
  }
  // Pictures and most files are compressed already: store them, deflate only the text.
  const zipped = zipSync(
    Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: k.endsWith('.md') ? 6 : 0 }]])),
  );
  return new Blob([zipped], { type: 'application/zip' });
}
