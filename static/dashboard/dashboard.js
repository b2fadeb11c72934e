/* Sigap dashboard and transparency page: the trend chart (Chart.js) and the map (Leaflet).
   Data arrive through json_script elements; no inline script (the CSP forbids it). */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function trend() {
    var d = data("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!d || !canvas || !window.Chart) return;
    var weeks = d.weeks;
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        // A week the period covers only in part (the current one) is labelled and drawn
        // pale, so that a short week does not read as a collapse.
        labels: weeks.map(function (w) {
          return w.partial ? w.week.slice(5) + " (" + d.text.partial + ")" : w.week.slice(5);
        }),
        datasets: [
          { label: d.text.received, data: weeks.map(function (w) { return w.received; }),
            backgroundColor: weeks.map(function (w) { return w.partial ? "#c6dbef" : "#6baed6"; }) },
          { label: d.text.fixed, data: weeks.map(function (w) { return w.fixed; }),
            type: "line", borderColor: "#1b7f3b", backgroundColor: "#1b7f3b", pointRadius: 2,
            tension: 0.2 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        onClick: function (_e, items) {
          if (items.length && weeks[items[0].index].url) {
            window.location.href = weeks[items[0].index].url;
          }
        }
      }
    });
    canvas.dataset.ready = "1";
    return chart;
  }

  var SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

  function breaks(values) {
    var v = values.filter(function (x) { return x !== null && x > 0; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [0, 0, 0, 0];
    function q(p) {
      var x = v[Math.min(v.length - 1, Math.floor(p * v.length))];
      return x >= 10 ? Math.round(x) : Math.round(x * 10) / 10;
    }
    return [q(0.2), q(0.4), q(0.6), q(0.8)];
  }

  function shade(value, b) {
    if (value === null || value === 0) return 0;
    var i = 1;
    while (i < 4 && value > b[i - 1]) i++;
    return value > b[3] ? 4 : i;
  }

  function legend(map, b, unit) {
    var box = window.L.control({ position: "bottomright" });
    box.onAdd = function () {
      var div = window.L.DomUtil.create("div", "map-legend-box");
      var rows = ["<div>" + unit + "</div>"];
      var edges = [0].concat(b);
      for (var i = 0; i < 5; i++) {
        var label = i === 0 ? "0" : (i === 4 ? "> " + edges[4] : edges[i - 1] + " – " + edges[i]);
        rows.push('<div><i class="sw' + i + '"></i>' + label + "</div>");
      }
      div.innerHTML = rows.join("");
      return div;
    };
    box.addTo(map);
    return box;
  }

  function mapView() {
    var d = data("map-data");
    var el = document.getElementById("dash-map");
    if (!d || !el || !window.L) return;
    var L = window.L;
    var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView(d.center, d.zoom);
    if (d.bounds && d.bounds[0][0] !== null) map.fitBounds(d.bounds);
    if (d.tiles) {
      L.tileLayer(d.tiles, { maxZoom: 18, attribution: d.attribution || "" }).addTo(map);
    }
    var layers = {};
    var legends = {};
    if (d.points) {  // the transparency page: public reports as dots
      var dots = L.layerGroup(d.points.map(function (p) {
        return L.circleMarker([p[0], p[1]], { radius: 4, weight: 1, color: "#08519c",
          fillColor: p[2] ? "#1b7f3b" : "#3182bd", fillOpacity: 0.7 });
      }));
      dots.addTo(map);
      layers.points = dots;
    }
    if (d.hexes) {
      var counts = d.hexes.map(function (h) { return h.count; });
      var hb = breaks(counts);
      layers.hex = L.layerGroup(d.hexes.map(function (h) {
        var poly = L.polygon(h.outline, { weight: 1, color: "#08519c",
          fillColor: SHADES[shade(h.count, hb)], fillOpacity: 0.7 });
        poly.bindTooltip(h.count + " " + d.text.reports);
        if (h.url) poly.on("click", function () { window.location.href = h.url; });
        return poly;
      }));
      legends.hex = function () { return legend(map, hb, d.text.reports); };
    }
    if (d.choropleth && d.areas_url) {
      var byId = {};
      d.choropleth.areas.forEach(function (a) { byId[a.id] = a; });
      var rates = d.choropleth.areas.map(function (a) { return a.rate; });
      var cb = breaks(rates);
      var unit = d.text[d.choropleth.unit];
      layers.choropleth = L.layerGroup();
      legends.choropleth = function () { return legend(map, cb, unit); };
      fetch(d.areas_url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (gj) {
          var geo = L.geoJSON(gj, {
            style: function (f) {
              var a = byId[f.properties.id] || { rate: null };
              return { weight: 1, color: "#555", fillColor: SHADES[shade(a.rate, cb)], fillOpacity: 0.75 };
            },
            onEachFeature: function (f, layer) {
              var a = byId[f.properties.id];
              if (!a) return;
              layer.bindTooltip(a.name + ": " + a.count + " " + d.text.reports +
                (a.rate !== null ? " (" + a.rate + " " + unit + ")" : ""));
              layer.on("click", function () { window.location.href = a.url; });
            }
          });
          layers.choropleth.addLayer(geo);
          el.dataset.ready = "1";
        });
    } else {
      el.dataset.ready = "1";
    }
    var current = null, currentLegend = null;
    function show(name) {
      if (!layers[name]) return;
      if (current) map.removeLayer(layers[current]);
      if (currentLegend) currentLegend.remove();
      layers[name].addTo(map);
      currentLegend = legends[name] ? legends[name]() : null;
      current = name;
      document.querySelectorAll(".map-switch button").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.layer === name ? "true" : "false");
      });
    }
    document.querySelectorAll(".map-switch button").forEach(function (b) {
      b.addEventListener("click", function () { show(b.dataset.layer); });
    });
    if (layers.choropleth) show("choropleth"); else if (layers.hex) show("hex");
  }

  document.addEventListener("DOMContentLoaded", function () {
    trend();
    mapView();
  });
})();
