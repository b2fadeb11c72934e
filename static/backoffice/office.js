// Sigap back office: live SLA countdowns, response templates, select-all, small maps.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "id";
  var words = lang.indexOf("en") === 0
    ? {late: "overdue", left: "left", d: " days", d1: " day", h: " h", m: " min", paused: "paused"}
    : {late: "terlambat", left: "lagi", d: " hari", d1: " hari", h: " jam", m: " menit", paused: "dijeda"};
  // Whole words for days ("2 hari 23 jam", "2 days 23 h"): "2h 23j" read as hours in English.
  function span(ms) {
    var m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    m = m % 60;
    if (d) return d + (d === 1 ? words.d1 : words.d) + " " + h + words.h;
    if (h) return h + words.h + " " + m + words.m;
    return m + words.m;
  }
  window.SigapSpan = span;
  // The inbox refreshes itself every minute, but never under a dispatcher who has ticked
  // rows to act on (a filter here, not in hx-trigger: the CSP forbids htmx's eval).
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.target.id === "inbox-rows" && document.querySelector("input[name=tickets]:checked")) {
      e.preventDefault();
    }
  });
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (el.dataset.paused) { el.textContent = words.paused; el.classList.add("paused"); return; }
      var ms = Date.parse(el.dataset.due) - now;
      el.textContent = ms < 0 ? words.late + " " + span(ms) : span(ms) + " " + words.left;
      el.classList.toggle("overdue", ms < 0);
      var row = el.closest("tr"); if (row) row.classList.toggle("overdue", ms < 0);
    });
  }
  tick(); setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);  // the inbox refreshes every minute
  document.querySelectorAll("select[data-template-for]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var area = document.getElementById(sel.dataset.templateFor);
      if (sel.value && area) area.value = sel.options[sel.selectedIndex].dataset.text;
    });
  });
  var all = document.getElementById("select-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=tickets]").forEach(function (b) { b.checked = all.checked; });
  });
  document.querySelectorAll(".map[data-lat]").forEach(function (el) {
    if (!window.L) return;
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    var map = L.map(el, {zoomControl: true}).setView(ll, 15);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, {maxZoom: 19, attribution: el.dataset.attribution || ""}).addTo(map);
    var outline = document.getElementById("city-boundary");
    if (outline) {
      try {
        var shape = JSON.parse(outline.textContent);
        if (shape) {
          L.geoJSON(shape, {style: {color: "#0b6e4f", weight: 2, fillOpacity: .04}}).addTo(map);
        }
      } catch (e) {}
    }
    L.circleMarker(ll, {radius: 9, color: "#c62828", fillColor: "#ef4444", fillOpacity: .9}).addTo(map);
  });
  // The inbox: this page's reports on one small map, each pin a link to its report.
  var inboxMap = document.getElementById("inbox-map"), pts = document.getElementById("inbox-points");
  if (inboxMap && pts && window.L) {
    var points = JSON.parse(pts.textContent), m = L.map(inboxMap, {zoomControl: true});
    if (inboxMap.dataset.tiles) L.tileLayer(inboxMap.dataset.tiles, {maxZoom: 19, attribution: inboxMap.dataset.attribution || ""}).addTo(m);
    var bounds = [];
    points.forEach(function (p) {
      var colour = p.p <= 1 ? "#c62828" : p.p <= 2 ? "#e65100" : "#1565c0";
      L.circleMarker([p.lat, p.lng], {radius: 7, color: colour, fillColor: colour, fillOpacity: .8})
        .bindTooltip(p.t).on("click", function () { window.location.href = p.u; }).addTo(m);
      bounds.push([p.lat, p.lng]);
    });
    var centre = (inboxMap.dataset.center || "").split(",").map(Number);
    if (bounds.length === 1) { m.setView(bounds[0], 15); }
    else if (bounds.length) { m.fitBounds(bounds, {padding: [16, 16], maxZoom: 16}); }
    else if (centre.length === 2 && !isNaN(centre[0])) { m.setView(centre, 12); }
    else { m.setView([0, 0], 2); }
    // The live inbox (live.js) adds the pins of reports that arrive after the page loaded.
    window.sigapInboxMap = {
      add: function (p) {
        var colour = p.p <= 1 ? "#c62828" : p.p <= 2 ? "#e65100" : "#1565c0";
        var pin = L.circleMarker([p.lat, p.lng], {radius: 9, color: "#111", weight: 3, fillColor: colour, fillOpacity: .9})
          .bindTooltip(p.t, {permanent: true, direction: "top"}).on("click", function () { window.location.href = p.u; }).addTo(m);
        bounds.push([p.lat, p.lng]);
        if (bounds.length === 1) { m.setView(bounds[0], 15); } else { m.fitBounds(bounds, {padding: [24, 24], maxZoom: 15}); }
        return pin;
      }
    };
  }
})();
