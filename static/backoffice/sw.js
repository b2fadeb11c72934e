/* Sigap office service worker, scope /office/ (served at /office/sw.js with VERSION, SHELL
   and PUSH prepended by the server). The officer's phone in the field:
   - static files: cache first;
   - the task list and each task page: network first, the cached copy without signal (the
     page that lists the tasks asks for every task page to be cached: "cache" messages);
   - posts are never touched here: the page's outbox (static/shared/outbox.js) keeps them
     and sends each once when the signal returns.
   The web-push alerts and pages (sigap.duty) are handled by the script PUSH names. */
importScripts(PUSH);
var CACHE = "sigap-office-" + VERSION, TASKS = "/office/tugas/";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("sigap-office-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isTaskPage(url) {
  return url.origin === self.location.origin && url.pathname.indexOf(TASKS) === 0;
}

/* Keep a copy of a task page: only a page served as asked (not a redirect to sign-in). */
function keep(req, res) {
  if (res.ok && !res.redirected && res.type === "basic") {
    var copy = res.clone();
    return caches.open(CACHE).then(function (c) { return c.put(req, copy); });
  }
  return Promise.resolve();
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache" || !Array.isArray(data.urls)) { return; }
  event.waitUntil(Promise.all(data.urls.slice(0, 60).map(function (u) {
    var url = new URL(u, self.location.origin);
    if (!isTaskPage(url)) { return null; }
    var req = new Request(url.href, { credentials: "same-origin" });
    return fetch(req).then(function (res) { return keep(req, res); }).catch(function () {});
  })));
});

self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return res;
      });
    }));
    return;
  }
  if (req.mode === "navigate" && isTaskPage(url)) {
    event.respondWith(fetch(req).then(function (res) {
      event.waitUntil(keep(new Request(url.href), res));
      return res;
    }).catch(function () {
      return caches.match(url.href, { ignoreSearch: true }).then(function (hit) {
        return hit || caches.match(TASKS);
      }).then(function (hit) {
        return hit || new Response(OFFLINE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
  }
});
