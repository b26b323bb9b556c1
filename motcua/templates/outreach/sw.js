// Service worker of the community team's form. Caches only the static files and the form shell (which
// holds no personal data); every other request goes to the network. Queued records live in IndexedDB,
// not here. To switch it off, deploy a version whose install handler calls self.registration.unregister().
const CACHE = "motcua-outreach-v1";
const SHELL = ["{{ js }}", "{{ css }}"];
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  self.skipWaiting();
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET") return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
  } else if (url.pathname.endsWith("/ghi-nhan")) {
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put("form", copy));
          return response;
        })
        .catch(() => caches.match("form"))
    );
  }
});
