/* global self */
// Service worker of the parent app: shows pushed notices, opens the app on click.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let n = { title: '校园通知', body: '', url: '/parent/', noticeId: 0, safety: false };
  try {
    n = { ...n, ...event.data.json() };
  } catch {
    if (event.data) n.body = event.data.text();
  }
  event.waitUntil(
    self.registration.showNotification(n.title, {
      body: n.body,
      tag: `notice-${n.noticeId}`,
      renotify: Boolean(n.safety),
      requireInteraction: Boolean(n.safety),
      icon: '/parent/icon.svg',
      data: { url: n.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/parent/';
  // A staff notice may point into the console (/console/…): focus a window already there, else open it.
  const base = new URL(url, self.location.origin).pathname.split('/').slice(0, 2).join('/') + '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) if (new URL(c.url).pathname.startsWith(base)) return c.focus();
      return self.clients.openWindow(url);
    }),
  );
});
