/* The service worker (served at /sw.js by core.capture.service_worker, scope "/").

   - App shell: a page that takes records offline (it has a form[data-offline]) asks the
     worker to keep its shell: the page fetched again with "Fk-Shell: 1", which the
     server renders without any personal data (no lists, an empty form), plus the static
     files it uses. Offline, a navigation to that page gets the shell. Nothing else is
     cached: the answers that carry personal data never enter the cache.
   - Versioned cache: VERSION changes whenever the app's scripts or styles change (the
     server writes it into this file); the new worker copies the shells into its own
     cache, fetched afresh, and deletes the old caches.
   - Background Sync: "fangkong-queue" sends the queue (offline-queue.js) even when no
     page of the site is open, where the browser has it. */
/* global fkQueue */
"use strict";
var VERSION = "__VERSION__";
var PREFIX = "fangkong-shell-";
var CACHE = PREFIX + VERSION;
var SESSION_URL = "/core/offline/session";
var LOGIN_PATH = "/accounts/login/";

importScripts("/static/js/offline-queue.js");

function shellRequest(url) {
  return new Request(url, { headers: { "Fk-Shell": "1" }, credentials: "same-origin",
                            cache: "no-store" });
}

function assetsOf(html) {
  var found = [], re = /(?:src|href)="(\/static\/[^"]+)"/g, m;
  while ((m = re.exec(html))) { found.push(m[1]); }
  return found;
}

/* Fetch the page's shell and its static files into the cache; the cache key is the
   page's own URL, so a navigation finds it. */
function keepShell(url, cache) {
  return fetch(shellRequest(url)).then(function (response) {
    if (!response.ok || response.headers.get("Fk-Shell") !== "1") { return null; }
    return response.clone().text().then(function (html) {
      return Promise.all([
        cache.put(url, response),
        Promise.all(assetsOf(html).map(function (asset) {
          return cache.match(asset).then(function (hit) {
            return hit || fetch(asset).then(function (r) { if (r.ok) { return cache.put(asset, r); } });
          });
        })),
      ]);
    });
  });
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    var old = names.filter(function (n) { return n.indexOf(PREFIX) === 0 && n !== CACHE; });
    return caches.open(CACHE).then(function (cache) {
      // The pages kept by the previous version, fetched again for this one.
      return Promise.all(old.map(function (name) {
        return caches.open(name).then(function (previous) {
          return previous.keys().then(function (requests) {
            return Promise.all(requests.filter(function (r) {
              return new URL(r.url).pathname.indexOf("/static/") !== 0;
            }).map(function (r) {
              return keepShell(r.url, cache).catch(function () {
                return previous.match(r).then(function (hit) { if (hit) { return cache.put(r, hit); } });
              });
            }));
          });
        });
      }));
    }).then(function () {
      return Promise.all(old.map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); });
  }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-shell" && data.url) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return keepShell(new URL(data.url, self.location.origin).href, cache);
    }).catch(function () {}));
  } else if (data.type === "forget") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(PREFIX) === 0; })
        .map(function (n) { return caches.delete(n); }));
    }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(url.href, { ignoreSearch: false }).then(function (hit) {
          return hit || Response.error();
        });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // Network first (the files are not content-hashed), the cached copy when offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) {
          return cache.match(request).then(function (hit) { if (hit) { return cache.put(request, copy); } });
        });
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (hit) { return hit || Response.error(); });
      });
    }));
  }
});

function tellPages(summary) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ type: "queue-changed", summary: summary }); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "fangkong-queue") { return; }
  event.waitUntil(fkQueue.replay({ sessionUrl: SESSION_URL, loginPath: LOGIN_PATH })
    .then(function (summary) {
      return tellPages(summary).then(function () {
        // Still offline: reject, so that the browser tries the sync again later.
        if (summary && summary.offline) { throw new Error("offline"); }
      });
    }));
});
