/* diplokg explorer: the world view, and the switch between the world and the DPRK's network.
 * Reads the JSON block #wv-data (states with fixed map places, agreement per anchor and year,
 * missions grouped per sender-host pair). The network is drawn with physics off; the anchor switch
 * and the year slider recolour the states, the mission filter rebuilds the edge set.
 * All data reaches the DOM through textContent / element properties only - never innerHTML - and
 * the agreement chart is SVG built with createElementNS.
 * Exposes window.diplokgWorld = {network, nodes, edges, ready, readyAt, setAnchor, setYear, ...}.
 */
(function () {
  "use strict";
  var raw = JSON.parse(document.getElementById("wv-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var states = raw.states, years = raw.years, missions = raw.missions, pairs = raw.pairs;
  var byCode = {};
  states.forEach(function (s, i) { byCode[s.code] = i; });
  var anchorLabel = {};
  raw.anchors.forEach(function (a) { anchorLabel[a.code] = a.label; });
  var sentBy = states.map(function () { return []; }), hostedBy = states.map(function () { return []; });
  missions.forEach(function (m, i) { sentBy[m[0]].push(i); hostedBy[m[1]].push(i); });
  var nodes = new vis.DataSet([]), edges = new vis.DataSet([]);
  var api = { network: null, nodes: nodes, edges: edges, ready: false, readyAt: null, started: false,
              anchor: raw.anchors.length ? raw.anchors[0].code : null, yearIndex: raw.startIndex,
              filter: raw.defaultFilter, selected: null, raw: raw };
  window.diplokgWorld = api;

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
  function fmt(v) { return v === null || v === undefined ? "no vote" : Number(v).toFixed(2); }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* ---------- colours ---------- */
  function hex(c) { return "#" + c.map(function (x) { return ("0" + Math.max(0, Math.min(255, Math.round(x))).toString(16)).slice(-2); }).join(""); }
  function rgb(h) { return [1, 3, 5].map(function (i) { return parseInt(h.slice(i, i + 2), 16); }); }
  var stops = raw.stops.map(function (s) { return [s[0], rgb(s[1])]; });
  function colour(v) {
    if (v === null || v === undefined) { return raw.unknown; }
    v = Math.min(1, Math.max(0, v));
    for (var i = 1; i < stops.length; i += 1) {
      if (v <= stops[i][0]) {
        var a = stops[i - 1], b = stops[i], f = b[0] === a[0] ? 0 : (v - a[0]) / (b[0] - a[0]);
        return hex(a[1].map(function (x, k) { return x + (b[1][k] - x) * f; }));
      }
    }
    return hex(stops[stops.length - 1][1]);
  }
  function darker(h) { return hex(rgb(h).map(function (x) { return x * 0.62; })); }
  function value(i, anchor, yi) { var a = states[i].ag[anchor]; return a ? a[yi] : null; }
  function votes(i, anchor, yi) { var n = states[i].n[anchor]; return n ? n[yi] : 0; }

  function nodeFor(i) {
    var s = states[i], isAnchor = s.code === api.anchor, v = value(i, api.anchor, api.yearIndex);
    var fill = isAnchor ? "#1d232b" : colour(v), unknown = !isAnchor && (v === null || v === undefined);
    var node = { id: s.code, label: s.short, x: s.x, y: s.y, fixed: true, size: isAnchor ? s.size + 6 : s.size,
      shape: isAnchor ? "star" : "dot", borderWidth: s.code === raw.focus ? 2 : 1.2, borderWidthSelected: s.code === raw.focus ? 2.5 : 2,
      color: { background: fill, border: s.code === raw.focus ? "#111111" : darker(fill),
               highlight: { background: fill, border: "#000000" }, hover: { background: fill, border: "#000000" } },
      shapeProperties: { borderDashes: unknown ? [3, 3] : false },
      font: { size: isAnchor || s.code === raw.focus ? 20 : Math.round(9 + 0.6 * s.size) },
      shadow: s.code === raw.focus ? { enabled: true, color: "rgba(255,191,0,0.95)", size: 22, x: 0, y: 0 } : { enabled: false } };
    return node;
  }
  function recolour() {
    nodes.update(states.map(function (s, i) { return nodeFor(i); }));
    var label = document.getElementById("wv-year-label"), status = document.getElementById("wv-year-status");
    var year = years[api.yearIndex];
    label.textContent = year === undefined ? "no votes" : String(year);
    var voted = 0;
    states.forEach(function (s, i) { if (value(i, api.anchor, api.yearIndex) !== null && value(i, api.anchor, api.yearIndex) !== undefined) { voted += 1; } });
    status.textContent = year === undefined ? "No agreement data." :
      plural(voted, "state", "states") + " with an agreement index with " + (anchorLabel[api.anchor] || api.anchor) + " in " + year;
    if (api.selected !== null) { showCard(api.selected); }
  }
  function setAnchor(code) {
    if (!(code in anchorLabel)) { return false; }
    api.anchor = code;
    document.querySelectorAll("input.wv-anchor").forEach(function (r) { r.checked = r.value === code; });
    recolour();
    return true;
  }
  function setYear(year) {
    var yi = years.indexOf(Number(year));
    if (yi < 0) { return false; }
    api.yearIndex = yi;
    document.getElementById("wv-year").value = String(yi);
    recolour();
    return true;
  }
  api.setAnchor = setAnchor;
  api.setYear = setYear;
  api.colourOf = function (code) { var n = nodes.get(code); return n ? n.color.background : null; };
  api.valueOf = function (code, anchor, year) {
    var i = byCode[code], yi = years.indexOf(Number(year));
    return i === undefined || yi < 0 ? null : { value: value(i, anchor, yi), votes: votes(i, anchor, yi) };
  };

  /* ---------- missions ---------- */
  function pairMatches(p, filter) {
    if (filter === "all") { return true; }
    if (filter === "none") { return false; }
    var cut = filter.indexOf(":"), how = filter.slice(0, cut), code = filter.slice(cut + 1);
    return how === "sender" ? states[p[0]].code === code : how === "host" ? states[p[1]].code === code : false;
  }
  function edgeFor(p, k, all) {
    var group = raw.groups[p[3]] || raw.groups.other, n = p[2].length;
    return { id: "p" + k, from: states[p[0]].code, to: states[p[1]].code, width: (all ? 0.5 : 1.4) + Math.log2(n) * 0.8,
      color: { color: group.color, highlight: "#d08700", hover: "#d08700", opacity: all ? 0.16 : 0.85 },
      arrows: { to: { enabled: !all, scaleFactor: 0.45 } }, dkPair: k };
  }
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
    var all = filter === "all", list = [], count = 0;
    pairs.forEach(function (p, k) { if (pairMatches(p, filter)) { list.push(edgeFor(p, k, all)); count += p[2].length; } });
    edges.clear();
    edges.add(list);
    api.visibleMissionCount = count;
    document.getElementById("wv-filter-status").textContent = filter === "none" ? "No missions drawn." :
      plural(count, "mission", "missions") + " in " + plural(list.length, "pair", "pairs") + " of states drawn";
    return count;
  }
  api.setFilter = setFilter;
  api.pairsOf = function (filter) { return pairs.filter(function (p) { return pairMatches(p, filter); }).length; };

  /* ---------- chart and cards ---------- */
  function chart(i) {
    var W = 344, H = 150, L = 28, R = 8, T = 8, CH = 92, BT = 112, BH = 22;
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "wv-chart", role: "img" });
    root.appendChild(svg("title", {}, "Agreement of " + states[i].label + " with each anchor per year"));
    var y0 = years[0], y1 = years[years.length - 1], span = Math.max(1, y1 - y0);
    function X(y) { return L + (W - L - R) * (y - y0) / span; }
    function Y(v) { return T + CH * (1 - v); }
    [0, 0.5, 1].forEach(function (g) {
      root.appendChild(svg("line", { x1: L, x2: W - R, y1: Y(g), y2: Y(g), stroke: g === 0.5 ? "#e3e7ec" : "#cfd5dc", "stroke-width": 1 }));
      root.appendChild(svg("text", { x: L - 4, y: Y(g) + 3, "text-anchor": "end" }, g.toFixed(1)));
    });
    var ticks = [y0, y1], mid = Math.round((y0 + y1) / 20) * 10;
    if (mid - y0 > span / 5 && y1 - mid > span / 5) { ticks.splice(1, 0, mid); }
    ticks.forEach(function (y, k) {
      var anchor = k === 0 ? "start" : k === ticks.length - 1 ? "end" : "middle";
      root.appendChild(svg("text", { x: X(y) + (k === 0 ? -3 : k === ticks.length - 1 ? 3 : 0), y: H - 2, "text-anchor": anchor }, y));
    });
    var cy = years[api.yearIndex];
    if (cy !== undefined) {
      root.appendChild(svg("line", { x1: X(cy), x2: X(cy), y1: T - 4, y2: BT + BH, stroke: "#d08700", "stroke-width": 1.2, "stroke-dasharray": "3 2", "class": "wv-chart-year" }));
    }
    var maxVotes = 1;
    raw.anchors.forEach(function (a) { (states[i].n[a.code] || []).forEach(function (n) { maxVotes = Math.max(maxVotes, n); }); });
    var bars = svg("g", { "class": "wv-chart-votes" }), bw = Math.min(6, Math.max(1.2, (W - L - R) / (span + 1) - 0.6));
    var main = (states[i].n[api.anchor] ? api.anchor : (raw.anchors.filter(function (a) { return states[i].n[a.code]; })[0] || {}).code);
    (states[i].n[main] || []).forEach(function (n, k) {
      if (!n) { return; }
      var h = BH * n / maxVotes, rect = svg("rect", { x: X(years[k]) - bw / 2, y: BT + BH - h, width: bw, height: h, fill: "#b8c2cc" });
      rect.appendChild(svg("title", {}, years[k] + ": " + plural(n, "roll call", "roll calls") + " counted with " + (anchorLabel[main] || main)));
      bars.appendChild(rect);
    });
    root.appendChild(bars);
    root.appendChild(svg("text", { x: L - 4, y: BT + BH - 2, "text-anchor": "end" }, maxVotes));
    raw.anchors.forEach(function (a) {
      var vals = states[i].ag[a.code];
      if (!vals) { return; }
      var d = "", pen = "M", g = svg("g", { "class": "wv-chart-line", "data-anchor": a.code });
      vals.forEach(function (v, k) {
        if (v === null) { pen = "M"; return; }
        d += pen + X(years[k]).toFixed(1) + " " + Y(v).toFixed(1) + " ";
        pen = "L";
        var dot = svg("circle", { cx: X(years[k]).toFixed(1), cy: Y(v).toFixed(1), r: k === api.yearIndex ? 3.2 : 1.6, fill: a.colour });
        dot.appendChild(svg("title", {}, a.label + ", " + years[k] + ": " + fmt(v) + " over " + plural(states[i].n[a.code][k], "roll call", "roll calls")));
        g.appendChild(dot);
      });
      g.insertBefore(svg("path", { d: d.trim(), fill: "none", stroke: a.colour, "stroke-width": 1.6, "stroke-linejoin": "round" }), g.firstChild);
      root.appendChild(g);
    });
    return root;
  }
  function agreementLines(i, card, yi) {
    var y = years[yi];
    raw.anchors.forEach(function (a) {
      if (a.code === states[i].code) { return; }
      var v = value(i, a.code, yi), n = votes(i, a.code, yi), line = el("div", "wv-now");
      line.dataset.anchor = a.code;
      line.appendChild(document.createTextNode("With " + a.label + " in " + y + ": "));
      line.appendChild(el("b", null, fmt(v)));
      line.appendChild(document.createTextNode(v === null || v === undefined ? "" : " over " + plural(n, "roll call", "roll calls")));
      card.appendChild(line);
    });
  }
  function missionItem(mi, side) {
    var m = missions[mi], other = states[side === "sent" ? m[1] : m[0]];
    var li = el("li", null, raw.kinds[m[2]] + (side === "sent" ? " in " : " of ") + other.label + (m[3] ? " (" + m[3] + ")" : ""));
    li.appendChild(el("span", "wv-ident", m[4]));
    return li;
  }
  function missionList(card, title, list, side) {
    if (!list.length) { return; }
    card.appendChild(el("div", "dk-card-sub", title + " (" + list.length + ")"));
    var ul = el("ul", "wv-missions");
    list.slice(0, 8).forEach(function (mi) { ul.appendChild(missionItem(mi, side)); });
    card.appendChild(ul);
    if (list.length > 8) {
      var more = el("details"), rest = el("ul", "wv-missions");
      more.appendChild(el("summary", null, "+" + (list.length - 8) + " more"));
      list.slice(8).forEach(function (mi) { rest.appendChild(missionItem(mi, side)); });
      more.appendChild(rest);
      card.appendChild(more);
    }
  }
  var PLACES = { given: "placed at its own coordinates", none: "no place known: shown in the row below the map" };
  function describe(code, full) {
    var i = byCode[code];
    if (i === undefined) { return null; }
    var s = states[i], card = el("div", "dk-card wv-card");
    card.appendChild(el("div", "dk-card-title", s.label));
    card.appendChild(el("div", "dk-card-meta", s.kind + " \u00b7 " + s.code + " \u00b7 sends " + s.sent + ", hosts " + s.hosted +
      (full ? " \u00b7 " + (PLACES[s.place] || "placed at the median of " + plural(s.placeUsed, "mission", "missions") + " it hosts") : "")));
    var hasVotes = raw.anchors.some(function (a) { return s.ag[a.code]; });
    if (!hasVotes) {
      card.appendChild(el("div", "dk-hint", "No recorded vote in the General Assembly with an anchor."));
    } else {
      if (full) {
        card.appendChild(el("div", "dk-card-sub", "Agreement with each anchor, per year"));
        card.appendChild(chart(i));
        var keys = el("div", "wv-keys");
        raw.anchors.forEach(function (a) {
          if (!s.ag[a.code]) { return; }
          var key = el("span", "wv-key"), sw = el("i");
          sw.style.background = a.colour;
          key.appendChild(sw);
          key.appendChild(document.createTextNode(a.label));
          keys.appendChild(key);
        });
        keys.appendChild(el("span", "wv-key dk-note", "bars: roll calls counted"));
        card.appendChild(keys);
      }
      agreementLines(i, card, api.yearIndex);
      if (full) { card.appendChild(yearTable(i)); }
    }
    if (full) {
      missionList(card, "Missions it sends", sentBy[i], "sent");
      missionList(card, "Missions it hosts", hostedBy[i], "hosted");
      var actions = el("div", "wv-actions");
      [["sender:", s.sent, "Draw the missions it sends"], ["host:", s.hosted, "Draw the missions it hosts"]].forEach(function (b) {
        if (!b[1]) { return; }
        var button = el("button", null, b[2]);
        button.type = "button";
        button.dataset.filter = b[0] + s.code;
        button.addEventListener("click", function () { setFilter(b[0] + s.code); });
        actions.appendChild(button);
      });
      card.appendChild(actions);
    }
    return card;
  }
  function yearTable(i) {
    var box = el("details", "wv-years"), table = el("table", "wv-table"), head = el("tr");
    box.appendChild(el("summary", null, "Every year, with the roll calls counted"));
    var shown = raw.anchors.filter(function (a) { return states[i].ag[a.code]; });
    head.appendChild(el("th", null, "Year"));
    shown.forEach(function (a) { head.appendChild(el("th", null, a.label)); head.appendChild(el("th", null, "roll calls")); });
    table.appendChild(head);
    years.forEach(function (y, k) {
      if (!shown.some(function (a) { return states[i].ag[a.code][k] !== null; })) { return; }
      var tr = el("tr", k === api.yearIndex ? "wv-current" : null);
      tr.appendChild(el("td", null, y));
      shown.forEach(function (a) { tr.appendChild(el("td", null, fmt(states[i].ag[a.code][k]))); tr.appendChild(el("td", null, states[i].n[a.code][k])); });
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function describePair(k) {
    var p = pairs[k], card = el("div", "dk-card wv-card");
    card.appendChild(el("div", "dk-card-title", states[p[0]].label + " \u2192 " + states[p[1]].label));
    card.appendChild(el("div", "dk-card-meta", plural(p[2].length, "mission", "missions")));
    var ul = el("ul", "wv-missions");
    p[2].slice(0, 8).forEach(function (mi) { ul.appendChild(missionItem(mi, "sent")); });
    card.appendChild(ul);
    if (p[2].length > 8) { card.appendChild(el("div", "dk-more", "+" + (p[2].length - 8) + " more")); }
    return card;
  }
  api.describe = describe;

  var tooltip = document.getElementById("wv-tooltip"), panel = document.getElementById("wv-details");
  var panelBody = document.getElementById("wv-details-body"), container = document.getElementById("wv-network");
  var pointer = { x: 0, y: 0 };
  function placeTooltip() {
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight, x = pointer.x + 16, y = pointer.y + 16;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, pointer.x - w - 16); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, window.innerHeight - h - 8); }
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function showTooltip(card) {
    if (!card) { return; }
    clear(tooltip);
    tooltip.appendChild(card);
    tooltip.hidden = false;
    placeTooltip();
  }
  function hideTooltip() { tooltip.hidden = true; clear(tooltip); }
  function showCard(code) {
    clear(panelBody);
    var card = code === null ? null : describe(code, true);
    if (card) { panelBody.appendChild(card); }
    panel.hidden = !card;
    api.selected = card ? code : null;
  }
  api.showCard = showCard;
  api.showTooltip = function (code) { showTooltip(describe(code, false)); };
  api.hideTooltip = hideTooltip;
  container.addEventListener("mousemove", function (ev) {
    pointer.x = ev.clientX; pointer.y = ev.clientY;
    if (!tooltip.hidden) { placeTooltip(); }
  });
  container.addEventListener("mouseleave", hideTooltip);
  document.getElementById("wv-details-close").addEventListener("click", function () {
    showCard(null);
    if (api.network) { api.network.unselectAll(); if (api.overview) { fitFree(true); } }
  });

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
  /* Keep a state in sight beside the card: centre it in the part of the map the card leaves free. */
  function reveal(code, scale) {
    var net = api.network, pos = net.getPositions([code])[code];
    if (!pos) { return; }
    var free = container.clientWidth - (panel.hidden ? 0 : panel.offsetWidth + 24), s = scale || net.getScale();
    var dom = net.canvasToDOM(pos);
    if (scale === undefined && dom.x > 12 && dom.x < free - 12 && dom.y > 12 && dom.y < container.clientHeight - 12) { return; }
    var shift = (container.clientWidth - free) / 2 / s;
    net.moveTo({ position: { x: pos.x + shift, y: pos.y }, scale: s, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  }
  /* The whole map, fitted into the part of the stage the card leaves free. */
  function fitFree(animate) {
    var net = api.network, pos = net.getPositions(nodes.getIds()), box = [Infinity, Infinity, -Infinity, -Infinity];
    Object.keys(pos).forEach(function (id) {
      var p = pos[id];
      box = [Math.min(box[0], p.x), Math.min(box[1], p.y), Math.max(box[2], p.x), Math.max(box[3], p.y)];
    });
    if (box[0] === Infinity) { return; }
    var free = container.clientWidth - (panel.hidden ? 0 : panel.offsetWidth + 24), h = container.clientHeight;
    var s = Math.min((free - 30) / (box[2] - box[0] + 60), (h - 30) / (box[3] - box[1] + 60));
    if (!(s > 0)) { return; }
    net.moveTo({ position: { x: (box[0] + box[2]) / 2 + (container.clientWidth - free) / 2 / s, y: (box[1] + box[3]) / 2 },
                 scale: s, animation: animate ? { duration: 350, easingFunction: "easeInOutQuad" } : false });
    api.overview = true;
  }
  api.fitFree = fitFree;
  function select(code) {
    if (!api.network || byCode[code] === undefined) { return; }
    api.network.selectNodes([code]);
    showCard(code);
    api.overview = false;
    reveal(code, Math.max(0.9, api.network.getScale()));
  }
  api.select = select;
  var searchBox = document.getElementById("wv-search"), searchStatus = document.getElementById("wv-search-status");
  function runSearch(query) {
    var code = find(query);
    searchStatus.className = "dk-note";
    if (!code) {
      searchStatus.className = "dk-note dk-miss";
      searchStatus.textContent = String(query || "").trim() ? "No state matches \u201c" + String(query).trim() + "\u201d" : "";
      return null;
    }
    select(code);
    searchStatus.textContent = "Selected " + states[byCode[code]].label;
    return code;
  }
  api.find = find;
  api.runSearch = runSearch;
  searchBox.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); runSearch(searchBox.value); } });
  searchBox.addEventListener("change", function () { runSearch(searchBox.value); });

  /* ---------- controls ---------- */
  document.querySelectorAll("input.wv-anchor").forEach(function (r) { r.addEventListener("change", function () { if (r.checked) { setAnchor(r.value); } }); });
  var slider = document.getElementById("wv-year");
  slider.addEventListener("input", function () { api.yearIndex = Number(slider.value); recolour(); });
  function step(d) {
    var yi = Math.max(0, Math.min(years.length - 1, api.yearIndex + d));
    if (years.length) { setYear(years[yi]); }
  }
  document.getElementById("wv-year-prev").addEventListener("click", function () { step(-1); });
  document.getElementById("wv-year-next").addEventListener("click", function () { step(1); });
  document.getElementById("wv-filter").addEventListener("change", function (ev) { setFilter(ev.target.value); });

  /* ---------- the map's frame: graticule every 30 degrees, the row of unplaced states ---------- */
  function frame(ctx) {
    var k = raw.grid.pxPerDegree, x0 = -180 * k, x1 = 180 * k, ya = -80 * k, yb = 60 * k;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(x0, ya, x1 - x0, yb - ya);
    ctx.strokeStyle = "#e6eaef";
    ctx.lineWidth = 1;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#9aa4b0";
    for (var lon = -180; lon <= 180; lon += 30) {
      ctx.beginPath(); ctx.moveTo(lon * k, ya); ctx.lineTo(lon * k, yb); ctx.stroke();
      ctx.fillText(Math.abs(lon) + "\u00b0" + (lon < 0 ? "W" : lon > 0 ? "E" : ""), lon * k + 3, yb - 4);
    }
    for (var lat = -60; lat <= 80; lat += 30) {
      ctx.strokeStyle = lat === 0 ? "#d3d9e0" : "#e6eaef";
      ctx.beginPath(); ctx.moveTo(x0, -lat * k); ctx.lineTo(x1, -lat * k); ctx.stroke();
      ctx.fillText(Math.abs(lat) + "\u00b0" + (lat < 0 ? "S" : lat > 0 ? "N" : ""), x0 + 3, -lat * k - 3);
    }
    ctx.strokeStyle = "#cfd5dc";
    ctx.strokeRect(x0, ya, x1 - x0, yb - ya);
    if (raw.grid.unplaced) {
      ctx.fillStyle = "#5a6472";
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.fillText("No place known (" + raw.grid.unplaced + "): no coordinates given and no located mission hosted", x0, raw.grid.trayTop - 22);
    }
    ctx.restore();
  }

  /* ---------- network ---------- */
  function start() {
    if (api.started) { return; }
    api.started = true;
    recolour();
    setFilter(api.filter);
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, raw.options);
    api.network = network;
    network.on("beforeDrawing", frame);
    network.once("afterDrawing", function () {
      api.ready = true;
      api.readyAt = performance.now();
      document.body.classList.add("wv-ready");
    });
    network.on("hoverNode", function (p) { showTooltip(describe(p.node, false)); });
    network.on("hoverEdge", function (p) { var e = edges.get(p.edge); if (e) { showTooltip(describePair(e.dkPair)); } });
    network.on("blurNode", hideTooltip);
    network.on("blurEdge", hideTooltip);
    network.on("dragStart", hideTooltip);
    network.on("zoom", hideTooltip);
    network.on("click", function (p) {
      if (p.nodes.length) { showCard(p.nodes[0]); if (api.overview) { fitFree(true); } else { reveal(p.nodes[0]); } }
      else if (p.edges.length) {
        var e = edges.get(p.edges[0]);
        clear(panelBody); panelBody.appendChild(describePair(e.dkPair)); panel.hidden = false; api.selected = null;
      } else { showCard(null); if (api.overview) { fitFree(true); } }
    });
    network.on("dragEnd", function (p) { if (!p.nodes.length) { api.overview = false; } });
    network.on("zoom", function () { api.overview = false; });
    fitFree(false);
  }
  api.start = start;

  /* ---------- the two views ---------- */
  function showView(view) {
    var world = view !== "network";
    document.getElementById("wv-main").hidden = !world;
    document.getElementById("wv-head").hidden = !world;
    document.getElementById("dk-main").hidden = world;
    document.getElementById("dk-head").hidden = world;
    document.getElementById("dk-tab-world").setAttribute("aria-pressed", String(world));
    document.getElementById("dk-tab-network").setAttribute("aria-pressed", String(!world));
    hideTooltip();
    if (window.diplokg && window.diplokg.hideTooltip) { window.diplokg.hideTooltip(); }
    if (world) { start(); } else if (window.diplokg && window.diplokg.start) { window.diplokg.start(); }
    api.view = world ? "world" : "network";
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", "#" + api.view); } catch (e) { /* file: pages may refuse */ }
    }
  }
  api.showView = showView;
  document.querySelectorAll(".dk-view-tab").forEach(function (b) { b.addEventListener("click", function () { showView(b.dataset.view); }); });
  showView(window.location.hash === "#network" ? "network" : "world");
})();
