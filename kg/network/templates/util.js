/* diplokg explorer: small helpers shared by the page's scripts (window.dkUtil), and the time control
 * the world view and the DPRK's story share (window.diplokgTime): one year for both views.
 * Everything from the data reaches the DOM through textContent / attributes, never innerHTML. */
(function () {
  "use strict";
  performance.mark("dk-util");
  var SVG = "http://www.w3.org/2000/svg";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function hex(c) { return "#" + c.map(function (x) { return ("0" + Math.max(0, Math.min(255, Math.round(x))).toString(16)).slice(-2); }).join(""); }
  function rgb(h) { return [1, 3, 5].map(function (i) { return parseInt(h.slice(i, i + 2), 16); }); }
  /* A colour scale: linear between the stops [[value, "#rrggbb"], ...], clamped at both ends. */
  function scale(stops) {
    var s = stops.map(function (p) { return [p[0], rgb(p[1])]; });
    return function (v) {
      v = Math.min(s[s.length - 1][0], Math.max(s[0][0], v));
      for (var i = 1; i < s.length; i += 1) {
        if (v <= s[i][0]) {
          var a = s[i - 1], b = s[i], f = b[0] === a[0] ? 0 : (v - a[0]) / (b[0] - a[0]);
          return hex(a[1].map(function (x, k) { return x + (b[1][k] - x) * f; }));
        }
      }
      return hex(s[s.length - 1][1]);
    };
  }
  /* One evidence list (sentence, source, address) as an <ol>. */
  function evidenceList(items, limit) {
    var ol = el("ol", "dk-card-evidence");
    (items || []).slice(0, limit || items.length).forEach(function (ev) {
      var li = el("li");
      li.appendChild(el("div", "dk-sentence", "\u201c" + (ev.sentence || "") + "\u201d"));
      var src = el("div", "dk-source", ev.source ? "Source: " + ev.source : "Source: not given");
      if (ev.modality) { src.appendChild(el("span", "dk-badge", ev.modality)); }
      li.appendChild(src);
      if (ev.address) { li.appendChild(el("div", "dk-address", ev.address)); }
      ol.appendChild(li);
    });
    return ol;
  }
  /* A mission's status steps [[year, status, reason, begun], ...] (kg/network/timeline.py) read at the
   * end of year y: the last step at or before it, else the first. */
  function stepAt(steps, y) {
    var chosen = steps[0];
    steps.forEach(function (s) { if (s[0] <= y) { chosen = s; } });
    return chosen;
  }
  window.dkUtil = { el: el, svg: svg, clear: clear, plural: plural, hex: hex, rgb: rgb, scale: scale,
                    evidenceList: evidenceList, stepAt: stepAt, SVG: SVG };

  /* ---------- the shared year ---------- */
  var time = { year: null, listeners: [] };
  time.set = function (year, origin) {
    year = Number(year);
    if (!isFinite(year) || year === time.year) { return; }
    time.year = year;
    time.listeners.forEach(function (fn) { fn(year, origin); });
  };
  time.on = function (fn) { time.listeners.push(fn); };
  /* Wire a time control (a container with input.wv-year, output.wv-year-label and [data-step]
   * buttons) over `years`: moving it sets the shared year; the shared year moves it (to the nearest
   * year it has, clamped at its ends). Returns {index, years}. */
  time.control = function (root, years, describe) {
    var slider = root.querySelector("input.wv-year"), label = root.querySelector(".wv-year-label");
    var control = { years: years, index: 0 };
    function nearest(year) {
      if (!years.length) { return 0; }
      if (year <= years[0]) { return 0; }
      if (year >= years[years.length - 1]) { return years.length - 1; }
      var i = years.indexOf(year);
      if (i >= 0) { return i; }
      for (i = years.length - 1; i > 0 && years[i] > year; i -= 1) { /* the latest year before */ }
      return i;
    }
    function show(i) {
      control.index = i;
      slider.value = String(i);
      label.textContent = years.length ? String(years[i]) : "";
      slider.setAttribute("aria-valuetext", years.length ? (describe ? describe(i) : String(years[i])) : "");
    }
    slider.addEventListener("input", function () { show(Number(slider.value)); time.set(years[control.index], control); });
    root.querySelectorAll("[data-step]").forEach(function (b) {
      b.addEventListener("click", function () {
        var i = Math.max(0, Math.min(years.length - 1, control.index + Number(b.dataset.step)));
        show(i);
        time.set(years[i], control);
      });
    });
    time.on(function (year) { show(nearest(year)); });
    control.show = show;
    control.nearest = nearest;
    return control;
  };
  window.diplokgTime = time;
})();
