"""The whole-book PDF (after `make pdf`): what a reader who prints the book gets.

Every chapter title, the key findings and the bibliography are in the text; the charts are in
it as vector graphics; every chapter's tables are typeset; and no page has ink in its margins
(the sign of a line, table or chart running off the page).
"""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
import yaml

from conftest import ROOT

PDF = ROOT / "_build" / "latex" / "book.pdf"
pytestmark = pytest.mark.skipif(not PDF.exists(), reason="build the PDF first: make pdf")


def chapter_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"] if "file" in chapter]  # not the generated source pages (a glob)
    return files


def chapter_title(file: str) -> str:
    text = (ROOT / f"{file}.md").read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, flags=re.MULTILINE).group(1).strip()


@pytest.fixture(scope="module")
def pdf_text() -> str:
    text = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def test_every_chapter_title_is_in_the_pdf(pdf_text):
    for file in chapter_files():
        assert chapter_title(file) in pdf_text, file


def test_pdf_has_contents_bibliography_and_page_numbers(pdf_text):
    assert "contents" in pdf_text.lower()
    assert "Bennett" in pdf_text and "Fitsanakis" in pdf_text and "Myre" in pdf_text
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 10
    # Page numbers: the last page's text ends with (or contains) its number in the footer.
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(PDF), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"\b\d+\b", last)


def test_charts_are_vector_graphics_in_the_pdf():
    chart_pdfs = list((ROOT / "_build" / "latex").glob("*.pdf"))
    chart_pdfs = [p for p in chart_pdfs if p.name != "book.pdf"]
    html_charts = sum(
        page.read_text(encoding="utf-8").count('class="evidence-chart"')
        for page in (ROOT / "_build" / "html" / "chapters").glob("*.html")
    )
    assert len(chart_pdfs) >= html_charts
    tex = (ROOT / "_build" / "latex" / "book.tex").read_text(encoding="utf-8")
    assert tex.count("\\sphinxincludegraphics") >= html_charts
    raster = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    assert len(raster.strip().splitlines()) <= 2, "charts must be vector, not raster images"


def test_tables_are_typeset_not_printed_as_objects():
    tex = (ROOT / "_build" / "latex" / "book.tex").read_text(encoding="utf-8")
    assert "Styler at 0x" not in tex and "<evidence.display" not in tex
    assert tex.count("\\begin{tabulary}") + tex.count("\\begin{longtable}") + tex.count("\\begin{tabular}") >= len(
        chapter_files()
    ) - 2


def _gray_pages(resolution: int = 40) -> list[np.ndarray]:
    out = subprocess.run(["pdftoppm", "-gray", "-r", str(resolution), str(PDF)], capture_output=True, check=True).stdout
    pages, position = [], 0
    while position < len(out):
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", out[position:])
        width, height = int(header.group(1)), int(header.group(2))
        start = position + header.end()
        pages.append(np.frombuffer(out[start : start + width * height], dtype=np.uint8).reshape(height, width))
        position = start + width * height
    return pages


def test_nothing_runs_into_the_margins():
    """Ink in the outer 4 % of a page's width means text, a table or a chart ran off the page."""
    for number, page in enumerate(_gray_pages(), start=1):
        band = max(1, int(page.shape[1] * 0.04))
        for side, strip in (("left", page[:, :band]), ("right", page[:, -band:])):
            assert strip.min() > 200, f"page {number}: ink in the {side} margin"


def _squeezed(text: str) -> str:
    """Text with what typesetting may change removed: white space, hyphens and dashes, quote styles."""
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'")
    return re.sub(r"[\s\-\u2010-\u2015]", "", text)


def test_every_table_cell_is_in_the_pdf_text():
    """No cell is clipped or overprinted: every word of every cell of each numbered table (as the HTML book shows
    it) is in the PDF's text. Word by word, because text extraction reads a wrapped cell's lines apart."""
    import html as html_lib

    pdf = _squeezed(subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout)
    checked = 0
    for page in sorted((ROOT / "_build" / "html" / "chapters").glob("*.html")):
        for table in re.findall(r'<table class="[^"]*evidence-numbered-table.*?</table>', page.read_text(encoding="utf-8"), flags=re.S):
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, flags=re.S):
                text = html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                # A word broken at its hyphens may be read back in pieces, in another order: check each piece.
                for word in re.split(r"[\s\-\u2010-\u2015]+", text):
                    assert _squeezed(word) in pdf, (page.stem, word, text)
                checked += bool(text)
    assert checked > 100


def test_no_overfull_lines_of_consequence():
    """The LaTeX log's overfull boxes: none more than a few points too wide or too high (text off the page)."""
    log = (ROOT / "_build" / "latex" / "book.log").read_text(encoding="utf-8", errors="replace")
    excess = [float(w) for w in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\)", log)]
    assert all(w < 6 for w in excess), sorted(excess)[-5:]


def test_introduction_and_references_are_in_place():
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "6", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    contents = text[text.index("CONTENTS"):]
    assert contents.index("Introduction") < contents.index("Key findings") < contents.index("Analysis")
    last = subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    references = last[last.rindex("REFERENCES"):]
    assert "[S1]" in references and "[W1]" in references and "BIBLIOGRAPHY" not in references


def test_tables_carry_the_same_numbers_as_the_web_book():
    """Each numbered table of the HTML book has the same number and caption in the PDF (continued headers use it)."""
    import html as html_lib

    pdf = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout)
    found = 0
    for page in sorted((ROOT / "_build" / "html" / "chapters").glob("*.html")):
        raw = page.read_text(encoding="utf-8")
        for number, caption in re.findall(r'<span class="caption-number">Table ([\d.]+) </span><span class="caption-text">(.*?)</span>', raw):
            words = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", caption)).split()[:4])
            assert f"Table {number}: {words}" in pdf, (page.stem, number, words)
            found += 1
    assert found >= 20


def test_each_chapter_pdf_has_its_citation_on_page_one_and_is_linked():
    html = ROOT / "_build" / "html"
    for page in sorted((html / "chapters").glob("*.html")):
        pdf = html / "pdf" / f"{page.stem}.pdf"
        assert pdf.exists(), pdf.name
        first = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Cite this chapter:" in first and "Foreign Fighters After the Caliphate" in first, page.stem
        assert f'href="../pdf/{page.stem}.pdf"' in page.read_text(encoding="utf-8"), page.stem
        assert 'href="../book.pdf"' in page.read_text(encoding="utf-8")
