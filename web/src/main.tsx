import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { App } from './app';
import { toast } from './lib/toast';
// The editor's base styles ship in our stylesheet (the CSP allows no injected <style>).
import 'prosemirror-view/style/prosemirror.css';
import 'prosemirror-gapcursor/style/gapcursor.css';
import './styles.css';
import './theme';

render(<App />, document.getElementById('app')!);

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  // A new version waits until the user chooses to reload (nothing typed is lost: notes are
  // kept on the device, the title is saved before the page goes).
  const update = registerSW({
    onNeedRefresh: () => toast('A new version of Owlistic is available.', 'info', { label: 'Reload', run: () => void update(true) }, 60_000),
    onRegisterError: (e: unknown) => console.warn('service worker registration failed', e),
  });
}
