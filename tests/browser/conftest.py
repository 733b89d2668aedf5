"""Fixtures for browser tests: one headless Debian chromium per session, offline pages.

The tests drive ``/usr/bin/chromium`` through Playwright's sync API; they never
download a browser (no ``playwright install``).  Every request whose URL does
not start with ``file:`` is aborted and recorded, so a test can assert that a
page works offline.

Screenshots are test artefacts: they go to ``artefacts/`` under pytest's base temporary folder
(``--basetemp`` chooses it), or to ``$DIPLOKG_ARTEFACTS`` when set, never into the repository.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = pathlib.Path(os.environ.get("DIPLOKG_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1440, "height": 900}
#: The two window sizes the map is checked and photographed at (issue 25).
SIZES = ({"width": 1400, "height": 900}, {"width": 1024, "height": 768})


@dataclass
class PageProbe:
    """A Playwright page plus what it did: outside requests, console errors, page errors."""

    page: Any
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def open(self, path: pathlib.Path, timeout_ms: float = 30_000, api: str = "diplokg", fragment: str = "") -> None:
        """Navigate to *path* (and ``#fragment``) via file:// and wait until ``window.<api>.ready``
        (``diplokg``: the network view; ``diplokgWorld``: the world view)."""
        self.page.goto(path.resolve().as_uri() + (f"#{fragment}" if fragment else ""))
        self.page.wait_for_function(f"() => window.{api} && window.{api}.ready === true", timeout=timeout_ms)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Session-wide headless chromium (skips the browser tests when it is missing)."""
    if not CHROMIUM.exists():
        if os.environ.get("DIPLOKG_REQUIRE_BROWSER"):
            pytest.fail(f"DIPLOKG_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        pytest.skip(f"browser tests need Debian chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright python package not installed")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """Where screenshots go: ``$DIPLOKG_ARTEFACTS``, else ``artefacts/`` in pytest's base temporary folder."""
    chosen = os.environ.get("DIPLOKG_ARTEFACTS")
    folder = pathlib.Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _probe(browser: Any, viewport: dict[str, int]) -> tuple[Any, PageProbe]:
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    result = PageProbe(page=page)

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            result.outside_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda msg: result.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
    return context, result


@pytest.fixture()
def probe(browser: Any) -> Iterator[PageProbe]:
    """A fresh context/page that blocks and records every non-``file:`` request."""
    context, result = _probe(browser, VIEWPORT)
    try:
        yield result
    finally:
        context.close()


@pytest.fixture(params=SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def sized_probe(browser: Any, request: pytest.FixtureRequest) -> Iterator[PageProbe]:
    """:func:`probe` at each of :data:`SIZES`."""
    context, result = _probe(browser, request.param)
    try:
        yield result
    finally:
        context.close()


@pytest.fixture(scope="module")
def page_path(graph: Any, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The explorer page of the module's ``graph`` fixture (a networkx MultiDiGraph), written once."""
    from kg.network.page import write_page

    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    write_page(graph, path)
    return path


@pytest.fixture()
def opened(probe: PageProbe, page_path: pathlib.Path) -> PageProbe:
    """The probe with the module's page open and ready."""
    probe.open(page_path)
    return probe
