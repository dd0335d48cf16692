"""The claims page and the source pages of the built book (after `make html`), read as HTML and in Chromium.

- every claim of the ledger has its entry at ``claims.html#<claim_id>``, with quote, voice, date, figure
  and a link to its passage on the source's page;
- every claim id a chapter uses resolves there, and each ``{claim-quote}``'s ledger id links there;
- "used in" links to each page that names a claim's id, and to no page that does not;
- the filter box filters, offline (network blocked, the script served by the book);
- each source page shows each of its quoted passages highlighted in a window no longer than
  ``WINDOW`` characters either side, every run of words labelled with its voice, linked back to
  its claim, and never a reader comment;
- the pages stay light.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, HTML, ROOT, PageVisit
from evidence import check_all, hedges, quotes, voices
from evidence.sphinxext.evidence_pages import CLOSED_MODES, FILTER_SCRIPT, WINDOW, claim_ids_in, voice_words

CLAIMS = HTML / "chapters" / "claims.html"
SOURCES = HTML / "chapters" / "source"
OWN = {"claims"}
CHAPTERS = sorted(p for p in (HTML / "chapters").glob("*.html") if p.stem not in OWN)

pytestmark = pytest.mark.skipif(not CLAIMS.exists(), reason="build the book first: make html")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def evidence():
    return check_all(DATA)


@pytest.fixture(scope="module")
def claims_page() -> BeautifulSoup:
    return soup(CLAIMS)


def used_in(entry) -> set[str]:
    """The page names (stems) an entry's "used in" links to."""
    return {Path(a["href"].split("#")[0]).stem for a in entry.select(".evidence-used-in a")}


# --------------------------------------------------------------------------- the claims page


def test_every_claim_has_its_entry_at_its_anchor(claims_page, evidence):
    entries = claims_page.select("div.evidence-claim")
    assert sorted(e["id"] for e in entries) == sorted(evidence.claims.index)
    assert len({e["id"] for e in entries}) == len(entries)
    for entry in entries:
        claim = evidence.claim(entry["id"])
        assert flat(entry.blockquote.get_text()) == flat(claim["quote"]), entry["id"]
        meta = flat(entry.select_one(".evidence-claim-meta").get_text())
        assert voice_words(claim["voice"], claim["mode"], claim["speaker"], claim["source_id"], evidence.sources) in meta
        assert f"Stated {claim['stated']}" in meta
        figure = hedges.describe(claim)
        assert (f"Figure {figure}" in meta) if figure else ("Figure" not in meta), entry["id"]
        assert entry.select_one(f'a[href="source/{claim["source_id"]}.html#{entry["id"]}"]'), entry["id"]
        assert entry.select_one(f'a[href="#{entry["id"]}"]')  # its own address, to copy


def test_every_claim_id_used_in_a_chapter_resolves_on_the_claims_page(claims_page, evidence):
    anchors = {element["id"] for element in claims_page.select("div.evidence-claim[id]")}
    linked_somewhere = set()
    for page in CHAPTERS:
        markdown = (ROOT / "chapters" / f"{page.stem}.md").read_text(encoding="utf-8")
        assert claim_ids_in(markdown, evidence.claims.index) <= anchors
        html = soup(page)
        links = {a["href"].split("#")[1] for a in html.select('a[href^="claims.html#"]')}
        assert links <= anchors, (page.stem, links - anchors)
        quoted = set(re.findall(r"```\{claim-quote\}\s+(\S+)", markdown))
        assert quoted <= links, (page.stem, quoted - links)  # each {claim-quote}'s "ledger: id" is a link
        for block in html.select("blockquote.claim-quote"):
            assert block.select_one('a[href^="claims.html#"] code'), page.stem
        linked_somewhere |= links
    assert len(linked_somewhere) >= 20  # the chapters' {claim-quote}s


def test_used_in_links_each_page_that_names_the_claim(claims_page, evidence):
    ids = evidence.claims.index
    found_only_in_output = 0
    for page in CHAPTERS:
        named_in_source = claim_ids_in((ROOT / "chapters" / f"{page.stem}.md").read_text(encoding="utf-8"), ids)
        named_on_page = claim_ids_in(page.read_text(encoding="utf-8"), ids)
        for claim_id in named_in_source | named_on_page:
            assert page.stem in used_in(claims_page.find(id=claim_id)), (claim_id, page.stem)
        found_only_in_output += len(named_on_page - named_in_source)
    assert found_only_in_output > 0  # claims a cell selects from data, which the source never names


def test_used_in_names_no_page_that_does_not_name_the_claim(claims_page, evidence):
    ids = evidence.claims.index
    texts = {}
    for page in CHAPTERS:
        executed = ROOT / "_build" / "jupyter_execute" / "chapters" / f"{page.stem}.ipynb"
        texts[page.stem] = "\n".join(p.read_text(encoding="utf-8") for p in (
            ROOT / "chapters" / f"{page.stem}.md", page, *([executed] if executed.exists() else [])))
    named = {stem: claim_ids_in(text, ids) for stem, text in texts.items()}
    unused = 0
    for entry in claims_page.select("div.evidence-claim"):
        pages = used_in(entry)
        assert pages <= set(texts), entry["id"]
        for stem in pages:
            assert entry["id"] in named[stem], (entry["id"], stem)
        if not pages:
            unused += 1
            assert "no page names this id" in entry.select_one(".evidence-used-in").get_text()
    assert unused < len(ids) / 2


def test_used_in_lists_pages_in_book_order(claims_page):
    order = [Path(a["href"]).stem for a in soup(HTML / "chapters" / "introduction.html").select("nav.bd-links a.reference")]
    order = ["introduction", *order]
    for entry in claims_page.select("div.evidence-claim"):
        stems = [Path(a["href"]).stem for a in entry.select(".evidence-used-in a")]
        assert stems == sorted(stems, key=order.index), entry["id"]


# --------------------------------------------------------------------------- the filter, in Chromium


@pytest.fixture(scope="module")
def claims_visit(browser):
    visit = PageVisit(browser, CLAIMS)
    yield visit
    visit.close()


def shown(visit: PageVisit) -> list[str]:
    return visit.page.eval_on_selector_all(".evidence-claim", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def expected(claims_page: BeautifulSoup, words: str) -> list[str]:
    return [e["id"] for e in claims_page.select("div.evidence-claim")
            if all(w in e.get_text().lower() for w in words.lower().split())]


def test_the_filter_script_is_served_by_the_book(claims_page):
    sources = [s.get("src", "").split("?")[0] for s in claims_page.select("script")]
    ours = [s for s in sources if s.endswith(FILTER_SCRIPT)]
    assert ours and all(s.startswith("../_static/") for s in ours)
    assert (HTML / "_static" / FILTER_SCRIPT).stat().st_size < 2_000


@pytest.mark.parametrize("words", ["tunisia", "Rasmussen quality", "reporting what", "intelNews 2016-09-12", "pp-origin"])
def test_the_filter_box_hides_the_claims_that_do_not_match(claims_visit, claims_page, words):
    page = claims_visit.page
    box = page.locator("#evidence-claims-filter")
    assert box.is_visible()
    total = page.locator(".evidence-claim").count()
    assert len(shown(claims_visit)) == total
    box.press_sequentially(words)
    wanted = expected(claims_page, words)
    assert 0 < len(wanted) < total
    assert shown(claims_visit) == wanted
    assert page.locator(".evidence-claim[hidden]").count() == total - len(wanted)
    assert page.inner_text("#evidence-claims-count") == f"{len(wanted)} of {total} claims match."
    box.fill("")
    assert len(shown(claims_visit)) == total
    assert claims_visit.blocked == [] and claims_visit.errors == []


def test_a_word_no_claim_holds_hides_every_claim_and_source_group(claims_visit):
    page = claims_visit.page
    page.locator("#evidence-claims-filter").fill("zzzz-no-such-word")
    assert shown(claims_visit) == []
    assert page.eval_on_selector_all("section.evidence-claims-source", "els => els.every(e => e.hidden)")
    page.locator("#evidence-claims-filter").fill("")
    assert page.eval_on_selector_all("section.evidence-claims-source", "els => els.every(e => !e.hidden)")
    assert claims_visit.blocked == [] and claims_visit.errors == [] and claims_visit.dialogs == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_claim_reached_by_its_address_is_not_under_the_filter_box(browser, evidence, width):
    """A chapter's "ledger: id" link lands on the claim, below the box that stays at the top of the window."""
    claim_id = evidence.claims.index[len(evidence.claims) // 2]
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page.goto(CLAIMS.as_uri() + f"#{claim_id}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        box, claim = (page.locator(s).bounding_box() for s in (".evidence-claims-filter", f"#{claim_id}"))
        assert box["y"] + box["height"] <= claim["y"] < 900 - 50, (box, claim)
    finally:
        page.close()


# --------------------------------------------------------------------------- the source pages


def test_every_source_has_its_page_in_the_contents(evidence, claims_page):
    for source_id in evidence.sources.index:
        assert (SOURCES / f"{source_id}.html").exists(), source_id
        assert claims_page.select_one(f'nav.bd-links a[href="source/{source_id}.html"]'), source_id


def outside_marks(window) -> tuple[str, str]:
    """A window's words before its first and after its last highlight (labels and ellipses left out)."""
    copy = BeautifulSoup(str(window), "html.parser")
    for label in copy.select(".evidence-voice-label"):
        label.decompose()
    text = copy.get_text()
    marks = [m.get_text() for m in copy.select("mark")]
    before = text[: text.index(marks[0])]
    after = text[text.rindex(marks[-1]) + len(marks[-1]):]
    return flat(before.replace("…", "")), flat(after.replace("…", ""))


@pytest.mark.parametrize("source_id", sorted(p.stem for p in (DATA / "sources").glob("*.txt")))
def test_each_quoted_passage_is_highlighted_in_a_window_with_its_voice(evidence, source_id):
    page = soup(SOURCES / f"{source_id}.html")
    claims = evidence.claims[evidence.claims["source_id"] == source_id]
    boxes = page.select("div.evidence-passage")
    assert sorted(b["id"] for b in boxes) == sorted(claims.index)
    for claim_id, claim in claims.iterrows():
        box = page.find(id=claim_id)
        assert box.select_one(f'a[href="../claims.html#{claim_id}"]'), claim_id
        marks = box.select("mark.evidence-quoted")
        pieces = quotes.quote_pieces(claim["quote"])
        assert re.sub(r"\s", "", "".join(m.get_text() for m in marks)) == re.sub(r"\s", "", "".join(pieces)), claim_id
        credit = f"[{voice_words(claim['voice'], claim['mode'], claim['speaker'], source_id, evidence.sources)}]"
        runs = [m.find_parent("span", class_="evidence-voice") for m in marks]
        labels = [run.select_one(".evidence-voice-label").get_text() for run in runs]
        assert credit in labels, (claim_id, labels)
        for window in box.select(".evidence-window"):
            before, after = outside_marks(window)
            assert len(before) <= WINDOW and len(after) <= WINDOW, claim_id
            for run in window.select(".evidence-voice"):
                if re.search(r"\w", run.get_text()):
                    assert run.select_one(".evidence-voice-label"), claim_id  # every run of words has its voice


def test_windows_are_windows_not_the_whole_text(evidence):
    """A window is shorter than the text it comes from (the longest text would show whole otherwise)."""
    source_id = max(evidence.texts, key=lambda s: len(evidence.texts[s]))
    page = soup(SOURCES / f"{source_id}.html")
    longest = max(len(flat(w.get_text())) for w in page.select(".evidence-window"))
    assert longest < len(evidence.texts[source_id]) / 4


def test_no_source_page_shows_a_reader_comment(evidence):
    passages, _ = voices.resolve(evidence.tables["voices"], evidence.texts)
    comments = [p for p in passages if p.mode == "comment"]
    assert comments  # the TalkLeft post's readers
    for passage in comments:
        text = evidence.texts[passage.source_id]
        outside = "".join(text[p.begin:p.end] + " " for p in passages
                          if p.source_id == passage.source_id and p.mode not in CLOSED_MODES
                          and not (passage.begin <= p.begin and p.end <= passage.end))
        shown_text = flat(soup(SOURCES / f"{passage.source_id}.html").select_one("article").get_text())
        words = text[passage.begin:passage.end].split()
        for i in range(0, max(len(words) - 5, 1)):
            chunk = " ".join(words[i:i + 6])
            assert chunk not in shown_text or chunk in outside, (passage.passage_id, chunk)
    talkleft = soup(SOURCES / "talkleft-2017-03-08.html").get_text()
    assert "(none / 0)" not in talkleft and "Display: Sort:" not in talkleft


def test_source_links_are_http_only(evidence):
    for source_id, source in evidence.sources.iterrows():
        links = [a["href"] for a in soup(SOURCES / f"{source_id}.html").select("dl.evidence-register a")]
        assert links == ([source["url"]] if source["url"] else [])
        assert all(link.startswith(("https://", "http://")) for link in links)


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.html")), ids=lambda p: p.stem)
def test_source_pages_load_offline_without_errors(browser, path):
    visit = PageVisit(browser, path)
    try:
        assert visit.page.locator("mark.evidence-quoted").first.is_visible()
        assert visit.blocked == [] and visit.errors == []
    finally:
        visit.close()


# --------------------------------------------------------------------------- weight


def article_bytes(path: Path) -> int:
    raw = path.read_text(encoding="utf-8")
    return len(raw[raw.index("<article"):raw.index("</article>")].encode("utf-8"))


def test_the_pages_stay_light(evidence):
    """Bytes of the page's article (the theme's frame left out) per claim, and per quoted passage on a source page."""
    per_claim = article_bytes(CLAIMS) / len(evidence.claims)
    assert per_claim < 1_200, per_claim  # about 1 kB now (quote, voice, links)
    for source_id in evidence.sources.index:
        count = int((evidence.claims["source_id"] == source_id).sum())
        per_passage = article_bytes(SOURCES / f"{source_id}.html") / max(count, 1)
        assert per_passage < 2_500, (source_id, per_passage)
    assert (HTML / "_static" / "evidence-pages.css").stat().st_size < 3_000
