/* diplokg explorer: the DPRK view as a story. Reads #st-data (the graph's events and sanctions
 * resolutions in time order, each with its evidence: kg/network/story.py) and lists them by year
 * beside the network; a time control, shared with the world map (window.diplokgTime), shows the
 * network as it stood at the end of the year and greys the events that came later. Each event opens
 * on its evidence. Exposes window.diplokgStory = {events, year, open(iri)}.
 */
(function () {
  "use strict";
  var node = document.getElementById("st-data");
  if (!node) { return; }
  var u = window.dkUtil, el = u.el, svg = u.svg;
  var raw = JSON.parse(node.textContent), list = document.getElementById("st-list");
  var api = { events: raw.events, year: raw.years[raw.years.length - 1], items: [] };
  window.diplokgStory = api;
  /* One mark per group, shape and colour both telling them apart. */
  var MARKS = {
    opening: function (g) { g.appendChild(svg("circle", { cx: 7, cy: 7, r: 5, fill: "#1b9e4b" })); },
    announcement: function (g) { g.appendChild(svg("circle", { cx: 7, cy: 7, r: 5, fill: "#fff", stroke: "#e08214", "stroke-width": 2.2 })); },
    closure: function (g) { g.appendChild(svg("path", { d: "M2.5 2.5L11.5 11.5M11.5 2.5L2.5 11.5", stroke: "#4d4d4d", "stroke-width": 2.6, "stroke-linecap": "round" })); },
    farewell: function (g) { g.appendChild(svg("path", { d: "M2 11L7 3L12 11Z", fill: "#fff", stroke: "#e08214", "stroke-width": 1.8 })); },
    summit: function (g) { g.appendChild(svg("rect", { x: 2.5, y: 2.5, width: 9, height: 9, fill: "#0f8a8a" })); },
    sanctions: function (g) { g.appendChild(svg("rect", { x: 2, y: 4, width: 10, height: 6, fill: "#d01c1c" })); },
    veto: function (g) { g.appendChild(svg("path", { d: "M7 1.5L12.5 7L7 12.5L1.5 7Z", fill: "#7b3294" })); },
    council: function (g) { g.appendChild(svg("path", { d: "M7 2.5L11.5 7L7 11.5L2.5 7Z", fill: "#fff", stroke: "#7b3294", "stroke-width": 1.8 })); },
    weapons: function (g) { g.appendChild(svg("path", { d: "M7 1.5L12.5 12H1.5Z", fill: "#444" })); },
    other: function (g) { g.appendChild(svg("circle", { cx: 7, cy: 7, r: 3, fill: "#8a94a1" })); }
  };
  function mark(group) {
    var s = svg("svg", { "class": "st-mark", viewBox: "0 0 14 14", "aria-hidden": "true", "data-group": group });
    (MARKS[group] || MARKS.other)(s);
    return s;
  }
  document.querySelectorAll("#st-legend svg[data-group]").forEach(function (s) { (MARKS[s.dataset.group] || MARKS.other)(s); });

  var lastYear = null, headings = {};
  raw.events.forEach(function (e) {
    var heading = e.year === null ? "Date not given" : String(e.year);
    if (heading !== lastYear) {
      var h = el("li", "st-year", heading);
      h.dataset.year = e.year === null ? "" : String(e.year);
      list.appendChild(h);
      headings[heading] = h;
      lastYear = heading;
    }
    var li = el("li", "st-event"), details = el("details"), summary = el("summary");
    li.dataset.iri = e.iri;
    li.dataset.group = e.group;
    li.dataset.year = e.year === null ? "" : String(e.year);
    summary.appendChild(mark(e.group));
    var text = el("span");
    if (e.date) { text.appendChild(el("span", "st-date", e.date)); }
    text.appendChild(document.createTextNode(e.label));
    text.appendChild(el("div", "st-kind", e.kind + (e.modality && e.modality !== "reported" ? " \u00b7 " + e.modality : "") +
      " \u00b7 " + u.plural(e.evidence.length, "piece of evidence", "pieces of evidence")));
    summary.appendChild(text);
    details.appendChild(summary);
    details.addEventListener("toggle", function () {
      if (details.open && !details.dataset.filled) { details.dataset.filled = "1"; details.appendChild(u.evidenceList(e.evidence)); }
    });
    li.appendChild(details);
    list.appendChild(li);
    api.items.push(li);
  });
  api.open = function (iri) {
    var li = api.items.filter(function (x) { return x.dataset.iri === iri; })[0];
    if (!li) { return false; }
    li.querySelector("details").open = true;
    li.scrollIntoView({ block: "nearest" });
    return true;
  };

  function show(year) {
    api.year = year;
    var current = null;
    api.items.forEach(function (li) {
      var y = li.dataset.year === "" ? null : Number(li.dataset.year);
      li.classList.toggle("st-later", y !== null && y > year);
    });
    Object.keys(headings).forEach(function (k) {
      var h = headings[k], y = h.dataset.year === "" ? null : Number(h.dataset.year);
      h.classList.toggle("st-current", y === year);
      if (y !== null && y <= year) { current = h; }
    });
    /* bring the year into view when the list is showing (not while it is hidden) */
    if (current && list.offsetParent !== null) {
      var top = current.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - 40) { list.scrollTop = Math.max(0, top - 8); }
    }
  }
  api.show = show;
  var control = window.diplokgTime.control(document.querySelector("#st-time [data-time]"), raw.years);
  function clamp(year) { return Math.max(raw.years[0], Math.min(raw.years[raw.years.length - 1], year)); }
  window.diplokgTime.on(function (year) { show(clamp(year)); });
  if (window.diplokgTime.year !== null) {          /* the world map chose the year first */
    api.year = clamp(window.diplokgTime.year);
    control.show(control.nearest(window.diplokgTime.year));
  }
  show(api.year);
})();
