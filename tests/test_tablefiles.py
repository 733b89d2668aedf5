"""Reading a source folder's CSV tables (kg.sources.tablefiles.read_rows): blank rows left out, a row of
the wrong width one error naming the file and its line, whatever the row's first cell holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources.tablefiles import read_rows
from kg.sources.tables import mapped_lines


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        pytest.param("a,b\n1,2\n3,4\n", [["1", "2"], ["3", "4"]], id="plain"),
        pytest.param("a,b\n1,2\n\n3,4\n", [["1", "2"], ["3", "4"]], id="empty-line"),
        pytest.param("a,b\n1,2\n,\n , \t\n3,4\n", [["1", "2"], ["3", "4"]], id="blank-cells"),
        pytest.param("a,b\n,2\n \t,x\n", [["", "2"], [" \t", "x"]], id="first-cell-blank-kept"),
        pytest.param("a,b\n1,2\n,,,\n", [["1", "2"]], id="blank-row-of-another-width"),
        pytest.param('a,b\n"1\n2",3\n', [["1\n2", "3"]], id="quoted-newline"),
    ],
)
def test_the_rows_of_a_table(tmp_path: Path, text: str, rows: list[list[str]]) -> None:
    (tmp_path / "t.csv").write_text(text, encoding="utf-8", newline="")
    assert read_rows(tmp_path, "t.csv") == (["a", "b"], rows)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("a,b\n1,2\n3\n", 3, "row has 1 cells, the header has 2", id="too-few"),
        pytest.param("a,b\n1,2,3\n", 2, "row has 3 cells, the header has 2", id="too-many"),
        pytest.param("a,b\n1,2\n ,x,y\n", 3, "row has 3 cells, the header has 2", id="too-many-first-blank"),
        pytest.param("a,b\n,,x\n", 2, "row has 3 cells, the header has 2", id="too-many-first-empty"),
    ],
)
def test_a_row_of_the_wrong_width_names_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    (tmp_path / "t.csv").write_text(text, encoding="utf-8", newline="")
    with pytest.raises(InputError) as caught:
        read_rows(tmp_path, "t.csv")
    assert caught.value.line == line and message in str(caught.value) and "t.csv" in str(caught.value)


def test_an_empty_table_and_invalid_csv_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty table"):
        read_rows(tmp_path, "empty.csv")
    (tmp_path / "huge.csv").write_text("a,b\n" + "x" * 200_000 + ",2\n", encoding="utf-8")  # over csv's field limit
    with pytest.raises(InputError, match="invalid CSV: field larger than field limit"):
        read_rows(tmp_path, "huge.csv")


MAPPING = """
[prefixes]
diplo = "https://w3id.org/diplokg/ontology#"

[lookups.choice]
column = "vote"
values = { yes = "diplo:votedYes", no = "diplo:votedNo" }

[[tables]]
file = "t.csv"
[[tables.nodes]]
subject = "<rc{rcid}>"
triples = [TRIPLES]
"""
ROW_ID = '["diplo:evidence", "<{_row}>"]'
CHOICE = '["{@choice}", "<m{rcid}>"]'
EX, D = "https://example.org/", "https://w3id.org/diplokg/ontology#"


@pytest.mark.parametrize(
    ("triples", "expected"),
    [
        pytest.param(f"{ROW_ID}, {CHOICE}", [
            f"<{EX}rc1> <{D}evidence> <{EX}t-r01> .", f"<{EX}rc1> <{D}votedYes> <{EX}m1> .",
            f"<{EX}rc2> <{D}evidence> <{EX}t-r02> .", f"<{EX}rc2> <{D}votedNo> <{EX}m2> .",
            f"<{EX}rc3> <{D}evidence> <{EX}t-r03> .", f"<{EX}rc3> <{D}votedYes> <{EX}m3> .",
        ], id="row-id-without-excerpts"),
        pytest.param(CHOICE, [
            f"<{EX}rc1> <{D}votedYes> <{EX}m1> .", f"<{EX}rc2> <{D}votedNo> <{EX}m2> .",
            f"<{EX}rc3> <{D}votedYes> <{EX}m3> .",
        ], id="no-row-id"),
    ],
)
def test_a_mapped_table_row_by_row(tmp_path: Path, triples: str, expected: list[str]) -> None:
    (tmp_path / "t.csv").write_text("rcid,vote\n1,yes\n2,no\n\n3,yes\n", encoding="utf-8")
    (tmp_path / "mapping.toml").write_text(MAPPING.replace("TRIPLES", triples), encoding="utf-8")
    assert "".join(mapped_lines(tmp_path, EX)).splitlines() == expected
