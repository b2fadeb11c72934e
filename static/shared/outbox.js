/* Sigap's outbox (decision 0003), shared by the citizen app (static/citizen/app.js: reports)
   and the officer's phone (static/backoffice/field.js: start, note, resolve). Kept in
   IndexedDB until the server answers; every try of one entry carries the same
   X-Idempotency-Key, and the server stores the first and replays its answer for the key, so
   an entry is acted on exactly once however many times the signal comes and goes.

   SigapOutboxCore.open(dbName) -> queue {put, del, list}: entries keyed by `key`.
   SigapOutboxCore.post(url, formData, key) -> promise of {status: "sent"|"invalid"|"offline",
     data}: "offline" (no signal, a stall, 5xx, 403 twice, 429) keeps the entry for later.
   SigapOutboxCore.flusher(queue, sendOne, busy) -> flush(): sends the waiting entries one by
     one (those without errors, and not `busy(entry)`: being sent already), one flush at a
     time. */
(function () {
  "use strict";
  var STORE = "outbox", STALL_MS = 90000;

  function open(dbName) {
    function db() {
      return new Promise(function (resolve, reject) {
        var req = indexedDB.open(dbName, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    function tx(mode, fn) {
      return db().then(function (d) {
        return new Promise(function (resolve, reject) {
          var t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
          t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
          t.onerror = function () { reject(t.error); };
        });
      });
    }
    return {
      put: function (entry) { return tx("readwrite", function (s) { return s.put(entry); }); },
      del: function (key) { return tx("readwrite", function (s) { return s.delete(key); }); },
      list: function () { return tx("readonly", function (s) { return s.getAll(); }); }
    };
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function post(url, fd, key, retried) {
    // A 3G upload that stalls is given up and kept for later (same key).
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, STALL_MS);
    return fetch(url, {
      method: "POST", body: fd, credentials: "same-origin", signal: abort ? abort.signal : undefined,
      headers: { "Accept": "application/json", "X-Idempotency-Key": key, "X-CSRFToken": csrf() }
    }).then(function (r) {
      clearTimeout(timer);
      if (r.status === 403 && !retried) {
        // The CSRF cookie is gone or changed (signed in since): fetch a fresh one, try again.
        return fetch(url, { credentials: "same-origin" }).then(function () { return post(url, fd, key, true); });
      }
      if (r.status >= 500 || r.status === 403 || r.status === 429) { return { status: "offline" }; }
      return r.json().then(function (data) {
        return { status: data.ok ? "sent" : "invalid", data: data };
      }, function () { return { status: "offline" }; });
    }, function () { clearTimeout(timer); return { status: "offline" }; });
  }

  function flusher(queue, sendOne, busy) {
    var flushing = null;
    return function flush() {
      if (flushing) { return flushing; }
      flushing = queue.list().then(function (entries) {
        return entries.filter(function (e) { return !e.errors && !(busy && busy(e)); })
          .reduce(function (p, e) {
            return p.then(function () { return sendOne(e); });
          }, Promise.resolve());
      }).catch(function () { /* no IndexedDB: nothing queued */ }).then(function () { flushing = null; });
      return flushing;
    };
  }

  window.SigapOutboxCore = { open: open, post: post, flusher: flusher, csrf: csrf, newKey: newKey };
})();
