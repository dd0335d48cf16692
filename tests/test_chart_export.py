"""Charts to take away: each chart's menu saves it as SVG and PNG, offline, with its title and source line."""

from __future__ import annotations

import json
import re

import pytest

from conftest import HTML

PAGE = HTML / "chapters" / "decline-in-arrivals.html"
pytestmark = pytest.mark.skipif(not PAGE.exists(), reason="build the book first: make html")


@pytest.mark.parametrize("kind", ["SVG", "PNG"])
def test_every_chart_saves_as_an_image_offline(browser, kind):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:")) else route.abort())
    page.goto(PAGE.as_uri())
    menus = page.locator("details.vega-actions, .vega-embed details")
    charts = page.locator(".evidence-chart-canvas")
    charts.first.locator("svg").first.wait_for(timeout=15000)
    assert menus.count() == charts.count() > 0
    specs = [json.loads(s) for s in re.findall(r'<script type="application/json" id="chart-[0-9a-f]+-spec">(.*?)</script>',
                                                  PAGE.read_text(encoding="utf-8"), flags=re.S)]
    for index in range(charts.count()):
        menus.nth(index).locator("summary").click()
        with page.expect_download() as download_info:
            menus.nth(index).get_by_text(f"Save as {kind}").click()
        saved = download_info.value.path().read_bytes()
        if kind == "SVG":
            text = saved.decode("utf-8")
            title = specs[index]["title"]["text"]
            assert text.startswith("<svg") and " ".join([title] if isinstance(title, str) else title).split()[0] in text
        else:
            assert saved.startswith(b"\x89PNG")
        page.keyboard.press("Escape")
    page.close()
