/* Maps of the tracking page and of the city's reports. They work without tiles: the city's
   outline is drawn from its own GeoJSON. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var cfgEl = document.getElementById("map-config");
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);

  function base(id) {
    var map = L.map(id, { attributionControl: !!cfg.tiles, maxZoom: 19 });
    if (cfg.tiles) { L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map); }
    if (cfg.boundary) {
      L.geoJSON(cfg.boundary, { style: { color: "#0b5394", weight: 2, fillOpacity: 0.04 }, interactive: false }).addTo(map);
    }
    if (cfg.bounds) { map.fitBounds(cfg.bounds); } else { map.setView(cfg.center, cfg.zoom); }
    return map;
  }

  var one = document.getElementById("map");
  if (one && one.dataset.lat) {
    var m = base("map"), ll = [parseFloat(one.dataset.lat), parseFloat(one.dataset.lng)];
    L.marker(ll).addTo(m);
    m.setView(ll, 16);
  }

  var many = document.getElementById("reports-map");
  if (many) {
    var map = base("reports-map");
    // "Ikuti daerah ini": the circle the map shows (its centre, half its width, 100 m–3 km).
    var follow = document.getElementById("follow-area");
    if (follow) {
      var aim = function () {
        var c = map.getCenter(), b = map.getBounds();
        var r = Math.round(Math.min(3000, Math.max(100, c.distanceTo(L.latLng(c.lat, b.getEast())))));
        follow.href = follow.dataset.base + "?lat=" + c.lat.toFixed(6) + "&lng=" + c.lng.toFixed(6) + "&r=" + r;
      };
      map.on("moveend", aim);
      aim();
    }
    fetch(many.dataset.url).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 50 }) : L.layerGroup();
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var mk = L.circleMarker([c[1], c[0]], { radius: 8, weight: 2, color: "#fff", fillOpacity: 0.9,
          fillColor: p.open ? "#c0392b" : "#1e7d32" });
        var a = document.createElement("a");
        a.href = p.url; a.textContent = p.ticket + " · " + p.category + " · " + p.status;
        mk.bindPopup(a);
        layer.addLayer(mk);
      });
      map.addLayer(layer);
    });
  }
})();
