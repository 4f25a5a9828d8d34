import { Editor, Extension } from '@tiptap/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, errorMessage } from '../api/client';
import type { Block, Note } from '../api/types';
import { confirmDialog } from '../components/Dialog';
import { Icon } from '../components/icons';
import { NoteOrganiser } from '../components/NoteOrganiser';
import { EmptyState } from '../components/Rows';
import { nodeToData } from '../editor/blocks';
import { buildExtensions } from '../editor/extensions';
import { NoteSync, type SaveState } from '../editor/sync';
import { Toolbar, editLink } from '../editor/Toolbar';
import { noteTitle, timeAgo } from '../lib/format';
import { realtime } from '../lib/realtime';
import { href, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { blocksToMarkdown, downloadText, safeFileName, withFrontMatter } from '../markdown';
import { app, deleteNote, patchNoteLocal, roleOf, sortBlocks, upsertNoteLocal } from '../state';
import { ui } from '../ui';

const SAVE_TEXT: Record<SaveState, string> = {
  saved: 'Saved',
  unsaved: 'Unsaved changes',
  saving: 'Saving…',
  error: 'Not saved · retrying',
};

function SaveIndicator({ state, error, onRetry }: { state: SaveState; error?: string; onRetry: () => void }) {
  return (
    <div class={`save save-${state}`} role="status" aria-live="polite" data-testid="save-indicator" data-state={state} title={error}>
      <Icon name={state === 'error' ? 'alert' : state === 'saved' ? 'check' : 'refresh'} size={14} />
      <span>{SAVE_TEXT[state]}</span>
      {state === 'error' && error && <span class="sr-only">{error}</span>}
      {state === 'error' && (
        <button type="button" class="link-btn" onClick={onRetry} data-testid="save-retry">
          Retry now
        </button>
      )}
    </div>
  );
}

export function NotePage({ id }: { id: string }) {
  const [note, setNote] = useState<Note | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [save, setSave] = useState<{ state: SaveState; error?: string }>({ state: 'saved' });
  const [forbidden, setForbidden] = useState(false);
  const [gone, setGone] = useState(false);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [, setTick] = useState(0);
  const host = useRef<HTMLDivElement>(null);
  const titleRef = useRef<HTMLTextAreaElement>(null);
  const syncRef = useRef<NoteSync | null>(null);
  const seenInStore = useRef(false);

  const storeNote = useStore(app, (s) => s.notes.find((n) => n.id === id));
  const notebookId = storeNote?.notebook_id ?? note?.notebook_id;
  const nb = useStore(app, (s) => s.notebooks.find((n) => n.id === notebookId));
  const user = useStore(app, (s) => s.user);
  const loaded = useStore(app, (s) => s.loaded);
  const role = nb ? roleOf(nb, user) : (storeNote?.role ?? note?.role ?? 'editor');
  const readOnly = role === 'viewer' || forbidden || gone;

  // Load the note.
  useEffect(() => {
    let cancelled = false;
    setNote(null);
    setLoadError(null);
    setGone(false);
    setForbidden(false);
    seenInStore.current = false;
    (async () => {
      try {
        const n = await api.note(id);
        let blocks = n.blocks;
        if (!Array.isArray(blocks)) blocks = await api.blocks(id);
        if (cancelled) return;
        const full = { ...n, blocks: sortBlocks(blocks) };
        upsertNoteLocal(full);
        setTitle(n.title ?? '');
        setNote(full);
      } catch (e) {
        if (!cancelled) setLoadError(e instanceof ApiError && (e.status === 404 || e.status === 403) ? 'notfound' : errorMessage(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [id]);

  useEffect(() => {
    if (notebookId) ui.set({ contextNotebookId: notebookId });
  }, [notebookId]);

  // Create the editor once the note is loaded.
  useEffect(() => {
    if (!note || !host.current) return;
    const sync = new NoteSync(id, {
      onState: (state, error) => setSave({ state, error }),
      onForbidden: () => setForbidden(true),
      onGone: () => setGone(true),
    });
    syncRef.current = sync;
    const content = sync.load(note.blocks ?? [], note.title ?? '');
    const LinkShortcut = Extension.create({
      name: 'owlLinkShortcut',
      addKeyboardShortcuts() {
        return {
          'Mod-k': () => {
            if (!this.editor.isEditable) return false;
            void editLink(this.editor);
            return true;
          },
        };
      },
    });
    const ed = new Editor({
      element: host.current,
      extensions: [...buildExtensions('Start writing…'), LinkShortcut],
      content,
      editable: false,
      editorProps: {
        attributes: {
          class: 'prose',
          'data-testid': 'editor',
          'aria-label': 'Note content',
          role: 'textbox',
          'aria-multiline': 'true',
          spellcheck: 'true',
        },
        handleClick: (view, pos, event) => {
          const target = (event.target as HTMLElement).closest('a');
          if (!target) return false;
          const mark = view.state.doc.resolve(pos).marks().find((m) => m.type.name === 'link');
          const link = (mark?.attrs.href as string | undefined) ?? target.getAttribute('href');
          if (link && (event.metaKey || event.ctrlKey || !view.editable)) {
            window.open(link, '_blank', 'noopener,noreferrer');
            return true;
          }
          return false;
        },
      },
      onUpdate: ({ editor: e, transaction }) => sync.docChanged(e.state.doc, !!transaction.getMeta('owlRemote')),
      onSelectionUpdate: () => sync.applyDeferred(),
      onBlur: () => {
        sync.applyDeferred();
        void sync.flushNow();
      },
      onTransaction: () => setTick((t) => t + 1),
    });
    sync.attach(ed);
    setEditor(ed);

    const offEvents = realtime.events.on((msg) => {
      sync.handleEvent(msg);
      const p = msg.payload ?? {};
      if ((msg.event === 'note.deleted' || msg.event === 'note.permanent_deleted') && p.note_id === id) setGone(true);
      if (msg.event === 'notebook.deleted' && p.notebook_id && p.notebook_id === app.get().notes.find((n) => n.id === id)?.notebook_id) setGone(true);
    });
    const offResync = realtime.resync.on(() => void sync.reconcile().catch(() => undefined));
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (sync.hasUnsaved) {
        void sync.flushNow();
        e.preventDefault();
        e.returnValue = '';
      }
    };
    const onOnline = () => {
      if (sync.saveState === 'error') void sync.flushNow();
    };
    window.addEventListener('beforeunload', beforeUnload);
    window.addEventListener('online', onOnline);

    return () => {
      offEvents();
      offResync();
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('online', onOnline);
      sync.detach();
      ed.destroy();
      setEditor(null);
      syncRef.current = null;
      void sync.flushNow().finally(() => sync.destroy());
    };
  }, [note?.id]);

  // Read-only for viewers, for a trashed note, or after the server refused a write.
  useEffect(() => {
    if (!editor) return;
    if (syncRef.current) syncRef.current.readOnly = readOnly;
    if (editor.isEditable !== !readOnly) editor.setEditable(!readOnly);
  }, [editor, readOnly]);

  // The note vanished from the store (deleted elsewhere) after having been there.
  useEffect(() => {
    if (storeNote) seenInStore.current = true;
    else if (seenInStore.current && note) setGone(true);
  }, [storeNote, note]);

  // Title changed elsewhere.
  useEffect(() => {
    const remote = storeNote?.title;
    const sync = syncRef.current;
    if (remote === undefined || !sync) return;
    const typing = document.activeElement === titleRef.current;
    if (remote === title) return;
    if (sync.remoteTitle(remote, typing)) setTitle(remote);
    else patchNoteLocal(id, { title }); // keep showing what is being typed
  }, [storeNote?.title]);

  // A brand-new note starts in its title.
  useEffect(() => {
    if (note && !note.title && !readOnly) requestAnimationFrame(() => titleRef.current?.focus());
  }, [note?.id]);

  // Auto-size the title field.
  useEffect(() => {
    const t = titleRef.current;
    if (!t) return;
    t.style.height = 'auto';
    t.style.height = `${t.scrollHeight}px`;
  }, [title, note]);

  if (loadError) {
    return (
      <div class="page">
        <EmptyState icon="note" title={loadError === 'notfound' ? 'Note not found' : 'Could not open the note'} testid="note-missing">
          <p class="muted">{loadError === 'notfound' ? 'It may have been deleted or you no longer have access.' : loadError}</p>
          <a class="btn" href={href.home()}>
            Go home
          </a>
        </EmptyState>
      </div>
    );
  }

  const onTitle = (v: string) => {
    const clean = v.replace(/\n/g, ' ');
    setTitle(clean);
    syncRef.current?.setTitle(clean);
    patchNoteLocal(id, { title: clean });
  };

  const exportMd = () => {
    if (!editor) return;
    const blocks: { type: string; content: { text: string }; metadata: Block['metadata'] }[] = [];
    editor.state.doc.forEach((node) => {
      const d = nodeToData(node);
      blocks.push({ type: d.type, content: { text: d.text }, metadata: d.meta });
    });
    downloadText(`${safeFileName(title)}.md`, withFrontMatter(storeNote?.tags, blocksToMarkdown(blocks)));
  };

  const remove = async () => {
    const ok = await confirmDialog({
      title: 'Move note to trash?',
      message: `“${noteTitle(title)}” will be moved to the trash. You can restore it from there.`,
      confirmLabel: 'Move to trash',
      danger: true,
    });
    if (!ok) return;
    try {
      await syncRef.current?.flushNow();
      await deleteNote(id);
      toast('Note moved to trash', 'info', { label: 'Open trash', run: () => navigate(href.trash()) });
      navigate(notebookId ? href.notebook(notebookId) : href.home(), true);
    } catch (e) {
      toast(`Could not delete the note: ${errorMessage(e)}`, 'error');
    }
  };

  return (
    <div class="page note-page" data-testid="note-page" data-id={id} data-readonly={readOnly ? 'true' : 'false'}>
      <header class="note-head">
        <nav class="crumbs" aria-label="Breadcrumb">
          {nb ? (
            <a href={href.notebook(nb.id)} data-testid="note-notebook-link">
              <Icon name="book" size={14} /> {nb.name || 'Untitled notebook'}
            </a>
          ) : (
            <span class="muted">{loaded ? '' : 'Loading…'}</span>
          )}
          {role === 'viewer' && (
            <span class="badge" data-testid="note-readonly-badge">
              <Icon name="eye" size={12} /> View only
            </span>
          )}
        </nav>
        <NoteOrganiser id={id} readOnly={readOnly} />
        <div class="note-tools">
          {!readOnly && note && <SaveIndicator state={save.state} error={save.error} onRetry={() => void syncRef.current?.flushNow()} />}
          <button type="button" class="icon-btn" aria-label="Export as markdown" title="Export as markdown (.md)" data-testid="note-export" onClick={exportMd} disabled={!editor}>
            <Icon name="download" />
          </button>
          {!readOnly && (
            <>
              <button type="button" class="icon-btn" aria-label="Move to another notebook" title="Move" data-testid="note-move-button" onClick={() => ui.set({ moveNoteId: id })}>
                <Icon name="move" />
              </button>
              <button type="button" class="icon-btn danger" aria-label="Move note to trash" title="Move to trash" data-testid="note-delete-button" onClick={remove}>
                <Icon name="trash" />
              </button>
            </>
          )}
        </div>
      </header>

      {gone && (
        <div class="banner banner-warn" role="alert" data-testid="note-gone">
          <Icon name="alert" /> This note was moved to the trash or is no longer shared with you. It is now read-only.
        </div>
      )}

      {!note ? (
        <div class="note-skeleton" aria-busy="true" aria-label="Loading note">
          <div class="sk sk-title" />
          <div class="sk" />
          <div class="sk" />
          <div class="sk short" />
        </div>
      ) : (
        <>
          <textarea
            ref={titleRef}
            class="note-title"
            rows={1}
            placeholder="Untitled"
            aria-label="Note title"
            data-testid="note-title"
            value={title}
            readOnly={readOnly}
            onInput={(e) => onTitle((e.target as HTMLTextAreaElement).value)}
            onBlur={() => void syncRef.current?.flushNow()}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || (e.key === 'ArrowDown' && !e.shiftKey)) {
                e.preventDefault();
                editor?.commands.focus('start');
              }
            }}
          />
          <p class="note-meta muted small">
            {storeNote?.updated_at ? `Edited ${timeAgo(storeNote.updated_at)}` : ''}
          </p>
          {editor && !readOnly && <Toolbar editor={editor} />}
        </>
      )}
      <div ref={host} class={`editor-host${note ? '' : ' hidden'}`} />
    </div>
  );
}
