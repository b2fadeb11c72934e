/* The officer's phone in the field: the office service worker (task pages without signal),
   an offline banner, and the actions taken without signal (start, note, resolve) kept in the
   shared outbox (static/shared/outbox.js, decision 0003) and sent exactly once when the
   signal returns, each with its own idempotency key. A queued action is marked on its task
   and in the task list. window.SigapField.submit(form, extraFiles, extraFields) is what the
   forms (and officer.js, for the proof photos) call. */
(function () {
  "use strict";
  var C = window.SigapOutboxCore;
  var tag = document.getElementById("sigap-field"), T = tag ? tag.dataset : {};
  if (!C || !window.indexedDB || !window.fetch) { return; }
  var queue = C.open("sigap-office");

  if ("serviceWorker" in navigator && T.sw) {
    navigator.serviceWorker.register(T.sw, { scope: "/office/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // The task list asks for each of its task pages to be kept on the phone.
      var links = Array.prototype.map.call(document.querySelectorAll("[data-task-url]"),
                                           function (a) { return a.getAttribute("data-task-url"); });
      links.push(window.location.pathname);
      if (reg.active) { reg.active.postMessage({ type: "cache", urls: links }); }
    }).catch(function () {});
  }

  function banner() {
    var el = document.getElementById("offline-banner");
    if (!el) { return Promise.resolve(); }
    return queue.list().catch(function () { return []; }).then(function (entries) {
      var waiting = entries.filter(function (e) { return !e.errors; });
      var offline = !navigator.onLine;
      marks(entries);
      el.hidden = !offline && waiting.length === 0;
      el.textContent = offline
        ? (T.offline || "") + (waiting.length ? " " + (T.waiting || "").replace("%(n)s", waiting.length) : "")
        : (T.waiting || "").replace("%(n)s", waiting.length);
    });
  }

  /* The "queued" mark on each task (list) and on the task page for its waiting actions. */
  function marks(waiting) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-queued-for]"), function (el) {
      var mine = waiting.filter(function (e) { return e.ticket === el.getAttribute("data-queued-for"); });
      el.hidden = mine.length === 0;
      el.textContent = mine.map(function (e) {
        return e.errors ? e.label + " — " + (T.refused || "") + " " + e.errors : e.label + " — " + (T.queued || "");
      }).join(" · ");
    });
    var page = document.querySelector("[data-ticket]");
    if (page && waiting.some(function (e) { return !e.errors && e.ticket === page.getAttribute("data-ticket") && e.action === "resolve"; })) {
      // Resolved on this phone: neither the form nor "start" makes sense any more.
      Array.prototype.forEach.call(document.querySelectorAll("#resolve-form, form[data-action=start]"),
                                   function (form) { form.hidden = true; });
    }
  }

  function formData(entry) {
    var fd = new FormData();
    entry.fields.forEach(function (f) { if (f[0] !== "csrfmiddlewaretoken") { fd.append(f[0], f[1]); } });
    entry.files.forEach(function (f) { fd.append(f[0], f[1], f[2]); });
    return fd;
  }

  /* Send one queued action; resolves the outbox's {status, data}. A refusal ("invalid") is
     kept with its error and shown on the task: the officer decides what to do with it. */
  var sending = {};
  function send(entry) {
    sending[entry.key] = true;
    return C.post(entry.url, formData(entry), entry.key).then(function (res) {
      if (res.status === "sent") { return queue.del(entry.key).then(function () { return res; }); }
      if (res.status === "invalid") {
        entry.errors = res.data.error || "?";
        return queue.put(entry).then(function () { return res; });
      }
      return res;
    }).then(function (res) { delete sending[entry.key]; return res; });
  }

  var flushQueue = C.flusher(queue, function (e) {
    return send(e).then(function (res) {
      document.dispatchEvent(new CustomEvent("sigap:field-sent", { detail: { entry: e, result: res } }));
    });
  }, function (e) { return sending[e.key]; });
  function flush() { return flushQueue().then(banner); }

  /* Queue the form's action (with extra files [[name, blob, filename]] and fields), try to
     send it at once; resolves the outbox's answer ("offline": kept, marked, sent later). */
  function submit(form, extraFiles, extraFields) {
    var fields = [], files = (extraFiles || []).slice();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string") { fields.push([k, v]); } else if (v && v.size) { files.push([k, v, v.name || "file"]); }
    });
    (extraFields || []).forEach(function (f) { fields.push(f); });
    var entry = { key: C.newKey(), url: form.action, fields: fields, files: files,
                  ticket: form.getAttribute("data-ticket") || "", action: form.getAttribute("data-action") || "",
                  label: form.getAttribute("data-label") || "", at: new Date().toISOString() };
    return queue.put(entry).then(function () { return send(entry); }).then(function (res) {
      // Refused at once: the officer sees why on the form; nothing stays queued.
      return (res.status === "invalid" ? queue.del(entry.key) : Promise.resolve()).then(banner)
        .then(function () { return res; });
    });
  }

  /* Forms marked data-outbox (start, note) go through the outbox; officer.js sends the
     resolve form itself (its photos are resized blobs). */
  Array.prototype.forEach.call(document.querySelectorAll("form[data-outbox]"), function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      submit(form).then(function (res) {
        if (button) { button.disabled = false; }
        if (res.status === "sent") { window.location.href = res.data.next; return; }
        if (res.status === "invalid") { window.alert(res.data.error); }
      });
    });
  });

  // A queued action of this task went through: show the task as it now is.
  document.addEventListener("sigap:field-sent", function (ev) {
    var page = document.querySelector("[data-ticket]"), d = ev.detail;
    if (page && d.result.status === "sent" && d.entry.ticket === page.getAttribute("data-ticket")) {
      window.location.href = d.result.data.next;
    }
  });

  window.SigapField = { submit: submit, flush: flush, list: queue.list, banner: banner };
  window.addEventListener("online", flush);
  window.addEventListener("offline", banner);
  document.addEventListener("DOMContentLoaded", flush);
  if (document.readyState !== "loading") { flush(); }
  setInterval(function () { if (navigator.onLine) { flush(); } }, 20000);
})();
