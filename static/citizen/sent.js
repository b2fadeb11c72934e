/* The report-sent page: copy the private link, and remember the report on this phone. */
(function () {
  var b = document.getElementById("copy"), d = document.getElementById("sigap-sent").dataset;
  if (b) {
    b.addEventListener("click", function () {
      if (navigator.clipboard) {
        navigator.clipboard.writeText(b.dataset.link).then(function () { b.textContent = b.dataset.done; });
      }
    });
  }
  function remember() {
    if (window.SigapOutbox) {
      window.SigapOutbox.remember({ ticket: d.ticket, url: d.url, title: d.title, at: d.at });
    }
  }
  // Deferred scripts run before DOMContentLoaded, so app.js (the outbox) is there by then.
  document.addEventListener("DOMContentLoaded", remember);
})();
