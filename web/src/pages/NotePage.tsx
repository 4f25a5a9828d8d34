import { Editor, Extension } from '@tiptap/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { NetworkError, api, errorMessage, isGone } from '../api/client';
import type { Note, User } from '../api/types';
import { confirmDialog } from '../components/Dialog';
import { Icon } from '../components/icons';
import { NoteOrganiser } from '../components/NoteOrganiser';
import { EmptyState } from '../components/Rows';
import { NoteCollab, saveStateOf, type CollabStatus, type SaveState } from '../editor/collab';
import { buildExtensions, type CollabUser } from '../editor/extensions';
import { MediaUpload } from '../editor/media';
import { Presence, colorOf } from '../editor/Presence';
import { TitleSync, type TitleState } from '../editor/title';
import { Toolbar, editLink } from '../editor/Toolbar';
import { focusEditor, holdKeys, releaseKeys, typeInto } from '../editor/typeahead';
import { noteTitle, timeAgo } from '../lib/format';
import { realtime } from '../lib/realtime';
import { href, navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { toast } from '../lib/toast';
import { app, deleteNote, patchNoteLocal, roleOf, sortBlocks, upsertNoteLocal } from '../state';
import { ui } from '../ui';

const SAVE_TEXT: Record<SaveState, string> = {
  saved: 'Saved',
  saving: 'Saving…',
  unsent: 'Unsent changes · kept on this device',
  error: 'Not saved',
};

function SaveIndicator({ state, link, error }: { state: SaveState; link: CollabStatus['link']; error?: string }) {
  const text = state === 'saved' && link === 'offline' ? 'Offline · nothing unsent' : SAVE_TEXT[state];
  return (
    <div class={`save save-${state}`} role="status" aria-live="polite" data-testid="save-indicator" data-state={state} data-link={link} title={error}>
      <Icon name={state === 'error' ? 'alert' : state === 'unsent' ? 'cloudOff' : state === 'saved' ? 'check' : 'refresh'} size={14} />
      <span>{text}</span>
      {error && <span class="sr-only">{error}</span>}
    </div>
  );
}

/** Words and characters of the note's content (the title not included). */
function WordCount({ editor }: { editor: Editor }) {
  const text = editor.state.doc.textBetween(0, editor.state.doc.content.size, '\n', ' ');
  const words = text.match(/\S+/g)?.length ?? 0;
  const characters = text.replace(/\n/g, '').length;
  return (
    <span class="word-count" data-testid="word-count">
      {`${words} ${words === 1 ? 'word' : 'words'} · ${characters} ${characters === 1 ? 'character' : 'characters'}`}
    </span>
  );
}

const displayName = (u: User) => u.display_name || u.username || u.email;

const LOAD_ERROR_TITLE: Record<string, string> = { notfound: 'Note not found', offline: 'Not on this device yet' };
const LOAD_ERROR_TEXT: Record<string, string> = {
  notfound: 'It may have been deleted or you no longer have access.',
  offline: 'This note has not been opened on this device before. It opens as soon as the server can be reached.',
};

export function NotePage({ id }: { id: string }) {
  const [note, setNote] = useState<Note | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [titleState, setTitleState] = useState<{ state: TitleState; error?: string }>({ state: 'saved' });
  const [status, setStatus] = useState<CollabStatus | null>(null);
  const [gone, setGone] = useState(false);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [, setTick] = useState(0);
  const host = useRef<HTMLDivElement>(null);
  const titleRef = useRef<HTMLTextAreaElement>(null);
  const titleSync = useRef<TitleSync | null>(null);
  const collabRef = useRef<NoteCollab | null>(null);
  const seenInStore = useRef(false);
  /** Keys typed after Enter in the title are held until the editor can take them. */
  const bodyPending = useRef(false);

  const storeNote = useStore(app, (s) => s.notes.find((n) => n.id === id));
  const notebookId = storeNote?.notebook_id ?? note?.notebook_id;
  const nb = useStore(app, (s) => s.notebooks.find((n) => n.id === notebookId));
  const user = useStore(app, (s) => s.user);
  const loaded = useStore(app, (s) => s.loaded);
  const role = nb ? roleOf(nb, user) : (storeNote?.role ?? note?.role ?? 'editor');
  const closed = status?.closed ?? null;
  const readOnly = role === 'viewer' || gone || !!closed;
  // The server's copy, or a non-empty copy kept on this device: never an empty page that
  // only looks empty because the server has not answered yet.
  const contentReady = !!status && (status.synced || (status.local && !status.empty));

  // Load the note's title, notebook and role (the content comes through the shared document).
  useEffect(() => {
    let cancelled = false;
    setNote(null);
    setLoadError(null);
    setGone(false);
    seenInStore.current = false;
    (async () => {
      try {
        const n = await api.note(id);
        if (cancelled) return;
        const full = { ...n, blocks: sortBlocks(n.blocks ?? app.get().notes.find((x) => x.id === id)?.blocks) };
        upsertNoteLocal(full);
        setTitle(n.title ?? '');
        setNote(full);
      } catch (e) {
        if (cancelled) return;
        const cached = app.get().notes.find((x) => x.id === id);
        if (e instanceof NetworkError && cached) {
          setTitle(cached.title ?? '');
          setNote(cached);
        } else if (e instanceof NetworkError) setLoadError('offline');
        else setLoadError(isGone(e) ? 'notfound' : errorMessage(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [id]);

  useEffect(() => {
    if (notebookId) ui.set({ contextNotebookId: notebookId });
  }, [notebookId]);

  // The title's REST sync, once the note is known.
  useEffect(() => {
    if (!note) return;
    const ts = new TitleSync(id, note.title ?? '', () => setGone(true));
    titleSync.current = ts;
    if (ts.title !== (note.title ?? '')) {
      setTitle(ts.title);
      patchNoteLocal(id, { title: ts.title });
    }
    setTitleState({ state: ts.pending ? 'pending' : 'saved' });
    const off = ts.changed.on(setTitleState);
    return () => {
      off();
      void ts.flush().finally(() => ts.destroy());
      titleSync.current = null;
    };
  }, [note?.id]);

  // The shared document and its editor.
  const userId = user?.id;
  useEffect(() => {
    if (!userId || !host.current || loadError) return;
    const me = app.get().user!;
    const collab = new NoteCollab(id, userId);
    collabRef.current = collab;
    setStatus(collab.current);
    const offStatus = collab.changed.on(setStatus);
    const self: CollabUser = { id: userId, name: displayName(me), color: colorOf(userId) };
    const LinkShortcut = Extension.create({
      name: 'owlLinkShortcut',
      addKeyboardShortcuts() {
        return {
          // Links the selected words (or edits the link under the caret); otherwise the key
          // is the quick switcher's, as everywhere else.
          'Mod-k': () => {
            if (!this.editor.isEditable) return false;
            if (this.editor.state.selection.empty && !this.editor.isActive('link')) return false;
            void editLink(this.editor);
            return true;
          },
        };
      },
    });
    const ed = new Editor({
      element: host.current,
      injectCSS: false, // its styles come from the stylesheet: the CSP refuses inline <style>
      extensions: [
        ...buildExtensions({ placeholder: 'Start writing…', doc: collab.doc, provider: collab.provider, user: self }),
        LinkShortcut,
        MediaUpload.configure({ noteId: id }),
      ],
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
      onTransaction: () => setTick((t) => t + 1),
    });
    setEditor(ed);

    const offEvents = realtime.events.on((msg) => {
      const p = msg.payload ?? {};
      if ((msg.event === 'note.deleted' || msg.event === 'note.permanent_deleted') && p.note_id === id) setGone(true);
      if (msg.event === 'notebook.deleted' && p.notebook_id && p.notebook_id === app.get().notes.find((n) => n.id === id)?.notebook_id) setGone(true);
    });

    return () => {
      offEvents();
      offStatus();
      ed.destroy();
      collab.destroy();
      setEditor(null);
      setStatus(null);
      collabRef.current = null;
    };
  }, [id, userId, loadError]);

  function onTitle(v: string) {
    const clean = v.replace(/\n/g, ' ');
    setTitle(clean);
    titleSync.current?.set(clean);
    patchNoteLocal(id, { title: clean });
  }

  /** Leaves the title for the editor; keys typed before the editor is ready are kept for it. */
  function toBody(typed = '') {
    if (editor?.isEditable) {
      focusEditor(editor, 'start');
      typeInto(editor, typed);
    } else {
      bodyPending.current = true;
      holdKeys(typed);
    }
  }

  // The name others see next to this user's caret.
  const myName = user ? displayName(user) : '';
  useEffect(() => {
    if (editor && userId && myName) editor.commands.updateUser({ id: userId, name: myName, color: colorOf(userId) });
  }, [editor, myName]);

  // Editable once the note is known and its content is there; read-only for viewers, for
  // a trashed note, or when the server closed the connection.
  const editable = !!note && contentReady && !readOnly;
  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable);
    // Enter was pressed in the title before the content was there: what followed goes in now.
    if (editor && editable && bodyPending.current) {
      bodyPending.current = false;
      const typed = releaseKeys();
      focusEditor(editor, 'start');
      typeInto(editor, typed);
    }
  }, [editor, editable]);

  // The note vanished from the store (deleted elsewhere) after having been there.
  useEffect(() => {
    if (storeNote) seenInStore.current = true;
    else if (seenInStore.current && note) setGone(true);
  }, [storeNote, note]);

  // Title changed elsewhere.
  useEffect(() => {
    const remote = storeNote?.title;
    const ts = titleSync.current;
    if (remote === undefined || !ts || remote === title) return;
    if (ts.remote(remote)) setTitle(remote);
    else patchNoteLocal(id, { title }); // keep showing what is being typed
  }, [storeNote?.title]);

  // A brand-new note starts in its title, with whatever was typed while it was created.
  useEffect(() => {
    if (!note || note.title || readOnly) {
      if (note) releaseKeys();
      return;
    }
    titleRef.current?.focus();
    const typed = releaseKeys();
    const enter = typed.indexOf('\n');
    const head = enter < 0 ? typed : typed.slice(0, enter);
    if (head) onTitle(head);
    if (enter >= 0) toBody(typed.slice(enter + 1));
  }, [note?.id]);
  useEffect(
    () => () => {
      if (bodyPending.current) releaseKeys(); // left before the editor was ready
      bodyPending.current = false;
    },
    [id],
  );

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
        <EmptyState icon="note" title={LOAD_ERROR_TITLE[loadError] ?? 'Could not open the note'} testid="note-missing">
          <p class="muted">{LOAD_ERROR_TEXT[loadError] ?? loadError}</p>
          <a class="btn" href={href.home()}>
            Go home
          </a>
        </EmptyState>
      </div>
    );
  }


  const exportMd = async () => {
    if (!editor) return;
    // Loaded on demand: the Markdown parser and serializer are not needed to edit.
    const { downloadText, noteToMarkdown, safeFileName } = await import('../markdown');
    downloadText(`${safeFileName(title)}.md`, noteToMarkdown({ ...storeNote, title }, editor.getJSON()));
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
      await titleSync.current?.flush();
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
          {collabRef.current && userId && <Presence awareness={collabRef.current.provider.awareness} userId={userId} />}
          {!readOnly && note && status && (
            <SaveIndicator state={saveStateOf(status, titleState.state)} link={status.link} error={titleState.error} />
          )}
          <button type="button" class="icon-btn" aria-label="Export as markdown" title="Export as markdown (.md)" data-testid="note-export" onClick={() => void exportMd()} disabled={!editor}>
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

      {closed && (
        <div class="banner banner-warn" role="alert" data-testid="note-closed">
          <Icon name="alert" /> {closed} The note is read-only here until it is opened again.
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
            onBlur={() => void titleSync.current?.flush()}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || (e.key === 'ArrowDown' && !e.shiftKey)) {
                e.preventDefault();
                toBody();
              }
            }}
          />
          <p class="note-meta muted small">
            {storeNote?.updated_at ? `Edited ${timeAgo(storeNote.updated_at)}` : ''}
            {editor && contentReady && <WordCount editor={editor} />}
          </p>
          {editor && editable && <Toolbar editor={editor} />}
          {!contentReady &&
            (status?.local && status.link === 'offline' ? (
              <EmptyState icon="cloudOff" title="Not on this device yet" testid="note-not-offline">
                <p class="muted">{LOAD_ERROR_TEXT.offline}</p>
              </EmptyState>
            ) : (
              <div class="note-skeleton" aria-busy="true" aria-label="Loading the note's content">
                <div class="sk" />
                <div class="sk" />
                <div class="sk short" />
              </div>
            ))}
        </>
      )}
      <div ref={host} class={`editor-host${note && contentReady ? '' : ' hidden'}`} />
    </div>
  );
}
