"""The Markdown report carries data as text, never as HTML: a source full of hostile labels, titles and
sentences (tests/attacks/report.toml) gives a report that a CommonMark renderer (raw HTML allowed)
turns into no tag, attribute or link the report did not make itself."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from kg.paths import Project

_DATA = tomllib.loads((Path(__file__).resolve().parent / "attacks" / "report.toml").read_text(encoding="utf-8"))
PAYLOADS: list[str] = _DATA["payloads"]
ADDRESSES: list[str] = _DATA["addresses"]
ARTICLE = "dprk-embassy-closures-2023"
COUNTS = "dprk-relations-counts"
#: What the report itself makes: headings, paragraphs, emphasis, lists, tables (GFM alignment styles),
#: links to the http(s) addresses of table rows.
ALLOWED_TAGS = {
    "a", "h1", "h2", "p", "em", "strong", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "code",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _turtle_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _hostile(project: Project) -> None:
    folder = project.sources / ARTICLE
    payload = " ".join(PAYLOADS)
    source = (folder / "source.ttl").read_text(encoding="utf-8")
    source = source.replace('dcterms:title "', f'dcterms:title "{_turtle_string(payload)} ')
    (folder / "source.ttl").write_text(source, encoding="utf-8")
    facts = (folder / "facts.ttl").read_text(encoding="utf-8")
    facts = re.sub(r'rdfs:label "', lambda _m: f'rdfs:label "{_turtle_string(payload)} ', facts)
    (folder / "facts.ttl").write_text(facts, encoding="utf-8")
    # Into sentences without making new ones: no ". X" inside the payload line.
    text = (folder / "text.txt").read_text(encoding="utf-8")
    text = text.replace("North Korea has been", f"{payload.replace('. ', ' ')} North Korea has been")
    (folder / "text.txt").write_text(text, encoding="utf-8")
    # Into the addresses of a table's rows (the report links an address).
    table = project.sources / COUNTS / f"{COUNTS}.csv"
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8"))))
    at = rows[0].index("source_url")
    for n, row in enumerate(rows[1:]):
        row[at] = ADDRESSES[n % len(ADDRESSES)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    table.write_text(out.getvalue(), encoding="utf-8")


def test_hostile_data_reaches_the_report_only_as_text(
    project_copy: Callable[..., Project], cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    project = project_copy(only_sources=[ARTICLE, COUNTS])
    _hostile(project)
    report = tmp_path / "report.md"
    code, _out, err = cli("report", "-o", str(report), "--project", str(project.root))
    assert code == 0, err
    markdown = report.read_text(encoding="utf-8")
    assert markdown.count("alert(1)") >= 10  # the payloads are there, as text
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    parser = _Tags()
    parser.feed(html)
    tags = {tag for tag, _attrs in parser.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    attributes = {(tag, name, value) for tag, attrs in parser.tags for name, value in attrs}
    links = {value for tag, name, value in attributes if tag == "a" and name == "href"}
    assert links == {"https://example.org/ok"}  # the one plain http(s) address, and nothing else
    others = attributes - {("a", "href", "https://example.org/ok")}
    assert all(name == "style" and re.fullmatch(r"text-align:\w+", value or "") for _t, name, value in others), others
    assert "javascript:" not in "".join(value or "" for _t, _n, value in attributes)
