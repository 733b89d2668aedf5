"""The manual (docs/, MkDocs) builds with warnings as errors, documents every command, question, check
and source from the code, and works offline: no page links outside the site or loads anything from
another host (issue 27, item 1)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click
import pytest

from kg.cli import COMMANDS, main
from kg.errors import EXIT_CODES
from kg.query.library import library, read_header

ROOT = Path(__file__).resolve().parent.parent
#: The width the command reference lays help out at (docs/hooks.py: a terminal of 100 columns).
HELP_WIDTH = 100


class Page(HTMLParser):
    """A built page read for the tests: its text, its headings, its blocks of code, every address it names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: dict[str, str] = {}
        self.code: list[str] = []
        self.addresses: list[tuple[str, str, str]] = []
        self._heading: tuple[str, list[str]] | None = None
        self._pre: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction", "poster", "data", "srcset", "background"} and value:
                self.addresses.append((tag, name, value))
            if name == "style" and value and "url(" in value:
                self.addresses.append((tag, name, value))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (dict(attrs).get("id") or "", [])
        if tag == "pre":
            self._pre = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            ident, words = self._heading
            self.headings[ident] = "".join(words).strip()
            self._heading = None
        if tag == "pre" and self._pre is not None:
            self.code.append("".join(self._pre))
            self._pre = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading[1].append(data)
        if self._pre is not None:
            self._pre.append(data)

    @property
    def words(self) -> str:
        return " ".join("".join(self.text).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `mkdocs build --strict` writes it (any warning fails the build)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(ROOT / "mkdocs.yml"),
         "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


def read(site: Path, name: str) -> Page:
    page = Page()
    page.feed((site / name).read_text(encoding="utf-8"))
    return page


def words(text: str) -> str:
    """Text as a page shows it: Markdown's code marks gone, white space collapsed."""
    return " ".join(text.replace("`", "").split())


def commands() -> Iterator[tuple[tuple[str, ...], click.Command, click.Context]]:
    """Every command and subcommand, with a context laid out at the reference's width."""

    def walk(path: tuple[str, ...], command: click.Command, ctx: click.Context) -> Iterator[
            tuple[tuple[str, ...], click.Command, click.Context]]:
        yield path, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                yield from walk((*path, name), sub, click.Context(sub, info_name=name, parent=ctx))

    settings = {**main.context_settings, "terminal_width": HELP_WIDTH, "max_content_width": HELP_WIDTH}
    yield from walk((), main, click.Context(main, info_name="diplokg", **settings))


def test_every_command_and_subcommand_is_in_the_reference_with_its_help(site: Path) -> None:
    page = read(site, "cli.html")
    found = list(commands())
    assert {path[0] for path, _, _ in found if path} == set(COMMANDS)
    blocks = [block.strip() for block in page.code]
    for path, command, ctx in found:
        title = " ".join(("diplokg", *path))
        assert title in page.headings.values(), title
        assert command.get_help(ctx).strip() in blocks, f"{title}: its --help is not on the page as it is"


def test_the_exit_codes_are_the_code_s(site: Path) -> None:
    text = read(site, "usage.html").words
    for code, meaning in EXIT_CODES:
        assert f"{code} {meaning}" in text, code


def test_every_question_is_documented_with_its_header(site: Path) -> None:
    page = read(site, "questions.html")
    questions = library(ROOT / "queries")
    assert len(questions) >= 25
    for question in questions:
        assert page.headings.get(question.name) == question.name, question.name
        for field, value in read_header(question.text).items():
            assert words(value) in page.words, (question.name, field)


def test_every_check_is_documented_with_its_header(site: Path) -> None:
    page = read(site, "questions.html")
    checks = sorted((ROOT / "queries" / "checks").glob("*-violation.rq"))
    assert checks
    for path in checks:
        assert page.headings.get(path.stem) == path.stem, path.name
        header = read_header(path.read_text(encoding="utf-8"))
        assert words(header["Catches"]) in page.words and words(header["Why"]) in page.words, path.name


def test_every_source_folder_is_documented_with_its_provenance(site: Path) -> None:
    page = read(site, "data.html")
    folders = sorted(p for p in (ROOT / "sources").iterdir() if (p / "source.ttl").is_file())
    assert len(folders) >= 9
    for folder in folders:
        assert page.headings.get(folder.name) == folder.name, folder.name
        title = re.search(r'dcterms:title "([^"]+)"', (folder / "source.ttl").read_text(encoding="utf-8"))
        assert title and title.group(1) in page.words, folder.name
        if (folder / "README.md").is_file():
            first = (folder / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
            assert first in page.headings.values(), folder.name


def test_every_generated_part_was_made(site: Path) -> None:
    for path in site.glob("*.html"):
        assert "diplokg:" not in "".join(re.findall(r"<!--.*?-->", path.read_text(encoding="utf-8"), re.S)), path


_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def _outside(site: Path, page: Path, address: str) -> str | None:
    """Why an address leaves the site, or None when it is one of the site's own files (or a place on a page)."""
    if _SCHEME.match(address):
        return "another site or scheme"
    target = urlsplit(address).path
    if not target:
        return None
    if target.startswith("/"):
        # Only the page a server sends for a missing address is written with paths from the site's root
        # (it is served at any depth); every other page uses relative ones, so it works from disk too.
        if page.name != "404.html":
            return "an absolute path"
        resolved = (site / unquote(target.lstrip("/"))).resolve()
    else:
        resolved = (page.parent / unquote(target)).resolve()
    if not resolved.is_relative_to(site.resolve()):
        return "outside the site"
    if not resolved.exists():
        return "no such file in the site"
    return None


def test_no_page_links_outside_the_site_or_loads_a_remote_asset(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 13
    bad = []
    for path in pages:
        page = read(site, str(path.relative_to(site)))
        for tag, attribute, value in page.addresses:
            if attribute == "style":
                targets = re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
            elif attribute == "srcset":
                targets = [part.split()[0] for part in value.split(",") if part.strip()]
            else:
                targets = [unescape(value)]
            for target in targets:
                why = _outside(site, path, target)
                if why:
                    bad.append(f"{path.name}: <{tag} {attribute}={target!r}>: {why}")
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text):
            if not target.startswith("data:") and _SCHEME.match(target):
                bad.append(f"{css.name}: url({target})")
    assert not bad, "\n".join(bad)


def test_the_readme_links_only_to_pages_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert any(link.startswith("docs/") for link in links)
    for link in links:
        assert not _SCHEME.match(link), link
        assert (ROOT / link.split("#")[0]).is_file(), link
