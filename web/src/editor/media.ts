// Pictures and files in a note: the `image` and `file` nodes, one server block each (types
// `image` and `file`, mapped in blocks.ts and owlistic/collab/schema.py). A node's `src` is the
// attachment's address without credentials (`/api/v1/attachments/<id>`, or any http(s) URL);
// the views add the reader's token when they load it, so viewers see what editors see.
//
// Pasting or dropping files uploads them (`MediaUpload`). Until the upload is stored, a
// placeholder marks the spot: a local decoration, never part of the shared document, anchored
// to a Yjs position so that other people's edits do not move it. Removing a node leaves its
// attachment in the note (the Files panel), where undo finds it again; attachments go with the
// note, into the trash and out of it.
import { Extension, Node, type Editor, type JSONContent } from '@tiptap/core';
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import FileHandler from '@tiptap/extension-file-handler';
import Image from '@tiptap/extension-image';
import type { Node as PMNode } from '@tiptap/pm/model';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import { Decoration, DecorationSet, type NodeView } from '@tiptap/pm/view';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import type * as Y from 'yjs';
import { attachmentIdOf, attachmentPath, attachmentUrl, errorMessage, uploadAttachment, type UploadHandle } from '../api/client';
import type { Attachment } from '../api/types';
import { promptDialog } from '../components/Dialog';
import { formatSize, uploadName } from '../lib/format';
import { isImportable } from '../ui';
import { safeSrc } from './blocks';

/** Node names that are blocks of their own (they carry a `blockId`). */
export const MEDIA_NODES = ['image', 'file'];
const MIN_WIDTH = 48;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  if (text) el.textContent = text;
  return el;
}

function toolButton(label: string, testid: string): HTMLButtonElement {
  const b = element('button', 'blk-media-tool', label);
  b.type = 'button';
  b.dataset.testid = testid;
  return b;
}

/** Replaces the node's attributes (keeping the others), if the node is still there. */
function setAttrs(editor: Editor, getPos: () => number | undefined, node: PMNode, attrs: Record<string, unknown>): void {
  const pos = getPos();
  if (!editor.isEditable || typeof pos !== 'number') return;
  editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, ...attrs }));
}

const numberAttr = (key: string, html: string) => ({
  default: null,
  parseHTML: (el: HTMLElement) => Number(el.getAttribute(html)) || null,
  renderHTML: (attrs: Record<string, unknown>) => (attrs[key] ? { [html]: attrs[key] } : {}),
});

const dataAttr = (key: string, html: string) => ({
  default: null,
  parseHTML: (el: HTMLElement) => el.getAttribute(html),
  renderHTML: (attrs: Record<string, unknown>) => (attrs[key] ? { [html]: attrs[key] } : {}),
});

const previewUrl = (id: string) => attachmentUrl(id, 'preview');

/** Pictures uploaded from this tab, shown from the file itself (an object URL, revoked when
 * their note's editor goes) rather than fetched back while other devices are fetching them. */
const uploadedHere = new Map<string, string>();
const SHOWN_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']); // not HEIC
// A screenshot, yes; a 12-megapixel camera photo is lighter to hold as its preview.
const LOCAL_MAX_PIXELS = 8_000_000;

/** The last pictures announced for the open note, kept referenced so the browser keeps them. */
const warming: HTMLImageElement[] = [];
const WARM_KEEP = 8;

/** Fetches a new picture's preview as soon as the server announces it (`attachment.created`):
 * the picture's block is still on its way from the other device through co-editing, and its
 * view then finds the preview in the browser's cache (same address: the preview is immutable). */
export function warmPreview(id: string): void {
  if (uploadedHere.has(id)) return;
  const img = document.createElement('img');
  img.decoding = 'async';
  img.src = previewUrl(id);
  warming.push(img);
  if (warming.length > WARM_KEEP) warming.shift();
}

function imageView(initial: PMNode, editor: Editor, getPos: () => number | undefined): NodeView {
  let node = initial;
  const dom = element('figure', 'blk-image');
  dom.dataset.block = 'image';
  dom.dataset.testid = 'editor-image';
  dom.contentEditable = 'false';
  const frame = element('div', 'blk-image-frame');
  const img = element('img', 'blk-image-img');
  img.loading = 'lazy';
  img.decoding = 'async';
  img.draggable = false;
  const handle = element('span', 'blk-image-resize');
  handle.title = 'Drag to resize';
  frame.append(img, handle);
  const caption = element('figcaption', 'blk-image-caption');
  const tools = element('div', 'blk-media-tools');
  const altButton = toolButton('Alt text', 'image-alt');
  const captionButton = toolButton('Caption', 'image-caption');
  tools.append(altButton, captionButton);
  dom.append(frame, caption, tools);

  let shown: unknown;
  const render = () => {
    const { src, alt, title, width, blockId } = node.attrs;
    if (src !== shown) {
      shown = src;
      dom.classList.remove('broken');
      // An attachment shows its preview (small, quick on phones), else the file itself.
      const id = attachmentIdOf(src);
      img.dataset.full = id ? attachmentUrl(id) : '';
      img.src = id ? (uploadedHere.get(id) ?? previewUrl(id)) : (safeSrc(src) ?? '');
    }
    img.alt = typeof alt === 'string' ? alt : '';
    caption.textContent = typeof title === 'string' ? title : '';
    caption.hidden = !title;
    frame.style.width = typeof width === 'number' && width > 0 ? `${width}px` : '';
    if (blockId) dom.dataset.blockid = String(blockId);
  };
  img.addEventListener('error', () => {
    const full = img.dataset.full;
    if (full && img.src !== new URL(full, location.href).href) img.src = full;
    else dom.classList.add('broken'); // shows the alt text
  });
  render();

  handle.addEventListener('pointerdown', (e) => {
    if (!editor.isEditable) return;
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const startWidth = frame.getBoundingClientRect().width;
    const widest = dom.getBoundingClientRect().width;
    const move = (ev: PointerEvent) => {
      frame.style.width = `${Math.min(widest, Math.max(MIN_WIDTH, startWidth + ev.clientX - startX))}px`;
    };
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      setAttrs(editor, getPos, node, { width: Math.round(frame.getBoundingClientRect().width) });
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  });
  // A text attribute edited in a dialog; an empty answer removes it.
  const editsText = (button: HTMLElement, attr: 'alt' | 'title', title: string, label: string) =>
    button.addEventListener('click', async () => {
      const current: unknown = node.attrs[attr];
      const value = await promptDialog({
        title,
        label,
        value: typeof current === 'string' ? current : '',
        allowEmpty: true,
      });
      if (value !== null) setAttrs(editor, getPos, node, { [attr]: value.trim() || null });
    });
  editsText(altButton, 'alt', 'Alt text', 'Describe the picture for people who cannot see it');
  editsText(captionButton, 'title', 'Caption', 'Caption shown under the picture');

  return {
    dom,
    update: (next) => {
      if (next.type !== node.type) return false;
      node = next;
      render();
      return true;
    },
    stopEvent: (e) => tools.contains(e.target as globalThis.Node) || e.target === handle,
    ignoreMutation: () => true,
  };
}

/** A picture: a leaf block shown with its preview, alt text, caption (`title`) and width. */
export const ImageNode = Image.configure({ inline: false, allowBase64: false }).extend({
  addAttributes() {
    return {
      src: { default: null },
      alt: { default: null },
      title: { default: null },
      width: numberAttr('width', 'width'),
      attachmentId: dataAttr('attachmentId', 'data-attachment-id'),
    };
  },
  renderHTML({ HTMLAttributes }) {
    return ['img', HTMLAttributes];
  },
  addNodeView() {
    return ({ node, editor, getPos }) => imageView(node, editor, getPos);
  },
});

function fileView(initial: PMNode): NodeView {
  let node = initial;
  const dom = element('div', 'blk-file');
  dom.dataset.block = 'file';
  dom.dataset.testid = 'editor-file';
  dom.contentEditable = 'false';
  const icon = element('span', 'blk-file-icon');
  icon.setAttribute('aria-hidden', 'true');
  const name = element('span', 'blk-file-name');
  const size = element('span', 'blk-file-size muted small');
  const link = element('a', 'btn blk-file-download', 'Download');
  link.dataset.testid = 'editor-file-download';
  link.rel = 'noopener';
  dom.append(icon, name, size, link);
  const href = () => {
    const id = attachmentIdOf(node.attrs.src);
    return id ? attachmentUrl(id) : (safeSrc(node.attrs.src) ?? '');
  };
  // The token is read when the link is used: one from when the note was opened may have expired.
  link.addEventListener('pointerdown', () => (link.href = href()));
  link.addEventListener('focus', () => (link.href = href()));
  const render = () => {
    const label = typeof node.attrs.name === 'string' && node.attrs.name ? node.attrs.name : 'file';
    name.textContent = label;
    const ext = /\.([a-z0-9]{1,4})$/i.exec(label)?.[1];
    icon.textContent = ext ? ext.toUpperCase() : 'FILE';
    size.textContent = typeof node.attrs.size === 'number' ? formatSize(node.attrs.size) : '';
    link.href = href();
    link.download = label;
    link.setAttribute('aria-label', `Download ${label}`);
    if (node.attrs.blockId) dom.dataset.blockid = String(node.attrs.blockId);
  };
  render();
  return {
    dom,
    update: (next) => {
      if (next.type !== node.type) return false;
      node = next;
      render();
      return true;
    },
    stopEvent: (e) => link.contains(e.target as globalThis.Node),
    ignoreMutation: () => true,
  };
}

/** Any other file: a leaf block with its name, size and a download link. */
export const FileNode = Node.create({
  name: 'file',
  group: 'block',
  atom: true,
  draggable: true,
  selectable: true,
  addAttributes() {
    return {
      src: dataAttr('src', 'data-src'),
      name: dataAttr('name', 'data-name'),
      size: numberAttr('size', 'data-size'),
      mediaType: dataAttr('mediaType', 'data-media-type'),
      attachmentId: dataAttr('attachmentId', 'data-attachment-id'),
    };
  },
  parseHTML() {
    return [{ tag: 'div[data-block="file"]' }];
  },
  renderHTML({ HTMLAttributes, node }) {
    return ['div', { ...HTMLAttributes, 'data-block': 'file' }, String(node.attrs.name ?? 'file')];
  },
  addNodeView() {
    return ({ node }) => fileView(node);
  },
});

/** The nodes, for the note's schema (`contentExtensions`). */
export const Media = Extension.create({
  name: 'owlMedia',
  addExtensions: () => [ImageNode, FileNode],
});

/** Asks the open note's editor to put an existing attachment at its caret (the Files panel's
 * "Insert"): the panel is not part of the editor. */
export const INSERT_ATTACHMENT = 'owlistic:insert-attachment';

/** The node an upload becomes: a picture when the server could read it as one. */
export function mediaNode(a: Attachment): JSONContent {
  const src = attachmentPath(a.id);
  if (a.width && a.height) return { type: 'image', attrs: { src, attachmentId: a.id } };
  return { type: 'file', attrs: { src, attachmentId: a.id, name: a.name, size: a.size, mediaType: a.media_type } };
}

// ---------------------------------------------------------------- uploads with placeholders

interface Spot {
  pos: number;
  anchor: Y.RelativePosition | null;
}

interface Pending {
  file: File;
  dom: HTMLElement;
  progress: HTMLProgressElement;
  status: HTMLElement;
  preview: string | null;
  handle: UploadHandle | null;
}

type SpotMeta = { add: number; spot: Spot } | { remove: number };

const uploadKey = new PluginKey<Map<number, Spot>>('owlMediaUpload');
let nextUpload = 1;

function syncBinding(state: EditorState) {
  return ySyncPluginKey.getState(state)?.binding as
    | { doc: Y.Doc; type: Y.XmlFragment; mapping: Parameters<typeof absolutePositionToRelativePosition>[2] }
    | undefined;
}

interface UploadStorage {
  pending: Map<number, Pending>;
  insert: ((e: Event) => void) | null;
  camera: HTMLInputElement | null;
  uploaded: string[]; // attachments uploaded from this editor, shown from `uploadedHere`
}

declare module '@tiptap/core' {
  interface Storage {
    owlMediaUpload: UploadStorage;
  }
  interface Commands<ReturnType> {
    owlMediaUpload: {
      /** Opens the camera or the photo picker (a file chooser elsewhere); the picture goes in
       * at the caret, uploaded as a pasted one is. */
      takePhoto: () => ReturnType;
    };
  }
}

/** Paste and drop of files into the editor: upload to the note, then a node where they were put. */
export const MediaUpload = Extension.create<{ noteId: string }, UploadStorage>({
  name: 'owlMediaUpload',
  addOptions: () => ({ noteId: '' }),
  addStorage: () => ({ pending: new Map(), insert: null, camera: null, uploaded: [] }),
  addCommands() {
    return {
      takePhoto:
        () =>
        ({ editor, dispatch }) => {
          const camera = this.storage.camera;
          if (!editor.isEditable || !camera) return false;
          if (dispatch) camera.click(); // not when only asked whether it can
          return true;
        },
    };
  },
  addExtensions() {
    const noteId = this.options.noteId;
    return [
      FileHandler.configure({
        // A picture copied from a web page comes with its HTML too: take the file only.
        consumePasteEvent: true,
        onPaste: (editor, files) => place(editor, noteId, files.map(uploadName), editor.state.selection.from),
        onDrop: (editor, files, pos) => place(editor, noteId, files, pos),
      }),
    ];
  },
  addProseMirrorPlugins() {
    const storage = this.storage;
    return [
      new Plugin({
        key: new PluginKey('owlMediaImportDrop'),
        props: {
          // Markdown files and zips dropped on the note are imported as notes (the window's
          // drop zone), not attached: the editor lets the event go by untouched.
          handleDOMEvents: { drop: (_view, e) => [...(e.dataTransfer?.files ?? [])].some(isImportable) },
        },
      }),
      new Plugin<Map<number, Spot>>({
        key: uploadKey,
        state: {
          init: () => new Map(),
          apply: (tr, spots, _old, state) => {
            const meta = tr.getMeta(uploadKey) as SpotMeta | undefined;
            if (!meta && !tr.docChanged) return spots;
            const next = new Map<number, Spot>();
            const binding = isChangeOrigin(tr) ? syncBinding(state) : undefined;
            for (const [id, spot] of spots) {
              // Someone else's change: where the anchor is now; one of ours: mapped.
              const anchored =
                binding && spot.anchor ? relativePositionToAbsolutePosition(binding.doc, binding.type, spot.anchor, binding.mapping) : null;
              next.set(id, { ...spot, pos: Math.min(anchored ?? tr.mapping.map(spot.pos), tr.doc.content.size) });
            }
            if (meta && 'add' in meta) next.set(meta.add, meta.spot);
            if (meta && 'remove' in meta) next.delete(meta.remove);
            return next;
          },
        },
        props: {
          decorations: (state) => {
            const spots = uploadKey.getState(state);
            if (!spots?.size) return null;
            const widgets = [...spots].flatMap(([id, spot]) => {
              const pending = storage.pending.get(id);
              if (!pending) return [];
              return [Decoration.widget(spot.pos, pending.dom, { key: `upload-${id}`, side: -1, ignoreSelection: true, stopEvent: () => true })];
            });
            return DecorationSet.create(state.doc, widgets);
          },
        },
      }),
    ];
  },
  onCreate() {
    const editor = this.editor;
    const noteId = this.options.noteId;
    this.storage.insert = (e: Event) => {
      const attachment = (e as CustomEvent<Attachment>).detail;
      if (!editor.isEditable || attachment?.note_id !== noteId) return;
      const at = blockBoundary(editor.state.doc, editor.state.selection.from);
      editor.chain().insertContentAt(at, mediaNode(attachment)).run();
    };
    window.addEventListener(INSERT_ATTACHMENT, this.storage.insert);
    // One chooser per editor, in the page (a detached input may not open on every phone).
    const camera = document.createElement('input');
    camera.type = 'file';
    camera.accept = 'image/*';
    camera.setAttribute('capture', 'environment');
    camera.hidden = true;
    camera.dataset.testid = 'editor-camera-input';
    camera.addEventListener('change', () => {
      const files = [...(camera.files ?? [])];
      camera.value = '';
      if (files.length) place(editor, noteId, files.map(uploadName), editor.state.selection.from);
    });
    document.body.append(camera);
    this.storage.camera = camera;
  },
  onDestroy() {
    if (this.storage.insert) window.removeEventListener(INSERT_ATTACHMENT, this.storage.insert);
    this.storage.camera?.remove();
    for (const pending of this.storage.pending.values()) if (pending.preview) URL.revokeObjectURL(pending.preview);
    for (const id of this.storage.uploaded) {
      URL.revokeObjectURL(uploadedHere.get(id) ?? '');
      uploadedHere.delete(id);
    }
    this.storage.pending.clear();
  },
});

function placeholder(file: File): Pending {
  const dom = element('div', 'media-upload');
  dom.dataset.testid = 'media-upload';
  dom.contentEditable = 'false';
  const preview = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
  if (preview) {
    const img = element('img', 'media-upload-preview');
    img.src = preview;
    img.alt = '';
    dom.append(img);
  }
  const name = element('span', 'media-upload-name', file.name);
  const progress = element('progress', 'media-upload-progress');
  progress.max = 1;
  progress.value = 0;
  progress.setAttribute('aria-label', `Uploading ${file.name}`);
  const status = element('span', 'media-upload-status');
  status.setAttribute('role', 'status');
  dom.append(name, progress, status);
  return { file, dom, progress, status, preview, handle: null };
}

/** Between blocks when `pos` is at the start or end of one's text, so a picture goes above or
 * below it rather than splitting off an empty block; inside the text it splits it there. */
function blockBoundary(doc: PMNode, pos: number): number {
  const $pos = doc.resolve(Math.min(Math.max(0, pos), doc.content.size));
  if ($pos.depth === 0) return $pos.pos;
  if ($pos.parentOffset === 0) return $pos.before(1);
  if ($pos.parentOffset === $pos.parent.content.size) return $pos.after(1);
  return $pos.pos;
}

function place(editor: Editor, noteId: string, files: File[], pos: number): void {
  if (!editor.isEditable || !noteId) return;
  const binding = syncBinding(editor.state);
  const at = blockBoundary(editor.state.doc, pos);
  for (const file of files) {
    const id = nextUpload++;
    const anchor = binding ? absolutePositionToRelativePosition(at, binding.type, binding.mapping) : null;
    editor.storage.owlMediaUpload.pending.set(id, placeholder(file));
    editor.view.dispatch(editor.state.tr.setMeta(uploadKey, { add: id, spot: { pos: at, anchor } } satisfies SpotMeta));
    start(editor, noteId, id);
  }
}

/** Removes the placeholder; its picture's object URL is revoked unless ``keep`` is the
 * attachment it became and the picture is shown from it from now on. */
function settle(editor: Editor, id: number, keep?: Attachment): number | undefined {
  const pending = editor.storage.owlMediaUpload.pending.get(id);
  const shown = keep?.width && keep.height && keep.width * keep.height <= LOCAL_MAX_PIXELS && SHOWN_TYPES.has(pending?.file.type ?? '');
  if (pending?.preview && shown && !editor.isDestroyed) {
    uploadedHere.set(keep.id, pending.preview);
    editor.storage.owlMediaUpload.uploaded.push(keep.id);
  } else if (pending?.preview) URL.revokeObjectURL(pending.preview);
  editor.storage.owlMediaUpload.pending.delete(id);
  if (editor.isDestroyed) return undefined;
  const pos = uploadKey.getState(editor.state)?.get(id)?.pos;
  editor.view.dispatch(editor.state.tr.setMeta(uploadKey, { remove: id } satisfies SpotMeta));
  return pos;
}

function start(editor: Editor, noteId: string, id: number): void {
  const pending = editor.storage.owlMediaUpload.pending.get(id);
  if (!pending) return;
  pending.dom.classList.remove('failed');
  pending.status.textContent = '';
  pending.progress.hidden = false;
  pending.handle = uploadAttachment(noteId, pending.file, (f) => (pending.progress.value = f));
  pending.handle.done.then(
    (attachment) => {
      const pos = settle(editor, id, attachment);
      // Stored either way: it is in the note's Files panel even when it cannot go here.
      if (pos === undefined || !editor.isEditable) return;
      editor.chain().insertContentAt(pos, mediaNode(attachment)).run();
    },
    (err: Error) => {
      if (err.name === 'AbortError' || editor.isDestroyed) return void settle(editor, id);
      failed(editor, noteId, id, pending, errorMessage(err));
    },
  );
}

function failed(editor: Editor, noteId: string, id: number, pending: Pending, message: string): void {
  pending.dom.classList.add('failed');
  pending.progress.hidden = true;
  pending.status.replaceChildren();
  pending.status.setAttribute('role', 'alert');
  const retry = toolButton('Retry', 'media-upload-retry');
  retry.addEventListener('click', () => start(editor, noteId, id));
  const dismiss = toolButton('Dismiss', 'media-upload-dismiss');
  dismiss.addEventListener('click', () => void settle(editor, id));
  pending.status.append(`${pending.file.name}: ${message} `, retry, dismiss);
}
