"""Hostile and odd input: ledger text that looks like HTML is shown as text and never runs.

Quotes, speakers, outlets, titles and glossary entries are typed (or pasted from the web) by people.
If the book ever put one of them into a page as markup, a source containing
``<script>alert(1)</script>`` or ``"><img src=x onerror=alert(1)>`` would run code in every reader's
browser. This module builds a private copy of the book whose evidence base carries both strings in
every free-text field that reaches a page, then checks, in the raw HTML and in a real browser
(Debian's Chromium, every non-file request blocked), that they are shown as the literal characters
in tables, chart tooltips, the glossary, claim quotations and the references, and that nothing runs.

Where the hostile rows land, and why there (these consumers select ledger rows generically, so a new
row shows up without any code naming it):

- The totals chart of flow-of-recruits (built in the chapter's notebook): every claim with topic ``stock``, unit
  ``people`` and a value is a mark, whose tooltip shows the quote, the speaker and the source; the
  chart's data table (under "Show the data table") shows them too.
- The estimates and reasons tables of decline-in-arrivals (built in the chapter's notebook):
  every ``flow`` and ``decline-reason`` claim is a row, with its credit and outlet (reasons: its quote).
- Expert-disagreement: a row of positions.csv citing a hostile claim puts it in the positions matrix
  and the timeline (two charts with tooltips) and in the positions table.
- Appendix sources-and-evidence: the register, claims by topic and source, and the reliability notes
  show the source's outlet, author, title, relies_on and notes; the copy also gets a ``claim-quote``.
- Glossary: a term and a definition with both strings, citing a hostile claim (its quote and speaker
  are printed under the definition).
- References: the BibTeX entry of the hostile source has both strings in its title.
- Claims page: every hostile claim's entry (quote, voice, source); the filter box searches that text.
- The hostile source's own page (generated for every source): its register entry (outlet, author, title,
  relies_on, notes) and each quoted passage in its window, labelled with the hostile voice.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import JUPYTER_BOOK, ROOT, PageVisit, build_copy, copy_project

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MARKER = "alert(1)"  # in both strings: how a hostile cell, tooltip or JSON string is recognised
SPEAKER = f"Analyst {SCRIPT} {IMG}"

HOSTILE_TEXT = f"""Hostile test document

This file exists only for tests/test_hostile_input.py. Its sentences carry markup that must never run.

An analyst said that about 1,234 foreign fighters were counted by {SCRIPT} and {IMG} before March 2017.

Arrivals fell because of {IMG} and {SCRIPT}, the analyst said.

New arrivals were reported by {SCRIPT} to be slowing.

The threat is changing shape, wrote {IMG} in a note.
"""

SOURCE = {
    "source_id": "hostile-test",
    "outlet": f"Hostile Outlet {SCRIPT} {IMG}",
    "kind": "blog",
    "author": f"A. Tester {IMG}",
    "title": f"Hostile title {SCRIPT} {IMG}",
    "published": "2017-03",
    "url": "",
    "file": "hostile-test.txt",
    "sha256": hashlib.sha256(HOSTILE_TEXT.encode("utf-8")).hexdigest(),
    "date_certainty": "stated-in-text",
    "relies_on": f"Nothing but {SCRIPT} and {IMG}.",
    "notes": f"A test fixture: {IMG} {SCRIPT}",
}


def _claim(claim_id: str, topic: str, quote: str, **numbers: str) -> dict[str, str]:
    row = dict.fromkeys(("value", "lower", "upper", "qualifier", "unit", "period_start", "period_end", "geography"), "")
    row.update(numbers)
    return {"claim_id": claim_id, "source_id": "hostile-test", "topic": topic, "speaker": SPEAKER,
            "voice": SPEAKER, "mode": "narration", "stated": "2017-03", "quote": quote, **row, "notes": f"Hostile test row {SCRIPT} {IMG}"}


CLAIMS = [
    # Figure 1.1: topic stock, unit people, with a value.
    _claim("hostile-stock", "stock", f"about 1,234 foreign fighters were counted by {SCRIPT} and {IMG} before March 2017",
           value="1234", qualifier="about", unit="people", period_end="2017-03", geography="all origins"),
    # Table 2.3: topic decline-reason (quote and speaker are shown).
    _claim("hostile-decline", "decline-reason", f"Arrivals fell because of {IMG} and {SCRIPT}, the analyst said."),
    # Table 2.1: topic flow (speaker and outlet are shown).
    _claim("hostile-flow", "flow", f"New arrivals were reported by {SCRIPT} to be slowing."),
    # Expert-disagreement charts and Table 4.2, through the positions row below.
    _claim("hostile-position", "position", f"The threat is changing shape, wrote {IMG} in a note."),
]

# The whole hostile text is one passage in the analyst's (hostile) voice, so every claim's voice checks.
VOICE = {
    "passage_id": "hostile-test-all", "source_id": "hostile-test", "voice": SPEAKER, "mode": "narration",
    "attributed_to": SPEAKER, "start": "Hostile test document", "end": "in a note.", "prefix": "",
    "basis": f"A test fixture {SCRIPT} {IMG}",
}

POSITION = {
    "position_id": "hostile-test-threat-morphing", "voice": SPEAKER, "mode": "narration", "speaker": SPEAKER,
    "proposition": "threat-morphing", "stance": "raises-question", "claim_id": "hostile-position",
    "note": f"Coded for a test: {SCRIPT} {IMG}",
}

GLOSSARY = {
    "term": f"Hostile term {SCRIPT} {IMG}",
    "definition": f"A definition that mentions {SCRIPT} and {IMG} in passing.",
    "claim_id": "hostile-stock",
}

BIBTEX = f"""
@misc{{hostile-test,
  keywords     = {{source}},
  author       = {{Tester, A.}},
  title        = {{{{Hostile title {SCRIPT} {IMG}}}}},
  howpublished = {{Hostile Outlet}},
  year         = {{2017}},
  month        = mar
}}
"""

CLAIM_QUOTE = """

## A hostile quotation (test copy only)

```{claim-quote} hostile-stock
```
"""


def only_literal(text: str) -> bool:
    """True when every ``alert(1)`` in ``text`` belongs to a whole, literal SCRIPT or IMG string.

    Catches a string shown escaped twice (``&lt;script&gt;``), cut short, or partly turned into markup.
    """
    return MARKER not in text.replace(SCRIPT, "").replace(IMG, "")


# Chapter pages that must show the literal strings, and those where they are in a table's cells.
SHOWN = {"flow-of-recruits", "decline-in-arrivals", "expert-disagreement", "sources-and-evidence", "glossary", "references",
         "claims"}
IN_TABLES = {"flow-of-recruits", "decline-in-arrivals", "expert-disagreement", "sources-and-evidence"}
# How many charts per page draw a hostile row (and so must show it in a tooltip).
HOSTILE_CHARTS = {"flow-of-recruits": 1, "expert-disagreement": 2}
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))

pytestmark = pytest.mark.skipif(not JUPYTER_BOOK.exists(), reason="jupyter-book is not installed in this environment")


# --------------------------------------------------------------------------- the hostile copy


def _append_csv(path: Path, rows: list[dict[str, str]]) -> None:
    """Append rows under the file's own header (the schema's column order), quoted as csv quotes them."""
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    if not path.read_bytes().endswith(b"\n"):  # a last row without its newline would absorb ours
        path.write_bytes(path.read_bytes() + b"\n")
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)


def make_hostile_project(target: Path) -> Path:
    """Copy the project and plant the hostile strings in its data, bibliography and one chapter."""
    copy_project(target)
    data = target / "data"
    (data / "sources" / SOURCE["file"]).write_bytes(HOSTILE_TEXT.encode("utf-8"))
    _append_csv(data / "sources.csv", [SOURCE])
    _append_csv(data / "claims.csv", CLAIMS)
    _append_csv(data / "voices.csv", [VOICE])
    _append_csv(data / "positions.csv", [POSITION])
    _append_csv(data / "glossary.csv", [GLOSSARY])
    with open(target / "references.bib", "a", encoding="utf-8") as handle:
        handle.write(BIBTEX)
    with open(target / "chapters" / "sources-and-evidence.md", "a", encoding="utf-8") as handle:
        handle.write(CLAIM_QUOTE)
    return target


@pytest.fixture(scope="module")
def html_dir(tmp_path_factory) -> Path:
    """The built HTML of a private copy whose evidence base carries the hostile strings."""
    project = make_hostile_project(tmp_path_factory.mktemp("hostile") / "project")
    build_copy(project)
    return project / "_build" / "html"


# --------------------------------------------------------------------------- the raw HTML


class MarkupScan(HTMLParser):
    """What a browser would build from the page: elements and attributes that could run code.

    Like a browser, the parser treats a <script> element's content as raw text, so a hostile
    string inside JSON data is not mistaken for a tag, while one that broke out of it would be.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and attrs.get("src") == "x":
            self.found.append(f"<img src=x> element: {attrs}")
        for name, value in attrs.items():
            # The theme's own buttons carry onclick handlers; none of the book's markup uses onerror.
            if name == "onerror" or (name.startswith("on") and MARKER in (value or "")):
                self.found.append(f"event-handler attribute {name}={value!r} on <{tag}>")
        if tag == "script":
            self._script_type = attrs.get("type") or "text/javascript"

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None

    def handle_data(self, data):
        if self._script_type is not None and MARKER in data and self._script_type != "application/json":
            self.found.append(f"executable <script type={self._script_type}> containing {MARKER}: {data[:80]!r}")


JSON_SCRIPT = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.DOTALL | re.IGNORECASE)


def test_the_copy_carries_the_hostile_rows_to_every_expected_page(html_dir):
    """Guards the other tests against passing vacuously: the strings reached each page, escaped."""
    escaped = html.escape(SCRIPT, quote=False)  # &lt;script&gt;alert(1)&lt;/script&gt;
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (html_dir / "chapters").glob("*.html")}
    assert sorted(pages) == CHAPTERS
    assert {name for name, raw in pages.items() if escaped in raw} >= SHOWN
    # Chart data travels as JSON: the hostile strings are in it, intact once decoded.
    specs = [json.loads(body) for raw in pages.values() for body in JSON_SCRIPT.findall(raw)]
    decoded = [json.dumps(spec, ensure_ascii=False) for spec in specs]
    assert sum(SCRIPT in text and IMG in text for text in decoded) >= sum(HOSTILE_CHARTS.values())


def test_raw_html_holds_no_live_markup(html_dir):
    """No built page, in any form a browser would parse, holds the strings as markup.

    Exact byte sequences that would be dangerous anywhere: ``<script>alert(1)</script>`` (in JSON the
    slash is escaped, ``<\\/script>``), and outside JSON data ``<script>alert`` and ``<img src=x``.
    Inside ``<script type="application/json">`` the only dangers are a ``</script`` ending the element
    early (the regex below would then cut the JSON, which would no longer parse) and ``<!--``, which
    switches the HTML parser into a mode where a later ``<script>`` can swallow the page.
    """
    problems = []
    for path in sorted(html_dir.rglob("*.html")):
        raw = path.read_text(encoding="utf-8")
        name = path.relative_to(html_dir).as_posix()
        if SCRIPT.lower() in raw.lower():
            problems.append(f"{name}: contains {SCRIPT!r} verbatim")
        for body in JSON_SCRIPT.findall(raw):
            if "<!--" in body:
                problems.append(f"{name}: '<!--' inside JSON data")
            try:
                json.loads(body)
            except ValueError as error:
                problems.append(f"{name}: JSON data cut short or broken ({error})")
        outside = JSON_SCRIPT.sub("", raw).lower()
        for dangerous in ("<script>alert", "<img src=x"):
            if dangerous in outside:
                problems.append(f"{name}: {dangerous!r} outside JSON data")
        scan = MarkupScan()
        scan.feed(raw)
        problems += [f"{name}: {found}" for found in scan.found]
    assert problems == []


# --------------------------------------------------------------------------- in the browser


class HostilePageVisit(PageVisit):
    """A page visit that can also count the elements hostile strings would create."""

    def injected(self) -> dict[str, int]:
        """Elements the hostile strings would create if they were parsed as markup."""
        return self.page.evaluate(
            """() => ({
                img_src_x: document.querySelectorAll('img[src="x"]').length,
                onerror: document.querySelectorAll('[onerror]').length,
                live_scripts: [...document.scripts].filter(
                    s => s.textContent.includes('alert(1)') && s.type !== 'application/json').length,
            })"""
        )


@pytest.fixture(scope="module")
def pages(html_dir, browser):
    """Open each chapter page once (on first use) and keep it, so later tests see what earlier ones did."""
    opened: dict[str, PageVisit] = {}

    def visit(name: str) -> PageVisit:
        if name not in opened:
            opened[name] = HostilePageVisit(browser, html_dir / "chapters" / f"{name}.html")
        return opened[name]

    yield visit
    for visit in opened.values():
        visit.close()


NOTHING_INJECTED = {"img_src_x": 0, "onerror": 0, "live_scripts": 0}


@pytest.mark.parametrize("name", CHAPTERS)
def test_nothing_executes_on_load(pages, name):
    """Every chapter page: no dialog opened, and no element the strings would create exists."""
    visit = pages(name)
    assert visit.dialogs == []
    assert visit.injected() == NOTHING_INJECTED
    assert visit.blocked == []


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_hostile_strings_are_visible_as_text(pages, name):
    """Where the rows land, the reader sees the characters themselves (data tables under charts opened)."""
    visit = pages(name)
    visit.page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    text = visit.page.inner_text("main")
    assert SCRIPT in text
    # IMG without its leading '"': Sphinx's smartquotes curls that quote in Markdown-rendered text
    # (see test_markdown_rendered_data_keeps_its_straight_quotes); the markup-like part must be exact.
    assert IMG[1:] in text


@pytest.mark.parametrize("name", sorted(IN_TABLES))
def test_every_hostile_table_cell_shows_the_literal_text(pages, name):
    """Each table cell holding a hostile string shows it whole, as text, with no element inside it."""
    cells = pages(name).page.locator("main td, main th").filter(has_text=MARKER)
    assert cells.count() > 0
    for index in range(cells.count()):
        cell = cells.nth(index)
        text = cell.text_content()
        assert only_literal(text), text
        assert cell.locator("img, script").count() == 0


def straight(text: str) -> str:
    """Curly double quotes back to straight ones (what Sphinx's smartquotes did to Markdown-rendered data)."""
    return text.replace("\u201c", '"').replace("\u201d", '"')


def test_the_glossary_entry_is_text(pages):
    """The hostile term, its definition and the quote under it are text in the glossary list."""
    page = pages("glossary").page
    term = page.locator("dl.glossary dt").filter(has_text="Hostile term")
    assert term.count() == 1
    definition = term.locator("xpath=following-sibling::dd[1]")
    # Compared with curly quotes straightened; exact characters are tested separately below.
    shown_term, shown_definition = straight(term.inner_text()), straight(definition.inner_text())
    assert GLOSSARY["term"] in shown_term
    assert only_literal(shown_term) and only_literal(shown_definition)
    assert GLOSSARY["definition"] in shown_definition
    assert CLAIMS[0]["quote"] in shown_definition
    assert SPEAKER in shown_definition
    assert (term.locator("img, script").count(), definition.locator("img, script").count()) == (0, 0)


MARKS = "svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > rect"


def _hostile_charts(page) -> list[str]:
    """Ids of the page's chart figures whose data (not only titles) holds a hostile string."""
    return page.evaluate(
        """() => [...document.querySelectorAll('figure.evidence-chart')].filter(figure => {
            const spec = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
            return JSON.stringify(spec.datasets || spec.data || {}).includes('alert(1)');
        }).map(figure => figure.id)"""
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_chart_tooltips_show_the_hostile_text_as_text(pages, name):
    """Hover every mark of each chart that draws a hostile row: the tooltip shows the characters, runs nothing.

    vega-tooltip builds its box with innerHTML; only its escaping stands between a quote and the page.
    The expected number of such charts per page (HOSTILE_CHARTS) makes sure the rows really are drawn.
    """
    visit = pages(name)
    charts = _hostile_charts(visit.page)
    assert len(charts) == HOSTILE_CHARTS.get(name, 0)
    tooltip = visit.page.locator("#vg-tooltip-element")
    for chart_id in charts:
        chart = visit.page.locator(f"#{chart_id}")
        chart.scroll_into_view_if_needed()
        marks = chart.locator(MARKS)
        hostile = []
        for index in range(marks.count()):
            visit.page.mouse.move(0, 0)
            marks.nth(index).hover(force=True)
            try:
                tooltip.wait_for(state="visible", timeout=1000)
            except Exception:  # a mark without a tooltip (e.g. a plain line)
                continue
            if MARKER in (tooltip.text_content() or ""):
                hostile.append(tooltip.inner_text())
                assert tooltip.locator("img, script").count() == 0, chart_id
        assert hostile, f"no mark of {chart_id} shows the hostile row in its tooltip"
        assert all(only_literal(text) for text in hostile), hostile
        visit.page.mouse.move(0, 0)


@pytest.mark.parametrize("name", CHAPTERS)
def test_chart_alt_text_keeps_the_literal_text(pages, name):
    """A chart's alt text (aria-label) naming the hostile source holds the characters as written.

    Figure 1.1's alt text lists each figure with its source, so it must carry the hostile outlet. Vega
    adds its own aria-labels to axes and marks; those too must hold the characters, not entities
    escaped twice (``&lt;``) or cut at a quote.
    """
    page = pages(name).page
    alt_texts = page.eval_on_selector_all("figure.evidence-chart > [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")
    hostile = [label for label in alt_texts if MARKER in label]
    assert bool(hostile) == (name == "flow-of-recruits")
    assert all(SCRIPT in label and IMG in label for label in hostile), hostile
    labels = page.eval_on_selector_all("figure.evidence-chart [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")
    # The positions charts wrap a row's name into lines joined by " | " (the text, not markup): read them joined.
    labels = [label.replace(" | ", " ") for label in labels]
    assert all(only_literal(label) for label in labels), [label for label in labels if not only_literal(label)]


@pytest.mark.parametrize("name", CHAPTERS)
def test_still_nothing_ran_after_reading_and_hovering(pages, name):
    """After every test above has opened tables and hovered tooltips: still no dialog, nothing injected."""
    visit = pages(name)
    assert visit.dialogs == []
    assert visit.injected() == NOTHING_INJECTED


def test_the_hostile_source_page_shows_register_and_passages_as_text(html_dir, browser):
    """The source page generated for the hostile source: every field and passage is the literal characters."""
    visit = HostilePageVisit(browser, html_dir / "chapters" / "source" / "hostile-test.html")
    try:
        page = visit.page
        fields = page.eval_on_selector_all("dl.evidence-register > dd", "els => els.map(e => e.textContent.trim())")
        for column in ("outlet", "author", "title", "relies_on", "notes"):
            assert SOURCE[column] in fields, column  # exact characters: straight quotes kept
        for claim in CLAIMS:
            passage = page.locator(f"#{claim['claim_id']}")
            assert straight(passage.locator("mark").first.text_content()) in claim["quote"]
            assert f"[{SPEAKER}, narration]" in passage.locator(".evidence-voice-label").first.text_content()
            assert passage.locator("img, script").count() == 0
        assert only_literal(page.inner_text("main"))
        assert visit.dialogs == [] and visit.injected() == NOTHING_INJECTED and visit.blocked == []
    finally:
        visit.close()


def test_the_claims_filter_finds_the_hostile_claims_and_runs_nothing(pages):
    visit = pages("claims")
    box = visit.page.locator("#evidence-claims-filter")
    box.press_sequentially("alert(1)")
    shown = visit.page.eval_on_selector_all(".evidence-claim", "els => els.filter(e => !e.hidden).map(e => e.id)")
    assert sorted(shown) == sorted(claim["claim_id"] for claim in CLAIMS)
    for claim in CLAIMS:
        assert visit.page.locator(f"#{claim['claim_id']} blockquote").text_content().strip() == claim["quote"]
    box.fill("")
    assert visit.dialogs == [] and visit.injected() == NOTHING_INJECTED


def test_search_results_run_nothing(html_dir, browser):
    """The glossary term is in Sphinx's search index (which search.html renders with innerHTML)."""
    visit = HostilePageVisit(browser, html_dir / "search.html")
    try:
        visit.page.goto((html_dir / "search.html").as_uri() + "?q=hostile+term")
        visit.page.locator("#search-results li a").first.wait_for(timeout=15000)
        assert "Glossary" in visit.page.inner_text("#search-results")
        visit.page.wait_for_timeout(500)
        assert visit.dialogs == []
        assert visit.injected() == NOTHING_INJECTED
    finally:
        visit.close()


def test_markdown_rendered_data_keeps_its_straight_quotes(html_dir):
    """A verbatim quote or a term is shown with the characters of the data, straight quotes included."""
    for page, text in (("glossary", GLOSSARY["term"]), ("glossary", CLAIMS[0]["quote"]),
                       ("sources-and-evidence", CLAIMS[0]["quote"])):
        raw = (html_dir / "chapters" / f"{page}.html").read_text(encoding="utf-8")
        assert text in html.unescape(raw), (page, text)


def test_chart_json_survives_an_html_comment_opener():
    """Odd input, not a script: '<!--' in a chart's data must not reach the raw JSON element."""
    import altair as alt
    import pandas as pd

    from evidence.charts import Figure

    data = pd.DataFrame({"Quote": ["an odd quote <!--<script> with a comment opener"], "Value": [1]})
    figure = Figure(alt.Chart(data).mark_point().encode(x="Value:Q", tooltip="Quote:N"), "probe", data, "probe")
    body = JSON_SCRIPT.search(figure.html()).group(1)
    assert json.loads(body)["datasets"]  # the data is there …
    assert "<!--" not in body  # … but not as characters the HTML parser acts on
