/// <reference lib="webworker" />
// Owlistic's service worker: the app shell (every built file, listed at build time) is
// served from the cache, so the app opens without a network; the API and the WebSockets
// are never intercepted. Notes and lists for offline use live in IndexedDB, not here.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every page of the app is index.html (hash routing); server paths keep going to the server.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api(\/|$)/, /^\/ws/, /^\/docs/, /^\/redoc/, /^\/openapi\.json/, /^\/healthz/, /^\/readyz/],
  }),
);

// The first install takes over the open tab at once (so it works offline right away); an
// update waits until the page asks for it (see main.tsx), never in the middle of a session.
self.addEventListener('activate', (event) =>
  event.waitUntil(
    (async () => {
      // The cache of the service worker before this one (a hand-written asset scan).
      const old = (await caches.keys()).filter((name) => name.startsWith('owlistic-shell-'));
      await Promise.all(old.map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  ),
);
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// Web Push: a reminder arrives encrypted from the server. Shown unless a tab of the app is
// visible (that tab shows its own in-app notification, with Done and Snooze).
interface ReminderPush {
  type?: string;
  task_id?: string;
  title?: string;
  due_date?: string;
  late?: boolean;
}

self.addEventListener('push', (event) => {
  let data: ReminderPush = {};
  try {
    data = (event.data?.json() ?? {}) as ReminderPush;
  } catch {
    return; // not ours
  }
  if (data.type !== 'task.reminder') return;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (tabs.some((c) => c.visibilityState === 'visible')) return;
      await self.registration.showNotification(`${data.late ? 'Missed reminder' : 'Reminder'}: ${data.title || 'a task'}`, {
        body: data.due_date ? `Due ${data.due_date}` : '',
        tag: `reminder:${data.task_id}`,
        icon: '/icons/icon-192.png',
        data: { url: '/#/tasks' },
      });
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: string } | null)?.url ?? '/';
  event.waitUntil(
    (async () => {
      const [tab] = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (tab) {
        await tab.focus();
        await tab.navigate(url);
      } else {
        await self.clients.openWindow(url);
      }
    })(),
  );
});
