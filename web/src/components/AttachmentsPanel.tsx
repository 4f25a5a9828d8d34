// The note's attachments in a side panel: list, upload (button, camera, drop, paste),
// progress, retry, insert into the note, download and delete. It follows `attachment.*`
// events, so other devices' uploads appear live.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, attachmentUrl, uploadAttachment, type UploadHandle } from '../api/client';
import type { Attachment } from '../api/types';
import { INSERT_ATTACHMENT, warmPreview } from '../editor/media';
import { formatSize, uploadName } from '../lib/format';
import { realtime } from '../lib/realtime';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, roleOf } from '../state';
import { isImportable } from '../ui';
import { Icon } from './icons';

interface Upload {
  key: number;
  file: File;
  progress: number;
  error: string | null;
  handle: UploadHandle | null;
}

let nextKey = 1;

export function AttachmentsPanel({ noteId }: { noteId: string }) {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Attachment[]>([]);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const cameraInput = useRef<HTMLInputElement>(null);
  const note = useStore(app, (s) => s.notes.find((n) => n.id === noteId));
  const notebook = useStore(app, (s) => s.notebooks.find((nb) => nb.id === note?.notebook_id));
  const writable = (notebook ? roleOf(notebook) : (note?.role ?? 'editor')) !== 'viewer';

  const reload = () =>
    api.attachments(noteId).then(setItems, () => {
      /* the note may be gone; the note page says so */
    });

  useEffect(() => {
    void reload();
    const offEvents = realtime.events.on((msg) => {
      if (!msg.event?.startsWith('attachment.') || msg.payload?.note_id !== noteId) return;
      const { attachment_id: id, width } = msg.payload;
      if (msg.event === 'attachment.created' && typeof id === 'string' && width) warmPreview(id);
      void reload();
    });
    const offResync = realtime.resync.on(() => void reload());
    return () => {
      offEvents();
      offResync();
    };
  }, [noteId]);

  // Files pasted or dropped into the editor become pictures and file blocks there
  // (editor/media.ts); anywhere else on the note they are attached here. Capture phase:
  // before the window's Markdown import drop zone (which takes .md and .zip files, not these).
  useEffect(() => {
    if (!writable) return;
    const inEditor = (e: Event) => e.target instanceof Element && !!e.target.closest('.ProseMirror[contenteditable="true"]');
    const onPaste = (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (!files.length || inEditor(e)) return;
      e.preventDefault();
      e.stopPropagation();
      add(files.map(uploadName));
    };
    const onDrop = (e: DragEvent) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length || files.some(isImportable) || inEditor(e)) return;
      e.preventDefault(); // the window's import drop zone sees this and stands down
      add(files);
    };
    document.addEventListener('paste', onPaste, true);
    window.addEventListener('drop', onDrop, true);
    return () => {
      document.removeEventListener('paste', onPaste, true);
      window.removeEventListener('drop', onDrop, true);
    };
  }, [noteId, writable]);

  const patch = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const start = (upload: Upload) => {
    const handle = uploadAttachment(noteId, upload.file, (progress) => patch(upload.key, { progress }));
    patch(upload.key, { handle, error: null, progress: 0 });
    handle.done.then(
      (attachment) => {
        setUploads((list) => list.filter((u) => u.key !== upload.key));
        setItems((list) => (list.some((a) => a.id === attachment.id) ? list : [...list, attachment]));
      },
      (err: Error) => {
        if (err.name === 'AbortError') setUploads((list) => list.filter((u) => u.key !== upload.key));
        else patch(upload.key, { error: err.message, handle: null });
      },
    );
  };

  const add = (files: FileList | File[] | null) => {
    const fresh = Array.from(files ?? []).map((file) => ({ key: nextKey++, file, progress: 0, error: null, handle: null }));
    if (!fresh.length) return;
    setOpen(true);
    setUploads((list) => [...list, ...fresh]);
    fresh.forEach(start);
  };

  const exportZip = async () => {
    try {
      // Loaded on demand: the zip writer and the Markdown mapping are not needed to show files.
      const [{ exportNoteZip }, { downloadBlob, safeFileName }] = await Promise.all([import('../bundle'), import('../markdown')]);
      const title = safeFileName(note?.title ?? '');
      downloadBlob(`${title}.zip`, await exportNoteZip(noteId));
    } catch (e) {
      toast(`Export failed: ${e instanceof Error ? e.message : String(e)}`, 'error');
    }
  };

  const remove = async (a: Attachment) => {
    try {
      await api.deleteAttachment(a.id);
      setItems((list) => list.filter((x) => x.id !== a.id));
    } catch (e) {
      toast(e instanceof Error ? e.message : 'Could not delete the file', 'error');
    }
  };

  return (
    <>
      <button
        type="button"
        class="attachments-toggle btn"
        data-testid="attachments-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Icon name="upload" /> Files{items.length ? ` (${items.length})` : ''}
      </button>
      {open && (
        <aside
          class={`attachments-panel${dragging ? ' dragging' : ''}`}
          data-testid="attachments-panel"
          aria-label="Attachments"
          onDragOver={(e) => {
            if (!writable || !e.dataTransfer?.types.includes('Files')) return;
            e.preventDefault();
            e.stopPropagation(); // not the global Markdown import drop zone
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            setDragging(false);
            if (!writable || e.defaultPrevented) return; // taken by the page-wide handler
            // Markdown files dropped here are attached, not imported.
            e.preventDefault();
            e.stopPropagation();
            add(e.dataTransfer?.files ?? null);
          }}
        >
          <header>
            <h2>Files</h2>
            <button type="button" class="icon-btn" aria-label="Close files" onClick={() => setOpen(false)}>
              <Icon name="x" />
            </button>
          </header>
          {writable && (
            <div class="attachments-actions">
              <button type="button" class="btn" data-testid="attachments-add" onClick={() => fileInput.current?.click()}>
                <Icon name="plus" /> Add files
              </button>
              <button type="button" class="btn" data-testid="attachments-camera" onClick={() => cameraInput.current?.click()}>
                <Icon name="camera" /> Photo
              </button>
              <input ref={fileInput} type="file" multiple hidden data-testid="attachments-input" onChange={(e) => {
                add(e.currentTarget.files);
                e.currentTarget.value = '';
              }} />
              {/* On phones this opens the camera or the photo picker. */}
              <input ref={cameraInput} type="file" accept="image/*" capture="environment" hidden onChange={(e) => {
                add(e.currentTarget.files);
                e.currentTarget.value = '';
              }} />
              <p class="muted small">or drop files here</p>
            </div>
          )}
          <button type="button" class="btn" data-testid="attachments-export" onClick={() => void exportZip()}>
            <Icon name="download" /> Export note with files (.zip)
          </button>
          <ul class="attachments-list" data-testid="attachments-list">
            {uploads.map((u) => (
              <li key={`u${u.key}`} class="attachment uploading" data-testid="attachment-upload">
                <div class="attachment-thumb"><Icon name="upload" /></div>
                <div class="attachment-info">
                  <span class="attachment-name">{u.file.name}</span>
                  {u.error ? (
                    <span class="attachment-error" role="alert">
                      {u.error}{' '}
                      <button type="button" class="link-btn" data-testid="attachment-retry" onClick={() => start(u)}>Retry</button>
                      <button type="button" class="link-btn" onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}>Dismiss</button>
                    </span>
                  ) : (
                    <progress max={1} value={u.progress} aria-label={`Uploading ${u.file.name}`} />
                  )}
                </div>
                {!u.error && (
                  <button type="button" class="icon-btn" aria-label={`Cancel ${u.file.name}`} onClick={() => u.handle?.abort()}>
                    <Icon name="x" />
                  </button>
                )}
              </li>
            ))}
            {items.map((a) => (
              <li key={a.id} class="attachment" data-testid="attachment" data-id={a.id}>
                <a class="attachment-thumb" href={attachmentUrl(a.id)} target="_blank" rel="noopener">
                  {a.has_preview ? (
                    <img src={attachmentUrl(a.id, 'preview')} alt="" loading="lazy" width={48} height={48} />
                  ) : (
                    <Icon name="note" />
                  )}
                </a>
                <div class="attachment-info">
                  <span class="attachment-name" title={a.name}>{a.name}</span>
                  <span class="muted small">
                    {formatSize(a.size)}
                    {a.width && a.height ? ` · ${a.width}×${a.height}` : ''}
                  </span>
                </div>
                {writable && (
                  <button
                    type="button"
                    class="icon-btn"
                    aria-label={`Insert ${a.name} into the note`}
                    title="Insert into the note at the caret"
                    data-testid="attachment-insert"
                    onClick={() => window.dispatchEvent(new CustomEvent(INSERT_ATTACHMENT, { detail: a }))}
                  >
                    <Icon name="plus" />
                  </button>
                )}
                <a class="icon-btn" href={attachmentUrl(a.id)} download={a.name} aria-label={`Download ${a.name}`} data-testid="attachment-download">
                  <Icon name="download" />
                </a>
                {writable && (
                  <button type="button" class="icon-btn danger" aria-label={`Delete ${a.name}`} data-testid="attachment-delete" onClick={() => void remove(a)}>
                    <Icon name="trash" />
                  </button>
                )}
              </li>
            ))}
            {!items.length && !uploads.length && <li class="muted small">No files yet.</li>}
          </ul>
        </aside>
      )}
    </>
  );
}
