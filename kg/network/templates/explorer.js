/* diplokg explorer page script.
 * Builds the vis-network from the JSON block #dk-data (precomputed layout, physics off),
 * wires filters, search, tooltip and details panel.  All data reaches the DOM through
 * textContent / element properties only - never innerHTML - so hostile labels stay text.
 * Exposes window.diplokg = {network, nodes, edges, ready, readyAt, describe, search, ...}.
 */
(function () {
  "use strict";
  var u = window.dkUtil;
  var raw = JSON.parse(document.getElementById("dk-data").textContent);
  var nodes = new vis.DataSet(raw.nodes);
  var edges = new vis.DataSet(raw.edges);
  var container = document.getElementById("dk-network");
  var tooltip = document.getElementById("dk-tooltip");
  var detailsPanel = document.getElementById("dk-details");
  var detailsBody = document.getElementById("dk-details-body");
  var searchBox = document.getElementById("dk-search");
  var searchStatus = document.getElementById("dk-search-status");
  var searchResults = document.getElementById("dk-search-results");
  var api = { network: null, nodes: nodes, edges: edges, ready: false, readyAt: null, selected: null,
              year: raw.years && raw.years.length ? raw.years[raw.years.length - 1] : null };
  window.diplokg = api;

  /* ---------- bundles: one edge with a count for the relations of one pair of nodes ---------- */
  var bundles = {}, bundleOf = {};
  (function makeBundles() {
    var groups = {};
    raw.edges.forEach(function (e) {
      var a = String(e.from), b = String(e.to);
      var key = a < b ? a + "\u0001" + b : b + "\u0001" + a;
      (groups[key] = groups[key] || []).push(e);
    });
    var added = [];
    Object.keys(groups).sort().forEach(function (key) {
      var members = groups[key];
      if (members.length < 2) { return; }
      var from = members[0].from, to = members[0].to;
      var oneWay = members.every(function (m) { return m.from === from && m.to === to; });
      var b = { key: key, id: "bundle:" + key, members: members.map(function (m) { return m.id; }), expanded: false };
      bundles[key] = b;
      b.members.forEach(function (id) { bundleOf[id] = b; });
      added.push({ id: b.id, from: from, to: to, label: "\u00d7" + members.length, width: 3.5,
        arrows: { to: { enabled: oneWay, scaleFactor: 0.6 } }, color: { color: "#4a4f57", opacity: 0.9 },
        font: { size: 13, color: "#1d232b", strokeWidth: 4, strokeColor: "#ffffff", align: "middle" },
        smooth: { enabled: false }, dk: { kind: "bundle", bundle: key, modality: "", label: "", facts: [], evidence: [] } });
    });
    edges.add(added);
  })();
  api.bundles = bundles;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function score(v) { return (v === null || v === undefined) ? "unknown" : Number(v).toFixed(2); }
  function nodeLabel(id) { var n = nodes.get(id); return n ? String(n.label) : String(id); }

  /* Build a card (detached element) describing node or edge `id`; text only. */
  function describe(id, type, full) {
    var item = type === "edge" ? edges.get(id) : nodes.get(id);
    if (!item) { return null; }
    var dk = item.dk || {};
    var card = el("div", "dk-card");
    card.dataset.type = type;
    if (type === "edge" && dk.kind === "bundle") {
      var shown = bundleMembers(item.id);
      card.appendChild(el("div", "dk-card-title", shown.length + " relations"));
      card.appendChild(el("div", "dk-card-meta", nodeLabel(item.from) + " \u2194 " + nodeLabel(item.to) +
        " \u00b7 " + (full ? "drawn as one edge" : "click to list them; \u201cshow each\u201d draws them apart")));
      var list = el("ul", "dk-card-facts");
      shown.forEach(function (mid) {
        var m = edges.get(mid), mk = m.dk || {};
        list.appendChild(el("li", null, (mk.label || raw.kindLabels[mk.kind] || mk.kind) + " \u2014 " +
          (raw.kindLabels[mk.kind] || mk.kind) + ", " + (raw.modalityLabels[mk.modality] || mk.modality || "")));
      });
      card.appendChild(list);
      if (full) {
        var expand = el("button", "dk-mini dk-expand", "show each");
        expand.type = "button";
        expand.addEventListener("click", function () { setExpanded(item.dk.bundle, true); showDetails(null, null); });
        card.appendChild(expand);
      }
      return card;
    }
    if (type === "edge") {
      var kindLabel = raw.kindLabels[dk.kind] || dk.kind || "Relation";
      card.appendChild(el("div", "dk-card-title", dk.label || kindLabel));
      card.appendChild(el("div", "dk-card-meta", nodeLabel(item.from) + " \u2192 " + nodeLabel(item.to)));
      var nowKind = shownKind(item);
      card.appendChild(el("div", "dk-card-meta", (nowKind && nowKind !== dk.kind && raw.kindLabels[nowKind] ? raw.kindLabels[nowKind] +
        " at the end of " + api.year : kindLabel) + " \u00b7 " + (raw.modalityLabels[dk.modality] || dk.modality || "unspecified")));
      if (dk.status) {
        var year = api.year === null || api.year === undefined ? raw.years[raw.years.length - 1] : api.year;
        var step = u.stepAt(dk.status, year);
        card.appendChild(el("div", "dk-card-meta", "Status at the end of " + year + ": " + step[1] + (step[2] ? " (" + step[2] + ")" : "")));
      }
      var own = bundleOf[item.id];
      if (full && own && own.expanded) {
        var collapse = el("button", "dk-mini dk-expand", "draw as one edge again");
        collapse.type = "button";
        collapse.addEventListener("click", function () { setExpanded(own.key, false); showDetails(null, null); });
        card.appendChild(collapse);
      }
    } else {
      card.appendChild(el("div", "dk-card-title", item.label));
      card.appendChild(el("div", "dk-card-meta", (raw.nodeKindLabels[dk.kind] || dk.kind || "Node") +
        " \u00b7 tie score " + score(dk.tieScore) + " \u00b7 centrality " + score(dk.centrality) +
        (dk.focus ? " \u00b7 focus" : "")));
    }
    var facts = dk.facts || [];
    if (facts.length) {
      var ul = el("ul", "dk-card-facts");
      facts.slice(0, full ? facts.length : 6).forEach(function (f) { ul.appendChild(el("li", null, f)); });
      card.appendChild(ul);
      if (!full && facts.length > 6) { card.appendChild(el("div", "dk-more", "+" + (facts.length - 6) + " more facts")); }
    }
    var evidence = dk.evidence || [];
    if (evidence.length) {
      card.appendChild(el("div", "dk-card-sub", "Evidence"));
      var limit = full ? evidence.length : 3;
      card.appendChild(u.evidenceList(evidence, limit));
      if (evidence.length > limit) {
        card.appendChild(el("div", "dk-more", "+" + (evidence.length - limit) + " more \u2013 click for all"));
      }
    }
    if (!facts.length && !evidence.length) { card.appendChild(el("div", "dk-hint", "No facts recorded.")); }
    return card;
  }
  api.describe = describe;

  /* ---------- tooltip ---------- */
  var pointer = { x: 0, y: 0 };
  /* Place the hover card beside the pointer, inside the window, and never over the pinned card:
   * when the pinned card is open, the hover card keeps to the space left of it. */
  function placeTooltip() {
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var right = window.innerWidth - 8;
    if (!detailsPanel.hidden) { right = Math.min(right, detailsPanel.getBoundingClientRect().left - 8); }
    var x = pointer.x + 16, y = pointer.y + 16;
    if (x + w > right) { x = Math.max(8, Math.min(pointer.x - w - 16, right - w)); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, window.innerHeight - h - 8); }
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function showTooltip(id, type) {
    var card = describe(id, type, false);
    if (!card) { return; }
    clear(tooltip);
    tooltip.appendChild(card);
    tooltip.hidden = false;
    placeTooltip();
  }
  function hideTooltip() { tooltip.hidden = true; clear(tooltip); }
  container.addEventListener("mousemove", function (ev) {
    pointer.x = ev.clientX; pointer.y = ev.clientY;
    if (!tooltip.hidden) { placeTooltip(); }
  });
  container.addEventListener("mouseleave", hideTooltip);
  api.showTooltip = showTooltip;
  api.hideTooltip = hideTooltip;

  /* Pin the full card of a node/edge in the floating details panel (id null: close it). */
  function showDetails(id, type) {
    clear(detailsBody);
    var card = id === null ? null : describe(id, type, true);
    if (card) { detailsBody.appendChild(card); }
    detailsPanel.hidden = !card;
  }
  api.showDetails = showDetails;
  document.getElementById("dk-details-close").addEventListener("click", function () { showDetails(null, null); });

  /* ---------- filters ---------- */
  function checked(cls) {
    var set = new Set();
    document.querySelectorAll("input." + cls).forEach(function (i) { if (i.checked) { set.add(i.value); } });
    return set;
  }
  /* A relation passes the filters when its kind and modality are both checked. Relations that
   * share their two ends are drawn as one edge with their count (a bundle) until it is expanded;
   * a bundle with one passing relation draws that relation itself. */
  /* The kind an edge shows in the year chosen (a mission in its status then), or null when it is not
   * there yet (a mission not open yet, a relation whose facts all come later). */
  function shownKind(e) {
    var y = api.year;
    if (y === null || y === undefined) { return e.dk.kind; }
    if (e.dk.status) {
      var chosen = u.stepAt(e.dk.status, y);
      return chosen[3] ? raw.statusKinds[chosen[1]] : null;
    }
    if (e.dk.since !== undefined && e.dk.since > y) { return null; }
    return e.dk.kind;
  }
  api.shownKind = function (id) { var e = edges.get(id); return e ? shownKind(e) : null; };
  function passes(e, kinds, modalities) { var k = shownKind(e); return k !== null && kinds.has(k) && modalities.has(e.dk.modality); }
  var drawnAs = {};
  function applyFilters() {
    var kinds = checked("dk-kind"), modalities = checked("dk-modality"), changes = [], visible = 0;
    var passing = {}, counts = {};
    edges.forEach(function (e) {
      if (e.dk.kind === "bundle") { return; }
      passing[e.id] = passes(e, kinds, modalities);
      if (passing[e.id]) { visible += 1; }
      var k = shownKind(e);
      if (k !== null) { counts[k] = (counts[k] || 0) + 1; }
      var style = e.dk.status && k ? raw.edgeStyles[k] : null;
      if (style && (drawnAs[e.id] || e.dk.kind) !== k) {
        drawnAs[e.id] = k;
        changes.push({ id: e.id, dashes: style.dashes, width: style.width,
                       color: { color: style.color, highlight: style.color, hover: style.color, opacity: 0.85 } });
      }
    });
    document.querySelectorAll(".dk-count[data-kind]").forEach(function (c) {
      // A kind with no relation in the year shown leaves the legend until it has one again.
      var n = counts[c.dataset.kind] || 0, row = c.closest("li");
      c.textContent = String(n);
      if (row) { row.hidden = n === 0; }
    });
    api.passing = passing;
    var drawnAsBundle = {};
    Object.keys(bundles).forEach(function (key) {
      var b = bundles[key], n = b.members.filter(function (id) { return passing[id]; }).length;
      var asOne = !b.expanded && n >= 2;
      if (asOne) { b.members.forEach(function (id) { drawnAsBundle[id] = true; }); }
      var e = edges.get(b.id), label = "\u00d7" + n;
      if (Boolean(e.hidden) !== !asOne || e.label !== label) { changes.push({ id: b.id, hidden: !asOne, label: label }); }
    });
    edges.forEach(function (e) {
      if (e.dk.kind === "bundle") { return; }
      var hide = !passing[e.id] || Boolean(drawnAsBundle[e.id]);
      if (Boolean(e.hidden) !== hide) { changes.push({ id: e.id, hidden: hide }); }
    });
    if (changes.length) { edges.update(changes); }
    api.visibleEdgeCount = visible;
    return visible;
  }
  /* Whether relation `id` is shown: drawn itself, or counted in a bundle that is drawn. */
  api.shown = function (id) {
    var e = edges.get(id);
    if (!e) { return false; }
    if (!e.hidden) { return true; }
    var b = bundleOf[id];
    return Boolean(b && !edges.get(b.id).hidden && api.passing && api.passing[id]);
  };
  function bundleMembers(bundleId) {
    var b = bundles[(edges.get(bundleId).dk || {}).bundle];
    return b ? b.members.filter(function (id) { return !api.passing || api.passing[id]; }) : [];
  }
  function setExpanded(key, expanded) {
    if (bundles[key]) { bundles[key].expanded = expanded; applyFilters(); }
  }
  api.setExpanded = setExpanded;
  api.applyFilters = applyFilters;
  document.querySelectorAll("input.dk-kind, input.dk-modality").forEach(function (i) {
    i.addEventListener("change", applyFilters);
  });
  document.querySelectorAll("button[data-toggle]").forEach(function (b) {
    b.addEventListener("click", function () {
      var boxes = document.querySelectorAll("input." + b.dataset.toggle);
      var all = Array.prototype.every.call(boxes, function (i) { return i.checked; });
      boxes.forEach(function (i) { i.checked = !all; });
      applyFilters();
    });
  });

  /* ---------- search ---------- */
  var index = nodes.get().map(function (n) {
    return { id: n.id, label: String(n.label), lower: String(n.label).toLowerCase(), state: n.dk.kind === "state",
             aliases: (n.dk.aliases || []).map(function (a) { return String(a).toLowerCase(); }) };
  }).sort(function (a, b) { return a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0; });
  (function fillNames() {
    var list = document.getElementById("dk-names"), seen = new Set();
    index.forEach(function (entry) {
      if (seen.has(entry.label)) { return; }
      seen.add(entry.label);
      var option = document.createElement("option");
      option.value = entry.label;
      list.appendChild(option);
    });
  })();
  function search(query) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { return []; }
    var tiers = [[], [], []];
    index.forEach(function (e) {
      var t = e.lower === q || e.aliases.indexOf(q) >= 0 ? 0 : e.lower.indexOf(q) === 0 ? 1
        : e.lower.indexOf(q) > 0 || e.aliases.some(function (a) { return a.indexOf(q) >= 0; }) ? 2 : -1;
      if (t >= 0) { tiers[t].push(e); }
    });
    var ranked = [];
    tiers.forEach(function (tier) {
      tier.sort(function (a, b) { return (b.state - a.state); });
      tier.forEach(function (e) { ranked.push(e.id); });
    });
    return ranked;
  }
  function selectNode(id) {
    if (!api.network || nodes.get(id) === null) { return; }
    api.network.selectNodes([id]);
    api.network.focus(id, { scale: Math.max(1.0, api.network.getScale()),
      animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    api.selected = id;
    showDetails(id, "node");
  }
  function listResults(ids) {
    clear(searchResults);
    ids.slice(0, 8).forEach(function (id) {
      var li = el("li"), b = el("button", null, nodeLabel(id));
      b.type = "button";
      b.addEventListener("click", function () { selectNode(id); });
      li.appendChild(b);
      searchResults.appendChild(li);
    });
  }
  function runSearch(query) {
    var ids = search(query);
    searchStatus.className = "";
    if (!String(query || "").trim()) { searchStatus.textContent = ""; listResults([]); return null; }
    if (!ids.length) {
      searchStatus.className = "dk-miss";
      searchStatus.textContent = "No node matches \u201c" + String(query).trim() + "\u201d";
      listResults([]);
      return null;
    }
    selectNode(ids[0]);
    searchStatus.textContent = "Selected " + nodeLabel(ids[0]) + (ids.length > 1 ? " (" + ids.length + " matches)" : "");
    listResults(ids.length > 1 ? ids : []);
    return ids[0];
  }
  api.search = search;
  api.runSearch = runSearch;
  api.selectNode = selectNode;
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); runSearch(searchBox.value); }
  });
  searchBox.addEventListener("change", function () { runSearch(searchBox.value); });
  searchBox.addEventListener("input", function () {
    var q = searchBox.value.trim().toLowerCase();
    var exact = index.filter(function (e) { return e.lower === q || e.aliases.indexOf(q) >= 0; });
    if (exact.length) { runSearch(searchBox.value); } else { listResults(search(searchBox.value)); }
  });

  /* ---------- network (drawn when its view is first shown) ---------- */
  function start() {
    if (api.network) { return; }
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, raw.options);
    api.network = network;
    network.once("afterDrawing", function () {
      api.ready = true;
      api.readyAt = performance.now();
      document.body.classList.add("dk-ready");
    });
    network.on("hoverNode", function (p) { showTooltip(p.node, "node"); });
    network.on("hoverEdge", function (p) { showTooltip(p.edge, "edge"); });
    network.on("blurNode", hideTooltip);
    network.on("blurEdge", hideTooltip);
    network.on("dragStart", hideTooltip);
    network.on("zoom", hideTooltip);
    network.on("click", function (p) {
      if (p.nodes.length) { api.selected = p.nodes[0]; showDetails(p.nodes[0], "node"); }
      else if (p.edges.length) { api.selected = null; showDetails(p.edges[0], "edge"); }
      else { api.selected = null; showDetails(null, null); }
    });
  }
  api.start = start;
  /* The network as it stood at the end of `year` (the shared time control moves it). */
  api.setYear = function (year) {
    if (!raw.years || !raw.years.length) { return; }
    api.year = Math.max(raw.years[0], Math.min(raw.years[raw.years.length - 1], Number(year)));
    applyFilters();
  };
  if (window.diplokgTime && raw.years && raw.years.length) {
    window.diplokgTime.on(function (y) { api.setYear(y); });
    if (window.diplokgTime.year !== null) { api.year = Math.max(raw.years[0], Math.min(raw.years[raw.years.length - 1], window.diplokgTime.year)); }
  }
  applyFilters();
  if (!document.getElementById("dk-main").hidden) { start(); }
})();
