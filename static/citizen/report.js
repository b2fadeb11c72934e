/* The report form in four steps: category → photos → place → description and send (or,
   camera first, photos → category → place → send). Without this script the same form works
   as one plain multipart POST. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var T = JSON.parse(document.getElementById("t").textContent);
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var steps = form.querySelectorAll(".step");
  var nav = form.querySelector(".step-nav");
  var step = 1, photos = [], placeOk = false, map = null, marker = null, nearbyShown = false;
  var locating = Promise.resolve();  // the place being checked: Next waits for its answer
  var MAX_PHOTOS = 3, LAST = 4, touchedPlace = false;
  var cameraFirst = /[?&]mulai=foto\b/.test(window.location.search);
  var order = cameraFirst ? [2, 1, 3, 4] : [1, 2, 3, 4];

  form.classList.add("js");
  document.body.classList.add("in-form");
  // A fresh key per page view: a page served from the offline cache must not reuse one.
  form.key.value = (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
    : String(Date.now()) + Math.random().toString(36).slice(2);
  nav.hidden = false;
  $("cat-search").hidden = false;
  $("gps").hidden = !("geolocation" in navigator);
  $("map").hidden = false;
  $("map-hint").hidden = false;
  if (cameraFirst) {
    // The steps' labels follow the order the citizen walks them.
    var lis = form.querySelectorAll(".steps li"), first = lis[1];
    first.parentNode.insertBefore(first, lis[0]);
  }
  $("emergency").hidden = true;  // shown again when an emergency category is chosen
  if (!form.querySelector(".field-error:not([hidden])")) { $("no-map").open = false; }

  // Photos: resized in the browser, then sent as blobs (not through the file inputs).
  ["photo-camera", "photo-gallery"].forEach(function (id) {
    var input = $(id);
    input.removeAttribute("name");
    input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
  });

  function category() { return form.querySelector("input[name=category]:checked"); }

  function pos(n) { return order.indexOf(n); }
  function following(n) { return order[pos(n) + 1]; }
  function previous(n) { return order[pos(n) - 1]; }

  /* Browser Back and Forward move between the steps: each step the citizen moves to is an
     entry in the tab's history (#langkah-N), and popstate shows the step of that entry. */
  function show(n, how) {
    if (how !== "history" && n !== step && window.history.pushState) {
      history.pushState({ sigapStep: n }, "", "#langkah-" + n);
    }
    step = n;
    saveDraft();
    steps.forEach(function (s) { s.hidden = Number(s.dataset.step) !== n; });
    form.querySelectorAll(".steps li").forEach(function (li) {
      li.classList.toggle("on", pos(Number(li.dataset.for)) <= pos(n));
    });
    $("back").hidden = pos(n) === 0;
    $("next").hidden = n === LAST;
    $("submit").hidden = n !== LAST;
    if (n === 3) { ensureMap(); }
    window.scrollTo(0, 0);
  }

  /* A message about the step being left shows in the step bar, next to the button that
     caused it; an empty message clears it. */
  function error(msg) {
    var box = $("nav-error");
    box.textContent = msg || "";
    box.hidden = !msg;
    $("form-errors").hidden = true;
  }

  // Step 1: categories, search, emergency numbers.
  $("cat-search").addEventListener("input", function () {
    var q = this.value.trim().toLowerCase(), any = false;
    form.querySelectorAll(".tile").forEach(function (t) {
      var hit = !q || t.dataset.search.indexOf(q) >= 0;
      t.hidden = !hit; any = any || hit;
    });
    form.querySelectorAll(".cat-group").forEach(function (g) {
      g.hidden = !g.querySelector(".tile:not([hidden])");
    });
    $("cat-none").hidden = any;
  });
  form.querySelectorAll("input[name=category]").forEach(function (r) {
    r.addEventListener("change", function () {
      syncAttributes();
      nearbyShown = false;
      if (r.dataset.emergency) { $("emergency").hidden = false; $("emergency").scrollIntoView(); return; }
      $("emergency").hidden = true;
      error("");
      if (step === 1) { show(following(1)); }
    });
  });
  $("emergency-go").addEventListener("click", function () { show(following(1)); });

  function syncAttributes() {
    var c = category();
    form.querySelectorAll(".attrs").forEach(function (fs) {
      var on = c && fs.dataset.category === c.value;
      fs.hidden = !on; fs.disabled = !on;
    });
  }

  function addFiles(files) {
    $("photo-error").hidden = true;
    Array.prototype.forEach.call(files, function (file) {
      if (photos.length >= MAX_PHOTOS) { return photoError(T.tooMany); }
      window.SigapPhoto.prepare(file).then(function (p) { addPhoto(p.blob, p.gps); },
                                            function (code) { photoError(T[code] || T.notImage); });
    });
  }
  function addPhoto(blob, where) {
    if (photos.length >= MAX_PHOTOS) { return photoError(T.tooMany); }
    photos.push(blob); drawPhotos();
    // The place the photo was taken, unless the citizen has already chosen one.
    if (where && !touchedPlace && !form.lat.value) {
      form.lat.value = where.lat.toFixed(6); form.lng.value = where.lng.toFixed(6);
      $("photo-place").hidden = false;
      if (map) { place(where.lat, where.lng, true); }
    }
  }
  function photoError(msg) { var p = $("photo-error"); p.textContent = msg; p.hidden = false; }

  function drawPhotos() { window.SigapPhoto.thumbnails($("photo-list"), photos, T.remove); saveDraft(); }

  // Step 2: the place, on a map that works without tiles (the city's outline is drawn).
  function ensureMap() {
    if (map || !window.L) { return; }
    map = L.map("map", { zoomControl: true, attributionControl: !!cfg.tiles, maxZoom: 19 });
    if (cfg.tiles) { L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map); }
    if (cfg.boundary) {
      L.geoJSON(cfg.boundary, { style: { color: "#0b5394", weight: 2, fillOpacity: 0.04 }, interactive: false }).addTo(map);
    }
    if (cfg.bounds) { map.fitBounds(cfg.bounds); } else { map.setView(cfg.center, cfg.zoom); }
    map.on("click", function (e) { touchedPlace = true; place(e.latlng.lat, e.latlng.lng); });
    var lat = parseFloat(form.lat.value), lng = parseFloat(form.lng.value);
    if (!isNaN(lat) && !isNaN(lng)) { place(lat, lng, true); }
  }

  function place(lat, lng, zoom) {
    if (!marker) {
      marker = L.marker([lat, lng], { draggable: true, autoPan: true }).addTo(map);
      marker.on("dragend", function () { touchedPlace = true; var p = marker.getLatLng(); place(p.lat, p.lng); });
    } else { marker.setLatLng([lat, lng]); }
    if (zoom) { map.setView([lat, lng], 17); }
    form.lat.value = lat.toFixed(6); form.lng.value = lng.toFixed(6);
    saveDraft();
    locate(lat, lng);
  }

  function locate(lat, lng) {
    placeOk = false; nearbyShown = false;
    $("place").textContent = T.locating;
    locating = fetch(form.dataset.locate + "?lat=" + lat + "&lng=" + lng).then(function (r) { return r.json(); })
      .then(function (d) {
        placeOk = !!d.ok;
        $("place").className = "place " + (d.ok ? "ok" : "bad");
        $("place").textContent = d.ok ? T["in"] + " " + d.kelurahan + ", " + T.kec + " " + d.kecamatan : d.error;
        if (d.ok) { error(""); }
      }, function () { placeOk = true; $("place").textContent = ""; });
  }

  $("gps").addEventListener("click", function () {
    ensureMap();
    $("place").textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (p) {
      touchedPlace = true;
      place(p.coords.latitude, p.coords.longitude, true);
    }, function () { $("place").textContent = T.gpsFail; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  function hasPlace() { return (form.lat.value && placeOk) || form.kelurahan.value; }

  // Before the last step: open reports of the same category within 100 m.
  function checkNearby() {
    var c = category();
    if (!form.lat.value || nearbyShown) { return Promise.resolve(false); }
    var url = form.dataset.nearby + "?category=" + encodeURIComponent(c.value) + "&lat=" + form.lat.value + "&lng=" + form.lng.value;
    return fetch(url).then(function (r) { return r.json(); }).then(function (d) {
      var ul = $("nearby-list");
      ul.innerHTML = "";
      d.reports.forEach(function (r) {
        var li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("p"), b = document.createElement("button");
        li.className = "card";
        a.href = r.url; a.textContent = r.ticket + " · " + r.status + " · " + r.distance + " " + T.m;
        p.textContent = r.description + (r.description ? " — " : "") + r.created + " · " + r.supports + " " + T.supports;
        b.type = "button"; b.className = "btn support"; b.textContent = T.support;
        b.addEventListener("click", function () {
          var fd = new FormData();
          fd.append("csrfmiddlewaretoken", form.csrfmiddlewaretoken.value);
          fetch(r.support_url, { method: "POST", body: fd, headers: { "Accept": "application/json" }, credentials: "same-origin" })
            .then(function (x) { return x.json(); }).then(function (res) {
              b.disabled = true; b.textContent = T.supported + " (" + res.count + ")";
              p.textContent = res.message;
            });
        });
        li.appendChild(a); li.appendChild(p); li.appendChild(b); ul.appendChild(li);
      });
      nearbyShown = true;
      $("nearby").hidden = d.reports.length === 0;
      if (d.reports.length) { $("nearby").scrollIntoView(); }
      return d.reports.length > 0;
    }, function () { return false; });
  }
  $("nearby-new").addEventListener("click", function () { $("nearby").hidden = true; show(following(3)); });

  $("next").addEventListener("click", function () {
    error("");
    if (step === 1 && !category()) { return error(T.chooseCategory); }
    if (step === 3) {
      // A place still being checked (a slow network, a draft just restored) is waited for,
      // not refused.
      return locating.then(function () {
        if (step !== 3) { return; }
        if (!hasPlace()) { return error(form.lat.value ? T.outside : T.choosePlace); }
        return checkNearby().then(function (found) { if (!found) { show(following(3)); } });
      });
    }
    show(following(step));
  });
  $("back").addEventListener("click", function () { error(""); show(previous(step)); });

  // No maxlength: the browser would cut a pasted text silently. The counter turns red past
  // the limit and sending says so, keeping every character.
  var desc = form.description, MAX_TEXT = Number(desc.dataset.max);
  function tooLong() { return desc.value.length > MAX_TEXT; }
  function count() {
    var c = $("desc-count");
    c.textContent = desc.value.length + " / " + MAX_TEXT + " " + T.chars + (tooLong() ? " · " + T.tooLong : "");
    c.classList.toggle("over", tooLong());
  }
  desc.addEventListener("input", count); count();

  function toggleContact() { $("contact").hidden = form.anonymous.checked; }
  form.anonymous.addEventListener("change", toggleContact); toggleContact();

  // Submit: keep the report in the outbox first, so a dropped connection loses nothing.
  var busy = false;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) { return; }
    if (!category()) { show(1); return error(T.chooseCategory); }
    if (!hasPlace()) { show(3); return error(T.choosePlace); }
    if (!desc.value.trim() && !photos.length) { return error(T.needText); }
    if (tooLong()) { desc.focus(); return error(T.tooLong); }
    busy = true;
    var btn = $("submit");
    btn.disabled = true; btn.textContent = T.sending;
    var fields = [];
    new FormData(form).forEach(function (v, k) { if (typeof v === "string") { fields.push([k, v]); } });
    var c = category();
    var entry = { key: form.key.value, fields: fields, photos: photos.slice(), at: new Date().toISOString(),
                  title: c.parentNode.querySelector("span").textContent };
    var O = window.SigapOutbox;
    O.put(entry).catch(function () {}).then(function () { dropDraft(); return O.send(entry); }).then(function (res) {
      if (res.status === "sent") { window.location.href = res.data.sent_url; return; }
      busy = false; btn.disabled = false; btn.textContent = T.send;
      if (res.status === "invalid") {
        O.del(entry.key).catch(function () {});
        var msgs = [];
        Object.keys(res.data.errors).forEach(function (k) { msgs = msgs.concat(res.data.errors[k]); });
        error(msgs.join(" "));
        var first = Object.keys(res.data.errors)[0] || "";
        show(first === "category" ? 1 : first === "photos" ? 2 : first === "lat" ? 3 : LAST);
        error(msgs.join(" "));
        return;
      }
      // Offline or the upload failed: the outbox sends it when the signal returns.
      O.banner();
      form.hidden = true; $("waiting").hidden = false;
      document.addEventListener("sigap:sent", function (e) {
        if (e.detail.key === entry.key) { window.location.href = e.detail.data.sent_url; }
      });
    });
  });

  /* The draft: what the citizen entered (fields, photos, place, step) kept on the phone in
     IndexedDB as they go, so that a reload, a killed tab or a trip back to the home page
     loses nothing. Dropped once the report is in the outbox (which then owns it). */
  var DRAFT = "report", restoring = true, draftTimer = null;
  function draftStore(mode, fn) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { return reject(new Error("no IndexedDB")); }
      var req = indexedDB.open("sigap-draft", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("draft", { keyPath: "id" }); };
      req.onerror = function () { reject(req.error); };
      req.onsuccess = function () {
        var t = req.result.transaction("draft", mode), r = fn(t.objectStore("draft"));
        t.oncomplete = function () { resolve(r && r.result); };
        t.onerror = function () { reject(t.error); };
      };
    });
  }
  function saveDraft() {
    if (restoring) { return; }
    clearTimeout(draftTimer);
    draftTimer = setTimeout(function () {
      var fields = [];
      new FormData(form).forEach(function (v, k) {
        if (typeof v === "string" && k !== "csrfmiddlewaretoken" && k !== "key") { fields.push([k, v]); }
      });
      draftStore("readwrite", function (st) {
        return st.put({ id: DRAFT, fields: fields, photos: photos.slice(), step: step, at: Date.now() });
      }).catch(function () {});
    }, 250);
  }
  function dropDraft() { clearTimeout(draftTimer); draftStore("readwrite", function (st) { return st.delete(DRAFT); }).catch(function () {}); }
  $("photo-list").addEventListener("click", saveDraft);  // a photo's remove button
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  window.addEventListener("pagehide", function () { if (draftTimer) { clearTimeout(draftTimer); draftTimer = null; saveDraft(); } });

  function restore(d) {
    var names = {};
    d.fields.forEach(function (f) { (names[f[0]] = names[f[0]] || []).push(f[1]); });
    Object.keys(names).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") { el.checked = names[name].indexOf(el.value) >= 0; }
        else if (el.type !== "file") { el.value = names[name][0]; }
      });
    });
    (d.photos || []).slice(0, MAX_PHOTOS).forEach(function (b) { photos.push(b); });
    if (photos.length) { window.SigapPhoto.thumbnails($("photo-list"), photos, T.remove); }
    var lat = parseFloat(form.lat.value), lng = parseFloat(form.lng.value);
    if (!isNaN(lat) && !isNaN(lng)) { touchedPlace = true; locate(lat, lng); }
    syncAttributes(); toggleContact(); count();
  }

  window.addEventListener("popstate", function (e) {
    var n = e.state && e.state.sigapStep;
    if (n) { error(""); show(n, "history"); }
    else if (pos(step) > 0) { show(order[0], "history"); }
  });

  syncAttributes();
  var kept = cameraFirst && window.SigapPhoto.take();
  if (kept) { addPhoto(kept.blob, kept.gps); }
  var err = form.querySelector(".field-error:not([hidden])");
  function start(draft) {
    var at = window.history.state && window.history.state.sigapStep;
    if (draft) { restore(draft); }
    if (err) { show(Number(err.closest(".step").dataset.step), "history"); }
    else if (category() && category().dataset.emergency && !draft) {
      show(1, "history"); $("emergency").hidden = false; $("emergency").scrollIntoView();
    }
    else if (kept) { show(1, "history"); }  // camera first: the photo is in, now the category
    else if (draft) { show(at || draft.step || order[0], "history"); }
    else { show(category() ? 2 : order[0], "history"); }
    if (window.history.replaceState) {
      history.replaceState({ sigapStep: step }, "", step === order[0] ? location.pathname + location.search : "#langkah-" + step);
    }
    restoring = false;
    if (draft || kept) { saveDraft(); }
  }
  step = 0;
  if (err || kept) { start(null); }
  else {
    draftStore("readonly", function (st) { return st.get(DRAFT); }).then(function (d) {
      start(d && Date.now() - d.at < 7 * 864e5 ? d : null);
    }, function () { start(null); });
  }
})();
