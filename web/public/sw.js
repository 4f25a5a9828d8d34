/* Owlistic service worker: caches the app shell so the app installs and opens offline.
 * The API (/api/...) and the WebSocket are never cached or intercepted. */
const CACHE = 'owlistic-shell-v1';
const SHELL = ['/', '/index.html', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];

/** Cache index.html plus the JS/CSS it references; drop stale hashed assets. */
async function cacheShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch('/index.html', { cache: 'no-store' });
  if (!res.ok) throw new Error(`index.html: ${res.status}`);
  const html = await res.clone().text();
  const assets = new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]));
  // Chunks loaded on demand (the editor) are named inside the entry scripts.
  const queue = [...assets].filter((u) => u.endsWith('.js'));
  const scanned = new Set();
  while (queue.length) {
    const url = queue.shift();
    if (scanned.has(url)) continue;
    scanned.add(url);
    try {
      const js = await (await fetch(url)).text();
      for (const m of js.matchAll(/["'`](?:\.\/|\/?assets\/)([\w-]+(?:\.[\w-]+)*\.(?:js|css))["'`]/g)) {
        const found = `/assets/${m[1]}`;
        assets.add(found);
        if (found.endsWith('.js') && !scanned.has(found)) queue.push(found);
      }
    } catch {
      /* best effort */
    }
  }
  await cache.put('/index.html', res.clone());
  await cache.put('/', res);
  await cache.addAll([...SHELL.filter((u) => u !== '/' && u !== '/index.html'), ...assets]);
  // Forget hashed files of older builds.
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/assets/') && !assets.has(path)) await cache.delete(req);
  }
  return assets;
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => k.startsWith('owlistic-') && k !== CACHE).map((k) => caches.delete(k)));
      await self.clients.claim();
    })(),
  );
});

function isApi(url) {
  return url.pathname.startsWith('/api/') || url.pathname === '/api' || url.pathname.startsWith('/ws') || url.pathname === '/openapi.json' || url.pathname.startsWith('/healthz');
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || isApi(url)) return; // network only

  if (req.mode === 'navigate') {
    // Network first so a new build is picked up; the cached shell when offline.
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(req);
          if (res.ok && (url.pathname === '/' || url.pathname === '/index.html')) {
            const cache = await caches.open(CACHE);
            await cache.put('/index.html', res.clone());
            // Keep the hashed assets of the new build too, in the background.
            cacheShell().catch(() => undefined);
          }
          return res;
        } catch {
          const cached = (await caches.match('/index.html', { ignoreVary: true })) || (await caches.match('/', { ignoreVary: true }));
          return cached || new Response('<h1>You are offline</h1>', { headers: { 'Content-Type': 'text/html' } });
        }
      })(),
    );
    return;
  }

  if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/') || url.pathname === '/manifest.webmanifest') {
    // Hashed assets never change: cache first, fill the cache from the network.
    event.respondWith(
      (async () => {
        // The server varies on Origin (CORS); module scripts send one, the precache did not.
        const cached = await caches.match(req, { ignoreVary: true, ignoreSearch: true });
        if (cached) return cached;
        const res = await fetch(req);
        if (res.ok) {
          const cache = await caches.open(CACHE);
          cache.put(req, res.clone());
        }
        return res;
      })(),
    );
  }
});

/* Web Push: a reminder arrives encrypted from the server; show it unless a tab is visible
 * (that tab shows its own in-app notification with Done and Snooze). */
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    /* not ours */
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
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs[0];
      if (tab) {
        await tab.focus();
        return tab.navigate ? tab.navigate(event.notification.data?.url || '/') : undefined;
      }
      return self.clients.openWindow(event.notification.data?.url || '/');
    })(),
  );
});
