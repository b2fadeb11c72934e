// Sigap office: subscribe this browser to web push for the on-duty alerts and pages.
(function () {
  "use strict";
  var button = document.getElementById("push-enable");
  if (!button) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) { button.hidden = true; return; }
  function key(base64) {
    var pad = "=".repeat((4 - base64.length % 4) % 4), raw = atob((base64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  button.addEventListener("click", function () {
    var status = document.getElementById("push-status");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(button.dataset.denied);
      return navigator.serviceWorker.register(button.dataset.worker, {scope: "/office/"});
    }).then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) {
        return fetch(button.dataset.key, {credentials: "same-origin"}).then(function (r) { return r.json(); })
          .then(function (k) { return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key(k.key)}); });
      }).then(function (sub) {
        return fetch(button.dataset.url, {method: "POST", credentials: "same-origin", body: JSON.stringify(sub),
          headers: {"Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf}});
      }).then(function (r) {
        if (!r.ok) throw new Error(button.dataset.failed);
        status.textContent = button.dataset.done;
      }).catch(function (e) { status.textContent = e.message || button.dataset.failed; });
  });
})();
