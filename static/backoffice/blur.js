/* The office's blur editor (templates/backoffice/photo_blur.html, decision 0013): place the
   regions over the photo (percent of its size: the stage scales with the screen), mark a
   ticked one as removed, and let a drag with mouse, pen or finger draw a new one, sent as a
   hidden "add" field "x,y,w,h" in the photo's own pixels. */
(function () {
  "use strict";
  var stage = document.getElementById("blur-stage");
  if (!stage) { return; }
  var W = +stage.dataset.width, H = +stage.dataset.height;
  var list = document.getElementById("blur-list");
  function place(el, l, t, w, h) {
    el.style.left = l + "%"; el.style.top = t + "%"; el.style.width = w + "%"; el.style.height = h + "%";
  }
  stage.querySelectorAll(".blur-box[data-box]").forEach(function (el) {
    var v = el.dataset.box.split(",").map(Number);
    place(el, v[0], v[1], v[2], v[3]);
  });
  document.querySelectorAll("input[name=remove]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.getElementById(box.dataset.box).classList.toggle("removed", box.checked);
    });
  });
  if (!stage.dataset.edit) { return; }
  var start = null, drawing = null;
  function point(e) {
    var r = stage.getBoundingClientRect();
    return { x: Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1),
             y: Math.min(Math.max((e.clientY - r.top) / r.height, 0), 1) };
  }
  stage.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    stage.setPointerCapture(e.pointerId);
    start = point(e);
    drawing = document.createElement("span");
    drawing.className = "blur-box other drawing";
    stage.appendChild(drawing);
  });
  stage.addEventListener("pointermove", function (e) {
    if (!start) { return; }
    var p = point(e);
    place(drawing, 100 * Math.min(start.x, p.x), 100 * Math.min(start.y, p.y),
          100 * Math.abs(p.x - start.x), 100 * Math.abs(p.y - start.y));
  });
  function finish(e) {
    if (!start) { return; }
    var p = point(e), x = Math.min(start.x, p.x) * W, y = Math.min(start.y, p.y) * H;
    var w = Math.abs(p.x - start.x) * W, h = Math.abs(p.y - start.y) * H;
    var el = drawing;
    start = null; drawing = null;
    if (w < 8 || h < 8) { el.remove(); return; }  // a tap, not a region
    el.classList.remove("drawing");
    var li = document.createElement("li"), input = document.createElement("input");
    var undo = document.createElement("button");
    li.className = "added";
    input.type = "hidden"; input.name = "add";
    input.value = [x, y, w, h].map(Math.round).join(",");
    undo.type = "button"; undo.className = "secondary"; undo.textContent = stage.dataset.undoLabel;
    undo.addEventListener("click", function () { li.remove(); el.remove(); });
    li.append(input, document.createTextNode(stage.dataset.newLabel + " "), undo);
    var empty = document.getElementById("no-regions");
    if (empty) { empty.remove(); }
    list.appendChild(li);
  }
  stage.addEventListener("pointerup", finish);
  stage.addEventListener("pointercancel", function () {
    if (drawing) { drawing.remove(); }
    start = null; drawing = null;
  });
}());
