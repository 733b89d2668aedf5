/* diplokg explorer: the world map's drawing surface (window.DkMap), an SVG of Natural Earth's countries
 * (see kg/network/vendor). Python projects the shapes (Equal Earth) and writes each as an SVG path in the
 * map's units (kg/network/atlaspage.py): this script only puts them on the page, scaled by one
 * transform; dots, lines and labels are drawn in screen units over them after every move (so their
 * size stays the same at every zoom). Pan by dragging or with the arrow keys, zoom with the wheel,
 * + and -, or the buttons; 0 shows the whole map again.
 */
(function () {
  "use strict";
  var u = window.dkUtil;
  var MAX_ZOOM = 24;

  function DkMap(opts) {
    var svgEl = opts.svg, zoomLayer = svgEl.querySelector("#wv-zoom"), shapesLayer = svgEl.querySelector("#wv-shapes");
    var frame = opts.frame, atlas = opts.atlas, map = { paths: [], names: atlas.names, k: 1, tx: 0, ty: 0, base: null, zoom: 1 };
    atlas.paths.forEach(function (d, i) {
      if (!d) { map.paths.push(null); return; }
      var p = u.svg("path", { d: d, "data-i": i });
      shapesLayer.appendChild(p);
      map.paths.push(p);
    });
    performance.mark("wv-paths");
    svgEl.querySelector("#wv-sphere").setAttribute("d", atlas.sphere);
    svgEl.querySelector("#wv-graticule").setAttribute("d", atlas.graticule);

    function apply() {
      zoomLayer.setAttribute("transform", "translate(" + map.tx.toFixed(2) + "," + map.ty.toFixed(2) + ") scale(" + map.k.toFixed(5) + ")");
      map.zoom = map.base ? map.k / map.base.k : 1;
      schedule();
    }
    var pending = false;
    function schedule() {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; if (opts.onView) { opts.onView(); } });
    }
    map.redrawNow = function () { if (opts.onView) { opts.onView(); } };
    map.size = function () { return { w: svgEl.clientWidth, h: svgEl.clientHeight }; };
    /* The base view: the whole frame, fitted and centred, with a margin. */
    map.fit = function () {
      var s = map.size(), m = 10, fw = frame[2] - frame[0], fh = frame[3] - frame[1];
      var k = Math.max(0.05, Math.min((s.w - 2 * m) / fw, (s.h - 2 * m) / fh));
      map.base = { k: k, tx: (s.w - k * (frame[0] + frame[2])) / 2, ty: (s.h - k * (frame[1] + frame[3])) / 2 };
      map.k = k; map.tx = map.base.tx; map.ty = map.base.ty;
      apply();
    };
    map.toScreen = function (x, y) { return [x * map.k + map.tx, y * map.k + map.ty]; };
    map.toMap = function (sx, sy) { return [(sx - map.tx) / map.k, (sy - map.ty) / map.k]; };
    function clampPan() {
      var s = map.size(), l = frame[0] * map.k + map.tx, r = frame[2] * map.k + map.tx;
      var t = frame[1] * map.k + map.ty, b = frame[3] * map.k + map.ty, keep = 60;
      if (r < keep) { map.tx += keep - r; }
      if (l > s.w - keep) { map.tx -= l - (s.w - keep); }
      if (b < keep) { map.ty += keep - b; }
      if (t > s.h - keep) { map.ty -= t - (s.h - keep); }
    }
    map.zoomAt = function (sx, sy, factor) {
      var k = Math.max(map.base.k, Math.min(map.base.k * MAX_ZOOM, map.k * factor)), f = k / map.k;
      map.tx = sx - (sx - map.tx) * f; map.ty = sy - (sy - map.ty) * f; map.k = k;
      if (k === map.base.k) { map.tx = map.base.tx; map.ty = map.base.ty; }
      clampPan();
      apply();
    };
    map.panBy = function (dx, dy) { map.tx += dx; map.ty += dy; clampPan(); apply(); };
    /* Centre map point (x, y) in the map (at zoom factor `zoom` of the base view, or the current one). */
    map.centreOn = function (x, y, zoom) {
      var s = map.size(), k = zoom ? Math.max(map.base.k, Math.min(map.base.k * MAX_ZOOM, map.base.k * zoom)) : map.k;
      map.k = k; map.tx = s.w / 2 - x * k; map.ty = s.h / 2 - y * k;
      clampPan();
      apply();
    };
    map.reset = function () { map.k = map.base.k; map.tx = map.base.tx; map.ty = map.base.ty; apply(); };

    /* ---------- pointer and keyboard ---------- */
    function target(ev) {
      var t = ev.target;
      while (t && t !== svgEl) {
        if (t.dataset && t.dataset.code) { return { code: t.dataset.code }; }
        if (t.dataset && t.dataset.i !== undefined) { return { index: Number(t.dataset.i) }; }
        t = t.parentNode;
      }
      return null;
    }
    map.target = target;
    var drag = null;
    svgEl.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) { return; }
      drag = { x: ev.clientX, y: ev.clientY, moved: false, id: ev.pointerId };
    });
    svgEl.addEventListener("pointermove", function (ev) {
      if (drag && ev.pointerId === drag.id) {
        var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
        if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
          drag.moved = true;
          svgEl.classList.add("wv-dragging");
          try { svgEl.setPointerCapture(ev.pointerId); } catch (e) { /* not capturable */ }
          if (opts.onHover) { opts.onHover(null, ev); }
        }
        if (drag.moved) { drag.x = ev.clientX; drag.y = ev.clientY; map.panBy(dx, dy); return; }
      }
      if (opts.onHover) { opts.onHover(target(ev), ev); }
    });
    function endDrag(ev) {
      if (!drag) { return; }
      var moved = drag.moved;
      drag = null;
      svgEl.classList.remove("wv-dragging");
      if (!moved && ev.type === "pointerup" && opts.onClick) { opts.onClick(target(ev), ev); }
    }
    svgEl.addEventListener("pointerup", endDrag);
    svgEl.addEventListener("pointercancel", endDrag);
    svgEl.addEventListener("pointerleave", function (ev) { if (!drag && opts.onHover) { opts.onHover(null, ev); } });
    svgEl.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var box = svgEl.getBoundingClientRect();
      map.zoomAt(ev.clientX - box.left, ev.clientY - box.top, Math.exp(-ev.deltaY * 0.0016));
    }, { passive: false });
    svgEl.addEventListener("keydown", function (ev) {
      var s = map.size(), step = 60, handled = true;
      if (ev.key === "ArrowLeft") { map.panBy(step, 0); } else if (ev.key === "ArrowRight") { map.panBy(-step, 0); }
      else if (ev.key === "ArrowUp") { map.panBy(0, step); } else if (ev.key === "ArrowDown") { map.panBy(0, -step); }
      else if (ev.key === "+" || ev.key === "=") { map.zoomAt(s.w / 2, s.h / 2, 1.5); }
      else if (ev.key === "-" || ev.key === "_") { map.zoomAt(s.w / 2, s.h / 2, 1 / 1.5); }
      else if (ev.key === "0") { map.reset(); } else { handled = false; }
      if (handled) { ev.preventDefault(); }
    });
    document.querySelectorAll("#wv-zoom-buttons [data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var s = map.size();
        if (b.dataset.zoom === "reset") { map.reset(); } else { map.zoomAt(s.w / 2, s.h / 2, b.dataset.zoom === "in" ? 1.6 : 1 / 1.6); }
      });
    });
    var last = null;
    window.addEventListener("resize", function () {
      var s = map.size();
      if (last && last.w === s.w && last.h === s.h) { return; }
      last = s;
      var zoom = map.zoom, centre = map.toMap(s.w / 2, s.h / 2);
      map.fit();
      if (zoom > 1.001) { map.centreOn(centre[0], centre[1], zoom); }
    });
    return map;
  }
  window.DkMap = DkMap;
})();
