/* diplokg explorer: the world view. Reads #wv-data (states, agreement per anchor and year, missions
 * with their status per year; see kg/network/worldview.py) and #wv-atlas (the Natural Earth shapes),
 * fills each state by its agreement with the chosen anchor in the chosen year (or its change since a
 * second year), draws small states as dots, the chosen missions as lines in their status at the end of
 * the year, labels that never overlap, a ranked list that follows the map, and one card at a time.
 * Exposes window.diplokgWorld = {ready, readyAt, map, setAnchor, setYear, setCompare, setFilter,
 * select, find, ...} for tests and benches.
 */
(function () {
  "use strict";
  var u = window.dkUtil, el = u.el, svg = u.svg, clear = u.clear, plural = u.plural;
  performance.mark("wv-script");
  var raw = JSON.parse(document.getElementById("wv-data").textContent);
  performance.mark("wv-data-read");
  var states = raw.states, years = raw.years, info = raw.yearInfo, missions = raw.missions, pairs = raw.pairs;
  var byCode = {}, owner = {}, anchorLabel = {};
  states.forEach(function (s, i) {
    byCode[s.code] = i;
    s.shapes.forEach(function (k) { if (owner[k] === undefined) { owner[k] = i; } });
  });
  raw.anchors.forEach(function (a) { anchorLabel[a.code] = a.label; });
  var sentBy = states.map(function () { return []; }), hostedBy = states.map(function () { return []; });
  missions.forEach(function (m, i) { sentBy[m[0]].push(i); hostedBy[m[1]].push(i); });
  var agreeColour = u.scale(raw.stops), changeColour = u.scale(raw.changeStops);
  var DOT_KINDS = { "state": 1, "territory": 1, "polity": 1, "former state": 1 };
  var api = { ready: false, readyAt: null, started: false, anchor: raw.anchors.length ? raw.anchors[0].code : null,
              yearIndex: raw.startIndex, compareIndex: null, filter: raw.defaultFilter, selected: null, raw: raw,
              order: "desc", visibleMissionCount: 0 };
  window.diplokgWorld = api;

  function value(i, anchor, yi) { var a = states[i].ag[anchor]; return a && a[yi] !== undefined ? a[yi] : null; }
  function votes(i, anchor, yi) { var n = states[i].n[anchor]; return n ? n[yi] : 0; }
  /* What the map shows for state i: {v, flagged} or null (no value). */
  function shown(i) {
    var v = value(i, api.anchor, api.yearIndex);
    if (v === null) { return null; }
    var flagged = votes(i, api.anchor, api.yearIndex) < raw.minRollCalls;
    if (api.compareIndex !== null) {
      var w = value(i, api.anchor, api.compareIndex);
      if (w === null) { return null; }
      return { v: v - w, flagged: flagged || votes(i, api.anchor, api.compareIndex) < raw.minRollCalls };
    }
    return { v: v, flagged: flagged };
  }
  function fillOf(i) {
    if (states[i].code === api.anchor) { return "#3a3f47"; }
    var s = shown(i);
    if (!s) { return "url(#wv-hatch-none)"; }
    var fill = api.compareIndex !== null ? changeColour(s.v) : agreeColour(s.v);
    /* under the minimum of roll calls: too few to measure, so not filled as if measured (pale, hatched) */
    return s.flagged ? u.hex(u.rgb(fill).map(function (c) { return c + (255 - c) * 0.6; })) : fill;
  }
  api.shown = function (code) { var i = byCode[code]; return i === undefined ? null : shown(i); };
  api.fillOf = function (code) { var i = byCode[code]; return i === undefined ? null : fillOf(i); };

  /* A mission's status at the end of the year shown, by the rule of kg/network/status.py:
   * {status: open | closed | uncertain, reason, begun} (begun false: not opened yet, not drawn). */
  function missionStatus(mi) {
    var steps = raw.status[mi];
    if (!steps) { return { status: "open", reason: raw.openReason, begun: true }; }
    var chosen = u.stepAt(steps, years[api.yearIndex]);
    return { status: chosen[1], reason: raw.reasons[chosen[2]] || "", begun: chosen[3] };
  }
  api.missionStatus = function (mi) { return missionStatus(mi); };
  function focusMission(i) {
    if (!raw.focus) { return null; }
    var f = byCode[raw.focus], found = null;
    hostedBy[i].forEach(function (mi) { if (found === null && missions[mi][0] === f) { found = mi; } });
    return found;
  }

  var cards = window.dkWorldCards({
    raw: raw, index: function (code) { return byCode[code]; }, value: value, votes: votes,
    yearIndex: function () { return api.yearIndex; }, compareIndex: function () { return api.compareIndex; },
    anchor: function () { return api.anchor; }, anchorLabel: function (c) { return anchorLabel[c] || c; },
    sentBy: function (i) { return sentBy[i]; }, hostedBy: function (i) { return hostedBy[i]; },
    missionStatus: missionStatus, focusMission: focusMission,
    focusLabel: function () { return raw.focus ? states[byCode[raw.focus]].label : ""; },
    setFilter: function (f) { setFilter(f); }
  });
  api.describe = cards.describe;

  /* ---------- the map ---------- */
  var map = null, svgEl = document.getElementById("wv-map"), stage = document.getElementById("wv-stage");
  var layer = {};
  ["wv-flags", "wv-outlines", "wv-lines", "wv-dots", "wv-ends", "wv-labels"].forEach(function (id) { layer[id] = document.getElementById(id); });
  var measure = document.createElement("canvas").getContext("2d");
  var shapeBox = {};

  function recolour() {
    if (!map) { return; }
    clear(layer["wv-flags"]);
    map.paths.forEach(function (p, k) {
      if (!p) { return; }
      var i = owner[k];
      if (i === undefined) { p.setAttribute("fill", "#eceff2"); p.setAttribute("data-mark", "nodata"); return; }
      var s = shown(i), anchor = states[i].code === api.anchor;
      p.setAttribute("fill", fillOf(i));
      p.setAttribute("data-mark", anchor ? "anchor" : s ? "fill" : "none");
      p.classList.toggle("wv-anchor-shape", anchor);
      if (s && s.flagged && !anchor) {
        layer["wv-flags"].appendChild(svg("path", { d: p.getAttribute("d"), "data-mark": "flag" }));
      }
    });
    drawOverlay();
    status();
    rank();
    if (api.selected !== null) { showCard(api.selected); }
  }

  function drawOverlay() {
    if (!map) { return; }
    drawOutlines();
    drawLines();
    drawDots();
    drawLabels();
  }
  function drawOutlines() {
    var g = layer["wv-outlines"];
    clear(g);
    function outline(code, cls) {
      var i = byCode[code];
      if (i === undefined) { return; }
      states[i].shapes.forEach(function (k) {
        var p = map.paths[k];
        if (!p) { return; }
        g.appendChild(svg("path", { d: p.getAttribute("d"), "class": cls, "data-mark": cls,
          transform: "translate(" + map.tx.toFixed(2) + "," + map.ty.toFixed(2) + ") scale(" + map.k.toFixed(5) + ")",
          "vector-effect": "non-scaling-stroke" }));
      });
    }
    if (raw.focus && api.filter === "sender:" + raw.focus) { outline(raw.focus, "wv-focus-outline"); }
    if (hover !== null && hover !== api.selected) { outline(hover, "wv-hover-outline"); }
    if (api.selected !== null) { outline(api.selected, "wv-selected-outline"); }
  }
  function dotRadius() { return map.zoom > 3 ? 5 : map.zoom > 1.5 ? 4.2 : 3.6; }
  function drawDots() {
    var g = layer["wv-dots"], r = dotRadius(), size = map.size();
    clear(g);
    states.forEach(function (s, i) {
      if (!s.dot || !s.pt || !DOT_KINDS[s.kind]) { return; }
      var sh = shown(i);
      if (s.kind === "former state" && !sh) { return; }
      var p = map.toScreen(s.pt[0], s.pt[1]);
      if (p[0] < -10 || p[1] < -10 || p[0] > size.w + 10 || p[1] > size.h + 10) { return; }
      var c = svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: r, fill: sh || s.code === api.anchor ? fillOf(i) : "url(#wv-hatch-none)",
                              "data-code": s.code, "data-mark": s.kind === "former state" ? "former" : "dot",
                              "class": s.kind === "former state" ? "wv-former" : "" });
      g.appendChild(c);
    });
  }

  /* ---------- missions ---------- */
  function pairMatches(p, filter) {
    if (filter === "all") { return true; }
    if (filter === "none") { return false; }
    var cut = filter.indexOf(":"), how = filter.slice(0, cut), code = filter.slice(cut + 1);
    return how === "sender" ? states[p[0]].code === code : how === "host" ? states[p[1]].code === code : false;
  }
  function startOf(i) { return states[i].cap || states[i].pt; }
  function endOf(mi) { var m = missions[mi]; return m[5] !== null ? [m[5], m[6]] : (states[m[1]].cap || states[m[1]].pt); }
  var RANK = { open: 0, uncertain: 1, closed: 2 };
  function curve(a, b, bend) {
    var mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2, dx = b[0] - a[0], dy = b[1] - a[1];
    var cx = mx - dy * bend, cy = my + dx * bend;
    return "M" + a[0].toFixed(1) + " " + a[1].toFixed(1) + "Q" + cx.toFixed(1) + " " + cy.toFixed(1) + " " + b[0].toFixed(1) + " " + b[1].toFixed(1);
  }
  function endMark(g, p, st) {
    var mark;
    if (st === "open") { mark = svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 3.2, fill: "#1d232b", stroke: "#fff", "stroke-width": 1 }); }
    else if (st === "uncertain") { mark = svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 3.4, fill: "#fff", stroke: "#1d232b", "stroke-width": 1.6 }); }
    else {
      var x = p[0], y = p[1];
      mark = svg("path", { d: "M" + (x - 3.5) + " " + (y - 3.5) + "L" + (x + 3.5) + " " + (y + 3.5) + "M" + (x + 3.5) + " " + (y - 3.5) + "L" + (x - 3.5) + " " + (y + 3.5),
                           stroke: "#1d232b", "stroke-width": 2, "stroke-linecap": "round" });
    }
    mark.setAttribute("data-mark", "status-" + st);
    g.appendChild(mark);
  }
  function drawLines() {
    var g = layer["wv-lines"], ends = layer["wv-ends"], all = api.filter === "all", count = 0, tally = { open: 0, uncertain: 0, closed: 0 };
    clear(g); clear(ends);
    var starts = {};
    pairs.forEach(function (p) {
      if (!pairMatches(p, api.filter)) { return; }
      var from = startOf(p[0]);
      if (!from) { return; }
      var a = map.toScreen(from[0], from[1]);
      if (all) {
        var best = null;
        p[2].forEach(function (mi) { var st = missionStatus(mi); if (st.begun && (best === null || RANK[st.status] < RANK[best])) { best = st.status; } });
        var to = states[p[1]].cap || states[p[1]].pt;
        if (!best || !to) { return; }
        var b = map.toScreen(to[0], to[1]), d = curve(a, b, 0.12), w = 0.6 + 0.9 * Math.log2(p[2].length + 1);
        g.appendChild(svg("path", { d: d, stroke: raw.groups[p[3]].color, "stroke-width": w.toFixed(2), "stroke-opacity": 0.28,
          "stroke-dasharray": raw.statusStyles[best].dash || "none", "data-mark": "bundle" }));
        count += p[2].length;
        tally[best] += 1;
        return;
      }
      starts[p[0]] = a;
      p[2].forEach(function (mi) {
        var st = missionStatus(mi), to2 = endOf(mi);
        if (!st.begun || !to2) { return; }
        var b2 = map.toScreen(to2[0], to2[1]), d2 = curve(a, b2, 0.16), group = raw.groups[groupOf(mi)];
        var dash = raw.statusStyles[st.status].dash || "none";
        g.appendChild(svg("path", { d: d2, "class": "wv-casing", "stroke-width": 4, "data-mark": "casing" }));
        g.appendChild(svg("path", { d: d2, stroke: group.color, "stroke-width": 1.8, "stroke-dasharray": dash,
                                    "data-mark": "status-" + st.status, "data-group": groupOf(mi), "data-mission": mi }));
        endMark(ends, b2, st.status);
        count += 1;
        tally[st.status] += 1;
      });
    });
    Object.keys(starts).forEach(function (i) {
      var a = starts[i];
      ends.appendChild(svg("circle", { cx: a[0].toFixed(1), cy: a[1].toFixed(1), r: 4.5, fill: "#ffd34d", stroke: "#1d232b",
                                       "stroke-width": 1.5, "data-mark": "capital" }));
    });
    api.visibleMissionCount = count;
    api.statusTally = tally;
  }
  var kindGroup = raw.kinds.map(function (k) {
    var l = k.toLowerCase();
    return /embassy|high commission|nunciature|permanent mission/.test(l) ? "embassy" : l.indexOf("consul") >= 0 ? "consulate" : "other";
  });
  function groupOf(mi) { return kindGroup[missions[mi][2]]; }

  /* ---------- labels: the most important first, none over another ---------- */
  function textWidth(text, strong) {
    measure.font = (strong ? "700 12.5px " : "600 11px ") + "system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", Arial, sans-serif";
    return measure.measureText(text).width;
  }
  function drawLabels() {
    var g = layer["wv-labels"], size = map.size(), placed = [];
    clear(g);
    var candidates = [];
    states.forEach(function (s, i) {
      if (!s.pt || !s.shapes.length && !(s.dot && DOT_KINDS[s.kind])) { return; }
      if (s.kind === "former state" && !shown(i)) { return; }
      var box = shapeBox[i], rank = s.code === api.selected ? 3 : s.code === raw.focus ? 2 : s.code === api.anchor ? 1 : 0;
      var area = box ? box.w * box.h * map.k * map.k : 0;
      candidates.push({ i: i, strong: rank > 0, rank: rank, area: area, box: box });
    });
    candidates.sort(function (a, b) { return (b.rank - a.rank) || (b.area - a.area) || (a.i - b.i); });
    candidates.forEach(function (c) {
      var s = states[c.i], p = map.toScreen(s.pt[0], s.pt[1]), width = c.box ? c.box.w * map.k : 0, text = null;
      var name = s.label, code = s.short;
      if (c.box && textWidth(name, c.strong) <= width * 0.9) { text = name; }
      else if (c.strong) { text = name.length <= 18 ? name : code; }
      else if (c.box && textWidth(code, false) <= width * 1.1 && c.box.h * map.k > 9) { text = code; }
      else if (!c.box && map.zoom >= 2.5) { text = code; }
      if (!text) { return; }
      var w = textWidth(text, c.strong) + 4, h = c.strong ? 15 : 13, dy = c.box ? 0 : -9;
      /* its place, else (the anchor, the focus, the selected state) just above, below or beside it */
      var shifts = c.strong ? [[0, 0], [0, -h], [0, h], [w / 2 + 4, 0], [-w / 2 - 4, 0], [0, -2 * h], [0, 2 * h]] : [[0, 0]];
      var rect = null;
      for (var t = 0; t < shifts.length && rect === null; t += 1) {
        var r = { x: p[0] + shifts[t][0] - w / 2, y: p[1] + dy + shifts[t][1] - h / 2, w: w, h: h };
        if (r.x < 2 || r.y < 2 || r.x + r.w > size.w - 2 || r.y + r.h > size.h - 2) { continue; }
        var free = true;
        for (var k = 0; k < placed.length && free; k += 1) {
          var o = placed[k];
          if (r.x < o.x + o.w && o.x < r.x + r.w && r.y < o.y + o.h && o.y < r.y + r.h) { free = false; }
        }
        if (free) { rect = r; }
      }
      if (rect === null) { return; }
      placed.push(rect);
      g.appendChild(svg("text", { x: (rect.x + w / 2).toFixed(1), y: (rect.y + h / 2 + (c.strong ? 4.5 : 4)).toFixed(1), "text-anchor": "middle",
                                  "class": c.strong ? "wv-label-strong" : "", "data-code": s.code }, text));
    });
    api.labelCount = placed.length;
  }

  /* ---------- status line, ranking ---------- */
  function status() {
    var node = document.getElementById("wv-status"), y = years[api.yearIndex], yi = info[api.yearIndex];
    clear(node);
    if (!years.length) { node.textContent = "No recorded votes."; return; }
    var n = states.filter(function (s, i) { return shown(i) !== null; }).length;
    var text = api.compareIndex !== null ?
      "Change in agreement with " + anchorLabel[api.anchor] + ", " + years[api.compareIndex] + " \u2192 " + y + ": " + plural(n, "state", "states") :
      "Agreement with " + anchorLabel[api.anchor] + " in " + y + ": " + plural(n, "state", "states") + " voted";
    node.appendChild(document.createTextNode(text + " \u00b7 " + plural(yi.rollCalls, "roll call", "roll calls") + " in " + y));
    var note = document.getElementById("wv-year-note");
    note.textContent = yi.coverage === "selected" ? "selected key votes: " + yi.rollCalls : yi.coverage === "none" ? "no roll call" :
      plural(yi.rollCalls, "roll call", "roll calls");
    note.className = "wv-year-note" + (yi.coverage === "selected" ? " wv-year-selected" : yi.coverage === "none" || yi.flagged ? " wv-year-few" : "");
    var notes = [];
    if (yi.coverage === "selected") { notes.push(y + ": selected key votes (" + plural(yi.rollCalls, "roll call", "roll calls") + "), not every vote"); }
    if (yi.coverage === "none") { notes.push("no roll call recorded in " + y); }
    else if (yi.flagged) { notes.push("fewer than " + raw.minRollCalls + " roll calls in " + y + ": flagged, not ranked"); }
    if (api.compareIndex !== null && info[api.compareIndex].coverage !== yi.coverage) {
      notes.push(years[api.compareIndex] + " and " + y + " are not measured on the same kind of vote selection: read the change with care");
    }
    notes.forEach(function (t) { node.appendChild(document.createTextNode(" \u00b7 ")); node.appendChild(el("span", "wv-warn", t)); });
    if (api.filter !== "none" && api.statusTally) {
      var t = api.statusTally;
      node.appendChild(document.createTextNode(" \u00b7 missions drawn at the end of " + y + ": " + t.open + " open, " + t.uncertain + " uncertain, " + t.closed + " closed"));
    }
  }
  function rank() {
    var list = document.getElementById("wv-rank"), rest = document.getElementById("wv-unranked-list"), rows = [], flagged = [], none = [];
    clear(list); clear(rest);
    states.forEach(function (s, i) {
      if (!DOT_KINDS[s.kind] || s.code === api.anchor) { return; }
      var sh = shown(i);
      if (!sh) { if (s.kind !== "former state" && raw.anchors.some(function (a) { return s.ag[a.code]; })) { none.push(i); } return; }
      (sh.flagged ? flagged : rows).push({ i: i, v: sh.v });
    });
    var sign = api.order === "desc" ? -1 : 1;
    rows.sort(function (a, b) { return sign * (a.v - b.v) || (states[a.i].label < states[b.i].label ? -1 : 1); });
    function item(target, i, n, v, note) {
      var li = el("li"), b = el("button");
      b.type = "button";
      b.dataset.code = states[i].code;
      b.appendChild(el("span", "wv-rank-n", n));
      var sw = el("span", "wv-rank-sw");
      sw.style.background = v === null ? "#d5d9de" : (api.compareIndex !== null ? changeColour(v) : agreeColour(v));
      b.appendChild(sw);
      b.appendChild(el("span", "wv-rank-name", states[i].label));
      b.appendChild(el("span", "wv-rank-v", note || (api.compareIndex !== null ? (v > 0 ? "+" : v < 0 ? "\u2212" : "\u00b1") + Math.abs(v).toFixed(2) : v.toFixed(2))));
      if (states[i].code === api.selected) { b.setAttribute("aria-current", "true"); }
      b.addEventListener("click", function () { select(states[i].code); });
      li.appendChild(b);
      target.appendChild(li);
    }
    rows.forEach(function (r, k) { item(list, r.i, k + 1, r.v); });
    flagged.forEach(function (r) { item(rest, r.i, "\u2013", r.v, "few"); });
    none.forEach(function (i) { item(rest, i, "\u2013", null, "no vote"); });
    var y = years[api.yearIndex];
    document.getElementById("wv-rank-title").textContent = api.compareIndex !== null ?
      "Change with " + anchorLabel[api.anchor] + ", " + years[api.compareIndex] + "\u2013" + y : "With " + anchorLabel[api.anchor] + " in " + y +
      (info[api.yearIndex].coverage === "selected" ? " (selected key votes, " + plural(info[api.yearIndex].rollCalls, "roll call", "roll calls") + ")" : "");
    document.getElementById("wv-rank-order").textContent = api.order === "desc" ? (api.compareIndex !== null ? "most gained first" : "highest first") :
      (api.compareIndex !== null ? "most lost first" : "lowest first");
    document.getElementById("wv-rank-note").textContent = plural(rows.length, "state", "states") + " ranked; " +
      [api.compareIndex, api.yearIndex].filter(function (k) { return k !== null && info[k].coverage === "selected"; }).map(function (k) {
        return years[k] + " on selected key votes (" + plural(info[k].rollCalls, "roll call", "roll calls") + "); "; }).join("") +
      "a state with fewer than " + raw.minRollCalls + " roll calls is listed apart.";
    document.getElementById("wv-unranked-title").textContent = "Not ranked: " + flagged.length + " with few roll calls, " + none.length + " with no vote";
    api.ranked = rows.map(function (r) { return states[r.i].code; });
  }
  document.getElementById("wv-rank-order").addEventListener("click", function () {
    api.order = api.order === "desc" ? "asc" : "desc";
    rank();
  });
  /* Up and down arrows move between the ranking's rows. */
  document.getElementById("wv-rank-box").addEventListener("keydown", function (ev) {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") { return; }
    var buttons = Array.prototype.slice.call(document.querySelectorAll("#wv-rank button, #wv-unranked[open] button"));
    var k = buttons.indexOf(document.activeElement);
    if (k < 0) { return; }
    ev.preventDefault();
    var next = buttons[Math.max(0, Math.min(buttons.length - 1, k + (ev.key === "ArrowDown" ? 1 : -1)))];
    next.focus();
  });

  /* ---------- tooltip and card ---------- */
  var tooltip = document.getElementById("wv-tooltip"), panel = document.getElementById("wv-details");
  var panelBody = document.getElementById("wv-details-body"), hover = null;
  /* The hover card stays inside the map's stage (so it never covers the card or the ranking beside it). */
  function placeTooltip(x, y) {
    var box = stage.getBoundingClientRect(), w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var left = x + 16, top = y + 16;
    if (left + w > box.right - 6) { left = Math.max(box.left + 6, x - w - 16); }
    if (top + h > box.bottom - 6) { top = Math.max(box.top + 6, box.bottom - h - 6); }
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }
  function showTooltip(card, x, y) {
    if (!card) { hideTooltip(); return; }
    clear(tooltip);
    tooltip.appendChild(card);
    tooltip.hidden = false;
    placeTooltip(x, y);
  }
  function hideTooltip() { tooltip.hidden = true; clear(tooltip); }
  api.showTooltip = function (code, x, y) {
    var box = stage.getBoundingClientRect();
    showTooltip(cards.describe(code, false), x === undefined ? box.left + 40 : x, y === undefined ? box.top + 40 : y);
  };
  api.hideTooltip = hideTooltip;
  function showCard(code) {
    clear(panelBody);
    var card = code === null ? null : cards.describe(code, true);
    if (card) { panelBody.appendChild(card); }
    panel.hidden = !card;
    api.selected = card ? code : null;
  }
  api.showCard = showCard;
  document.getElementById("wv-details-close").addEventListener("click", function () { select(null); });

  function select(code) {
    if (code !== null && byCode[code] === undefined) { return; }
    showCard(code);
    hideTooltip();
    document.querySelectorAll("#wv-rank button[aria-current], #wv-unranked-list button[aria-current]").forEach(function (b) { b.removeAttribute("aria-current"); });
    if (code !== null) {
      var row = document.querySelector('#wv-rank button[data-code="' + cssEscape(code) + '"], #wv-unranked-list button[data-code="' + cssEscape(code) + '"]');
      if (row) { row.setAttribute("aria-current", "true"); row.scrollIntoView({ block: "nearest" }); }
      reveal(code);
    }
    if (map) { drawOverlay(); }
  }
  function cssEscape(s) { return String(s).replace(/["\\]/g, "\\$&"); }
  api.select = select;
  /* Keep a selected state in sight: when its point is off the map, centre it. */
  function reveal(code) {
    var s = states[byCode[code]];
    if (!map || !s.pt) { return; }
    var p = map.toScreen(s.pt[0], s.pt[1]), size = map.size();
    if (p[0] < 20 || p[1] < 20 || p[0] > size.w - 20 || p[1] > size.h - 20) { map.centreOn(s.pt[0], s.pt[1]); }
  }

  /* ---------- search ---------- */
  var names = document.getElementById("wv-names");
  states.slice().sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; }).forEach(function (s) {
    var o = document.createElement("option");
    o.value = s.label;
    names.appendChild(o);
  });
  function find(query) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { return null; }
    var exact = null, prefix = null, part = null;
    states.forEach(function (s) {
      var l = s.label.toLowerCase(), c = s.code.toLowerCase();
      if (l === q || c === q) { exact = exact || s.code; } else if (l.indexOf(q) === 0) { prefix = prefix || s.code; } else if (l.indexOf(q) > 0) { part = part || s.code; }
    });
    return exact || prefix || part;
  }
  api.find = find;
  var searchBox = document.getElementById("wv-search"), statusLine = document.getElementById("wv-status");
  function runSearch(query) {
    var code = find(query);
    if (!code) {
      if (String(query || "").trim()) {
        clear(statusLine);
        statusLine.appendChild(el("span", "wv-warn-line", "No state matches \u201c" + String(query).trim() + "\u201d"));
      }
      return null;
    }
    select(code);
    return code;
  }
  api.runSearch = runSearch;
  searchBox.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); runSearch(searchBox.value); } });
  searchBox.addEventListener("change", function () { runSearch(searchBox.value); });

  /* ---------- controls ---------- */
  function setAnchor(code) {
    if (!anchorLabel[code]) { return false; }
    api.anchor = code;
    document.querySelectorAll("input.wv-anchor").forEach(function (r) { r.checked = r.value === code; });
    recolour();
    return true;
  }
  function setYear(year) {
    var yi = years.indexOf(Number(year));
    if (yi < 0) { return false; }
    window.diplokgTime.set(years[yi], null);
    return true;
  }
  function setCompare(year) {
    var box = document.getElementById("wv-compare"), select = document.getElementById("wv-compare-year");
    if (year === null || year === undefined || year === false) {
      api.compareIndex = null; box.checked = false; select.disabled = true;
    } else {
      var ci = years.indexOf(Number(year));
      if (ci < 0) { return false; }
      api.compareIndex = ci; box.checked = true; select.disabled = false; select.value = String(ci);
    }
    var compare = api.compareIndex !== null;
    ["wv-gradient", "wv-scale-agree"].forEach(function (id) { document.getElementById(id).hidden = compare; });
    ["wv-gradient-change", "wv-scale-change"].forEach(function (id) { document.getElementById(id).hidden = !compare; });
    document.getElementById("wv-legend-title").textContent = compare ? "Change in agreement between the two years" : "Agreement in the UN General Assembly";
    recolour();
    return true;
  }
  api.setAnchor = setAnchor;
  api.setYear = setYear;
  api.setCompare = setCompare;
  function setFilter(filter) {
    var select = document.getElementById("wv-filter");
    if (filter.indexOf("host:") === 0) {
      var dyn = document.getElementById("wv-filter-host"), i = byCode[filter.slice(5)];
      if (i === undefined) { return 0; }
      if (!dyn) { dyn = el("option"); dyn.id = "wv-filter-host"; select.insertBefore(dyn, select.firstChild); }
      dyn.value = filter;
      dyn.textContent = "Hosted by " + states[i].label + " (" + states[i].hosted + ")";
    }
    api.filter = filter;
    select.value = filter;
    if (map) { drawOverlay(); status(); }
    return api.visibleMissionCount;
  }
  api.setFilter = setFilter;
  document.querySelectorAll("input.wv-anchor").forEach(function (r) { r.addEventListener("change", function () { if (r.checked) { setAnchor(r.value); } }); });
  document.getElementById("wv-compare").addEventListener("change", function (ev) {
    if (ev.target.checked) {
      var fallback = Math.max(0, api.yearIndex - 3);
      setCompare(years[Number(document.getElementById("wv-compare-year").value) !== api.yearIndex ?
        Number(document.getElementById("wv-compare-year").value) : fallback]);
    } else { setCompare(null); }
  });
  document.getElementById("wv-compare-year").addEventListener("change", function (ev) { setCompare(years[Number(ev.target.value)]); });
  document.getElementById("wv-filter").addEventListener("change", function (ev) { setFilter(ev.target.value); });
  var control = window.diplokgTime.control(document.querySelector("#wv-toolbar [data-time]"), years, function (i) {
    return years[i] + (info[i].coverage === "selected" ? ", selected key votes: " + plural(info[i].rollCalls, "roll call", "roll calls") :
      info[i].coverage === "none" ? ", no roll call" : ", " + plural(info[i].rollCalls, "roll call", "roll calls"));
  });
  window.diplokgTime.on(function (year) {
    api.yearIndex = control.nearest(year);
    recolour();
  });
  api.colourOf = function (code) { return api.fillOf(code); };
  api.valueOf = function (code, anchor, year) {
    var i = byCode[code], yi = years.indexOf(Number(year));
    return i === undefined || yi < 0 ? null : { value: value(i, anchor, yi), votes: votes(i, anchor, yi) };
  };

  /* ---------- start ---------- */
  function onHover(t, ev) {
    var code = t ? (t.code !== undefined ? t.code : (owner[t.index] !== undefined ? states[owner[t.index]].code : null)) : null;
    if (code !== hover) { hover = code; if (map) { drawOutlines(); } }
    if (code === null) {
      if (t && t.index !== undefined && map.paths[t.index]) {
        var card = el("div", "dk-card");
        card.appendChild(el("div", "dk-card-title", map.names[t.index] || ""));
        card.appendChild(el("div", "dk-hint", "Not in the data: no state of the graph has this shape."));
        showTooltip(card, ev.clientX, ev.clientY);
      } else { hideTooltip(); }
      return;
    }
    showTooltip(cards.describe(code, false), ev.clientX, ev.clientY);
  }
  function onClick(t) {
    var code = t ? (t.code !== undefined ? t.code : (owner[t.index] !== undefined ? states[owner[t.index]].code : null)) : null;
    select(code);
  }
  function start() {
    if (api.started) { return; }
    api.started = true;
    performance.mark("wv-start");
    var atlas = JSON.parse(document.getElementById("wv-atlas").textContent);
    performance.mark("wv-atlas-read");
    map = window.DkMap({ svg: svgEl, atlas: atlas, frame: raw.frame, onView: drawOverlay, onHover: onHover, onClick: onClick });
    api.map = map;
    states.forEach(function (s, i) { if (s.box) { shapeBox[i] = { w: s.box[0], h: s.box[1] }; } });
    map.fit();
    document.getElementById("wv-filter").value = api.filter;
    if (window.diplokgTime.year !== null) { api.yearIndex = control.nearest(window.diplokgTime.year); }
    control.show(api.yearIndex);
    performance.mark("wv-shapes-drawn");
    var before = window.diplokgTime.year;
    window.diplokgTime.set(years[api.yearIndex], null);      /* its listener recolours */
    if (window.diplokgTime.year === before) { recolour(); }
    performance.mark("wv-filled");
    window.requestAnimationFrame(function () {
      api.ready = true;
      api.readyAt = performance.now();
      document.body.classList.add("wv-ready");
      var later = window.requestIdleCallback || function (fn) { return window.setTimeout(fn, 200); };
      later(loadNetwork, { timeout: 1500 });
    });
  }
  api.start = start;
  api.redraw = function () { if (map) { map.redrawNow(); } };

  /* ---------- the two views ---------- */
  /* The network view's scripts (vis-network, its page script, the story) are kept as text until the
   * map is drawn or their tab is opened, so that the map is ready sooner; then run, once, in order. */
  function loadNetwork() {
    if (api.networkLoaded) { return; }
    if (document.readyState === "loading") {        /* its scripts are further down the page: after it is read */
      document.addEventListener("DOMContentLoaded", loadNetwork);
      return;
    }
    api.networkLoaded = true;
    document.querySelectorAll("script.dk-later").forEach(function (held) {
      var run = document.createElement("script");
      run.textContent = held.textContent;
      held.parentNode.replaceChild(run, held);
    });
  }
  api.loadNetwork = loadNetwork;
  function showView(view) {
    if (view === "network" && !api.networkLoaded) {
      if (document.readyState === "loading") {        /* opened on #network: show it once the page is read */
        document.addEventListener("DOMContentLoaded", function () { showView(view); });
        document.getElementById("wv-main").hidden = true;
        return;
      }
      loadNetwork();
    }
    var world = view !== "network";
    document.getElementById("wv-main").hidden = !world;
    document.getElementById("wv-head").hidden = !world;
    document.getElementById("dk-main").hidden = world;
    document.getElementById("dk-head").hidden = world;
    document.getElementById("dk-tab-world").setAttribute("aria-pressed", String(world));
    document.getElementById("dk-tab-network").setAttribute("aria-pressed", String(!world));
    hideTooltip();
    if (window.diplokg && window.diplokg.hideTooltip) { window.diplokg.hideTooltip(); }
    if (world) {
      if (api.started && map) { map.fit(); recolour(); } else { start(); }
    } else {
      if (window.diplokg && window.diplokg.start) { window.diplokg.start(); }
      if (window.diplokgStory) { window.diplokgStory.show(window.diplokgStory.year); }
    }
    api.view = world ? "world" : "network";
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", "#" + api.view); } catch (e) { /* file: pages may refuse */ }
    }
  }
  api.showView = showView;
  document.querySelectorAll(".dk-view-tab").forEach(function (b) { b.addEventListener("click", function () { showView(b.dataset.view); }); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && api.view === "world" && api.selected !== null) { select(null); }
  });
  showView(window.location.hash === "#network" ? "network" : "world");
})();
