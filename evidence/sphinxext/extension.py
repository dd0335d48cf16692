"""Sphinx extension of the book.

- Checks the evidence base before Sphinx writes anything: a direct
  ``jupyter-book build`` would otherwise meet bad data inside a notebook cell
  and stop with a traceback; here it stops at once with the list of problems.
- Provides the ``claim-quote`` directive: a block quotation taken from the
  ledger by claim id, with its speaker, date and citation, so a quotation is
  never typed twice and always matches its source.
- Ends every chapter page with "Cite this chapter": an APA line and a BibTeX entry
  made from CITATION.cff (:mod:`evidence.sphinxext.citation`).
- Offers each chapter's executed notebook (.ipynb) in the download menu, and writes
  the data zip (:mod:`evidence.sphinxext.datazip`) at the root of the HTML book.
- Re-executes exactly the chapters whose inputs changed (:mod:`evidence.sphinxext.inputs`), two at a time
  (:mod:`evidence.sphinxext.execute`).
- Provides ``evidence-glossary``: the glossary, generated from data/glossary.csv.
- Serves the vega libraries from the book itself, and only on pages that hold
  a chart (:class:`evidence.charts.Figure`): the vl-convert bundle, wrapped in a
  function so its top-level names cannot clash with Sphinx's own scripts, plus
  a few lines that draw each chart when the page has loaded; for LaTeX, renders each
  chart's vector PDF from its spec (:class:`ChartPdfs`), which no kernel renders.
"""

from __future__ import annotations

from pathlib import Path

import base64
import hashlib
import json
import os
import re
from html import unescape as html_unescape
from functools import lru_cache

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from evidence.sphinxext.citation import chapter_citation
from evidence.sphinxext.datazip import ZIP_NAME, write_zip
from evidence.sphinxext import execute, inputs

# The evidence modules that read data (pandas) are imported where used: a rebuild with nothing
# to read does not import them.
DATA_DIR = inputs.DATA_DIR

VEGA_FILE = "vega-bundle.js"
DRAW_FILE = "evidence-charts.js"
CHART_MARKER = 'class="evidence-chart"'
_STAMPS: dict[str, str] = {}  # docname -> the inputs stamp its first code cell carried in this build

STATIC = Path(__file__).resolve().parent / "static"  # evidence-charts.js, evidence.css
TEMPLATES = Path(__file__).resolve().parent / "templates"  # accessibility fixes to theme templates


class EvidenceCheckFailed(SphinxError):
    category = "Evidence check failed"


@lru_cache(maxsize=1)
def _evidence():
    """The checked evidence base (:func:`evidence.ledger.check_all`), once per build."""
    from evidence.ledger import check_all

    return check_all()


def _check_evidence(app: Sphinx, config: Config) -> None:
    """Check the whole evidence base, unless these exact files already passed (a no-change rebuild).

    The record of the passed check is named in ``$EVIDENCE_CHECKED`` for the chapters' kernels, which
    then do not check again the files they read (:func:`evidence.sphinxext.inputs.record_passed_check`).
    """
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    os.environ[inputs.BOOK_BUILD] = "1"  # the kernels leave chart PDFs to ChartPdfs and _offer_notebook
    record = Path(app.doctreedir).parent / "evidence-checked.json"
    os.environ.pop(inputs.CHECKED_ENV, None)
    if not inputs.recorded_check_holds(record):
        from evidence.ledger import EvidenceError

        try:
            _evidence()
        except EvidenceError as error:
            raise EvidenceCheckFailed(str(error)) from None
        inputs.record_passed_check(record)
    os.environ[inputs.CHECKED_ENV] = str(record)


def _keep_characters(node: nodes.Element) -> None:
    """Show text from data exactly: no smart quotes on a verbatim quotation (Sphinx would curl straight quotes)."""
    for element in node.findall(nodes.Element):
        element["support_smartquotes"] = False


class ClaimQuote(SphinxDirective):
    """``{claim-quote} CLAIM_ID``: the claim's quote as a block quotation, attributed and cited.

    The attribution is :func:`evidence.voices.credit`: the voice whose words these are in the
    source comes first, so a reporter's paraphrase is never shown as the speaker's own words.
    """

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from evidence import voices
        from evidence.display import escape_markdown

        claim_id = self.arguments[0]
        self.env.note_dependency(str(DATA_DIR / "claims.csv"))
        try:
            claim = _evidence().claim(claim_id)
        except KeyError as error:
            raise self.error(str(error)) from None
        lines = [
            escape_markdown(claim["quote"]),
            "",
            f"— {escape_markdown(voices.credit(claim, _evidence().sources))}, {escape_markdown(claim['stated'])}, "
            f"in {{cite:t}}`{claim['source_id']}`; ledger: `{claim_id}`",
        ]
        quote = nodes.block_quote(classes=["claim-quote"])
        self.state.nested_parse(StringList(lines, source=f"claim {claim_id}"), self.content_offset, quote)
        _keep_characters(quote)
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
    """Vega only where there are charts; no Thebe anywhere (the book has no live kernel to launch); ARIA fixed.

    sphinx-thebe, which Jupyter Book always loads, declares its globals twice and so
    throws a console error on every page, and would reach a CDN if started.
    """
    # A docutils citation list claims role="list" but holds no list items (axe: aria-required-children).
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')
        # sphinx-thebe's inert launch configuration (a Binder repository the book does not use).
        context["body"] = re.sub(
            r'<script type="text/x-thebe-config">.*?</script>|<script>kernelName = [^<]*</script>', "", context["body"], flags=re.S
        )
    for key in ("script_files", "css_files"):
        if key in context:
            context[key][:] = [f for f in context[key] if "thebe" not in (str(f) + str(getattr(f, "attributes", "")))]
    if CHART_MARKER in context.get("body", ""):
        app.add_js_file(VEGA_FILE, priority=900)
        app.add_js_file(DRAW_FILE, priority=901)


CHART_SPEC = re.compile(r'<script type="application/json" id="chart-[0-9a-f]+-spec">(.*?)</script>', re.S)


def _chart_spec(chart_html: str) -> dict | None:
    """The Vega-Lite spec a chart's HTML output carries (:meth:`evidence.charts.Figure.html`), if any."""
    match = CHART_SPEC.search(chart_html) if CHART_MARKER in chart_html else None
    return json.loads(match[1]) if match else None


class ChartPdfs(SphinxPostTransform):
    """For LaTeX only: give each chart output its vector PDF, rendered by vl-convert from the chart's spec.

    A kernel emits a chart as HTML and alt text only (:class:`evidence.charts.Figure`), so an HTML
    build renders no PDF. Here the PDF is added to the output as the ``application/pdf`` rendering
    a kernel used to emit (an image of MyST-NB's output folder, named by its digest), before
    MyST-NB picks the format each builder prefers: LaTeX takes the PDF, as before. Renderings are
    kept by spec (and vl-convert version), so a PDF rebuild neither renders nor renames a chart
    that did not change.
    """

    default_priority = 3  # before MyST-NB's SelectMimeType (priority 4)
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        import vl_convert

        folder = Path(self.env.mystnb_config.output_folder)
        renderings = Path(self.app.doctreedir).parent / "evidence-chart-pdfs" / vl_convert.__version__
        for bundle in list(self.document.findall(lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "mime_bundle")):
            by_type = {child.get("mime_type"): child for child in bundle.children}
            spec = _chart_spec(by_type["text/html"].astext()) if "text/html" in by_type else None
            if spec is None or "application/pdf" in by_type:
                continue
            kept = renderings / f"{hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()}.pdf"
            if not kept.exists():
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.with_suffix(".partial").write_bytes(vl_convert.vegalite_to_pdf(spec))
                kept.with_suffix(".partial").replace(kept)
            pdf = kept.read_bytes()
            file = folder / f"{hashlib.sha256(pdf).hexdigest()}.pdf"
            if not file.exists():
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(pdf)
            uri = Path(os.path.relpath(file, self.env.srcdir)).as_posix()
            self.env.images.add_file(self.env.docname, uri)  # so the builder copies it beside the .tex
            rendering = nodes.container(mime_type="application/pdf")
            rendering += nodes.image(uri=uri, candidates={"*": uri}, original_uri="/" + uri)
            bundle.insert(0, rendering)


def _numbered_tables(app: Sphinx, doctree: nodes.document) -> None:
    """Make each named :class:`evidence.display.Table` output a real table node, so Sphinx numbers it.

    A notebook output carries the table twice: as HTML (for Jupyter) and as a GFM table (which
    MyST-NB parses into a docutils table while reading). For a table with a name, the output is
    replaced by that docutils table, its caption moved into the table's title and the name made
    a target: Sphinx then numbers it ("Table 2.3") the same way in HTML and PDF, and
    ``{numref}`tbl-…``` refers to it.
    """
    for bundle in list(doctree.findall(lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "mime_bundle")):
        by_type = {child.get("mime_type"): child for child in bundle.children}
        if "text/html" not in by_type or "text/markdown" not in by_type:
            continue
        name = re.search(r'data-table-name="([^"]+)"', by_type["text/html"].astext())
        table = next(by_type["text/markdown"].findall(nodes.table), None)
        caption = next(by_type["text/markdown"].findall(nodes.paragraph), None)
        if not name or table is None or caption is None:
            continue
        title = nodes.title("", "", *[child.deepcopy() for child in caption.findall(nodes.emphasis)][0].children)
        table.insert(0, title)
        table["names"].append(nodes.fully_normalize_name(html_unescape(name[1])))
        table["classes"].append("evidence-numbered-table")
        doctree.note_explicit_target(table, table)
        bundle.replace_self(table)


def _collapsed_code_off_paper(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the PDF, leave out the code of ``hide-input`` cells (long helpers): paper cannot expand them.

    The analysis cells a reader should see stay visible in every format; the notebook keeps all code.
    """
    if app.builder.format != "latex":
        return
    for cell in list(doctree.findall(lambda n: isinstance(n, nodes.container) and "tag_hide-input" in n["classes"])):
        for part in [c for c in cell.children if isinstance(c, nodes.container) and "cell_input" in c["classes"]]:
            cell.remove(part)


def _breakable_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the PDF, let every table break across pages and wrap its cells.

    A long table would otherwise run into the footer (tabulary cannot break), and a
    longtable without widths would not wrap its cells. Each column gets a width in
    proportion to its longest cell (capped, so one long quote does not starve the rest).
    """
    if app.builder.format != "latex":
        return
    for table in doctree.findall(nodes.table):
        group = next(table.findall(nodes.tgroup))
        colspecs = [c for c in group.children if isinstance(c, nodes.colspec)]
        longest = [8] * len(colspecs)
        for row in group.findall(nodes.row):
            for index, entry in enumerate(c for c in row.children if isinstance(c, nodes.entry)):
                if index < len(longest):
                    longest[index] = max(longest[index], min(len(entry.astext()), 60))
        for colspec, width in zip(colspecs, longest):
            colspec["colwidth"] = width
        table["classes"] += ["longtable", "colwidths-given"]


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


def _offer_notebook(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Put the reader's notebook beside the page source, so the download menu saves a working .ipynb.

    sphinx-book-theme does this only when a launch service (Binder, Colab…) is configured;
    the book has none, so that no button points nowhere. MyST-NB writes a notebook taken
    from its cache before merging the cached outputs in, so those are merged here. The
    notebook is then rewritten for reading outside the book (:mod:`evidence.sphinxext.notebook_export`).
    """
    import nbformat
    import vl_convert
    from jupyter_cache import get_cache

    from evidence import voices
    from evidence.sphinxext import notebook_export

    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.exists():
        return
    notebook = nbformat.read(executed, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if code and not any(cell.get("outputs") for cell in code):
        _, notebook = get_cache(Path(app.outdir).parent / ".jupyter_cache").merge_match_into_notebook(notebook)
    glue_file = executed.with_name(f"{executed.stem}.glue.json")
    glued = json.loads(glue_file.read_text(encoding="utf-8")) if glue_file.exists() else {}
    evidence = _evidence()

    def claim_quote(claim_id: str) -> str:
        claim = evidence.claim(claim_id)
        return (f"> {claim['quote']}\n>\n> — {voices.credit(claim, evidence.sources)}, {claim['stated']}, "
                f"in {_citation_text(app, claim['source_id'], textual=True)}; ledger: `{claim_id}`")

    def link_text(role: str, target: str) -> str:
        if role == "doc":
            docname = target.removeprefix("/").removesuffix(".md")
            docname = docname if "/" in docname else f"{Path(pagename).parent.as_posix()}/{docname}"
            title = app.env.titles.get(docname)
            return f"“{title.astext()}”" if title else target
        label = app.env.domaindata["std"]["labels"].get(target.lower())
        return f"“{label[2]}”" if label and label[2] else "the figure or table named in the book"

    svgs: dict[str, str] = {}

    def svg_of(spec: dict) -> str:
        key = json.dumps(spec, sort_keys=True)
        if key not in svgs:
            svgs[key] = vl_convert.vegalite_to_svg(spec)
        return svgs[key]

    for cell in notebook.cells:  # each chart's vector PDF, as a kernel used to emit it (from its SVG: the same drawing)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            spec = _chart_spec(data.get("text/html", ""))
            if spec is not None and "application/pdf" not in data:
                data["application/pdf"] = base64.b64encode(vl_convert.svg_to_pdf(svg_of(spec))).decode("ascii")

    reader = notebook_export.reader_notebook(
        notebook, notebook_export.glue_values(glued), claim_quote,
        lambda keys, textual: _citation_text(app, keys, textual), link_text, svg_of,
    )
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(reader, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


@lru_cache(maxsize=1)
def _bibliography(path: str) -> dict[str, tuple[str, str]]:
    """Each BibTeX key's (who, year) as an author-year citation names them."""
    from pybtex.database import parse_file

    entries = {}
    for key, entry in parse_file(path).entries.items():
        people = entry.persons.get("author", [])
        names = [" ".join(p.last_names).strip("{}") for p in people]
        who = names[0] + " et al." if len(names) > 2 else " and ".join(names)
        who = who or entry.fields.get("howpublished", "").strip("{}") or entry.fields.get("title", key).strip("{}")
        entries[key] = (who, entry.fields.get("year", "n.d."))
    return entries


def _citation_text(app: Sphinx, keys: str, textual: bool) -> str:
    """``{cite:p}`` as '(Myre 2017; Bennett 2017)', ``{cite:t}`` as 'Myre (2017)', for text outside the book."""
    bibliography = _bibliography(str(Path(app.srcdir) / app.config.bibtex_bibfiles[0]))
    cited = [bibliography.get(key.strip(), (key.strip(), "n.d.")) for key in keys.split(",")]
    if textual:
        return "; ".join(f"{who} ({year})" for who, year in cited)
    return "(" + "; ".join(f"{who} {year}" for who, year in cited) + ")"


def _write_data_zip(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_zip(Path(app.outdir) / ZIP_NAME)


class EvidenceGlossary(SphinxDirective):
    """``{evidence-glossary}``: a Sphinx glossary from data/glossary.csv, each term with its source's words.

    Terms become linkable from any chapter with ``{term}`Returnee```. Every string from
    data is escaped, so a definition or quote is shown as the characters it is.
    """

    def run(self) -> list[nodes.Node]:
        from evidence import voices
        from evidence.display import escape_markdown

        self.env.note_dependency(str(DATA_DIR / "glossary.csv"))
        self.env.note_dependency(str(DATA_DIR / "claims.csv"))
        evidence = _evidence()
        lines = ["```{glossary}", ":sorted:", ""]
        for entry in evidence.tables["glossary"].itertuples(index=False):
            claim = evidence.claim(entry.claim_id)
            lines += [
                escape_markdown(entry.term),
                f"  {escape_markdown(entry.definition)}",
                "",
                f"  In the sources: “{escape_markdown(claim['quote'])}” — "
                f"{escape_markdown(voices.credit(claim, evidence.sources))}, "
                f"{escape_markdown(claim['stated'])}, in {{cite:t}}`{claim['source_id']}`.",
                "",
            ]
        lines.append("```")
        container = nodes.container(classes=["evidence-glossary"])
        self.state.nested_parse(StringList(lines, source="data/glossary.csv"), self.content_offset, container)
        _keep_characters(container)
        return container.children


def _stamp_inputs(app: Sphinx, docname: str, source: list[str]) -> None:
    """Before a page is parsed (and, if needed, executed): stamp its first cell, ask the kernel to record.

    A notebook already executing in a parallel kernel is waited for and cached first (:mod:`.execute`).
    """
    execute.finish(app, docname)
    folder, name = execute.inputs_folder(app), execute.record_name(docname)
    (folder / f"{name}.new").unlink(missing_ok=True)
    os.environ[inputs.ENV_VAR] = str(folder / f"{name}.new")
    stamp = inputs.stamp_for(folder, name)
    _STAMPS[docname] = stamp
    if stamp:
        source[0] = inputs.stamp_first_code_cell(source[0], stamp)


def _note_inputs(app: Sphinx, doctree: nodes.document) -> None:
    """After a page is read: if its kernel ran, keep what it recorded; make those files the page's dependencies."""
    folder, name = execute.inputs_folder(app), execute.record_name(app.env.docname)
    inputs.keep_fresh_record(folder, name, _STAMPS.get(app.env.docname, ""))
    for path in inputs.read_manifest(folder / f"{name}.txt"):
        app.env.note_dependency(str(path))
    os.environ.pop(inputs.ENV_VAR, None)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _check_evidence)
    app.add_directive("claim-quote", ClaimQuote)
    app.add_directive("evidence-glossary", EvidenceGlossary)
    app.connect("builder-inited", _write_static_files)
    app.connect("html-page-context", _page_scripts)
    app.connect("doctree-resolved", _add_citation)
    app.connect("doctree-read", _numbered_tables, priority=400)  # before the inputs are noted
    app.connect("doctree-resolved", _breakable_tables)
    app.add_post_transform(ChartPdfs)
    app.connect("doctree-resolved", _collapsed_code_off_paper)
    app.connect("html-page-context", _offer_notebook, priority=400)  # before the theme builds its menu
    app.connect("build-finished", _write_data_zip)
    app.connect("env-before-read-docs", execute.start)
    app.connect("source-read", _stamp_inputs)
    app.connect("build-finished", execute.stop)
    app.connect("doctree-read", _note_inputs)
    # Not parallel-read safe: notebooks run in parallel kernels are collected in the reading process
    # (jupyter-book reads serially anyway: its sphinx_multitoc_numbering is not parallel-safe either).
    return {"parallel_read_safe": False, "parallel_write_safe": True}
