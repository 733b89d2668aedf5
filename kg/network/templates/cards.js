/* diplokg explorer: the world view's cards (window.dkWorldCards): a state's card (its agreement over
 * time as a small SVG chart, the chosen year's values with their roll calls and how the year's votes
 * were chosen, its missions with their status) and a mission's card. Built with textContent and
 * createElementNS only. `ctx` is the world view's state (see world.js).
 */
(function () {
  "use strict";
  var u = window.dkUtil, el = u.el, svg = u.svg, plural = u.plural;

  window.dkWorldCards = function (ctx) {
    var raw = ctx.raw, states = raw.states, years = raw.years, info = raw.yearInfo, missions = raw.missions;
    function fmt(v) { return v === null || v === undefined ? "no vote" : Number(v).toFixed(2); }
    function signed(v) { return (v > 0 ? "+" : v < 0 ? "\u2212" : "\u00b1") + Math.abs(v).toFixed(2); }
    function coverageBadge(node, yi) {
      var y = info[yi];
      if (!y) { return; }
      if (y.coverage === "selected") {
        var b = el("span", "wv-coverage", "selected key votes");
        b.title = years[yi] + ": a selection of " + plural(y.rollCalls, "key vote", "key votes") + ", not every recorded vote";
        node.appendChild(b);
      } else if (y.coverage === "none") {
        node.appendChild(el("span", "wv-flagged", "no roll call in the data"));
      }
    }

    /* ---------- the chart ---------- */
    function chart(i) {
      var W = 284, H = 150, L = 26, R = 6, T = 8, CH = 92, BT = 112, BH = 22;
      var root = svg("svg", { viewBox: "0 0 " + W + " " + H, "class": "wv-chart", role: "img" });
      root.appendChild(svg("title", {}, "Agreement of " + states[i].label + " with each anchor per year"));
      var y0 = years[0], y1 = years[years.length - 1], span = Math.max(1, y1 - y0);
      function X(y) { return L + (W - L - R) * (y - y0) / span; }
      function Y(v) { return T + CH * (1 - v); }
      /* the years of the selected votes, shaded and named: a different measure from the years before */
      var sel = years.filter(function (y, k) { return info[k].coverage === "selected"; });
      if (sel.length) {
        var band = svg("rect", { x: X(sel[0]) - 2, y: T - 4, width: X(sel[sel.length - 1]) - X(sel[0]) + 4, height: CH + 8,
                                 fill: "#fde6c8", "class": "wv-chart-selected" });
        band.appendChild(svg("title", {}, sel[0] + "\u2013" + sel[sel.length - 1] + ": a selection of key votes, not every vote"));
        root.appendChild(band);
      }
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
      var cy = years[ctx.yearIndex()];
      if (cy !== undefined) {
        root.appendChild(svg("line", { x1: X(cy), x2: X(cy), y1: T - 4, y2: BT + BH, stroke: "#d08700", "stroke-width": 1.2,
                                       "stroke-dasharray": "3 2", "class": "wv-chart-year" }));
      }
      var maxVotes = 1;
      raw.anchors.forEach(function (a) { (states[i].n[a.code] || []).forEach(function (n) { maxVotes = Math.max(maxVotes, n); }); });
      var bars = svg("g", { "class": "wv-chart-votes" }), bw = Math.min(6, Math.max(1.2, (W - L - R) / (span + 1) - 0.6));
      var main = states[i].n[ctx.anchor()] ? ctx.anchor() : (raw.anchors.filter(function (a) { return states[i].n[a.code]; })[0] || {}).code;
      (states[i].n[main] || []).forEach(function (n, k) {
        if (!n) { return; }
        var h = BH * n / maxVotes, rect = svg("rect", { x: X(years[k]) - bw / 2, y: BT + BH - h, width: bw, height: h,
                                                         fill: info[k].coverage === "selected" ? "#e9a65b" : "#b8c2cc" });
        rect.appendChild(svg("title", {}, years[k] + ": " + plural(n, "roll call", "roll calls") + " counted with " + ctx.anchorLabel(main)));
        bars.appendChild(rect);
      });
      root.appendChild(bars);
      root.appendChild(svg("text", { x: L - 4, y: BT + BH - 2, "text-anchor": "end" }, maxVotes));
      raw.anchors.forEach(function (a) {
        var vals = states[i].ag[a.code];
        if (!vals) { return; }
        var d = "", pen = "M", g = svg("g", { "class": "wv-chart-line", "data-anchor": a.code });
        vals.forEach(function (v, k) {
          /* the line breaks where the years' coverage changes: two measures are not one series */
          if (v === null || (k > 0 && info[k].coverage !== info[k - 1].coverage)) { pen = "M"; }
          if (v === null) { return; }
          d += pen + X(years[k]).toFixed(1) + " " + Y(v).toFixed(1) + " ";
          pen = "L";
          var dot = svg("circle", { cx: X(years[k]).toFixed(1), cy: Y(v).toFixed(1), r: k === ctx.yearIndex() ? 3.2 : 1.6, fill: a.colour });
          dot.appendChild(svg("title", {}, a.label + ", " + years[k] + ": " + fmt(v) + " over " +
            plural(states[i].n[a.code][k], "roll call", "roll calls") + (info[k].coverage === "selected" ? " (selected key votes)" : "")));
          g.appendChild(dot);
        });
        g.insertBefore(svg("path", { d: d.trim(), fill: "none", stroke: a.colour, "stroke-width": 1.6, "stroke-linejoin": "round" }), g.firstChild);
        root.appendChild(g);
      });
      return root;
    }

    /* ---------- a state's agreement in the year shown (or its change) ---------- */
    function agreementLines(i, card) {
      var yi = ctx.yearIndex(), ci = ctx.compareIndex();
      raw.anchors.forEach(function (a) {
        if (a.code === states[i].code) { return; }
        var line = el("div", "wv-now"), v = ctx.value(i, a.code, yi), n = ctx.votes(i, a.code, yi);
        line.dataset.anchor = a.code;
        if (ci !== null) {
          var w = ctx.value(i, a.code, ci), m = ctx.votes(i, a.code, ci);
          line.appendChild(document.createTextNode("With " + a.label + ", " + years[ci] + " \u2192 " + years[yi] + ": "));
          line.appendChild(el("b", null, v === null || w === null ? "no change measured" : signed(v - w)));
          line.appendChild(document.createTextNode(" (" + fmt(w) + (w === null ? "" : " over " + m) + " \u2192 " + fmt(v) +
            (v === null ? "" : " over " + plural(n, "roll call", "roll calls")) + ")"));
          coverageBadge(line, ci);
        } else {
          line.appendChild(document.createTextNode("With " + a.label + " in " + years[yi] + ": "));
          line.appendChild(el("b", null, fmt(v)));
          line.appendChild(document.createTextNode(v === null ? "" : " over " + plural(n, "roll call", "roll calls")));
        }
        coverageBadge(line, yi);
        if (v !== null && n < raw.minRollCalls) {
          line.appendChild(el("span", "wv-flagged", "fewer than " + raw.minRollCalls + " roll calls: not ranked"));
        }
        card.appendChild(line);
      });
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
        var tr = el("tr", (k === ctx.yearIndex() ? "wv-current " : "") + (info[k].coverage === "selected" ? "wv-selected-year" : ""));
        tr.appendChild(el("td", null, y));
        shown.forEach(function (a) { tr.appendChild(el("td", null, fmt(states[i].ag[a.code][k]))); tr.appendChild(el("td", null, states[i].n[a.code][k])); });
        table.appendChild(tr);
      });
      box.appendChild(table);
      if (years.some(function (y, k) { return info[k].coverage === "selected"; })) {
        box.appendChild(el("div", "dk-note", "* a selection of key votes, not every recorded vote"));
      }
      return box;
    }

    /* ---------- missions ---------- */
    /* The mission's status at the end of the year shown and why, as the rule gives them. */
    function statusBadge(node, mi) {
      var st = ctx.missionStatus(mi);
      node.appendChild(el("span", "wv-st wv-st-" + st.status, st.status));
      if (st.reason) { node.appendChild(el("span", "wv-reason", " " + st.reason)); }
      return st;
    }
    function missionItem(mi, side) {
      var m = missions[mi], other = states[side === "sent" ? m[1] : m[0]];
      var li = el("li", null, raw.kinds[m[2]] + (side === "sent" ? " in " : " of ") + other.label + (m[3] ? " (" + m[3] + ")" : ""));
      li.appendChild(el("span", "wv-ident", m[4]));
      if (raw.status[mi]) { statusBadge(li, mi); }
      return li;
    }
    function missionList(card, title, list, side) {
      if (!list.length) { return; }
      card.appendChild(el("div", "dk-card-sub", title + " (" + list.length + ")"));
      var ul = el("ul", "wv-missions");
      /* those with a status of their own (dated events) first, so that a closure is never hidden under "more" */
      list = list.filter(function (mi) { return raw.status[mi]; }).concat(list.filter(function (mi) { return !raw.status[mi]; }));
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
    var PLACES = { shape: "", given: "drawn as a dot at its own coordinates", missions: "drawn as a dot at the median of the embassies it hosts",
                   successors: "a former state: drawn as a dot over today\u2019s borders of its successors", none: "no place on the map" };

    function describe(code, full) {
      var i = ctx.index(code);
      if (i === undefined) { return null; }
      var s = states[i], card = el("div", "dk-card wv-card");
      card.dataset.code = s.code;
      card.appendChild(el("div", "dk-card-title", s.label));
      var meta = s.kind + " \u00b7 " + s.code + " \u00b7 sends " + s.sent + ", hosts " + s.hosted;
      if (full && PLACES[s.place]) { meta += " \u00b7 " + PLACES[s.place]; }
      card.appendChild(el("div", "dk-card-meta", meta));
      var hasVotes = raw.anchors.some(function (a) { return s.ag[a.code]; });
      if (!hasVotes) {
        card.appendChild(el("div", "dk-hint", "No recorded vote in the General Assembly with an anchor."));
      } else {
        agreementLines(i, card);
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
          card.appendChild(yearTable(i));
          card.appendChild(el("div", "dk-note wv-source", "Evidence: the roll calls of the UN General Assembly in which both voted " +
            "(agreement 1 same vote, 0.5 one abstains, 0 yes against no); `diplokg alignment --year YEAR` lists them."));
        }
      }
      /* the focus's mission here (the DPRK's embassy): its status at the end of the year shown, and why */
      if (ctx.focusMission(i) !== null) {
        var fm = ctx.focusMission(i), line = el("div", "wv-now", ctx.focusLabel() + "\u2019s " + raw.kinds[missions[fm][2]] + ":");
        statusBadge(line, fm);
        card.appendChild(line);
      }
      if (full) {
        missionList(card, "Missions it sends", ctx.sentBy(i), "sent");
        missionList(card, "Missions it hosts", ctx.hostedBy(i), "hosted");
        var actions = el("div", "wv-actions");
        [["sender:", s.sent, "Draw the missions it sends"], ["host:", s.hosted, "Draw the missions it hosts"]].forEach(function (b) {
          if (!b[1]) { return; }
          var button = el("button", null, b[2]);
          button.type = "button";
          button.dataset.filter = b[0] + s.code;
          button.addEventListener("click", function () { ctx.setFilter(b[0] + s.code); });
          actions.appendChild(button);
        });
        card.appendChild(actions);
      }
      return card;
    }
    function describeMission(mi) {
      var m = missions[mi], card = el("div", "dk-card wv-card");
      card.appendChild(el("div", "dk-card-title", states[m[0]].label + " \u2192 " + states[m[1]].label));
      card.appendChild(el("div", "dk-card-meta", raw.kinds[m[2]] + (m[3] ? " in " + m[3] : "")));
      var line = el("div", "wv-now", "At the end of " + years[ctx.yearIndex()] + ":");
      statusBadge(line, mi);
      card.appendChild(line);
      card.appendChild(el("div", "dk-note wv-source", "Evidence: " + (m[4].indexOf("Q") === 0 ? "Wikidata item " : "") + m[4]));
      return card;
    }
    return { describe: describe, describeMission: describeMission, chart: chart };
  };
})();
