// The playground's service worker: once the page has been opened, every file of the site is
// cached, so it opens and works offline, training included. The build lists the site's files
// in precache.json (playground/vite.config.ts); the page registers this worker in production
// builds only. Pages are fetched from the network first (an update shows at once), the other
// files, whose names carry a hash of their content, from the cache first.
const CACHE = "gradc-playground";
const MANIFEST = "precache.json";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const response = await fetch(MANIFEST, { cache: "no-store" });
      const { files } = await response.clone().json();
      await cache.addAll(files);
      await cache.put(MANIFEST, response);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // Drop what an older version of the site cached and this one no longer has.
      const cache = await caches.open(CACHE);
      const manifest = await cache.match(MANIFEST);
      if (manifest) {
        const keep = new Set([MANIFEST, ...(await manifest.json()).files].map((f) => new URL(f, self.location.href).href));
        for (const request of await cache.keys()) if (!keep.has(request.url)) await cache.delete(request);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (request.mode === "navigate") {
        try {
          return await fetch(request);
        } catch {
          return (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match("./")) ?? Response.error();
        }
      }
      return (await cache.match(request, { ignoreSearch: true })) ?? fetch(request);
    })(),
  );
});
