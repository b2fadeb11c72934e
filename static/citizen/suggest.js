/* Category suggestions on the report form's first step: as the citizen describes the problem
   in the search box, the city's suggester (GET /api/v1/categories/suggest/) offers up to three
   categories as chips; a tap chooses that tile. Debounced, never blocking: without an answer
   (offline, slow, throttled) the tiles work as before. The words carry into the description
   (step 4) while the citizen has not written one of their own. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var box = document.getElementById("cat-search");
  var panel = document.getElementById("suggest");
  if (!form || !box || !panel || !form.dataset.suggest || !window.fetch) { return; }
  var list = document.getElementById("suggest-list");
  var desc = form.description;
  var timer = null, asked = "", carried = null, controller = null;

  function tileOf(code) { return form.querySelector("input[name=category][value='" + code + "']"); }

  function draw(suggestions) {
    list.innerHTML = "";
    suggestions.forEach(function (s) {
      var radio = tileOf(s.code);
      if (!radio) { return; }
      var b = document.createElement("button");
      b.type = "button";
      b.className = "chip" + (s.is_emergency ? " emergency" : "");
      b.dataset.code = s.code;
      b.textContent = radio.parentNode.querySelector("span").textContent;
      b.addEventListener("click", function () {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      });
      list.appendChild(b);
    });
    panel.hidden = !list.children.length;
    // A sentence matches no tile's name: under the suggestions, every tile again, to choose
    // another if none of them fits.
    if (!panel.hidden && !form.querySelector(".tile:not([hidden])")) {
      form.querySelectorAll(".tile, .cat-group").forEach(function (el) { el.hidden = false; });
      document.getElementById("cat-none").hidden = true;
    }
  }

  function ask() {
    var text = box.value.trim();
    if (text === asked) { return; }
    asked = text;
    if (controller) { controller.abort(); }
    if (text.length < 3) { draw([]); return; }
    controller = window.AbortController ? new AbortController() : null;
    var url = form.dataset.suggest + (form.dataset.suggest.indexOf("?") < 0 ? "?" : "&") +
      "text=" + encodeURIComponent(text.slice(0, 500));
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin",
                 signal: controller ? controller.signal : undefined })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (d) { if (box.value.trim() === text) { draw(d.suggestions || []); } },
            function () {});
  }

  /* The words go on into the description while the citizen has not written their own (a
     single search word stays a search). */
  function carry() {
    var text = box.value.trim();
    if (desc.value !== "" && desc.value !== carried) { return; }
    carried = text.split(/\s+/).length >= 2 ? text : "";
    if (desc.value !== carried) {
      desc.value = carried;
      desc.dispatchEvent(new Event("input", { bubbles: true }));  // counter and draft
    }
  }

  box.addEventListener("input", function () {
    carry();
    clearTimeout(timer);
    timer = setTimeout(ask, 350);
  });
})();
