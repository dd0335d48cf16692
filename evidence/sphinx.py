"""Sphinx extension of the book.

- Checks the evidence base before Sphinx writes anything: a direct
  ``jupyter-book build`` would otherwise meet bad data inside a notebook cell
  and stop with a traceback; here it stops at once with the list of problems.
- Provides the ``claim-quote`` directive: a block quotation taken from the
  ledger by claim id, with its speaker, date and citation, so a quotation is
  never typed twice and always matches its source.
- Ends every chapter page with "Cite this chapter": an APA line and a BibTeX entry
  made from CITATION.cff (:mod:`evidence.citation`).
- Serves the vega libraries from the book itself, and only on pages that hold
  a chart (:class:`evidence.charts.Figure`): the vl-convert bundle, wrapped in a
  function so its top-level names cannot clash with Sphinx's own scripts, plus
  a few lines that draw each chart when the page has loaded.
"""

from __future__ import annotations

from pathlib import Path

from functools import lru_cache

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError
from sphinx.util.docutils import SphinxDirective

from evidence.citation import chapter_citation
from evidence.display import escape_markdown
from evidence.ledger import DATA_DIR, Evidence, EvidenceError, load

VEGA_FILE = "vega-bundle.js"
DRAW_FILE = "evidence-charts.js"
CHART_MARKER = 'class="evidence-chart"'

STATIC = Path(__file__).resolve().parent / "static"  # evidence-charts.js, evidence.css


class EvidenceCheckFailed(SphinxError):
    category = "Evidence check failed"


@lru_cache(maxsize=1)
def _evidence() -> Evidence:
    return load()


def _check_evidence(app: Sphinx, config: Config) -> None:
    try:
        _evidence()
    except EvidenceError as error:
        raise EvidenceCheckFailed(str(error)) from None


class ClaimQuote(SphinxDirective):
    """``{claim-quote} CLAIM_ID``: the claim's quote as a block quotation, attributed and cited."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        claim_id = self.arguments[0]
        self.env.note_dependency(str(DATA_DIR / "claims.csv"))
        try:
            claim = _evidence().claim(claim_id)
        except KeyError as error:
            raise self.error(str(error)) from None
        lines = [
            escape_markdown(claim["quote"]),
            "",
            f"— {escape_markdown(claim['speaker'])}, {escape_markdown(claim['stated'])}; "
            f"in {{cite:t}}`{claim['source_id']}` (ledger: `{claim_id}`)",
        ]
        quote = nodes.block_quote(classes=["claim-quote"])
        self.state.nested_parse(StringList(lines, source=f"claim {claim_id}"), self.content_offset, quote)
        return [quote]


def _write_static_files(app: Sphinx) -> None:
    """Write the scripts once per vl-convert version into a folder Sphinx copies to _static."""
    if app.builder.format != "html":
        return
    import vl_convert

    folder = Path(app.doctreedir).parent / "evidence-static" / vl_convert.__version__
    bundle = folder / VEGA_FILE
    if not bundle.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = bundle.with_suffix(".partial")
        partial.write_text("(function () {\n" + vl_convert.javascript_bundle() + "\n})();\n", encoding="utf-8")
        partial.replace(bundle)
    app.config.html_static_path += [str(folder), str(STATIC)]
    app.add_css_file("evidence.css")


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Vega only where there are charts; no Thebe anywhere (the book has no live kernel to launch).

    sphinx-thebe, which Jupyter Book always loads, declares its globals twice and so
    throws a console error on every page, and would reach a CDN if started.
    """
    for key in ("script_files", "css_files"):
        if key in context:
            context[key][:] = [f for f in context[key] if "thebe" not in (str(f) + str(getattr(f, "attributes", "")))]
    if CHART_MARKER in context.get("body", ""):
        app.add_js_file(VEGA_FILE, priority=900)
        app.add_js_file(DRAW_FILE, priority=901)


def _add_citation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Append 'Cite this chapter' to each chapter's HTML page (the PDF is cited as a whole)."""
    if app.builder.format != "html" or not docname.startswith("chapters/"):
        return
    citation = chapter_citation(app.env.titles[docname].astext(), docname + ".html")
    box = nodes.container(classes=["cite-this-chapter"])
    box += nodes.rubric(text="Cite this chapter")
    box += nodes.paragraph(text=citation.apa())
    box += nodes.literal_block(citation.bibtex(), citation.bibtex(), language="bibtex")
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    (sections[0] if sections else doctree).append(box)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _check_evidence)
    app.add_directive("claim-quote", ClaimQuote)
    app.connect("builder-inited", _write_static_files)
    app.connect("html-page-context", _page_scripts)
    app.connect("doctree-resolved", _add_citation)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
