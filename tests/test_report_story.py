"""The report reads as a story (issue 17): parts in a chosen order, each section's preamble naming
exactly the columns its table shows, and the questions that take values answered with defaults."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.cli.report import STORY, report_text
from kg.query.library import library

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def report(built) -> str:
    return report_text(built.graph, library(built.project.queries))


def _sections(text: str) -> list[str]:
    return re.split(r"^## ", text, flags=re.M)[1:]


def test_parts_come_in_the_story_order(report: str) -> None:
    parts = re.findall(r"^# (.+)$", report, re.M)[1:]
    assert parts[: len(STORY)] == [p.title for p in STORY]
    names = re.findall(r"^\*Question `([a-z-]+)`", report, re.M)
    story = [name for part in STORY for name, _ in part.questions]
    assert names[: len(story)] == story
    assert names.index("closed-missions") < names.index("closure-causes") < names.index("alignment")


def test_every_library_question_is_in_the_report(built, report: str) -> None:
    names = set(re.findall(r"^\*Question `([a-z-]+)`", report, re.M))
    assert {q.name for q in library(built.project.queries)} <= names


def test_each_preamble_names_exactly_the_columns_its_table_shows(report: str) -> None:
    checked = 0
    for section in _sections(report):
        preamble = re.search(r"^\*Question `[a-z-]+`; each row:\* (.*)$", section, re.M)
        header = re.search(r"^\| (.*) \|$", section, re.M)
        if preamble is None:
            assert header is None
            continue
        named = re.findall(r"(?:^|; )\*([^*]+)\*", preamble.group(1))
        shown = [cell.strip() for cell in header.group(1).split(" | ")]  # type: ignore[union-attr]
        assert named == shown, section.splitlines()[0]
        checked += 1
    assert checked >= 20


def test_the_questions_that_take_values_are_answered(report: str) -> None:
    assert "needs a value" not in report
    as_of = [s for s in _sections(report) if "`network-as-of`" in s]
    assert len(as_of) == 2
    assert "as of = 2023-01-01" in as_of[0] and "as of = 2024-02-01" in as_of[1]
    def statuses(part: str) -> list[str]:
        rows = [row.split(" | ") for row in part.splitlines() if row.startswith("| ") and "---" not in row]
        at = rows[0].index("status")
        return [row[at] for row in rows[1:]]

    assert Counter(statuses(as_of[0])) == {"open": 13, "uncertain": 1, "closed": 1}
    assert Counter(statuses(as_of[1])) == {"open": 4, "closed": 11}
    (entity,) = [s for s in _sections(report) if "`evidence-for`" in s]
    assert "entity = iso:UGA" in entity and "Embassy of the DPRK in Uganda" in entity


def test_report_evidence_is_readable(report: str) -> None:
    assert "source_url:" not in report and "date_precision:" not in report
    assert "()" not in report


def test_report_cli_writes_it(cli: Cli, built, tmp_path: Path) -> None:
    code, _out, err = cli("report", "-o", str(tmp_path / "r.md"))
    assert code == 0, err
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# What the sources say")


def test_report_progress_goes_to_stderr_only(cli: Cli, built, tmp_path: Path) -> None:
    """Issue 26: progress while the report runs, on standard error, with --progress (or on a terminal);
    never in the report, and nothing when standard error is not a terminal and no one asked."""
    code, out, err = cli("report", "--progress", "-o", str(tmp_path / "r.md"))
    total = len(re.findall(r"^\*Question `", (tmp_path / "r.md").read_text(encoding="utf-8"), re.M))
    assert code == 0, err
    assert f"... report: question {total} of {total}, " in err and "... report: question 1 of " in err
    assert "... report" not in (tmp_path / "r.md").read_text(encoding="utf-8") and "... report" not in out
    code, _out, err = cli("report", "-o", str(tmp_path / "quiet.md"))
    assert code == 0 and "... report" not in err
    assert (tmp_path / "quiet.md").read_bytes() == (tmp_path / "r.md").read_bytes()
