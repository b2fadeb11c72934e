// Sigap back office: the open inbox hears of new and re-routed reports without a reload.
// Every few seconds it asks /office/baru/ for what arrived since its cursor; each new row goes
// on top of the table (highlighted), its pin on the map, and a short beep sounds once the
// dispatcher has switched sound on (browsers allow audio only after a click).
(function () {
  "use strict";
  var bar = document.getElementById("inbox-live");
  if (!bar) return;
  var EVERY = 3000, since = bar.dataset.since, audio = null, unseen = 0, title = document.title;
  var sound = document.getElementById("live-sound"), text = document.getElementById("live-text");

  sound.addEventListener("click", function () {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    audio.resume();
    sound.setAttribute("aria-pressed", "true");
    sound.textContent = sound.dataset.on;
    beep();
  });

  function beep() {
    if (!audio || audio.state !== "running") return;
    [0, 0.22].forEach(function (at) {  // two short tones, like a pager
      var osc = audio.createOscillator(), gain = audio.createGain(), t = audio.currentTime + at;
      osc.type = "square";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    });
  }

  function known(ticket) {
    return document.querySelector('#inbox-rows tr[data-ticket="' + ticket + '"]');
  }

  function show(data) {
    if (!data.rows) return;
    var holder = document.createElement("tbody");
    holder.innerHTML = data.rows;
    var body = document.querySelector("#inbox-rows tbody"), added = 0;
    if (!body) return;
    var pins = {};
    (data.points || []).forEach(function (p) { pins[p.t] = p; });
    Array.prototype.slice.call(holder.querySelectorAll("tr[data-ticket]")).reverse().forEach(function (row) {
      var ticket = row.dataset.ticket;
      if (known(ticket)) return;
      var empty = body.querySelector("tr.empty-row");
      if (empty) empty.remove();
      body.insertBefore(row, body.firstChild);
      if (window.sigapInboxMap && pins[ticket]) window.sigapInboxMap.add(pins[ticket]);
      added += 1;
    });
    if (!added) return;
    unseen += added;
    var count = document.getElementById("inbox-count");
    if (count && /^\d+$/.test(count.textContent)) count.textContent = String(Number(count.textContent) + added);
    text.textContent = unseen + " " + bar.dataset.title;
    bar.classList.add("has-new");
    document.title = "(" + unseen + ") " + title;
    beep();
  }

  function poll() {
    if (document.querySelector("input[name=tickets]:checked")) return;  // not under a selection
    var q = new URLSearchParams(bar.dataset.query);
    q.set("since", since);
    if (bar.dataset.bulk) q.set("bulk", "1");
    fetch(bar.dataset.url + "?" + q.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { since = data.cursor; show(data); } })
      .catch(function () { /* offline for a moment: the next poll catches up */ });
  }

  window.addEventListener("focus", function () { unseen = 0; document.title = title; bar.classList.remove("has-new"); });
  setInterval(poll, EVERY);
})();
