import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { DialogHost } from './components/Dialog';
import { GlobalDropZone, ImportDialog } from './components/ImportDialog';
import { Icon } from './components/icons';
import { QuickSwitcher, openSwitcher } from './components/QuickSwitcher';
import { MoveDialog, ShareDialog } from './components/ShareMove';
import { Sidebar } from './components/Sidebar';
import { Toasts } from './components/Toasts';
import { startReveal } from './lib/reveal';
import { href, navigate, useRoute, type Route } from './lib/router';
import { useStore } from './lib/store';
import { LoginPage, RegisterPage } from './pages/Auth';
import { HomePage } from './pages/Home';
import { NotebookPage } from './pages/NotebookPage';
import { ProfilePage } from './pages/ProfilePage';
import { SearchPage } from './pages/SearchPage';
import { TasksPage } from './pages/TasksPage';
import { TrashPage } from './pages/TrashPage';
import { app, boot } from './state';
import { ui } from './ui';
import './organise';

startReveal();

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

function OfflineScreen() {
  useEffect(() => {
    const retry = () => void boot();
    window.addEventListener('online', retry);
    const t = window.setInterval(retry, 15000);
    return () => {
      window.removeEventListener('online', retry);
      clearInterval(t);
    };
  }, []);
  return (
    <main class="offline" id="main" data-testid="offline-screen">
      <div class="offline-card">
        <Icon name="cloudOff" size={44} />
        <h1>You are offline</h1>
        <p class="muted">Owlistic needs a connection to the server to open your notes. It will reconnect by itself as soon as the network is back.</p>
        <button type="button" class="btn btn-primary" onClick={() => void boot()} data-testid="offline-retry">
          <Icon name="refresh" /> Try again
        </button>
      </div>
    </main>
  );
}

function Splash() {
  return (
    <div class="splash" aria-busy="true" aria-label="Loading Owlistic">
      <img src="/icons/icon.svg" alt="" width={64} height={64} />
    </div>
  );
}

// The editor (Tiptap/ProseMirror) is the heaviest part: load it on demand.
let NotePageImpl: FunctionComponent<{ id: string }> | null = null;
function LazyNotePage({ id }: { id: string }) {
  const [Comp, setComp] = useState(() => NotePageImpl);
  useEffect(() => {
    if (Comp) return;
    void import('./pages/NotePage').then((m) => {
      NotePageImpl = m.NotePage;
      setComp(() => m.NotePage);
    });
  }, []);
  return Comp ? <Comp id={id} /> : <div class="page"><p class="muted pad">Loading editor…</p></div>;
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'notebook':
      return <NotebookPage key={route.id} id={route.id} />;
    case 'note':
      return <LazyNotePage key={route.id} id={route.id} />;
    case 'tasks':
      return <TasksPage />;
    case 'trash':
      return <TrashPage />;
    case 'profile':
      return <ProfilePage />;
    case 'search':
      return <SearchPage />;
    default:
      return (
        <div class="page">
          <h1>Page not found</h1>
          <a href={href.home()} class="btn">
            Go home
          </a>
        </div>
      );
  }
}

function Shell({ route }: { route: Route }) {
  const online = useOnline();
  const titleOf = () => {
    const s = app.get();
    if (route.name === 'note') return s.notes.find((n) => n.id === route.id)?.title || 'Note';
    if (route.name === 'notebook') return s.notebooks.find((n) => n.id === route.id)?.name || 'Notebook';
    return { home: 'Home', tasks: 'Tasks', trash: 'Trash', profile: 'Profile', search: 'Search' }[route.name as string] ?? 'Owlistic';
  };
  const title = titleOf();
  useStore(app, (s) => s.notes);
  useEffect(() => {
    document.title = title && title !== 'Owlistic' ? `${title} · Owlistic` : 'Owlistic';
  }, [title]);
  useEffect(() => {
    if (route.name !== 'note' && route.name !== 'notebook') ui.set({ contextNotebookId: null });
    document.getElementById('main')?.scrollTo?.(0, 0);
  }, [route]);

  return (
    <div class="shell">
      <a href="#main" class="skip-link" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <button type="button" class="icon-btn" aria-label="Open menu" data-testid="sidebar-toggle" onClick={() => ui.set({ drawerOpen: true })}>
          <Icon name="menu" />
        </button>
        <span class="topbar-title">{title}</span>
        <button type="button" class="icon-btn" aria-label="Search" data-testid="topbar-search" onClick={openSwitcher}>
          <Icon name="search" />
        </button>
        <ConnectionIndicator compact />
      </header>
      <Sidebar route={route} />
      <main class="main" id="main" tabindex={-1}>
        {!online && (
          <div class="banner banner-warn" role="status" data-testid="offline-banner">
            <Icon name="cloudOff" /> You are offline. Your edits are kept and will be saved when the connection is back.
          </div>
        )}
        <Page route={route} />
      </main>
      <ImportDialog />
      <ShareDialog />
      <MoveDialog />
      <GlobalDropZone />
      <QuickSwitcher />
    </div>
  );
}

export function App() {
  const phase = useStore(app, (s) => s.phase);
  const route = useRoute();

  useEffect(() => {
    void boot();
  }, []);

  useEffect(() => {
    if (phase === 'ready' && (route.name === 'login' || route.name === 'register')) navigate(href.home(), true);
  }, [phase, route.name]);

  let body;
  if (phase === 'booting') body = <Splash />;
  else if (phase === 'offline') body = <OfflineScreen />;
  else if (phase === 'signedOut') body = route.name === 'register' ? <RegisterPage /> : <LoginPage />;
  else body = <Shell route={route} />;

  return (
    <>
      {body}
      <DialogHost />
      <Toasts />
    </>
  );
}
