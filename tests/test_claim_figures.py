"""Numbers that show where they come from: each source figure in the prose is a {claim} link with its quote on hover."""

from __future__ import annotations

import re

import pytest

from conftest import DATA, HTML, PageVisit
from evidence import load, quotes

PAGES = ["introduction", "decline-in-arrivals", "flow-of-recruits", "returnee-typology", "expert-disagreement"]
pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="build the book first: make html")


@pytest.mark.parametrize("name", PAGES)
def test_source_figures_in_the_prose_are_claim_links(name):
    raw = (HTML / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    claims = set(load(DATA).claims["claim_id"])
    linked = re.findall(r'<a class="claim-figure" href="[^"]*#([a-z0-9-]+)" data-claim="\1">', raw)
    assert linked and set(linked) <= claims


def test_hovering_a_number_shows_its_quote_offline(browser):
    evidence = load(DATA)
    visit = PageVisit(browser, HTML / "chapters" / "decline-in-arrivals.html")
    try:
        figure = visit.page.locator("a.claim-figure").first
        claim = evidence.claim(figure.get_attribute("data-claim"))
        figure.scroll_into_view_if_needed()
        assert not figure.locator(".claim-tip").is_visible()
        figure.hover()
        tip = figure.locator(".claim-tip")
        assert tip.is_visible()
        assert quotes.normalise(claim["quote"])[:60] in quotes.normalise(tip.inner_text())
        figure.focus()  # a tap on a phone focuses the link
        assert tip.is_visible()
        assert visit.blocked == [] and visit.errors == []
    finally:
        visit.close()
