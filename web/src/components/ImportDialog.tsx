import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { href, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, canEdit, createNotebook } from '../state';
import { isImportable, openImport, ui } from '../ui';
import { Dialog } from './Dialog';
import { Icon } from './icons';

export function ImportDialog() {
  const open = useStore(ui, (s) => s.importOpen);
  const initialFiles = useStore(ui, (s) => s.importFiles);
  const initialNb = useStore(ui, (s) => s.importNotebookId);
  const notebooks = useStore(app, (s) => s.notebooks).filter((nb) => canEdit(nb));
  const [files, setFiles] = useState<File[]>([]);
  const [nbId, setNbId] = useState<string>('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    setFiles(initialFiles);
    setProgress(null);
    setNbId(initialNb && notebooks.some((n) => n.id === initialNb) ? initialNb : (notebooks[0]?.id ?? ''));
  }, [open]);

  const close = () => {
    if (progress && progress.done < progress.total) return;
    ui.set({ importOpen: false, importFiles: [] });
  };

  // Other files (images) come along: a Markdown file that links to them by a relative path
  // gets them attached.
  const addFiles = (list: FileList | File[] | null) => {
    const picked = [...(list ?? [])];
    if (list && !picked.some(isImportable)) toast('Choose .md / .markdown files, a folder or a .zip of them', 'error');
    const key = (f: File) => `${f.webkitRelativePath || f.name}:${f.size}`;
    setFiles((cur) => [...cur, ...picked.filter((f) => !cur.some((c) => key(c) === key(f)))]);
  };
  const documents = files.filter(isImportable);

  const run = async () => {
    if (!files.length) return;
    let target = nbId;
    try {
      if (!target) target = (await createNotebook('Imported')).id;
      const { importMarkdownFiles } = await import('../importer');
      const res = await importMarkdownFiles(files, target, (done, total) => setProgress({ done, total }));
      ui.set({ importOpen: false, importFiles: [] });
      if (res.failed.length) toast(`${res.failed.length} file(s) could not be imported: ${res.failed.map((f) => f.name).join(', ')}`, 'error');
      if (res.notes.length) {
        toast(`Imported ${res.notes.length} note${res.notes.length === 1 ? '' : 's'}`, 'success');
        navigate(res.notes.length === 1 ? href.note(res.notes[0].id) : href.notebook(target));
      }
    } catch (e) {
      toast(`Import failed: ${errorMessage(e)}`, 'error');
      setProgress(null);
    }
  };

  const busy = !!progress && progress.done < progress.total;

  return (
    <Dialog
      open={open}
      title="Import markdown"
      onClose={close}
      testid="import-dialog"
      description="Each file becomes a note named after its front matter title, else its first heading, else the file; front matter tags and dates are kept. Headings, nested lists, to-dos, tables, code and quotes become blocks. Images beside the Markdown (a folder or a .zip) are attached to the note."
      footer={
        <>
          <button type="button" class="btn" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="button" class="btn btn-primary" data-testid="import-submit" disabled={!documents.length || busy} onClick={run}>
            {busy ? `Importing ${progress!.done}/${progress!.total}…` : `Import ${documents.length || ''} ${documents.length === 1 ? 'file' : 'files'}`}
          </button>
        </>
      }
    >
      {progress && (
        <div class="import-progress" data-testid="import-progress" role="status" aria-live="polite">
          <progress max={progress.total || 1} value={progress.done} aria-label="Import progress" />
          <span>
            {progress.done} of {progress.total} imported
          </span>
        </div>
      )}
      <label class="field">
        <span>Into notebook</span>
        <select value={nbId} onChange={(e) => setNbId((e.target as HTMLSelectElement).value)} data-testid="import-notebook" disabled={busy}>
          {notebooks.length === 0 && <option value="">New notebook “Imported”</option>}
          {notebooks.map((nb) => (
            <option key={nb.id} value={nb.id}>
              {nb.name || 'Untitled notebook'}
            </option>
          ))}
        </select>
      </label>
      <div
        class={`dropzone${dragOver ? ' over' : ''}`}
        data-testid="import-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          e.stopPropagation();
          setDragOver(true);
        }}
        onDragLeave={() => setDragOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          e.stopPropagation();
          setDragOver(false);
          addFiles(e.dataTransfer?.files ?? null);
        }}
      >
        <Icon name="upload" size={28} />
        <p>Drop .md files or a .zip here, or</p>
        <button type="button" class="btn" onClick={() => input.current?.click()} disabled={busy} data-testid="import-choose">
          Choose files…
        </button>
        <button type="button" class="btn" onClick={() => folderInput.current?.click()} disabled={busy} data-testid="import-choose-folder">
          Choose a folder…
        </button>
        <input
          ref={folderInput}
          type="file"
          hidden
          data-testid="import-folder-input"
          {...{ webkitdirectory: '' }}
          onChange={(e) => {
            addFiles((e.target as HTMLInputElement).files);
            (e.target as HTMLInputElement).value = '';
          }}
        />
        <input
          ref={input}
          type="file"
          accept=".md,.markdown,.mdown,text/markdown,.zip,application/zip,image/*"
          multiple
          hidden
          data-testid="import-file-input"
          onChange={(e) => {
            addFiles((e.target as HTMLInputElement).files);
            (e.target as HTMLInputElement).value = '';
          }}
        />
      </div>
      {files.length > 0 && (
        <ul class="file-list" data-testid="import-file-list">
          {files.map((f) => (
            <li key={(f.webkitRelativePath || f.name) + f.size}>
              <Icon name={isImportable(f) ? 'note' : 'upload'} size={15} /> <span>{f.webkitRelativePath || f.name}</span>
              <button
                type="button"
                class="icon-btn small"
                aria-label={`Remove ${f.name}`}
                disabled={busy}
                onClick={() => setFiles((cur) => cur.filter((x) => x !== f))}
              >
                <Icon name="x" size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

/** Full-window drop target: dropping .md files anywhere opens the import dialog with them. */
export function GlobalDropZone() {
  const [active, setActive] = useState(false);
  const importOpen = useStore(ui, (s) => s.importOpen);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e) || ui.get().importOpen) return;
      depth++;
      setActive(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) setActive(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = 0;
      setActive(false);
      if (e.defaultPrevented) return; // taken already (files dropped on a note are attached)
      e.preventDefault();
      if (ui.get().importOpen) return;
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.some(isImportable)) openImport(files);
      else toast('Drop .md files or a .zip to import them as notes', 'error');
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
  if (!active || importOpen) return null;
  return (
    <div class="global-drop" data-testid="global-dropzone" aria-hidden="true">
      <div>
        <Icon name="upload" size={40} />
        <p>Drop markdown files to import them as notes</p>
      </div>
    </div>
  );
}
