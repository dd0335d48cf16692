"""Every built page in a real browser (Debian's Chromium via Playwright), with the network blocked.

Asserts what a reader meets: each chart draws its marks, hovering a mark shows a tooltip with the
quote, nothing tries to leave the machine, and the console stays free of errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CHROMIUM, HTML, PageVisit
PAGES = sorted((HTML / "chapters").rglob("*.html"))  # the chapters, the appendices and the source pages

# Console messages that are not the book's fault, each with the reason it is tolerated.
KNOWN_CONSOLE_ERRORS: dict[str, str] = {}

pytestmark = [
    pytest.mark.skipif(not PAGES, reason="build the book first: make html"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (scripts/system-deps)"),
]


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
