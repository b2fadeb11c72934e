/* Sigap citizen app: service worker, the outbox of reports waiting for a signal, and the
   list of reports remembered on this device. No framework: it must load fast on 3G. */
(function () {
  "use strict";
  // Settings come as data attributes of this script's own tag (no inline script: CSP).
  var tag = document.getElementById("sigap-app"), d = tag ? tag.dataset : {};
  var S = window.SIGAP || { sw: d.sw, report: d.report, t: { waiting: d.waiting } };
  var MINE = "sigap.reports";
  // The outbox itself (IndexedDB, idempotency keys, the POST) is static/shared/outbox.js,
  // shared with the officer's phone; this file adds what a citizen's report needs.
  var C = window.SigapOutboxCore, queue = C.open("sigap");
  var put = queue.put, del = queue.del, list = queue.list;

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
  function send(entry) {
    sending[entry.key] = true;
    var fd = new FormData();
    entry.fields.forEach(function (f) { if (f[0] !== "csrfmiddlewaretoken") { fd.append(f[0], f[1]); } });
    entry.photos.forEach(function (blob, i) { fd.append("photos", blob, "foto-" + (i + 1) + ".jpg"); });
    // 429 (too many reports from this phone or network for now) comes back as "offline":
    // kept and sent again by the outbox (the server counts only stored reports, not retries).
    return C.post(S.report, fd, entry.key).then(function (res) {
      if (res.status === "sent") {
        remember({ ticket: res.data.ticket, url: res.data.tracking_url, title: entry.title || "", at: entry.at });
        return del(entry.key).then(function () { return res; });
      }
      if (res.status === "invalid") {
        entry.errors = res.data.errors;
        return put(entry).then(function () { return res; });
      }
      return res;
    }).then(function (res) {
      delete sending[entry.key];
      return res;
    });
  }

  var flushQueue = C.flusher(queue, function (e) {
    return send(e).then(function (res) {
      if (res.status === "sent") {
        document.dispatchEvent(new CustomEvent("sigap:sent", { detail: { key: e.key, data: res.data } }));
      }
    });
  }, function (e) { return sending[e.key]; });
  function flush() { return flushQueue().then(banner); }

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
