/* Duta's service worker, served at /sw.js (scope /) by app/core/offline.py, which fills in BUILD.
 *
 * - The app shell (CSS, htmx, app.js, the outbox modules, the offline page) is precached under
 *   versioned names; a new release means a new BUILD.version, new caches, old ones deleted.
 * - Pages: network first. The forms a duta needs in the field (/members/new, /members/{id}/pay) and
 *   the home and outbox pages are kept as the last copy seen, served when there is no connection,
 *   marked `data-offline-copy` so the page's script knows.
 * - The roster's pages (member list, a member, follow-up lists, a pay form not kept): offline, the
 *   roster shell (BUILD.roster), which static/offline/roster.js fills from IndexedDB.
 *   Anything else offline: the offline page.
 * - Never cached: the JSON API, exports, HTMX partials, anything not HTML, any POST.
 */
"use strict";

const BUILD = /*BUILD*/ { version: "dev", precache: [], offline: "/offline", roster: "/roster", pages: [] } /*END*/;
const SHELL = "duta-shell-" + BUILD.version;
const PAGES = "duta-pages-" + BUILD.version;
const KEEP_PAGES = [/^\/$/, /^\/members\/new$/, /^\/members\/\d+\/pay$/, /^\/outbox$/, /^\/roster$/];
const ROSTER_PAGES = [/^\/members$/, /^\/members\/\d+$/, /^\/members\/\d+\/pay$/, /^\/followups(\/[a-z_]+)?$/];
const NEVER = [/^\/api\//, /^\/sw\.js$/, /^\/docs/, /^\/logout$/, /^\/login$/, /\.(csv|xlsx)$/, /\/export/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL);
      await shell.addAll(BUILD.precache);
      // The forms, if the person logged in may open them: best effort, a refusal is no failure.
      const pages = await caches.open(PAGES);
      await Promise.all(
        BUILD.pages.map(async (path) => {
          try {
            const response = await fetch(path, { credentials: "same-origin" });
            if (keepable(response)) await pages.put(path, response);
          } catch (error) {
            /* offline while installing: the page is kept on the next visit */
          }
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("duta-") && name !== SHELL && name !== PAGES) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  // On logout the page asks to forget the kept pages (they carry names of members).
  if (event.data && event.data.type === "forget-pages") event.waitUntil(caches.delete(PAGES));
});

function keepable(response) {
  return (
    response &&
    response.ok &&
    !response.redirected &&
    response.type === "basic" &&
    (response.headers.get("Content-Type") || "").startsWith("text/html")
  );
}

function isPage(request) {
  return request.mode === "navigate" || (request.headers.get("Accept") || "").includes("text/html");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((pattern) => pattern.test(url.pathname))) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (request.headers.get("HX-Request")) return; // partials: the page handles a failure
  if (isPage(request)) event.respondWith(networkFirst(request, url));
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).search) {
    // Versioned names never change: safe to keep.
    const shell = await caches.open(SHELL);
    await shell.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request, url) {
  try {
    const response = await fetch(request);
    if (keepable(response) && KEEP_PAGES.some((pattern) => pattern.test(url.pathname))) {
      const pages = await caches.open(PAGES);
      await pages.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(url.pathname, { cacheName: PAGES, ignoreVary: true });
    if (kept) return markedCopy(kept);
    if (ROSTER_PAGES.some((pattern) => pattern.test(url.pathname))) {
      const shell = await caches.match(BUILD.roster, { cacheName: PAGES, ignoreVary: true });
      if (shell) return markedCopy(shell);
    }
    const offline = await caches.match(BUILD.offline, { cacheName: SHELL, ignoreVary: true });
    if (offline) return markedCopy(offline);
    throw error;
  }
}

async function markedCopy(response) {
  const html = (await response.text()).replace("<html", '<html data-offline-copy="1"');
  const headers = new Headers();
  for (const [name, value] of response.headers) {
    if (!["content-length", "content-encoding"].includes(name.toLowerCase())) headers.set(name, value);
  }
  return new Response(html, { status: 200, headers });
}
