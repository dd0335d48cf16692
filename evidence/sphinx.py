"""Sphinx extension of the book.

- Checks the evidence base before Sphinx writes anything: a direct
  ``jupyter-book build`` would otherwise meet bad data inside a notebook cell
  and stop with a traceback; here it stops at once with the list of problems.
- Serves the vega libraries from the book itself, and only on pages that hold
  a chart (:class:`evidence.charts.Figure`): the vl-convert bundle, wrapped in a
  function so its top-level names cannot clash with Sphinx's own scripts, plus
  a few lines that draw each chart when the page has loaded.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError

from evidence.ledger import EvidenceError, load

VEGA_FILE = "vega-bundle.js"
DRAW_FILE = "evidence-charts.js"
CHART_MARKER = 'class="evidence-chart"'

STATIC = Path(__file__).resolve().parent / "static"  # evidence-charts.js, evidence.css


class EvidenceCheckFailed(SphinxError):
    category = "Evidence check failed"


def _check_evidence(app: Sphinx, config: Config) -> None:
    try:
        load()
    except EvidenceError as error:
        raise EvidenceCheckFailed(str(error)) from None


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


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _check_evidence)
    app.connect("builder-inited", _write_static_files)
    app.connect("html-page-context", _page_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
