/* Sigap citizen app: service worker, the outbox of reports waiting for a signal, and the
   list of reports remembered on this device. No framework: it must load fast on 3G. */
(function () {
  "use strict";
  // Settings come as data attributes of this script's own tag (no inline script: CSP).
  var tag = document.getElementById("sigap-app"), d = tag ? tag.dataset : {};
  var S = window.SIGAP || { sw: d.sw, report: d.report, t: { waiting: d.waiting } };
  var DB_NAME = "sigap", STORE = "outbox", MINE = "sigap.reports";

  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
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
  function put(entry) { return tx("readwrite", function (s) { return s.put(entry); }); }
  function del(key) { return tx("readwrite", function (s) { return s.delete(key); }); }
  function list() { return tx("readonly", function (s) { return s.getAll(); }); }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function remember(item) {
    var mine = mineList().filter(function (r) { return r.ticket !== item.ticket; });
    mine.unshift(item);
    try { localStorage.setItem(MINE, JSON.stringify(mine.slice(0, 50))); } catch (e) { /* full */ }
  }
  function mineList() {
    try { return JSON.parse(localStorage.getItem(MINE) || "[]"); } catch (e) { return []; }
  }

  /* Send one stored report. Resolves {status: "sent"|"invalid"|"offline", data}. The same
     idempotency key goes with every try, so the server stores the report exactly once. */
  var sending = {};  // keys this page is uploading right now (memory only: a closed tab forgets)
  function send(entry, retried) {
    sending[entry.key] = true;
    var fd = new FormData();
    entry.fields.forEach(function (f) { if (f[0] !== "csrfmiddlewaretoken") { fd.append(f[0], f[1]); } });
    entry.photos.forEach(function (blob, i) { fd.append("photos", blob, "foto-" + (i + 1) + ".jpg"); });
    // A 3G upload that stalls is given up after 90 s and kept for later (same key).
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort && setTimeout(function () { abort.abort(); }, 90000);
    return fetch(S.report, {
      method: "POST", body: fd, credentials: "same-origin", signal: abort ? abort.signal : undefined,
      headers: { "Accept": "application/json", "X-Idempotency-Key": entry.key, "X-CSRFToken": csrf() }
    }).then(function (r) {
      clearTimeout(timer);
      if (r.status === 403 && !retried) {
        // The CSRF cookie is gone or changed (signed in since): fetch a fresh one, try again.
        return fetch(S.report, { credentials: "same-origin" }).then(function () { return send(entry, true); });
      }
      // 429: too many reports from this phone or network for now. Kept, like offline, and
      // sent again by the outbox (the server counts only stored reports, not the retries).
      if (r.status >= 500 || r.status === 403 || r.status === 429) { return { status: "offline" }; }
      return r.json().then(function (data) {
        if (data.ok) {
          remember({ ticket: data.ticket, url: data.tracking_url, title: entry.title || "", at: entry.at });
          return del(entry.key).then(function () { return { status: "sent", data: data }; });
        }
        entry.errors = data.errors;
        return put(entry).then(function () { return { status: "invalid", data: data }; });
      });
    }, function () { clearTimeout(timer); return { status: "offline" }; }).then(function (res) {
      delete sending[entry.key];
      return res;
    });
  }

  var flushing = null;
  function flush() {
    if (flushing) { return flushing; }
    flushing = list().then(function (entries) {
      var waiting = entries.filter(function (e) { return !e.errors && !sending[e.key]; });
      return waiting.reduce(function (p, e) {
        return p.then(function () {
          return send(e).then(function (res) {
            if (res.status === "sent") {
              document.dispatchEvent(new CustomEvent("sigap:sent", { detail: { key: e.key, data: res.data } }));
            }
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* no IndexedDB: nothing queued */ }).then(function () {
      flushing = null;
      return banner();
    });
    return flushing;
  }

  function banner() {
    var el = document.getElementById("outbox-banner");
    if (!el || !window.indexedDB) { return Promise.resolve(); }
    return list().then(function (entries) {
      var n = entries.filter(function (e) { return !e.errors; }).length;
      el.hidden = n === 0;
      if (n) { el.textContent = (S.t.waiting || "").replace("%(n)s", n); }
    }).catch(function () {});
  }

  window.SigapOutbox = { put: put, del: del, list: list, send: send, flush: flush, remember: remember, mine: mineList, banner: banner };

  if (window.indexedDB) {
    window.addEventListener("online", flush);
    document.addEventListener("DOMContentLoaded", function () { flush(); });
    setInterval(function () { if (navigator.onLine) { flush(); } }, 20000);
  }
  if ("serviceWorker" in navigator && S.sw) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(S.sw, { scope: "/" }).catch(function () {});
    });
  }

  /* "Laporan saya" on this device (no account needed). */
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("device-list");
    if (!box) { return; }
    var tpl = box.dataset;
    var mine = mineList();
    list().catch(function () { return []; }).then(function (waiting) {
      box.innerHTML = "";
      waiting.forEach(function (e) {
        var li = document.createElement("li");
        li.className = "card wait";
        li.textContent = (e.title || "") + " — " + (e.errors ? tpl.invalid : tpl.waiting);
        box.appendChild(li);
      });
      mine.forEach(function (r) {
        var li = document.createElement("li"), a = document.createElement("a");
        li.className = "card";
        a.href = r.url; a.textContent = r.ticket + (r.title ? " · " + r.title : "");
        li.appendChild(a);
        if (r.at) {
          var when = document.createElement("p");
          when.className = "meta";
          when.textContent = new Date(r.at).toLocaleString(document.documentElement.lang || "id");
          li.appendChild(when);
        }
        box.appendChild(li);
      });
      document.getElementById("device-empty").hidden = (mine.length + waiting.length) > 0;
    });
  });
})();
