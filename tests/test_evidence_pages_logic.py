"""The logic behind the claims page and the source pages, on hand-made cases and on the real data (no build).

- which claim ids a page names ("used in"): whole ids only;
- the context windows of the source pages: at most WINDOW characters either side, cut at a word,
  never entering page furniture or a reader comment;
- where each quote stands: in a passage of the claim's own voice, mode and speaker.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import DATA
from evidence import check_all, quotes, voices
from evidence.sphinxext import evidence_pages
from evidence.sphinxext.evidence_pages import CLOSED_MODES, WINDOW, claim_ids_in, context_windows, locate, voice_words


@pytest.fixture(scope="module")
def evidence():
    return check_all(DATA)


@pytest.fixture(scope="module")
def passages(evidence):
    found, problems = voices.resolve(evidence.tables["voices"], evidence.texts)
    assert problems == []
    return found


# --------------------------------------------------------------------------- used in


def test_claim_ids_are_found_whole_in_directives_code_and_prose():
    ids = {"pp-flow-mid-2015", "pp-flow-mid-2015-extra", "npr-stock-total", "dc-stock-total", "tl-cat"}
    text = (
        "```{claim-quote} pp-flow-mid-2015\n```\n"
        'figure = evidence.value("npr-stock-total")\n'
        "see pp-flow-mid-2015-extra and `dc-stock-totals` and tl-cat-eu-departures\n"
    )
    assert claim_ids_in(text, ids) == {"pp-flow-mid-2015", "pp-flow-mid-2015-extra", "npr-stock-total"}


def test_an_id_inside_a_longer_id_is_not_a_use():
    assert claim_ids_in("pp-flow-mid-2015-extra", {"pp-flow-mid-2015"}) == set()
    assert claim_ids_in("xpp-flow-mid-2015", {"pp-flow-mid-2015"}) == set()
    assert claim_ids_in("(pp-flow-mid-2015).", {"pp-flow-mid-2015"}) == {"pp-flow-mid-2015"}
    assert claim_ids_in("anything", set()) == set()


# --------------------------------------------------------------------------- windows


def words(n: int, start: int = 0) -> str:
    return " ".join(f"w{i:03d}" for i in range(start, start + n))  # every word 4 characters


def test_a_window_runs_at_most_window_characters_either_side_cut_at_a_word():
    text = words(100) + " QUOTED WORDS HERE " + words(100, 100)
    begin = text.index("QUOTED")
    end = begin + len("QUOTED WORDS HERE")
    [(start, stop)] = context_windows([(begin, end)], text, [])
    assert 0 < begin - start <= WINDOW and 0 < stop - end <= WINDOW
    assert text[start - 1] == " " and text[stop] == " "  # whole words only
    assert begin - start > WINDOW - 5 and stop - end > WINDOW - 5  # and no shorter than a word's cut needs


def test_a_short_text_is_shown_whole():
    text = "Before the quote. The quoted words. After it."
    begin = text.index("The quoted")
    assert context_windows([(begin, begin + 17)], text, []) == [(0, len(text))]


def test_a_window_stops_at_furniture_or_comments_but_not_at_a_closed_passage_holding_the_quote():
    text = words(20) + " QUOTED " + words(5, 20) + " Reader comment begins here " + words(8, 30)  # all within WINDOW of the quote
    begin, end = text.index("QUOTED"), text.index("QUOTED") + 6
    comment = (text.index("Reader"), len(text))
    [(start, stop)] = context_windows([(begin, end)], text, [comment])
    assert start == 0 and stop <= comment[0] and "Reader" not in text[start:stop]
    [(start, stop)] = context_windows([(begin, end)], text, [(0, len(text))])  # the quote's own passage
    assert stop == len(text)


def test_far_pieces_of_an_elided_quote_get_separate_windows_near_ones_share_one():
    text = "FIRST " + words(200) + " SECOND " + words(10, 200) + " THIRD"
    first, second, third = (text.index(w) for w in ("FIRST", "SECOND", "THIRD"))
    windows = context_windows([(first, first + 5), (second, second + 6), (third, third + 5)], text, [])
    assert len(windows) == 2
    assert windows[0][0] == 0 and windows[1][1] == len(text)


# --------------------------------------------------------------------------- the real data


def test_every_quote_is_located_in_a_passage_of_its_own_voice(evidence, passages):
    for claim_id, claim in evidence.claims.iterrows():
        text = evidence.texts[claim["source_id"]]
        spans = locate(claim, passages, text)
        assert [text[b:e] for b, e in spans] == quotes.quote_pieces(claim["quote"]), claim_id
        first = voices.innermost(passages, claim["source_id"], *spans[0])
        assert (first.voice, first.mode, first.attributed_to) == (claim["voice"], claim["mode"], claim["speaker"]), claim_id


def test_a_repeated_passage_is_located_in_the_claims_voice_not_its_first_occurrence(evidence, passages):
    """The policy paper repeats sentences as pull-quotes: a body-text claim must be placed in the body text."""
    repeated = 0
    for claim_id, claim in evidence.claims.iterrows():
        text = evidence.texts[claim["source_id"]]
        piece = quotes.quote_pieces(claim["quote"])[0]
        if text.count(piece) > 1:
            repeated += 1
            begin, end = locate(claim, passages, text)[0]
            assert voices.innermost(passages, claim["source_id"], begin, end).voice == claim["voice"], claim_id
    assert repeated > 0  # the case exists in the data


def test_no_window_enters_a_comment_or_page_furniture(evidence, passages):
    for claim_id, claim in evidence.claims.iterrows():
        text = evidence.texts[claim["source_id"]]
        own = [p for p in passages if p.source_id == claim["source_id"]]
        spans = locate(claim, own, text)
        closed = [(p.begin, p.end) for p in own if p.mode in CLOSED_MODES
                  and not any(p.begin < e and b < p.end for b, e in spans)]
        for start, stop in context_windows(spans, text, [(p.begin, p.end) for p in own if p.mode in CLOSED_MODES]):
            assert not any(b < stop and start < e for b, e in closed), claim_id
            inside = [(b, e) for b, e in spans if start <= b and e <= stop]
            assert inside and inside[0][0] - start <= WINDOW and stop - inside[-1][1] <= WINDOW, claim_id


def test_voice_words_name_the_mode_where_the_credit_does_not(evidence):
    sources = evidence.sources
    assert voice_words("NPR (Greg Myre)", "narration", "NPR (Greg Myre)", "npr-2017-05-04", sources) == \
        "NPR (Greg Myre), narration"
    assert voice_words("NPR (Greg Myre)", "reported-speech", "Nicholas Rasmussen (NCTC)", "npr-2017-05-04", sources) == \
        "NPR (Greg Myre), reporting what Nicholas Rasmussen (NCTC) said"
    assert voice_words("Nicholas Rasmussen (NCTC)", "direct-quotation", "Nicholas Rasmussen (NCTC)", "npr-2017-05-04",
                       sources) == "Nicholas Rasmussen (NCTC), quoted by NPR"


def test_the_source_page_template_holds_no_data():
    page = evidence_pages.SOURCE_PAGE.format("npr-2017-05-04")
    assert page.count("npr-2017-05-04") == 1 and "{evidence-source} npr-2017-05-04" in page
    sources = pd.read_csv(DATA / "sources.csv", dtype=str)
    assert sources["source_id"].str.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*").all()  # safe as file names
