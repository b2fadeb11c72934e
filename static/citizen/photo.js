/* Photos on the phone: the place a JPEG's EXIF says it was taken (read before the resize,
   which drops the EXIF), the resize itself, and handing a photo taken on the home page over
   to the report form, and the list of chosen photos as thumbnails. Used by the home page, the
   report form and the officer's proof form (static/backoffice/officer.js). */
(function () {
  "use strict";
  var MAX_SIDE = 1600, HANDOVER = "sigap.photo";

  /* Return a promise of {lat, lng} from the photo's EXIF GPS tags, or null. */
  function gps(file) {
    if (!file || !file.slice || !/jpe?g/i.test(file.type || "image/jpeg")) { return Promise.resolve(null); }
    return readBytes(file.slice(0, 256 * 1024)).then(function (buf) {
      try { return exifGps(new DataView(buf)); } catch (e) { return null; }
    }, function () { return null; });
  }

  function readBytes(blob) {
    if (blob.arrayBuffer) { return blob.arrayBuffer(); }
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
      r.readAsArrayBuffer(blob);
    });
  }

  function exifGps(v) {
    if (v.getUint16(0) !== 0xFFD8) { return null; }
    var off = 2;
    while (off + 4 < v.byteLength) {
      var marker = v.getUint16(off), size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) {  // "Exif"
        return tiffGps(v, off + 10);
      }
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) { return null; }
      off += 2 + size;
    }
    return null;
  }

  function tiffGps(v, t) {
    var le = v.getUint16(t) === 0x4949;
    var u16 = function (o) { return v.getUint16(t + o, le); };
    var u32 = function (o) { return v.getUint32(t + o, le); };
    var ifd0 = u32(4), n = u16(ifd0), gpsAt = 0, i;
    for (i = 0; i < n; i++) {
      if (u16(ifd0 + 2 + i * 12) === 0x8825) { gpsAt = u32(ifd0 + 2 + i * 12 + 8); }
    }
    if (!gpsAt) { return null; }
    var tags = {}, count = u16(gpsAt);
    for (i = 0; i < count; i++) {
      var e = gpsAt + 2 + i * 12, tag = u16(e), type = u16(e + 2);
      if (type === 2) { tags[tag] = String.fromCharCode(v.getUint8(t + e + 8)); }
      else if (type === 5) {
        var at = u32(e + 8), parts = [];
        for (var k = 0; k < 3; k++) { parts.push(u32(at + k * 8) / (u32(at + k * 8 + 4) || 1)); }
        tags[tag] = parts[0] + parts[1] / 60 + parts[2] / 3600;
      }
    }
    if (tags[2] === undefined || tags[4] === undefined) { return null; }
    var lat = tags[2] * (tags[1] === "S" ? -1 : 1), lng = tags[4] * (tags[3] === "W" ? -1 : 1);
    if (!isFinite(lat) || !isFinite(lng) || (lat === 0 && lng === 0) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      return null;
    }
    return { lat: lat, lng: lng };
  }

  /* Return a promise of a JPEG blob at most MAX_SIDE px on its longer side. Rejects with a
     code: "notImage" or "tooManyPixels". */
  function resize(file) {
    return new Promise(function (resolve, reject) {
      if (!/^image\//.test(file.type || "image/")) { return reject("notImage"); }
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        var w = img.naturalWidth, h = img.naturalHeight;
        if (!w || !h) { return reject("notImage"); }
        if (w * h > 40e6) { return reject("tooManyPixels"); }
        var k = Math.min(1, MAX_SIDE / Math.max(w, h));
        var c = document.createElement("canvas");
        c.width = Math.round(w * k); c.height = Math.round(h * k);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        c.toBlob(function (b) { if (b) { resolve(b); } else { reject("notImage"); } }, "image/jpeg", 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject("notImage"); };
      img.src = url;
    });
  }

  /* Read the place, then resize: resolves {blob, gps}. */
  function prepare(file) {
    return gps(file).then(function (where) {
      return resize(file).then(function (blob) { return { blob: blob, gps: where }; });
    });
  }

  /* The home page's camera-first button keeps the photo for the form's next page view. */
  function keep(prepared) {
    return new Promise(function (resolve) {
      var r = new FileReader();
      r.onload = function () {
        try {
          sessionStorage.setItem(HANDOVER, JSON.stringify({ data: r.result, gps: prepared.gps }));
        } catch (e) { /* storage full or off: the form asks for the photo again */ }
        resolve();
      };
      r.onerror = function () { resolve(); };
      r.readAsDataURL(prepared.blob);
    });
  }

  function take() {
    var raw = null;
    try { raw = sessionStorage.getItem(HANDOVER); sessionStorage.removeItem(HANDOVER); } catch (e) { return null; }
    if (!raw) { return null; }
    try {
      var kept = JSON.parse(raw), parts = kept.data.split(","), bin = atob(parts[1]);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
      return { blob: new Blob([bytes], { type: "image/jpeg" }), gps: kept.gps };
    } catch (e) { return null; }
  }

  /* Show `photos` (blobs) in the list `ul` as thumbnails, each with a remove button named
     `removeLabel` that takes its photo out of `photos` and draws the list again. The
     thumbnails drawn before are released (their object URLs revoked). */
  function thumbnails(ul, photos, removeLabel) {
    Array.prototype.forEach.call(ul.querySelectorAll("img"), function (im) { URL.revokeObjectURL(im.src); });
    ul.innerHTML = "";
    photos.forEach(function (blob, i) {
      var li = document.createElement("li"), im = document.createElement("img"), x = document.createElement("button");
      im.src = URL.createObjectURL(blob); im.alt = "";
      x.type = "button"; x.className = "remove"; x.textContent = "×"; x.setAttribute("aria-label", removeLabel);
      x.addEventListener("click", function () { photos.splice(i, 1); thumbnails(ul, photos, removeLabel); });
      li.appendChild(im); li.appendChild(x); ul.appendChild(li);
    });
  }

  window.SigapPhoto = { gps: gps, resize: resize, prepare: prepare, keep: keep, take: take,
                        thumbnails: thumbnails };

  // Home page: "Ambil foto" opens the camera at once; the category is chosen after.
  var first = document.getElementById("camera-first"), input = document.getElementById("camera-first-input");
  if (first && input) {
    first.addEventListener("click", function (ev) { ev.preventDefault(); input.click(); });
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      first.setAttribute("aria-busy", "true");
      prepare(file).then(keep, function () { /* the form shows the error when chosen again */ })
        .then(function () { window.location.href = first.href; });
    });
  }
})();
