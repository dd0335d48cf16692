"""A downloaded chapter notebook, read as a student would: exported to HTML with nbconvert, opened offline.

The notebook the book offers must read like the chapter outside the book: no raw MyST markup
(glue roles, citations, directives), its quotations as block quotes with their voice, and every
chart drawn as an image with no network and none of the book's scripts.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HTML, PageVisit

DOWNLOADS = HTML / "_sources" / "chapters"
NOTEBOOKS = sorted(DOWNLOADS.glob("*.ipynb"))
# MyST that only Sphinx understands: a role, a directive fence, a label line.
RAW_MYST = re.compile(r"\{(glue|cite|term|ref|doc|numref)[:a-z]*\}`|(```|:::)\{[a-z-]+\}|^\([\w-]+\)=\s*$", re.M)

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="build the book first: make html")


def chart_count(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum("".join(o.get("data", {}).get("text/html", "")).count('class="evidence-chart"')
               for c in cells for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reader-notebooks")
    result = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(folder), *map(str, NOTEBOOKS)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {p.stem: folder / f"{p.stem}.html" for p in NOTEBOOKS}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_exported_notebook_reads_like_the_chapter_offline(browser, exported, notebook):
    visit = PageVisit(browser, exported[notebook.stem], interactive_charts=False)
    try:
        text = visit.page.locator("body").inner_text()
        assert not RAW_MYST.search(text), RAW_MYST.search(text)
        images = visit.page.locator("img.evidence-chart-static")
        assert images.count() == chart_count(notebook)
        for index in range(images.count()):
            drawn = images.nth(index).evaluate("img => img.complete && img.naturalWidth > 100 && img.naturalHeight > 50")
            assert drawn, f"{notebook.stem}: chart image {index} is not drawn"
            assert images.nth(index).get_attribute("src").startswith("data:image/svg+xml;base64,")
        # nbconvert's own page template asks for require.js and MathJax (blocked here); nothing of the book's does.
        assert all("cdnjs.cloudflare.com" in url for url in visit.blocked), visit.blocked
    finally:
        visit.close()


def test_quotations_are_block_quotes_with_their_voice(exported):
    page = exported["returnee-typology"].read_text(encoding="utf-8")
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", page, flags=re.S)
    assert quotes and all("— " in q and "ledger:" in q for q in quotes)
    assert any("paraphrasing The Atlantic" in q for q in quotes)


def test_every_chapter_with_charts_has_images():
    assert sum(chart_count(n) for n in NOTEBOOKS) >= 8
