"""The server's own small page: links to what it serves and a query form. No CDN, no outside request:
the script is inline, the Content-Security-Policy allows fetches to this server only, and answers
reach the page as text (``textContent``), never as HTML. The usual prefixes (:data:`kg.namespaces.PREFIXES`)
are listed on it: a query may use them without declaring them. A query's warnings (the response's
``Diplokg-Warnings`` header) are shown under the form."""

from __future__ import annotations

from html import escape

from kg.namespaces import PREFIXES

#: The policy the form page is sent with.
PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

FORM_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>diplokg: SPARQL endpoint</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; }
textarea { width: 100%; height: 14em; font: 13px monospace; }
table { border-collapse: collapse; margin-top: 1em; }
td, th { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; font-size: 13px; }
#status { margin-top: .5em; color: #555; }
#status.error { color: #a00; }
#warnings { color: #850; }
#prefixes { font-size: 13px; color: #555; }
</style>
</head>
<body>
<h1>diplokg</h1>
<p>A read-only SPARQL 1.1 Protocol endpoint at <code>/sparql</code> (GET or POST). Also:
<a href="/questions">the questions</a> (JSON; <code>/questions/NAME?asOf=YYYY-MM-DD</code>),
<a href="/explorer">the explorer</a>, <a href="/report">the report</a> (Markdown),
<a href="/health">health</a>.</p>
<form id="form" method="post" action="/sparql">
<textarea id="query" name="query" spellcheck="false">SELECT ?mission ?label
WHERE { ?mission a diplo:Embassy ; rdfs:label ?label }
ORDER BY ?label LIMIT 20</textarea>
<p><button type="submit">Run</button></p>
</form>
<p id="prefixes">Known without a <code>PREFIX</code> line (a query's own declarations win): @PREFIXES@.</p>
<div id="status"></div>
<div id="warnings"></div>
<table id="answer"></table>
<script>
"use strict";
const form = document.getElementById("form");
const status = document.getElementById("status");
const answer = document.getElementById("answer");
const warnings = document.getElementById("warnings");
function cell(row, tag, text) {
  const td = document.createElement(tag);
  td.textContent = text;
  row.appendChild(td);
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  answer.replaceChildren();
  warnings.replaceChildren();
  status.className = "";
  status.textContent = "running ...";
  const body = new URLSearchParams({ query: document.getElementById("query").value });
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST", body,
      headers: { "Accept": "application/sparql-results+json, text/turtle;q=0.5" },
    });
    const text = await response.text();
    if (!response.ok) {
      status.className = "error";
      status.textContent = response.status + ": " + text;
      return;
    }
    const ms = Math.round(performance.now() - started);
    for (const line of JSON.parse(response.headers.get("Diplokg-Warnings") || "[]")) {
      const p = document.createElement("div");
      p.textContent = "warning: " + line;
      warnings.appendChild(p);
    }
    if (!(response.headers.get("content-type") || "").includes("json")) {
      status.textContent = "RDF (" + ms + " ms):";
      const row = document.createElement("tr");
      const td = document.createElement("td");
      const pre = document.createElement("pre");
      pre.textContent = text;
      td.appendChild(pre);
      row.appendChild(td);
      answer.appendChild(row);
      return;
    }
    const data = JSON.parse(text);
    if ("boolean" in data) {
      status.textContent = "ASK: " + data.boolean + " (" + ms + " ms)";
      return;
    }
    const vars = data.head.vars;
    const head = document.createElement("tr");
    vars.forEach((v) => cell(head, "th", v));
    answer.appendChild(head);
    for (const binding of data.results.bindings) {
      const row = document.createElement("tr");
      vars.forEach((v) => cell(row, "td", binding[v] ? binding[v].value : ""));
      answer.appendChild(row);
    }
    status.textContent = data.results.bindings.length + " rows (" + ms + " ms)";
  } catch (error) {
    status.className = "error";
    status.textContent = String(error);
  }
});
</script>
</body>
</html>
""".replace("@PREFIXES@", ", ".join(
    f'<code title="{escape(namespace)}">{escape(prefix)}:</code>' for prefix, namespace in PREFIXES.items()))
