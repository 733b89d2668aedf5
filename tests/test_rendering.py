"""What people read: terminal tables one line per row at the terminal's width, never wrapped, full
values in csv/json; evidence readable, without "()" and without repeats (issue 17); a record layout
when a row does not fit, cells cut where they tell least, and no two different rows shown alike
(issue 27)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest

from kg.cli.ask import people_text
from kg.query.excerpts import readable
from kg.query.formats import column_widths, table
from kg.query.library import evidence_view

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def _the_full_build(built: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI here reads the session's full build (another module's fixture may have pointed
    DIPLOKG_BUILD at an article-only build)."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))  # type: ignore[attr-defined]
    monkeypatch.chdir(built.project.root)  # type: ignore[attr-defined]
URL = re.compile(r"https?://\S+")


def _table_part(out: str) -> list[str]:
    """The lines of the answer table of `diplokg ask` (header, rule, rows)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^-+(\+-+)*$", line)) - 1
    end = next(i for i, line in enumerate(lines) if re.match(r"^\(\d+ rows?\)$", line))
    return lines[start:end]


@pytest.mark.parametrize("width", [80, 120, 200])
@pytest.mark.parametrize("name", ["closed-missions", "evidence-for", "regions", "claims"])
def test_ask_table_is_one_line_per_row_within_the_width(cli: Cli, built: object, monkeypatch, name: str,
                                                         width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    argv = ["ask", name, "--layout", "table"] + (["--bind", "entity=iso:UGA"] if name == "evidence-for" else [])
    code, out, err = cli(*argv)
    assert code == 0, err
    code, as_csv, err = cli(*argv, "--format", "csv")
    lines = _table_part(out)
    rows = int(re.search(r"^\((\d+) rows?\)$", out, re.M).group(1))  # type: ignore[union-attr]
    assert len(lines) == rows + 2  # header, rule, one line per row
    assert all(len(line) <= width for line in lines), max(len(line) for line in lines)
    assert rows <= len(list(csv.DictReader(io.StringIO(as_csv))))


def test_headers_are_never_split_across_lines(cli: Cli, built: object, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    _code, out, _ = cli("ask", "closed-missions", "--layout", "table")
    header = [cell.strip() for cell in _table_part(out)[0].split("|")]
    assert len(header) == len(_table_part(out)[1].split("+"))
    assert "farewellVisi" not in out.replace("farewellVisit", "")


def test_addresses_are_never_cut_and_csv_keeps_every_value(cli: Cli, built: object, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    _code, out, _ = cli("ask", "network-as-of", "--as-of", "2023-06-01", "--layout", "table")
    _code, as_csv, _ = cli("ask", "network-as-of", "--as-of", "2023-06-01", "--format", "csv")
    addresses = {r["address"] for r in csv.DictReader(io.StringIO(as_csv)) if r["address"]}
    shown = set(URL.findall(out))
    assert addresses and addresses <= shown
    assert not any(a.endswith("…") for a in shown)


def test_long_cells_end_in_an_ellipsis() -> None:
    text = table(("a", "b"), [("x" * 100, "short")], width=40)
    lines = text.splitlines()
    assert len(lines) == 3 and all(len(line) <= 40 for line in lines)
    assert lines[2].split("|")[0].rstrip().endswith("…")


def test_column_widths_give_way_widest_first() -> None:
    assert column_widths(("a", "b"), [("x" * 50, "y" * 10)], total=43) == [30, 10]


def test_table_row_evidence_reads_as_its_cells_with_its_note_last_and_its_address_apart() -> None:
    row = ("host: Angola; city: Luanda; mission_type: embassy; what: closure; farewell visit reported by KCNA; "
           "date: 2023-10; date_precision: month; source_url: https://example.org/a; note: single source; "
           "absent from a later list")
    excerpt = readable(row)
    assert excerpt.address == "https://example.org/a"
    assert excerpt.text == ("host: Angola · city: Luanda · mission type: embassy · what: closure; farewell visit "
                            "reported by KCNA · date: 2023-10 (month) · note: single source; absent from a later list")
    assert excerpt.note == "single source; absent from a later list"
    assert readable(row.partition("; note:")[0]).note == ""
    assert readable("A sentence: with a colon; and more.").text == "A sentence: with a colon; and more."


def test_evidence_is_listed_once_and_an_entity_gives_no_empty_modality() -> None:
    rows = [
        ("Embassy of the DPRK in Uganda", "Article", "The closures were announced.", ""),
        ("farewell visit", "Article", "The closures were announced.", "reported"),
    ]
    view = evidence_view(("statement", "source", "sentence", "modality"), rows)
    assert len(view.evidence) == 1 and view.evidence[0].modality == "reported"
    assert view.refs == [[1], [1]]


def test_ask_evidence_has_no_raw_rows_no_empty_modality_no_repeats(cli: Cli, built: object) -> None:
    _code, out, _ = cli("ask", "evidence-for", "--bind", "entity=iso:UGA")
    evidence = out.partition("\nEvidence\n")[2]
    assert "()" not in evidence
    assert "source_url:" not in evidence and "date_precision" not in evidence
    quoted = re.findall(r"^\[\d+\] (.*)$", evidence, re.M)
    assert len(quoted) == len(set(quoted))
    assert "    https://japannews.yomiuri.co.jp/world/asia-pacific/20231027-145991/" in evidence.splitlines()


#: The closures table's caveats (its note column), each with the host of its row (issue 22).
CAVEATS = [
    pytest.param("iso:NIC", "an opening, not a closure", id="nicaragua"),
    pytest.param("iso:COD", "single source; absent from Seoul's January 2024 confirmed list", id="dr-congo"),
    pytest.param("iso:HKG", "the article calls it an embassy; it was a consulate-general", id="hong-kong"),
]


@pytest.mark.parametrize(("entity", "note"), CAVEATS)
def test_a_rows_caveat_is_shown_with_the_row_under_ask(cli: Cli, built: object, entity: str, note: str) -> None:
    code, out, err = cli("ask", "evidence-for", "--bind", f"entity={entity}")
    assert code == 0, err
    evidence = out.partition("\nEvidence\n")[2]
    quoted = [line for line in evidence.splitlines() if line.startswith("[")]
    assert any(line.endswith(f"· note: {note}”") for line in quoted), evidence


@pytest.mark.parametrize(("entity", "note"), CAVEATS)
def test_a_rows_caveat_is_shown_with_the_row_in_the_report(built: object, entity: str, note: str) -> None:
    from kg.cli.report import section
    from kg.query.library import read_question

    graph = built.graph  # type: ignore[attr-defined]
    question = read_question(built.project.queries / "evidence-for.rq")  # type: ignore[attr-defined]
    text = "\n".join(section(1, question, graph, {"entity": entity}))
    assert f"· note: {note}”" in text


def test_a_rows_caveat_is_in_the_servers_question_page(built: object) -> None:
    import json

    from rdflib import URIRef

    from kg.query.formats import render
    from kg.query.gate import vet
    from kg.query.library import read_question
    from kg.serve.questions import Page, page_json

    graph = built.graph  # type: ignore[attr-defined]
    question = read_question(built.project.queries / "evidence-for.rq")  # type: ignore[attr-defined]
    entity = URIRef("https://w3id.org/diplokg/id/iso3166/NIC")
    answer = graph.run(vet(question.text, graph.graph_names()), bindings={"entity": entity})
    page = json.loads(page_json(question, {"entity": "iso:NIC"}, [], render(answer, "json").encode(), Page()))
    notes = {e["note"] for e in page["evidence"]}
    assert "an opening, not a closure" in notes
    assert all(e["text"].endswith(f"· note: {e['note']}") for e in page["evidence"] if e["note"])


def test_a_rows_caveat_reaches_the_explorers_cards(built: object) -> None:
    from kg.network import graph as network
    from kg.network.netview import evidence_records

    g = network.explorer_graph(built.graph)  # type: ignore[attr-defined]
    shown = {item["sentence"] for _u, _v, d in g.edges(data=True) for item in evidence_records(d["evidence"])}
    assert any(s.endswith("· note: the article calls it an embassy; it was a consulate-general") for s in shown)


def test_people_text_is_importable() -> None:
    assert callable(people_text)


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_tie_colours_for_0_and_0_23_are_clearly_distinct() -> None:
    from kg.network.page import tie_colour

    def distance(a: float, b: float) -> float:
        return sum((x - y) ** 2 for x, y in zip(_rgb(tie_colour(a)), _rgb(tie_colour(b)))) ** 0.5

    assert distance(0.0, 0.23) >= 0.8 * distance(0.0, 1.0)
    assert distance(0.0, 0.1) >= 0.4 * distance(0.0, 1.0)
    assert tie_colour(1.0) == "#d7191c" and tie_colour(0.0) == "#2c7bb6"


def test_legend_has_no_zero_count_rows() -> None:
    import networkx as nx

    from kg.network.page import page_html

    g = nx.MultiDiGraph(title="t", caption="c", as_of="2024")
    g.add_node("a", label="A", kind="state", facts=[], evidence=[])
    g.add_node("b", label="B", kind="state", facts=[], evidence=[])
    g.add_edge("a", "b", key="e1", kind="summit", modality="reported", label="s", facts=[], evidence=[])
    html = page_html(g)
    assert 'value="summit"' in html and 'value="covers"' not in html and 'value="claimed"' not in html


def test_rows_that_differ_only_in_their_evidence_are_one_row(cli: Cli, built: object) -> None:
    # network-as-of answers one row per mission and piece of evidence (for the 15 missions of the
    # dossier, each with its status); the people's table shows one row per mission, citing each
    # piece of evidence.
    code, out, err = cli("ask", "network-as-of", "--as-of", "2023-06-01")
    assert code == 0, err
    assert "(15 rows)" in out
    _code, as_csv, _ = cli("ask", "network-as-of", "--as-of", "2023-06-01", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert len(rows) > 15 and len({r["mission"] for r in rows}) == 15


def test_a_narrow_terminal_shows_the_first_columns_readably_and_names_the_others(cli: Cli, built: object,
                                                                                monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    _code, out, _ = cli("ask", "closed-missions", "--layout", "table")
    header = [c.strip() for c in _table_part(out)[0].split("|")]
    assert header[:3] == ["host", "mission", "event"] and header[-1] == "evidence"
    note = re.search(r"^\(not shown at this width: (.*); every column: --layout records, --format csv or json\)$",
                     out, re.M)
    assert note is not None
    assert set(note.group(1).split(", ")) | set(header) >= {"reportedIn", "coveredBy", "farewellVisit", "kind"}
    assert not set(note.group(1).split(", ")) & set(header)
    monkeypatch.setenv("COLUMNS", "240")
    _code, wide, _ = cli("ask", "closed-missions", "--layout", "table")
    assert "not shown at this width" not in wide


# Tables people can read (issue 27): a record layout when a row does not fit (and on request), cells
# cut where they tell least, and never two different rows shown alike.

RECORD = re.compile(r"^-\[ RECORD (\d+) \]-*\+-+$")


def _records(out: str) -> list[dict[str, str]]:
    """The records of a ``--layout records`` answer: field -> value, continuation lines joined."""
    found: list[dict[str, str]] = []
    field = ""
    for line in out.splitlines():
        if RECORD.match(line):
            found.append({})
        elif found and " | " in line + " " and re.match(r"^\S.* \|( |$)|^ +\|( |$)", line):
            name, _, value = line.partition(" |")
            value = value[1:] if value.startswith(" ") else value
            if name.strip():
                field = name.strip()
                found[-1][field] = value
            else:
                found[-1][field] += " " + value
    return found


@pytest.mark.parametrize("command", ["ask", "query", "alignment", "stats", "graphs"])
def test_every_command_that_prints_tables_takes_the_same_layout_option(cli: Cli, command: str) -> None:
    code, out, _ = cli(command, "--help")
    assert code == 0
    assert "--layout [auto|table|records]" in out and "[default: auto]" in out.split("--layout", 1)[1][:700]


def test_a_row_that_does_not_fit_is_shown_as_a_record_with_every_field_whole(cli: Cli, built: object,
                                                                            monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = cli("ask", "closures-by-date")
    assert code == 0, err
    assert "not shown at this width" not in out
    shown = _records(out.partition("\nEvidence\n")[0])
    _code, as_csv, _ = cli("ask", "closures-by-date", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert len(shown) == 14 and "(14 rows)" in out
    assert {r["mission"] for r in shown} == {r["mission"] for r in rows}  # whole, never "Embassy of the…"
    assert {r["reportedBy"] for r in shown} == {r["reportedBy"] for r in rows}
    laid_out = out.partition("\nEvidence\n")[0].partition("-[ RECORD 1 ]")[2]
    assert all(len(line) <= 80 for line in laid_out.splitlines() if "http" not in line)
    monkeypatch.setenv("COLUMNS", "400")
    _code, wide, _ = cli("ask", "closures-by-date")
    assert not RECORD.search(wide) and _table_part(wide)  # a row that fits stays a table row


def test_records_on_request_and_auto_for_a_query_too(cli: Cli, built: object, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    _code, out, _ = cli("query", "closures-by-date")  # 15 columns: no row fits 120 characters
    assert len(_records(out)) == len(list(csv.DictReader(io.StringIO(cli("query", "closures-by-date",
                                                                          "--format", "csv")[1]))))
    _code, graphs, _ = cli("graphs", "--layout", "records")
    assert {r["graph"] for r in _records(graphs)} >= {"https://w3id.org/diplokg/graph/gazetteer"}
    _code, stats, _ = cli("stats", "--table", "communities", "--layout", "records")
    assert _records(stats) and all({"community", "size", "members"} <= set(r) for r in _records(stats))


def test_alignment_rows_as_records() -> None:
    from kg.alignment.api import AgreementRow
    from kg.cli.alignment import render

    rows = [AgreementRow("PRK", "Korea (Democratic People's Republic of)", "CHN", 2019, 0.9, 80, 0.8, "all"),
            AgreementRow("PRK", "Korea (Democratic People's Republic of)", "RUS", 2019, 0.85, 80, None, "all")]
    shown = _records(render(rows, "table", with_issue=False, layout="records"))
    assert [r["anchor"] for r in shown] == ["CHN", "RUS"] and shown[1]["scottsPi"] == ""
    assert shown[0]["label"] == "Korea (Democratic People's Republic of)"


def test_records_wrap_long_values_without_losing_a_word() -> None:
    from kg.query.formats import records

    value = " ".join(f"word{i}" for i in range(60)) + " https://example.org/" + "a" * 80
    out = records(("short", "a-long-name"), [("x", value)], width=60)
    assert all(len(line) <= 60 for line in out.splitlines() if "https://" not in line)
    assert _records(out) == [{"short": "x", "a-long-name": value}]


@pytest.mark.parametrize("width", [100, 150, 200])
def test_rows_that_differ_are_never_shown_alike(cli: Cli, built: object, monkeypatch, width: int) -> None:
    # closures-by-date has a row per reporter: Angola, Hong Kong and Spain twice, told apart by reportedBy.
    monkeypatch.setenv("COLUMNS", str(width))
    _code, out, _ = cli("ask", "closures-by-date", "--layout", "table")
    rows = _table_part(out)[2:]
    assert len(rows) == 14 and len(set(rows)) == 14
    assert "reportedBy" in _table_part(out)[0]


def test_cut_cells_keep_the_part_that_tells_them_apart(cli: Cli, built: object, monkeypatch) -> None:
    # In 80 columns every mission used to read "Embassy of th…".
    monkeypatch.setenv("COLUMNS", "80")
    _code, out, _ = cli("ask", "closed-missions", "--layout", "table")
    header = [c.strip() for c in _table_part(out)[0].split("|")]
    missions = [line.split(" | ")[header.index("mission")].strip() for line in _table_part(out)[2:]]
    _code, as_csv, _ = cli("ask", "closed-missions", "--format", "csv")
    assert len(set(missions)) == len({r["mission"] for r in csv.DictReader(io.StringIO(as_csv))})
    assert "… Angola" in missions and not any(m.startswith("Embassy of th") for m in missions)


def test_a_cell_gives_way_where_its_column_tells_least() -> None:
    from kg.query.layout import fit_cell, shared_words

    column = ["Embassy of the DPRK in Angola", "Embassy of the DPRK in Nepal",
              "Consulate-General of the DPRK in Hong Kong", "Angolan foreign ministry"][:3]
    words = shared_words(column)
    assert fit_cell(column[0], 20, words) == "Embassy … Angola"
    assert fit_cell(column[0], 10, words) == "… Angola"
    assert fit_cell(column[2], 14, words) == "Consulate-Gen…"
    assert fit_cell("https://example.org/a/long/address", 10, words) == "https://example.org/a/long/address"
    assert fit_cell("Angolan foreign ministry", 12, shared_words(["Angolan foreign ministry", "KCNA"])) == (
        "Angolan for…")
