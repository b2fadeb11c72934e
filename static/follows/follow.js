/* The follow page: offer web push where the browser has it; subscribe through the citizen
   service worker (/sw.js, scope /) and send the subscription as the address. */
(function () {
  "use strict";
  var form = document.getElementById("follow-form");
  if (!form) return;
  var push = document.getElementById("channel-push"), address = document.getElementById("address-field");
  var input = document.getElementById("id_destination"), status = document.getElementById("follow-push-status");
  if (!push || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  push.closest("label").hidden = false;
  function sync() {
    var on = push.checked;
    address.hidden = on;
    input.required = !on;
  }
  form.addEventListener("change", sync);
  sync();
  function key(base64) {
    var pad = "=".repeat((4 - base64.length % 4) % 4), raw = atob((base64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  form.addEventListener("submit", function (event) {
    if (!push.checked || form.dataset.ready) return;
    event.preventDefault();
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(form.dataset.denied);
      return navigator.serviceWorker.register(form.dataset.worker, {scope: "/"});
    }).then(function () { return navigator.serviceWorker.ready; }).then(function (reg) {
      return fetch(form.dataset.key, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (k) { return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key(k.key)}); });
    }).then(function (sub) {
      input.value = JSON.stringify(sub);
      form.dataset.ready = "1";
      form.submit();
    }).catch(function (e) { status.textContent = (e && e.message) || form.dataset.failed; });
  });
})();
