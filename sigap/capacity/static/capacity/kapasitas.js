// Kapasitas: poll the run's status while it runs; reload the page when it is finished.
(function () {
  "use strict";
  var box = document.getElementById("cap-progress");
  if (!box) return;
  var bar = document.getElementById("cap-progress-bar");
  var label = document.getElementById("cap-progress-label");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = Math.round(s.progress * 100) + "%";
        label.textContent = s.label + " · " + Math.round(s.progress * 100) + "%";
        if (s.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
