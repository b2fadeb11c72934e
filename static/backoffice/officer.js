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
  var photos = [], MAX = 5, label = button.textContent;

  input.required = false;  // the photos travel as resized blobs, checked here and on the server
  input.removeAttribute("name");
  input.addEventListener("change", function () {
    Array.prototype.forEach.call(input.files, function (file) {
      window.SigapPhoto.resize(file).then(function (blob) {
        if (photos.length < MAX) { photos.push(blob); draw(); error(""); }
      }, function () { error(T.notImage); });
    });
    input.value = "";
  });

  function draw() { window.SigapPhoto.thumbnails(list, photos, T.remove); }
  function error(msg) { box.textContent = msg || ""; box.hidden = !msg; if (msg) { box.scrollIntoView({ block: "center" }); } }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    error("");
    var fd = new FormData(form);
    photos.forEach(function (blob, i) { fd.append("photo", blob, "bukti-" + (i + 1) + ".jpg"); });
    button.disabled = true; button.textContent = T.sending;
    fetch(form.action, { method: "POST", body: fd, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.ok) { window.location.href = d.next; return; }
        button.disabled = false; button.textContent = label; error(d.error);
      }, function () { button.disabled = false; button.textContent = label; error(T.offline); });
  });
})();
