"""Every built page in a real browser (Debian's Chromium via Playwright), with the network blocked.

Asserts what a reader meets: each chart draws its marks, hovering a mark shows a tooltip with the
quote, nothing tries to leave the machine, and the console stays free of errors.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import HTML

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = sorted((HTML / "chapters").glob("*.html"))

# Console messages that are not the book's fault, each with the reason it is tolerated.
KNOWN_CONSOLE_ERRORS: dict[str, str] = {}

pytestmark = [
    pytest.mark.skipif(not PAGES, reason="build the book first: make html"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (scripts/system-deps)"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


class PageVisit:
    """A page opened with every non-file request blocked and recorded, and its console collected."""

    def __init__(self, browser, path: Path, color_scheme: str = "light"):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        charts = self.page.locator(".evidence-chart-canvas")
        for index in range(charts.count()):
            charts.nth(index).locator("svg").first.wait_for(timeout=15000)

    def _route(self, route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module", params=PAGES, ids=[p.stem for p in PAGES])
def visit(request, browser):
    visit = PageVisit(browser, request.param)
    yield visit
    visit.close()


def test_no_request_leaves_the_machine(visit):
    assert visit.blocked == []


def test_no_console_errors(visit):
    unexpected = [e for e in visit.errors if not any(known in e for known in KNOWN_CONSOLE_ERRORS)]
    assert unexpected == []


def test_every_chart_draws_its_marks(visit):
    charts = visit.page.locator(".evidence-chart-canvas")
    for index in range(charts.count()):
        chart = charts.nth(index)
        marks = chart.locator("svg g[class*='mark-'] path, svg g[class*='mark-'] text, svg g[class*='mark-'] line")
        assert chart.locator("svg g.mark-rect path, svg g.mark-symbol path, svg g.mark-line path").count() > 0, (
            chart.get_attribute("id")
        )
        assert marks.count() > 0
        assert chart.get_attribute("aria-label"), "every chart has alt text"


def test_hovering_a_mark_shows_a_tooltip_with_a_quote(visit):
    charts = visit.page.locator(".evidence-chart-canvas")
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        mark = chart.locator("svg g.mark-rect path, svg g.mark-symbol path").first
        mark.hover(force=True)
        tooltip = visit.page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=5000)
        assert "“" in tooltip.inner_text(), f"tooltip of {chart.get_attribute('id')} shows no quote"
        visit.page.mouse.move(0, 0)


def test_vega_loads_only_on_pages_with_charts(visit):
    has_chart = visit.page.locator(".evidence-chart").count() > 0
    loads_vega = "vega-bundle.js" in visit.page.content()
    assert has_chart == loads_vega
