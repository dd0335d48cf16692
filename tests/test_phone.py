"""The book on a phone (390 px wide, network blocked): nothing scrolls sideways, every chart fits its column.

Wide tables may scroll inside their own box (with the caption above it); the page itself may not.
"""

from __future__ import annotations

import pytest

from conftest import HTML

PAGES = sorted([HTML / "index.html", *(HTML / "chapters").rglob("*.html")])
pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="build the book first: make html")


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    yield context
    context.close()


@pytest.mark.parametrize("page_file", PAGES, ids=[p.stem for p in PAGES])
def test_page_fits_a_phone(phone, page_file):
    page = phone.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    charts = page.locator(".evidence-chart-canvas")
    for index in range(charts.count()):
        charts.nth(index).locator("svg").first.wait_for(timeout=15000)
    measured = page.evaluate("""() => ({
        scroll: document.documentElement.scrollWidth, viewport: window.innerWidth,
        charts: [...document.querySelectorAll('.evidence-chart-canvas')].map(c => [c.clientWidth,
                 Math.ceil(c.querySelector('svg').getBoundingClientRect().width)]),
        captions: [...document.querySelectorAll('.pst-scrollable-table-container > table > caption')].length,
    })""")
    page.close()
    assert measured["scroll"] <= measured["viewport"], measured
    for container, drawn in measured["charts"]:
        assert 0 < drawn <= container, measured["charts"]
    assert measured["captions"] == 0  # a numbered table's caption stands outside its scroll box
