"""Each chapter as its own PDF, printed from the built page by Chromium: ``python -m evidence.sphinxext.chapter_pdf``.

A student who cites or prints one chapter should not need the whole book. The page is printed
as a reader's browser would print it, with the book's print stylesheet (``evidence.css``:
controls and sidebars hidden, the chapter's citation shown on the first page), every chart
drawn, and every chart's data table opened. Nothing is fetched from the network.

Writes ``_build/html/pdf/<chapter>.pdf``; the download menu of each chapter page links to it
(see :func:`evidence.sphinxext.extension._link_pdfs`).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
PDF_FOLDER = "pdf"


def chapter_pages(html: Path = HTML) -> list[Path]:
    """The chapter pages of the built book."""
    return sorted((html / "chapters").glob("*.html"))


def print_chapters(html: Path = HTML) -> list[Path]:
    """Print every chapter page to ``html/pdf/<chapter>.pdf``; returns the files written."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    out = html / PDF_FOLDER
    out.mkdir(exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:")) else r.abort())
        for source in chapter_pages(html):
            page.goto(source.as_uri())
            page.wait_for_load_state("load")
            charts = page.locator(".evidence-chart-canvas")
            for index in range(charts.count()):
                charts.nth(index).locator("svg").first.wait_for(timeout=20000)
            page.evaluate("() => document.querySelectorAll('.evidence-chart-tools details').forEach(d => d.open = true)")
            page.emulate_media(media="print")
            target = out / f"{source.stem}.pdf"
            page.pdf(path=str(target), format="A4", print_background=True,
                     margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
            written.append(target)
        browser.close()
    return written


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else HTML
    for written in print_chapters(folder):
        print(f"chapter PDF: {written.relative_to(folder.parent)}")
