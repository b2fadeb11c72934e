/* The officer's proof photos: taken with the camera, previewed, resized on the phone (as the
   citizen's are, static/citizen/photo.js, which also draws the thumbnails) and sent with the note. On an error the page
   stays where it is, keeping the photos and the note. Without this script the form posts as is. */
(function () {
  "use strict";
  var form = document.getElementById("resolve-form");
  if (!form || !window.SigapPhoto || !window.fetch || !window.FormData) { return; }
  var T = document.getElementById("officer-text").dataset;
  var input = document.getElementById("proof-input"), list = document.getElementById("proof-list");
  var box = document.getElementById("resolve-error"), button = document.getElementById("resolve-submit");
  var photos = [], places = [], MAX = 5, label = button.textContent;

  input.required = false;  // the photos travel as resized blobs, checked here and on the server
  input.removeAttribute("name");
  input.addEventListener("change", function () {
    Array.prototype.forEach.call(input.files, function (file) {
      // The photo's own GPS is read before the resize drops the EXIF (sent as photo_gps).
      window.SigapPhoto.prepare(file).then(function (p) {
        if (photos.length < MAX) { photos.push(p.blob); places.push(p.gps); draw(); error(""); }
      }, function () { error(T.notImage); });
    });
    input.value = "";
  });

  function draw() { window.SigapPhoto.thumbnails(list, photos, T.remove); }
  function error(msg) { box.textContent = msg || ""; box.hidden = !msg; if (msg) { box.scrollIntoView({ block: "center" }); } }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    error("");
    var files = photos.map(function (blob, i) { return ["photo", blob, "bukti-" + (i + 1) + ".jpg"]; });
    var fields = photos.map(function (blob, i) {
      var g = places[i];
      return ["photo_gps", g ? g.lat + "," + g.lng : ""];
    });
    button.disabled = true; button.textContent = T.sending;
    if (window.SigapField) {
      // Through the outbox: without signal it is kept and sent once when the signal returns.
      window.SigapField.submit(form, files, fields).then(function (res) {
        button.disabled = false; button.textContent = label;
        if (res.status === "sent") { window.location.href = res.data.next; return; }
        if (res.status === "invalid") { error(res.data.error); }
        // "offline": kept in the outbox; the task shows it as queued (field.js).
      });
      return;
    }
    var fd = new FormData(form);
    files.forEach(function (f) { fd.append(f[0], f[1], f[2]); });
    fields.forEach(function (f) { fd.append(f[0], f[1]); });
    fetch(form.action, { method: "POST", body: fd, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.ok) { window.location.href = d.next; return; }
        button.disabled = false; button.textContent = label; error(d.error);
      }, function () { button.disabled = false; button.textContent = label; error(T.offline); });
  });
})();
