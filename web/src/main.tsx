import { render } from 'preact';
import { App } from './app';
import './styles.css';
import './theme';

render(<App />, document.getElementById('app')!);

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((e) => console.warn('service worker registration failed', e));
  });
}
