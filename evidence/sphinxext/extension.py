"""Sphinx extension of the book.

- Checks the evidence base before Sphinx writes anything: a direct
  ``jupyter-book build`` would otherwise meet bad data inside a notebook cell
  and stop with a traceback; here it stops at once with the list of problems.
- Provides the ``claim-quote`` directive: a block quotation taken from the
  ledger by claim id, with its speaker, date and citation, so a quotation is
  never typed twice and always matches its source.
- Ends every chapter page with "Cite this chapter", gives it citation meta tags and every page
  the licence statement, all made from CITATION.cff (:mod:`evidence.sphinxext.citing`).
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
import urllib.parse
from html import unescape as html_unescape
from functools import lru_cache

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from evidence.sphinxext import citing
from evidence.sphinxext.chapter_pdf import PDF_FOLDER  # the chapter PDFs
from evidence.sphinxext.citation import BOOK_PDF  # the whole book, copied next to index.html by `make pdf`
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
            f"in {{cite:t}}`{claim['source_id']}`; ledger: {{claim-id}}`{claim_id}`",
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
    icons = folder / ICON_FILE
    icons.write_text(icon_stylesheet(), encoding="utf-8")
    app.config.html_static_path += [str(folder), str(STATIC)]
    app.add_css_file("evidence.css")
    app.add_css_file(ICON_FILE)


# Every Font Awesome icon the theme and the book show (a test checks the built pages use no other).
ICONS = (
    "angle-left", "angle-right", "arrow-up", "bars", "bell", "circle-half-stroke", "code", "download", "expand", "file",
    "file-lines", "file-pdf", "house", "lightbulb", "list", "magnifying-glass", "moon", "outdent", "pencil", "play",
    "rocket", "sun", "xmark",
)
ICON_FILE = "evidence-icons.css"


def icon_stylesheet() -> str:
    """CSS that draws :data:`ICONS` from Font Awesome's own paths, instead of its 1.5 MB script.

    The theme writes icons as ``<i class="fa-solid fa-bars">``; the script would replace each with
    an SVG. Here each class gets the icon's path as a CSS mask painted in the text colour, so the
    icons look and scale the same (and follow the dark mode) for a few kilobytes.
    """
    import pydata_sphinx_theme

    script = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "scripts"
              / "fontawesome.js").read_text(encoding="utf-8")
    rules = [
        # font-family: the theme's stylesheet would otherwise fetch Font Awesome's web font (156 kB) for these.
        '.fa-solid,.fa-regular,.fa-brands,.fas,.far,.fab{display:inline-block;width:1.25em;height:1em;'
        "vertical-align:-0.125em;font-style:normal;font-family:inherit!important}",
        '.fa-solid::before,.fa-regular::before,.fa-brands::before,.fas::before,.far::before,.fab::before{content:"";'
        "display:block;width:100%;height:100%;background-color:currentColor;"
        "-webkit-mask:var(--evidence-icon) no-repeat center/contain;mask:var(--evidence-icon) no-repeat center/contain}",
        ".fa-lg{font-size:1.25em}",
    ]
    for name in ICONS:
        found = re.findall(rf'(?:"{name}"|[{{,]{name.replace("-", "_")}):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]', script)
        if not found:
            raise SphinxError(f"icon '{name}' is not in the theme's Font Awesome set")
        width, height, path = found[-1]  # the solid style is defined last
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        rules.append(f'.fa-{name}{{--evidence-icon:url("data:image/svg+xml,{urllib.parse.quote(svg)}")}}')
        if name == "bell":  # the theme's admonition titles draw this icon with the web font: draw it as a mask too
            rules.append(
                '.admonition>.admonition-title::after,div.admonition>.admonition-title::after{content:"";font:inherit;'
                "background-color:currentColor;-webkit-mask:var(--evidence-icon) no-repeat center/contain;"
                f'mask:var(--evidence-icon) no-repeat center/contain;--evidence-icon:url("data:image/svg+xml,{urllib.parse.quote(svg)}")}}'
            )
    return "\n".join(rules) + "\n"


NUMBERED_TABLE = re.compile(
    r'<div class="pst-scrollable-table-container"><table class="([^"]*evidence-numbered-table[^"]*)" id="([^"]+)">\s*'
    r"<caption>(.*?)</caption>", re.S)


def _caption_outside(match: re.Match) -> str:
    """The caption as a block above the table's scroll container (which it labels), taking the table's anchor."""
    classes, anchor, caption = match.groups()
    return (f'<div class="evidence-table-caption" id="{anchor}">{caption}</div>'
            f'<div class="pst-scrollable-table-container" role="region" tabindex="0" aria-labelledby="{anchor}">'
            f'<table class="{classes}" aria-labelledby="{anchor}">')


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Vega only where there are charts; no Thebe anywhere (the book has no live kernel to launch); ARIA fixed.

    sphinx-thebe, which Jupyter Book always loads, declares its globals twice and so
    throws a console error on every page, and would reach a CDN if started.
    """
    # A docutils citation list claims role="list" but holds no list items (axe: aria-required-children).
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')
        # A numbered table's caption stands above its scrolling box, so it stays in view on a phone.
        context["body"] = NUMBERED_TABLE.sub(_caption_outside, context["body"])
        # MyST-NB names every hide-input toggle "Toggle hidden content", not the words it shows, "Show code
        # cell source" (axe: label-content-name-mismatch): without the label, the visible words name it.
        context["body"] = context["body"].replace('<summary aria-label="Toggle hidden content">', "<summary>")
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


class KeepOutputCharacters(SphinxTransform):
    """Show notebook outputs exactly as computed: no smart quotes in tables or text generated from data.

    Sphinx curls straight quotes in text it parses; a table output parsed from Markdown would turn a
    source's ``"`` into ``“`` (and a hostile ``"><img`` into something else). Runs before SmartQuotes.
    """

    default_priority = 700

    def apply(self, **kwargs) -> None:
        for bundle in self.document.findall(lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "mime_bundle"):
            bundle["support_smartquotes"] = False
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
        label = nodes.fully_normalize_name(html_unescape(name[1]))
        table["names"].append(label)
        table["classes"].append("evidence-numbered-table")
        doctree.note_explicit_target(table, table)
        bundle.replace_self(table)
        # Sphinx collected the page's labels before doctree-read: register this one, or {numref} cannot find it.
        std = app.env.get_domain("std")
        std.anonlabels[label] = (app.env.docname, table["ids"][0])
        std.labels[label] = (app.env.docname, table["ids"][0], std.get_numfig_title(table))


def _collapsed_code_off_paper(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the PDF, leave out the code of ``hide-input`` cells (long helpers): paper cannot expand them.

    The analysis cells a reader should see stay visible in every format; the notebook keeps all code.
    """
    if app.builder.format != "latex":
        return
    for cell in list(doctree.findall(lambda n: isinstance(n, nodes.container) and "tag_hide-input" in n["classes"])):
        for part in [c for c in cell.children if isinstance(c, nodes.container) and "cell_input" in c["classes"]]:
            cell.remove(part)


# Characters of body text across the text block (A4, 10 pt) at each type size, and the padding of a column.
LINE_CHARACTERS = {"normalsize": 88, "small": 98, "footnotesize": 110, "scriptsize": 128}
COLUMN_PADDING = 3
LONGEST_WORD = 28  # a longer token (a URL, an identifier) may break inside, like the book's URLs (xurl)
LONG_TABLE_LINES = 30  # a table taller than this (in lines of text) may break across pages; a shorter one stays whole


def pdf_column_widths(cells: list[list[str]]) -> tuple[list[int], str]:
    """Column widths (relative) and a type size that fit a table's text on the PDF page without clipping.

    Every column first gets room for its longest word, so no word is cut or overprinted; what
    is left of the line goes to the columns with longer text, in proportion. If the words alone
    do not fit the line at body size, the table is set in a smaller size.
    """
    columns = list(zip(*cells)) if cells else []
    words = [max((min(len(w), LONGEST_WORD) for text in column for w in text.split()), default=1) for column in columns]
    content = [max((min(len(text), 60) for text in column), default=1) for column in columns]
    need = [w + COLUMN_PADDING for w in words]
    size = next((s for s, line in LINE_CHARACTERS.items() if sum(need) <= line), "scriptsize")
    room = max(LINE_CHARACTERS[size] - sum(need), 0)
    extra = [max(c + COLUMN_PADDING - n, 0) for c, n in zip(content, need)]
    share = sum(extra) or 1
    return [round(10 * (n + room * e / share)) for n, e in zip(need, extra)], size


def table_lines(cells: list[list[str]], widths: list[int], size: str) -> int:
    """About how many lines of text a table takes with these column widths (each row as tall as its fullest cell)."""
    line = LINE_CHARACTERS[size]
    room = [max(line * w / sum(widths) - COLUMN_PADDING, 1) for w in widths]
    return sum(max((-(-len(text) // int(r)) or 1) for text, r in zip(row, room)) for row in cells)


def _breakable_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the PDF, give every table columns that fit its text, and let only long tables break across pages.

    A table's columns get widths from :func:`pdf_column_widths` (set smaller when its words would
    not fit the line); a long table becomes a longtable that breaks across pages and repeats its
    numbered caption ("continued"); a short one stays whole; and no table starts so low on a
    page that its caption would stand alone at the foot.
    """
    if app.builder.format != "latex":
        return
    for table in list(doctree.findall(nodes.table)):
        group = next(table.findall(nodes.tgroup))
        colspecs = [c for c in group.children if isinstance(c, nodes.colspec)]
        rows = [[entry.astext() for entry in row.children if isinstance(entry, nodes.entry)] for row in group.findall(nodes.row)]
        rows = [row + [""] * (len(colspecs) - len(row)) for row in rows]
        widths, size = pdf_column_widths(rows)
        for colspec, width in zip(colspecs, widths):
            colspec["colwidth"] = width
        table["classes"] += ["colwidths-given"] + (["longtable"] if table_lines(rows, widths, size) > LONG_TABLE_LINES else [])
        before = r"\needspace{8\baselineskip}" + ("" if size == "normalsize" else rf"\begingroup\{size}")
        table.parent.insert(table.parent.index(table), nodes.raw("", before, format="latex"))
        if size != "normalsize":
            table.parent.insert(table.parent.index(table) + 1, nodes.raw("", r"\endgroup", format="latex"))


def _introduction_in_contents(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the PDF, give the introduction (the root page, set as front matter) a contents entry and running head.

    The LaTeX layout of Jupyter Book prints the root page after the contents with no chapter
    and turns its section titles into bold lines; here it gets an unnumbered chapter
    "Introduction", with each of those lines (Key findings, …) listed under it in the contents.
    """
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    opening = r"\chapter*{Introduction}\addcontentsline{toc}{chapter}{Introduction}\markboth{Introduction}{Introduction}"
    doctree.insert(0, nodes.raw("", opening, format="latex"))
    from sphinx_jupyterbook_latex.nodes import RootHeader  # Jupyter Book's LaTeX layout: the root's section titles

    for header in list(doctree.findall(RootHeader)):
        title = " ".join(header.astext().split())
        entry = rf"\phantomsection\addcontentsline{{toc}}{{section}}{{{_latex_text(title)}}}"
        header.parent.insert(header.parent.index(header), nodes.raw("", entry, format="latex"))


def _latex_text(text: str) -> str:
    """Plain text made safe inside a LaTeX argument (the special characters escaped)."""
    return re.sub(r"([\\{}$&#^_%~])", r"\\\1", text)


class InPlaceBibliography(SphinxPostTransform):
    """In the PDF, keep each bibliography list where the References chapter puts it.

    Sphinx's LaTeX builder gathers every citation into one "Bibliography" chapter at the end,
    which leaves the References chapter empty and merges the two lists (the sources; the works
    they cite). Here each run of citations becomes its own list in place; the preamble
    (``latex/bibliography.sty``) sets the list without a chapter heading.
    """

    default_priority = 740  # before Sphinx's own BibliographyTransform (750), which is removed
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx.builders.latex.nodes import thebibliography

        for parent in {id(c.parent): c.parent for c in self.document.findall(nodes.citation)}.values():
            run: list[nodes.citation] = []
            for child in [*parent.children, None]:
                if isinstance(child, nodes.citation):
                    run.append(child)
                    continue
                if run:
                    listing = thebibliography()
                    parent.insert(parent.index(run[0]), listing)
                    for citation in run:
                        parent.remove(citation)
                        listing += citation
                    run = []


def _bibliography_in_place(app: Sphinx) -> None:
    """Swap Sphinx's gather-at-the-end bibliography for :class:`InPlaceBibliography` (LaTeX only)."""
    from sphinx.builders.latex.transforms import BibliographyTransform

    if app.builder.format == "latex" and BibliographyTransform in app.registry.post_transforms:
        app.registry.post_transforms.remove(BibliographyTransform)


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
        if role == "claim":
            from evidence.sphinxext.claim_role import figure_text

            return figure_text(evidence, target)
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




def _link_pdfs(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The download menu offers the chapter's own PDF (in place of the theme's print button) and the whole book's.

    Runs after the theme has built the menu. The chapter PDFs are printed from the built pages by
    :mod:`evidence.sphinxext.chapter_pdf`; the whole-book PDF is copied next to index.html by ``make pdf``.
    """
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = [b for b in group["buttons"] if b.get("label") != "download-pdf-button"]
        if citing.is_chapter(pagename):
            buttons.append({
                "type": "link", "url": context["pathto"](f"{PDF_FOLDER}/{Path(pagename).name}.pdf", 1),
                "text": "This chapter (.pdf)", "tooltip": "Download this chapter as a PDF",
                "icon": "fas fa-file-pdf", "label": "download-chapter-pdf-button",
            })
        buttons.append({
            "type": "link", "url": context["pathto"](BOOK_PDF, 1), "text": "Whole book (.pdf)",
            "tooltip": "Download the PDF of the whole book", "icon": "fas fa-file-pdf",
            "label": "download-book-pdf-button",
        })
        group["buttons"] = buttons


def _print_citation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A chapter's citation at its top, shown only in print: the first page of a chapter PDF says how to cite it."""
    if app.builder.format != "html" or not citing.is_chapter(docname):
        return
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    if not sections:
        return
    citation = citing.page_citation(app, docname)
    box = nodes.container(classes=["cite-this-chapter-print"])
    box += nodes.paragraph("", "", nodes.strong(text="Cite this chapter: "), nodes.Text(citation.apa()))
    title = sections[0].next_node(nodes.title)
    sections[0].insert(sections[0].index(title) + 1, box)


def _refresh_static_files(app: Sphinx, exception: Exception | None) -> None:
    """Copy the book's own scripts and styles into _static after every HTML build.

    Sphinx 7.4 never overwrites a file already in _static, and copies nothing when no page is out
    of date, so an edited evidence.css would otherwise never reach an existing build.
    """
    if exception is not None or app.builder.format != "html":
        return
    import shutil

    static = Path(app.outdir) / "_static"
    folders = [Path(p) for p in app.config.html_static_path if Path(p).is_dir() and "evidence" in str(p)]
    for folder in folders:
        for own in folder.iterdir():
            if own.is_file():
                shutil.copyfile(own, static / own.name)


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
    app.connect("builder-inited", _bibliography_in_place)
    app.add_post_transform(InPlaceBibliography)
    app.add_transform(KeepOutputCharacters)
    from evidence.sphinxext.claim_role import ClaimRole

    app.add_role("claim", ClaimRole())
    app.connect("html-page-context", _page_scripts)
    app.connect("doctree-read", _numbered_tables, priority=400)  # before the inputs are noted
    app.connect("doctree-resolved", _breakable_tables)
    app.connect("doctree-resolved", _introduction_in_contents)
    app.add_post_transform(ChartPdfs)
    app.connect("doctree-resolved", _collapsed_code_off_paper)
    app.connect("html-page-context", _offer_notebook, priority=400)  # before the theme builds its menu
    app.connect("html-page-context", _link_pdfs, priority=600)  # after it
    app.connect("doctree-resolved", _print_citation)
    app.connect("build-finished", _write_data_zip)
    app.connect("build-finished", _refresh_static_files)
    app.connect("env-before-read-docs", execute.start)
    app.connect("source-read", _stamp_inputs)
    app.connect("build-finished", execute.stop)
    app.connect("doctree-read", _note_inputs)
    from evidence.sphinxext import evidence_pages  # the claims page and the source pages

    evidence_pages.setup(app)
    citing.setup(app)  # "Cite this chapter", meta tags, citation files, licence footer, html_baseurl
    # Not parallel-read safe: notebooks run in parallel kernels are collected in the reading process
    # (jupyter-book reads serially anyway: its sphinx_multitoc_numbering is not parallel-safe either).
    return {"parallel_read_safe": False, "parallel_write_safe": True}
