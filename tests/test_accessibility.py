"""Accessibility of every built page: axe-core finds no serious or critical violation, in light and dark mode.

axe-core (npm, pinned in package.json) is injected into each page by Playwright, in Debian's
Chromium with the network blocked. The charts' alt text and data tables are part of what it checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CHROMIUM, ROOT, PageVisit
from test_browser import PAGES

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.skipif(not PAGES, reason="build the book first: make html"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (scripts/system-deps)"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: npm ci"),
]


def serious_violations(visit: PageVisit) -> list[str]:
    visit.page.add_script_tag(path=str(AXE))
    result = visit.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_no_serious_accessibility_violations(browser, path, scheme):
    visit = PageVisit(browser, path, color_scheme=scheme)
    try:
        assert serious_violations(visit) == []
    finally:
        visit.close()


def test_every_chart_has_alt_text_and_a_keyboard_reachable_table(browser):
    for path in PAGES:
        visit = PageVisit(browser, path)
        try:
            for figure in visit.page.locator("figure.evidence-chart").all():
                canvas = figure.locator(".evidence-chart-canvas")
                assert canvas.get_attribute("role") == "figure" and len(canvas.get_attribute("aria-label")) > 20
                summary = figure.locator(".evidence-chart-tools details > summary")
                summary.focus()
                assert visit.page.evaluate("document.activeElement.tagName") == "SUMMARY"
                visit.page.keyboard.press("Enter")
                assert figure.locator(".evidence-chart-tools details table").is_visible()
                assert figure.locator("a.evidence-chart-download").get_attribute("href").startswith("data:text/csv")
        finally:
            visit.close()
