// Service worker of the community team's form. After ONE online visit the form opens with no network:
// on install it pre-caches the static files and the form page (the shell: no personal data; queued
// records live in IndexedDB, not here), skips waiting and claims the open page at once. The form page is
// fetched network-first (a fresh CSRF token and release when online) and falls back to the cached copy.
// Every other request goes to the network. To switch it off, deploy a version whose install handler calls
// self.registration.unregister().
const CACHE = "motcua-outreach-v2";
const SHELL = ["{{ js }}", "{{ css }}"];
const FORM = "{{ form }}";

async function cacheForm(cache) {
  const response = await fetch(FORM, { credentials: "same-origin", redirect: "follow" });
  // Only the form itself, never the login page a logged-out visit is redirected to.
  if (response.ok && !response.redirected) await cache.put(FORM, response);
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all([cache.addAll(SHELL), cacheForm(cache).catch(() => {})]))
  );
});
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(event.request)));
  } else if (url.pathname === FORM) {
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(FORM, copy));
          }
          return response;
        })
        .catch(() => caches.match(FORM))
    );
  }
});
