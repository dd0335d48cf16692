"""The built HTML book (after `make html`): pages exist and show what the data says."""

from __future__ import annotations

import re

import pytest

from conftest import DATA, HTML
from evidence import load, tables

pytestmark = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="build the book first: make html")


def page_text(name: str) -> str:
    raw = (HTML / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", raw)
    return re.sub(r"\s+", " ", text)


def test_every_toc_page_is_built():
    for name in ("introduction", "sources-and-evidence", "references", "changelog"):
        assert (HTML / "chapters" / f"{name}.html").exists(), name


def test_introduction_counts_come_from_the_ledger():
    evidence = load(DATA)
    text = page_text("introduction")
    assert f"claims ledger of {len(evidence.claims)} entries" in text
    assert f"built from {len(evidence.sources)} source documents" in text


def test_appendix_shows_every_source_with_its_claim_count():
    evidence = load(DATA)
    text = page_text("sources-and-evidence")
    register = tables.source_register(evidence)
    for row in register.itertuples(index=False):
        assert re.search(rf"{re.escape(row[0])} .*? {row[-1]} ", text), row[0]
    assert text.count("not stated in the source") >= 3


def test_no_error_output_in_pages():
    for page in (HTML / "chapters").glob("*.html"):
        raw = page.read_text(encoding="utf-8")
        assert "Traceback" not in raw and "output stderr" not in raw, page.name


def test_bibliography_lists_the_five_sources_and_the_cited_works():
    text = page_text("references")
    for words in ("Bennett", "Myre", "Fitsanakis", "Where Will ISIS Fighters Go", "Clarke", "Seib"):
        assert words in text, words


def test_tables_and_figures_are_numbered_by_sphinx_not_typed():
    for page in (HTML / "chapters").glob("*.html"):
        raw = page.read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", raw)
        assert not re.search(r"\b(Table|Figure) [A-Z0-9]+\.\d+\.\s", text), page.name  # a typed "Table 2.1. Caption"
    assert '<span class="caption-number">Table 5.1 </span>' in (HTML / "chapters" / "sources-and-evidence.html").read_text()


MODIFIERS = {"fa-solid", "fa-regular", "fa-brands", "fa-lg", "fa-fw"}


def test_no_icon_script_and_every_icon_drawn_by_css():
    """fontawesome.js (1.5 MB) is not loaded; every icon class a page uses has a rule in evidence-icons.css."""
    css = (HTML / "_static" / "evidence-icons.css").read_text(encoding="utf-8")
    for page in [*(HTML / "chapters").glob("*.html"), HTML / "index.html"]:
        raw = page.read_text(encoding="utf-8")
        assert "fontawesome.js" not in raw, page.name
        for name in set(re.findall(r"\bfa-[a-z0-9-]+", raw)) - MODIFIERS:
            assert f".{name}{{--evidence-icon:" in css, (page.name, name)
