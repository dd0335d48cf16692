"""The claims page and the source pages: generated from data every time the book is built.

- ``{evidence-claims}`` (``chapters/claims.md``): every claim of the ledger, grouped by source, each at
  the anchor ``#<claim_id>``, with its quote, source, voice and mode (:func:`voice_words`), date,
  figure in words (:func:`evidence.hedges.describe`) and the pages that use it; above them a filter
  box (``static/evidence-claims-filter.js``, served by the book, so it works offline).
- ``{evidence-source} SOURCE_ID``: a source's register entry (``data/sources.csv``) and every passage
  the book quotes from it, highlighted in a window of its text (:func:`context_windows`), each run of
  words labelled with its voice and mode (``data/voices.csv``), each linked to its claim.
- ``{claim-id}`ID```: a ledger id, linked to its entry on the claims page (``{claim-quote}`` uses it).
- One page per source, ``chapters/source/<source_id>.md``, is written when the build starts
  (:func:`write_source_pages`; ``_toc.yml`` takes them with a glob). A page holds only the directive,
  so nothing from data is ever written into Markdown, and every string from data reaches the page
  as a text node, escaped by the writer.

**Used in.** A page uses a claim when the claim's id appears, as a whole id, in the page's source
file (a ``{claim-quote}`` or ``{claim-id}``, a code cell, the prose) or in its doctree as read, which
holds what its executed cells display (tables, chart data). Reading the source catches claims a
hidden cell uses for a glued number; reading the doctree catches claims a cell selects from data
(by topic, through positions.csv), which the source never names. "Whole" means not inside a longer
id: ``pp-a-b`` is not found in ``pp-a-b-c``. Not found: a claim whose words a
page shows without its id anywhere on the page. The claims and source pages are not counted as
users. Found at read time and kept per page, so an incremental build rewrites the claims page
only when some page's set of claims changed (:func:`_claims_page_if_uses_changed`); a page read
before this module existed is read again once (:func:`_pages_never_scanned`).

**Windows.** A window runs up to :data:`WINDOW` characters either side of each quoted piece, cut
at a word, and stops where page furniture or a reader comment begins (:data:`CLOSED_MODES`), so
a blog's reader comments never appear; pieces of an elided quote far apart get separate windows.
The text is the source as the quote check reads it (:func:`evidence.quotes.normalise`).
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pandas as pd
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import make_refnode

from evidence import hedges, quotes, tables, voices
from evidence.ledger import DATA_DIR
from evidence.sphinxext.extension import _evidence, _keep_characters

logger = logging.getLogger(__name__)

WINDOW = 120  # characters of context, at most, either side of a quoted piece (a window, not the article)
CLOSED_MODES = ("comment", "furniture")  # passages a window never enters
SOURCE_FOLDER = "chapters/source"  # the generated source pages (git-ignored)
SOURCE_PAGE = "% Generated from data/sources.csv by evidence/sphinxext/evidence_pages.py: do not edit.\n\n" \
              "```{{evidence-source}} {}\n```\n"
FILTER_SCRIPT = "evidence-claims-filter.js"
PAGES_CSS = "evidence-pages.css"
FILTER_BOX = (
    '<div class="evidence-claims-filter" hidden>'
    '<label for="evidence-claims-filter">Filter the claims</label> '
    '<input type="search" id="evidence-claims-filter" autocomplete="off" spellcheck="false" '
    'aria-describedby="evidence-claims-filter-help evidence-claims-count">'
    '<span id="evidence-claims-filter-help">Words in a claim\'s id, quote, voice or source; '
    "every word must match.</span>"
    '<span id="evidence-claims-count" role="status"></span></div>'
)


# --------------------------------------------------------------------------- nodes


class claim_link(nodes.inline):
    """A link to be made when the page is written: to a claim on the claims page, a source page or a page.

    ``kind`` is "claim", "source" or "page", ``key`` the claim id, source id or docname, ``anchor``
    the id on the target page ("" for its top). Where the target page is not in the build (one chapter built alone) or the
    format has no links between pages (the PDF), the link's words stay as text.
    """


class used_in(nodes.inline):
    """The "used in" list of a claim, filled in when the claims page is written (``claim_id``)."""


class quoted(nodes.strong):
    """Words the book quotes, highlighted in their context: ``<mark>`` in HTML, bold elsewhere."""


def _visit_quoted(self, node: quoted) -> None:
    self.body.append(self.starttag(node, "mark", "", CLASS="evidence-quoted"))


def _depart_quoted(self, node: quoted) -> None:
    self.body.append("</mark>")


# --------------------------------------------------------------------------- what the environment keeps


def _kept(env: BuildEnvironment) -> dict:
    """The pages' data in the environment: the claims page, each source's page, each page's claims."""
    if not hasattr(env, "evidence_pages"):
        env.evidence_pages = {"claims": set(), "sources": {}, "uses": {}}
    return env.evidence_pages


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    kept = _kept(env)
    kept["claims"].discard(docname)
    kept["uses"].pop(docname, None)
    for source_id in [s for s, d in kept["sources"].items() if d == docname]:
        del kept["sources"][source_id]


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    kept, theirs = _kept(env), _kept(other)
    kept["claims"] |= theirs["claims"] & docnames
    kept["sources"].update({s: d for s, d in theirs["sources"].items() if d in docnames})
    kept["uses"].update({d: u for d, u in theirs["uses"].items() if d in docnames})


def claims_page(env: BuildEnvironment) -> str | None:
    """The docname of the page holding ``{evidence-claims}``, if the build has one."""
    pages = sorted(_kept(env)["claims"])
    return pages[0] if pages else None


def _own_pages(env: BuildEnvironment) -> set[str]:
    kept = _kept(env)
    return kept["claims"] | set(kept["sources"].values())


# --------------------------------------------------------------------------- "used in"


def claim_ids_in(text: str, claim_ids) -> set[str]:
    """The claim ids that ``text`` names, each as a whole id (not inside a longer id)."""
    ids = sorted(claim_ids, key=len, reverse=True)
    if not ids:
        return set()
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    return set(pattern.findall(text))


_USES_BEFORE: dict[str, set[str]] = {}


def _remember_uses(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _USES_BEFORE.clear()
    _USES_BEFORE.update({d: set(u) for d, u in _kept(env)["uses"].items()})


def _note_uses(app: Sphinx, doctree: nodes.document) -> None:
    """After a page is read: the claims its source file and its doctree name (see the module's docstring)."""
    env = app.env
    if env.docname in _own_pages(env):
        return
    source = Path(env.doc2path(env.docname)).read_text(encoding="utf-8")
    _kept(env)["uses"][env.docname] = claim_ids_in(source + "\n" + doctree.astext(), _evidence().claims.index)


def _pages_never_scanned(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> set[str]:
    """Pages read before this module noted their claims (an environment built before it was added): read them again."""
    return set(env.all_docs) - set(_kept(env)["uses"]) - _own_pages(env) - set(removed)


def _claims_page_if_uses_changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rewrite the claims page when a page read in this build now uses other claims than before."""
    page = claims_page(env)
    return [page] if page and _kept(env)["uses"] != _USES_BEFORE else []


def book_order(env: BuildEnvironment) -> list[str]:
    """Every page, in the order of the table of contents (pages outside it last, by name)."""
    order: list[str] = []

    def walk(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.all_docs) - set(order))


# --------------------------------------------------------------------------- words


def voice_words(voice: str, mode: str, speaker: str, source_id: str, sources: pd.DataFrame) -> str:
    """Whose words and how the source gives them: :func:`evidence.voices.credit`, with the mode named
    where the credit does not show it ('NPR (Greg Myre), narration')."""
    credit = voices.credit(pd.Series({"voice": voice, "mode": mode, "speaker": speaker, "source_id": source_id}), sources)
    return credit if credit != voice else f"{voice}, {mode.replace('-', ' ')}"


def _claim_voice(claim: pd.Series, sources: pd.DataFrame) -> str:
    return voice_words(claim["voice"], claim["mode"], claim["speaker"], claim["source_id"], sources)


def _link(kind: str, key: str, anchor: str, *children: nodes.Node, classes: tuple[str, ...] = ()) -> claim_link:
    node = claim_link(kind=kind, key=key, anchor=anchor, classes=list(classes))
    node.extend(children)
    return node


def _field(paragraph: nodes.paragraph, label: str, *content: nodes.Node) -> None:
    if len(paragraph):
        paragraph += nodes.Text(" · ")
    paragraph += nodes.strong(text=label)
    paragraph += nodes.Text(" ")
    paragraph.extend(content)


# --------------------------------------------------------------------------- the claims page


class EvidenceClaims(SphinxDirective):
    """``{evidence-claims}``: the filter box, then each source's claims, in ledger order."""

    def run(self) -> list[nodes.Node]:
        for name in ("claims.csv", "sources.csv"):
            self.env.note_dependency(str(DATA_DIR / name))
        _kept(self.env)["claims"].add(self.env.docname)
        evidence = _evidence()
        output: list[nodes.Node] = [nodes.raw("", FILTER_BOX, format="html")]
        for source_id, source in evidence.sources.iterrows():
            claims = evidence.claims[evidence.claims["source_id"] == source_id]
            section = nodes.section(ids=[f"claims-from-{source_id}"], classes=["evidence-claims-source"])
            section += nodes.title(text=tables.short_name(source))
            intro = nodes.paragraph(text=f"{len(claims)} claims. Each passage in its context: ")
            intro += _link("source", source_id, "", nodes.Text(f"the page of {tables.short_name(source)}"))
            intro += nodes.Text(".")
            section += intro
            for _, claim in claims.iterrows():
                section += self._entry(claim, evidence.sources)
            _keep_characters(section)
            output.append(section)
        return output

    @staticmethod
    def _entry(claim: pd.Series, sources: pd.DataFrame) -> nodes.container:
        claim_id = claim["claim_id"]
        box = nodes.container(ids=[claim_id], classes=["evidence-claim"])
        head = nodes.paragraph(classes=["evidence-claim-head"])
        head += nodes.reference("", "", nodes.literal(text=claim_id), refid=claim_id, classes=["evidence-claim-id"])
        head += nodes.Text(f" · {claim['topic']}")
        box += head
        box += nodes.block_quote("", nodes.paragraph(text=claim["quote"]))
        meta = nodes.paragraph(classes=["evidence-claim-meta"])
        _field(meta, "Voice", nodes.Text(_claim_voice(claim, sources)))
        _field(meta, "Stated", nodes.Text(claim["stated"]))
        figure = hedges.describe(claim)
        if figure:
            _field(meta, "Figure", nodes.Text(figure))
        _field(meta, "Source", _link("source", claim["source_id"], claim_id,
                                     nodes.Text(tables.short_name(sources.loc[claim["source_id"]]))))
        _field(meta, "Used in", used_in(claim_id=claim_id))
        box += meta
        return box


def _fill_used_in(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    order = [d for d in book_order(env) if d not in _own_pages(env)]
    uses = _kept(env)["uses"]
    for node in list(doctree.findall(used_in)):
        users = [d for d in order if node["claim_id"] in uses.get(d, ())]
        parts: list[nodes.Node] = []
        for user in users:
            if parts:
                parts.append(nodes.Text(", "))
            title = env.titles[user].astext() if user in env.titles else user
            parts.append(_link("page", user, "", nodes.Text(title)))
        node.replace_self(nodes.inline("", "", *(parts or [nodes.Text("no page names this id")]), classes=["evidence-used-in"]))


# --------------------------------------------------------------------------- the source pages


def locate(claim: pd.Series, passages: list[voices.Passage], text: str) -> list[tuple[int, int]]:
    """Where each piece of a claim's quote stands in its (normalised) source: the first occurrence,
    in order, inside a passage of the claim's voice, mode and speaker (as the voices check finds it)."""
    wanted = (claim["voice"], claim["mode"], claim["speaker"])
    spans, position = [], 0
    for piece in quotes.quote_pieces(claim["quote"]):
        hits, begin = [], text.find(piece, position)
        while begin >= 0:
            hits.append(begin)
            begin = text.find(piece, begin + 1)
        if not hits:
            return []

        def in_voice(begin: int) -> bool:
            passage = voices.innermost(passages, claim["source_id"], begin, begin + len(piece))
            return passage is not None and (passage.voice, passage.mode, passage.attributed_to) == wanted

        begin = next((h for h in hits if in_voice(h)), hits[0])
        spans.append((begin, begin + len(piece)))
        position = begin + len(piece)
    return spans


def context_windows(spans: list[tuple[int, int]], text: str, closed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The windows of text shown around quoted pieces: up to :data:`WINDOW` characters either side,
    cut at a space, never entering a ``closed`` span (one that holds no piece); overlapping windows merged."""
    closed = [(b, e) for b, e in closed if not any(b < pe and ps < e for ps, pe in spans)]
    windows: list[tuple[int, int]] = []
    for begin, end in spans:
        low = max([e for b, e in closed if e <= begin], default=0)
        high = min([b for b, e in closed if b >= end], default=len(text))
        start, stop = max(low, begin - WINDOW), min(high, end + WINDOW)
        if start > low and not text[start - 1].isspace():  # cut inside a word: start after it
            space = text.find(" ", start, begin)
            start = space + 1 if space >= 0 else begin
        if stop < high and not text[stop].isspace():
            space = text.rfind(" ", end, stop)
            stop = space if space >= 0 else end
        while start < begin and text[start].isspace():
            start += 1
        while stop > end and text[stop - 1].isspace():
            stop -= 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(stop, windows[-1][1]))
        else:
            windows.append((start, stop))
    return windows


def _window_node(start: int, stop: int, spans, text: str, passages, source_id: str, sources) -> nodes.inline:
    """One window: its text in runs of one voice each, each run labelled, the quoted pieces marked."""
    points = sorted({start, stop} | {p for passage in passages for p in (passage.begin, passage.end) if start < p < stop}
                    | {p for span in spans for p in span if start < p < stop})
    runs: list[tuple[voices.Passage | None, list[tuple[str, bool]]]] = []  # (passage, [(words, quoted?)])
    for a, b in zip(points, points[1:]):
        passage = voices.innermost(passages, source_id, a, b)
        part = (text[a:b], any(s <= a and b <= e for s, e in spans))
        if runs and (passage == runs[-1][0] or not part[0].strip()):  # same voice, or spaces only
            runs[-1][1].append(part)
        else:
            runs.append((passage, [part]))
    window = nodes.inline(classes=["evidence-window"])
    if start > 0:
        window += nodes.Text("… ")
    for passage, parts in runs:
        run = nodes.inline(classes=["evidence-voice"] + ([f"evidence-mode-{passage.mode}"] if passage else []))
        if passage and re.search(r"\w", "".join(words for words, _ in parts)):
            if runs[0][0] is not passage:
                run += nodes.Text(" ")
            label = voice_words(passage.voice, passage.mode, passage.attributed_to, source_id, sources)
            run += nodes.inline(text=f"[{label}]", classes=["evidence-voice-label"])
            run += nodes.Text(" ")
        for words, marked in parts:
            run += quoted(text=words) if marked else nodes.Text(words)
        window += run
    if stop < len(text):
        window += nodes.Text(" …")
    return window


class EvidenceSource(SphinxDirective):
    """``{evidence-source} SOURCE_ID``: the page of one source (see the module's docstring)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        evidence = _evidence()
        source_id = self.arguments[0]
        if source_id not in evidence.sources.index:
            raise self.error(f"source '{source_id}' is not in data/sources.csv")
        source = evidence.sources.loc[source_id]
        for name in ("sources.csv", "claims.csv", "voices.csv", f"sources/{source['file']}"):
            self.env.note_dependency(str(DATA_DIR / name))
        _kept(self.env)["sources"][source_id] = self.env.docname

        text = evidence.texts[source_id]
        passages, _ = voices.resolve(evidence.tables["voices"], evidence.texts)
        passages = [p for p in passages if p.source_id == source_id]
        closed = [(p.begin, p.end) for p in passages if p.mode in CLOSED_MODES]
        located = []
        for _, claim in evidence.claims[evidence.claims["source_id"] == source_id].iterrows():
            spans = locate(claim, passages, text)
            if spans:
                located.append((spans, claim))
            else:
                logger.warning(f"claim '{claim['claim_id']}': its quote is not found in source '{source_id}'",
                               location=(self.env.docname, self.lineno))
        located.sort(key=lambda item: item[0][0])

        page = nodes.section(ids=[f"source-{source_id}"], names=[f"source {source_id}"])
        page += nodes.title(text=tables.short_name(source))
        page += nodes.paragraph(text=(
            f"The register entry of this source and the {len(located)} passages of it that the book quotes, "
            f"in text order. Each is shown in a window of the text around it (at most {WINDOW} characters "
            "either side, stopping where page furniture or reader comments begin), not the whole document, "
            "whose text belongs to its publisher. Each run of words is labelled, in brackets, with whose words "
            "it is and how the source gives them (data/voices.csv); the quoted words are highlighted. The text "
            "is shown as the quote check reads it (curly quotes straightened, line breaks removed)."
        ))
        page += self._register(source, evidence)
        passages_section = nodes.section(ids=[f"passages-{source_id}"], names=[f"passages {source_id}"])
        passages_section += nodes.title(text="Passages the book quotes")
        for spans, claim in located:
            passages_section += self._passage(claim, spans, text, passages, closed, evidence.sources)
        page += passages_section
        _keep_characters(page)
        return [page]

    @staticmethod
    def _register(source: pd.Series, evidence) -> nodes.section:
        section = nodes.section(ids=[f"register-{source['source_id']}"], names=[f"register {source['source_id']}"])
        section += nodes.title(text="Register entry")
        fields = nodes.field_list(classes=["evidence-register"])

        def field(name: str, *body: nodes.Node) -> None:
            fields.append(nodes.field("", nodes.field_name(text=name), nodes.field_body("", nodes.paragraph("", "", *body))))

        def value(column: str) -> nodes.Text:
            return nodes.Text(source[column] or tables.NOT_STATED)

        field("Source id", nodes.literal(text=source["source_id"]))
        field("Outlet", value("outlet"))
        field("Kind", nodes.Text(tables.KIND_LABELS[source["kind"]]))
        field("Author", value("author"))
        field("Title", value("title"))
        field("Date", nodes.Text(f"{source['published'] or tables.NOT_STATED} "
                                 f"({tables.DATE_CERTAINTY_LABELS[source['date_certainty']]})"))
        url = source["url"]
        if re.match(r"https?://", url or ""):
            field("URL", nodes.reference(url, url, refuri=url))
        else:
            field("URL", value("url"))
        field("Relies on", value("relies_on"))
        field("Notes", value("notes"))
        field("File", nodes.literal(text=f"data/sources/{source['file']}"))
        field("SHA-256", nodes.literal(text=source["sha256"]))
        count = int((evidence.claims["source_id"] == source["source_id"]).sum())
        field("Claims", nodes.Text(f"{count} in the ledger"))
        section += fields
        return section

    @staticmethod
    def _passage(claim, spans, text, passages, closed, sources) -> nodes.container:
        claim_id = claim["claim_id"]
        box = nodes.container(ids=[claim_id], classes=["evidence-passage"])
        head = nodes.paragraph(classes=["evidence-passage-head"])
        head += _link("claim", claim_id, claim_id, nodes.literal(text=claim_id))
        head += nodes.Text(f" — {_claim_voice(claim, sources)}, {claim['stated']}")
        box += head
        context = nodes.paragraph(classes=["evidence-context"])
        for number, (start, stop) in enumerate(context_windows(spans, text, closed)):
            if number:
                context += nodes.Text(" ")
            inside = [s for s in spans if start <= s[0] and s[1] <= stop]
            context += _window_node(start, stop, inside, text, passages, claim["source_id"], sources)
        box += context
        return box


# --------------------------------------------------------------------------- links and ids elsewhere


class ClaimIdRole(SphinxRole):
    """``{claim-id}`pp-a-b```: the id in code type, linked to its entry on the claims page."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        claim_id = self.text.strip()
        self.env.note_dependency(str(DATA_DIR / "claims.csv"))
        if claim_id not in _evidence().claims.index:
            message = self.inliner.reporter.error(f"claim '{claim_id}' is not in data/claims.csv", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        return [_link("claim", claim_id, claim_id, nodes.literal(text=claim_id), classes=("evidence-claim-ref",))], []


def _resolve_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Make each :class:`claim_link` a link to its page (HTML), or leave its words as text."""
    _fill_used_in(app, doctree, docname)
    kept = _kept(app.env)
    for node in list(doctree.findall(claim_link)):
        target = {"claim": claims_page(app.env), "source": kept["sources"].get(node["key"]),
                  "page": node["key"]}[node["kind"]]
        children = [child.deepcopy() for child in node.children]
        if app.builder.format == "html" and target in app.env.all_docs:
            reference = make_refnode(app.builder, docname, target, node["anchor"], children)
            reference["classes"] += node["classes"]
            node.replace_self(reference)
        else:
            node.replace_self(children)


def write_source_pages(app: Sphinx) -> None:
    """Write ``chapters/source/<source_id>.md`` for each source, if the table of contents takes them.

    A file is rewritten only when its text changes, and a page whose source left the register is
    removed, so an unchanged book is not re-read.
    """
    site_map = getattr(app.config, "external_site_map", None)
    if site_map is None or not any(pattern.startswith(SOURCE_FOLDER + "/") for pattern in site_map.globs()):
        return
    with open(DATA_DIR / "sources.csv", newline="", encoding="utf-8") as handle:
        wanted = {f"{row['source_id']}.md": SOURCE_PAGE.format(row["source_id"]) for row in csv.DictReader(handle)}
    folder = Path(app.srcdir) / SOURCE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for stale in folder.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The filter script on the claims page; the pages' styles on every page (the claim links and these pages)."""
    if pagename == claims_page(app.env):
        app.add_js_file(FILTER_SCRIPT, loading_method="defer")
    if pagename in _own_pages(app.env):
        app.add_css_file(PAGES_CSS)


def _escape_print_title(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """sphinx-book-theme prints ``<h1>{{ pagetitle }}</h1>`` (its print header) from the title's plain text,
    unescaped: a source page's title comes from data, so the text is escaped here, after the theme set it."""
    if "pagetitle" in context:
        context["pagetitle"] = html.escape(context["pagetitle"])


def setup(app: Sphinx) -> None:
    """Registered from :func:`evidence.sphinxext.extension.setup`."""
    app.add_node(claim_link)
    app.add_node(used_in)
    app.add_node(quoted, html=(_visit_quoted, _depart_quoted))
    app.add_directive("evidence-claims", EvidenceClaims)
    app.add_directive("evidence-source", EvidenceSource)
    app.add_role("claim-id", ClaimIdRole())
    app.connect("builder-inited", write_source_pages)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _pages_never_scanned)
    app.connect("env-before-read-docs", _remember_uses)
    app.connect("doctree-read", _note_uses)
    app.connect("env-get-updated", _claims_page_if_uses_changed)
    app.connect("doctree-resolved", _resolve_links)
    app.connect("html-page-context", _page_assets)
    app.connect("html-page-context", _escape_print_title, priority=900)  # after the theme's own handler
