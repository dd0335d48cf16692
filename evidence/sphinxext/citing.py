"""The book's citation on its pages (Sphinx hooks); the formats themselves are :mod:`.citation`.

- ``html_baseurl`` (each version's address, from CITATION.cff) is set before the build, so every
  page carries a canonical link to its absolute, versioned URL; every page's footer carries the
  licence and reuse statement.
- Each chapter page gets Highwire ``citation_*`` meta tags (a reference manager saves it as a
  book section) and ends with "Cite this chapter": the APA reference with a retrieval date, the
  BibTeX entry, links to the chapter's and the book's .bib, .ris and CSL-JSON files, and to the
  changelog.
- Those files are written into ``cite/`` of the HTML output at the end of the build.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from evidence.ledger import DATA_DIR
from evidence.sphinxext import citation

CITE_DIR = "cite"  # in the HTML output: <key>.bib, <key>.ris, <key>.json for each chapter and the book
CHANGELOG_DOC = "chapters/changelog"
JS_FILE = "evidence-cite.js"
CSS_FILE = "evidence-cite.css"
FORMATS = (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"))


def is_chapter(docname: str) -> bool:
    """A chapter or appendix of the book: chapters/<name>. The generated pages in folders below it (the
    source pages, chapters/source/…) show the sources' own words, which a reader cites from the source."""
    return docname.startswith("chapters/") and docname.count("/") == 1


def _chapter_title(app: Sphinx, docname: str) -> str:
    """A page's title; the root page (titled like the book) is the book's Introduction, as in the PDF."""
    return "Introduction" if docname == app.config.root_doc else app.env.titles[docname].astext()


def page_citation(app: Sphinx, docname: str) -> citation.Citation:
    return citation.chapter_citation(_chapter_title(app, docname), docname + app.builder.out_suffix)


def configure(app: Sphinx, config: Config) -> None:
    """The versioned address and the footer's licence statement, both from CITATION.cff."""
    book = citation.read_book()
    config.html_baseurl = book.base_url
    footer = citation.licence_html(book, DATA_DIR / "sources.csv")
    config.html_theme_options = {**(config.html_theme_options or {}), "extra_footer": footer}


def add_assets(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_css_file(CSS_FILE)


def add_citation_block(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """End each chapter's HTML page with 'Cite this chapter' (the PDF is cited as a whole)."""
    if app.builder.format != "html" or not is_chapter(docname):
        return
    cite = page_citation(app, docname)
    here = posixpath.dirname(docname)
    changelog = posixpath.relpath(CHANGELOG_DOC + app.builder.out_suffix, here)

    def files(key: str) -> str:
        return " · ".join(
            f'<a href="{posixpath.relpath(f"{CITE_DIR}/{key}.{ext}", here)}" download>{label}</a>'
            for ext, label in FORMATS
        )

    apa = "".join(_apa_html(kind, text) for kind, text in cite.apa_parts())
    bibtex = re.sub(r"(urldate\s*=\s*\{)([^}]*)\}", r'\1<span class="evidence-accessed" data-format="iso">\2</span>}',
                    html.escape(cite.bibtex()))
    block = f"""<div class="cite-this-chapter" id="cite-this-chapter">
<p class="rubric">Cite this chapter</p>
<p class="evidence-cite-apa">{apa}</p>
<p class="evidence-cite-note">Retrieval date: APA 7 asks for the day you read a page that changes over time,
as this book's pages do between builds and versions. With scripts on, your browser has written today's date
into the reference and the BibTeX entry; otherwise they show, like the files below, the day this page was built
({html.escape(citation.apa_date(cite.built))}): change it if you read the page on another day.</p>
<p class="evidence-cite-files">This chapter: {files(cite.key)}. The whole book: {files(citation.BOOK_KEY)}.
Changes and corrections in each version: <a href="{changelog}">the changelog</a>.</p>
<div class="highlight-text notranslate"><div class="highlight"><pre>{bibtex}</pre></div></div>
</div>"""
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    (sections[0] if sections else doctree).append(nodes.raw("", block, format="html"))


def _apa_html(kind: str, text: str) -> str:
    if kind == "italic":
        return f"<em>{html.escape(text)}</em>"
    if kind == "accessed":
        return f'<span class="evidence-accessed" data-format="apa">{html.escape(text)}</span>'
    if kind == "url":
        return f'<a href="{html.escape(text)}">{html.escape(text)}</a>'
    return html.escape(text, quote=False)


def add_meta_tags(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Highwire citation_* meta tags in each chapter page's head, and the script that dates the citation."""
    if not is_chapter(pagename) or doctree is None:
        return
    context["metatags"] = context.get("metatags", "") + "\n" + page_citation(app, pagename).meta_tags()
    app.add_js_file(JS_FILE)


def write_files(app: Sphinx, exception: Exception | None) -> None:
    """Write every chapter's and the book's .bib, .ris and CSL-JSON into cite/."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / CITE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    cites = [page_citation(app, d) for d in sorted(app.env.found_docs) if is_chapter(d)] + [citation.book_citation()]
    for cite in cites:
        for ext, text in (("bib", cite.bibtex()), ("ris", cite.ris()), ("json", cite.csl_json())):
            (folder / f"{cite.key}.{ext}").write_text(text, encoding="utf-8", newline="")


def setup(app: Sphinx) -> None:
    """Connect the hooks (called from the extension's setup)."""
    app.connect("config-inited", configure)
    app.connect("builder-inited", add_assets)
    app.connect("doctree-resolved", add_citation_block)
    app.connect("html-page-context", add_meta_tags)
    app.connect("build-finished", write_files)
