"""Who speaks: the voices table anchors every passage of every source, and every claim is credited to its voice.

Each bad input named in the issue "Who said it" has a test here that asserts the message:
a quote credited to the wrong voice, reported speech marked as a direct quotation, a figure
not stated in its quote, a typology label not verbatim, a positions row with the wrong voice.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import DATA, DataCopy
from evidence import EvidenceError, check_all, load, quotes, voices

NPR = "npr-2017-05-04"


def check_error(data_copy: DataCopy) -> str:
    with pytest.raises(EvidenceError) as caught:
        check_all(data_copy.path)
    return str(caught.value)


def passages_of(source_id: str) -> pd.DataFrame:
    table = pd.read_csv(DATA / "voices.csv", dtype=str, keep_default_na=False)
    return table[table["source_id"] == source_id]


# --- the real data ---------------------------------------------------------------------------------


def test_every_source_is_fully_covered_and_every_claim_credited():
    evidence = check_all(DATA)  # raises on any anchoring, overlap, coverage or credit problem
    table = evidence.tables["voices"]
    assert set(table["source_id"]) == set(evidence.sources["source_id"])
    assert set(evidence.claims["voice"]) <= set(table["voice"])
    assert (evidence.claims["mode"] != "").all()


@pytest.mark.parametrize(
    "source_id, voices_wanted",
    [
        (NPR, {"NPR anchor (unnamed)", "NPR (Greg Myre)", "Nicholas Rasmussen (NCTC)"}),
        ("dailycaller-2017-07-21", {"Daily Caller (Jonah Bennett)", "Nicholas Rasmussen (NCTC)"}),
        ("talkleft-2017-03-08", {"TalkLeft blogger", "The Atlantic (Clarke and Amarasingam)", "Aymenn J. Al-Tamimi",
                                 "Philip Seib"}),
        ("intelnews-2016-09-12", {"intelNews (Joseph Fitsanakis)"}),
        ("policy-paper-2017", {"Policy paper author(s)", "Barack Obama"}),
    ],
)
def test_each_source_separates_its_voices(source_id, voices_wanted):
    assert voices_wanted <= set(passages_of(source_id)["voice"])


def test_sources_mark_their_kinds_of_passage():
    modes = {sid: set(passages_of(sid)["mode"]) for sid in pd.read_csv(DATA / "sources.csv")["source_id"]}
    assert {"direct-quotation", "reported-speech", "narration"} <= modes[NPR]
    assert {"headline", "paraphrase", "direct-quotation"} <= modes["dailycaller-2017-07-21"]
    assert {"pull-quote", "caption", "reference"} <= modes["policy-paper-2017"]
    assert "comment" in modes["talkleft-2017-03-08"]


def test_no_claim_stands_in_a_reader_comment():
    evidence = load(DATA)
    table = evidence.tables["voices"]
    passages, _ = voices.resolve(table, evidence.texts)
    comments = [p for p in passages if p.mode == "comment"]
    assert comments
    for claim in evidence.claims.itertuples():
        text = evidence.texts[claim.source_id]
        for piece in quotes.quote_pieces(claim.quote):
            begin = text.find(piece)
            assert not any(c.source_id == claim.source_id and c.holds(begin, begin + len(piece)) for c in comments)


def test_credit_names_the_voice_first():
    evidence = load(DATA)
    sources = evidence.sources
    by_mode = {mode: evidence.claims[evidence.claims["mode"] == mode].iloc[0] for mode in ("direct-quotation",
                                                                                           "reported-speech", "narration")}
    quoted = by_mode["direct-quotation"]
    assert voices.credit(quoted, sources).startswith(f"{quoted['voice']}, quoted by ")
    reported = by_mode["reported-speech"]
    assert voices.credit(reported, sources) == f"{reported['voice']}, reporting what {reported['speaker']} said"
    assert not voices.own_words(reported)
    assert voices.credit(by_mode["narration"], sources) == by_mode["narration"]["voice"]


# --- bad claims ------------------------------------------------------------------------------------


def npr_claim(data_copy: DataCopy, mode: str) -> dict[str, str]:
    return next(r for r in data_copy.rows("claims.csv") if r["source_id"] == NPR and r["mode"] == mode)


def test_quote_credited_to_the_wrong_voice(data_copy):
    claim = npr_claim(data_copy, "direct-quotation")  # a Rasmussen soundbite
    row = data_copy.edit_claim(claim["claim_id"], voice="NPR (Greg Myre)", mode="narration", speaker="NPR (Greg Myre)")
    message = check_error(data_copy)
    assert f"data/claims.csv, row {row} (claim_id '{claim['claim_id']}'), field 'voice': the claim names voice " \
           "'NPR (Greg Myre)', mode 'narration', speaker 'NPR (Greg Myre)', but its quote stands in passage '" in message
    assert "(Nicholas Rasmussen (NCTC), direct-quotation)" in message


def test_reported_speech_marked_as_a_direct_quotation(data_copy):
    claim = npr_claim(data_copy, "reported-speech")  # Myre's "He says…"
    speaker = claim["speaker"]
    row = data_copy.edit_claim(claim["claim_id"], voice=speaker, mode="direct-quotation")
    message = check_error(data_copy)
    assert f"row {row} (claim_id '{claim['claim_id']}'), field 'mode': the claim presents as {speaker}'s own words " \
           f"(direct-quotation) what the source gives as NPR (Greg Myre)'s reported-speech" in message


def test_wrong_speaker_for_a_paraphrase(data_copy):
    claim = npr_claim(data_copy, "reported-speech")
    row = data_copy.edit_claim(claim["claim_id"], speaker="US officials")
    assert f"row {row} (claim_id '{claim['claim_id']}'), field 'speaker': the claim names" in check_error(data_copy)


def test_quote_running_across_two_voices(data_copy):
    # The anchor's last words and Myre's first: two passages of different voices.
    text = load(DATA).texts[NPR]
    joint = text[text.index("Here's NPR national security correspondent Greg Myre.") :][:100]
    claim = npr_claim(data_copy, "narration")
    row = data_copy.edit_claim(claim["claim_id"], quote=joint)
    message = check_error(data_copy)
    assert f"row {row} (claim_id '{claim['claim_id']}'), field 'quote': the quote piece" in message
    assert "runs across passages" in message


def test_figure_not_stated_in_its_quote(data_copy):
    row = data_copy.edit_claim("intel-stock-30000-people", value="3000")
    message = check_error(data_copy)
    assert f"data/claims.csv, row {row} (claim_id 'intel-stock-30000-people'), field 'value': 3000 is not stated " \
           "in the claim's quote (numbers in the quote: 90, 2015, 30000)" in message


def test_bound_not_stated_in_its_quote(data_copy):
    row = data_copy.edit_claim("pp-remaining-10000-30000", upper="35000")
    assert f"row {row} (claim_id 'pp-remaining-10000-30000'), field 'upper': 35000 is not stated" in check_error(data_copy)


# --- bad voices rows -------------------------------------------------------------------------------


def edit_voice(data_copy: DataCopy, passage_id: str, **changes: str) -> int:
    rows = data_copy.rows("voices.csv")
    index = next(i for i, row in enumerate(rows) if row["passage_id"] == passage_id)
    rows[index].update(changes)
    data_copy.write("voices.csv", rows)
    return index + 2


def first_passage(mode: str, source_id: str = NPR) -> dict[str, str]:
    return passages_of(source_id)[lambda t: t["mode"] == mode].iloc[0].to_dict()


def test_anchor_not_in_the_source(data_copy):
    passage = first_passage("narration")
    row = edit_voice(data_copy, passage["passage_id"], start="Words that are in no source", prefix="")
    assert f"data/voices.csv, row {row} (passage_id '{passage['passage_id']}'), field 'start': start text " \
           "\"Words that are in no source\" is not in source 'npr-2017-05-04'" in check_error(data_copy)


def test_ambiguous_anchor_asks_for_a_prefix(data_copy):
    passage = first_passage("direct-quotation")
    row = edit_voice(data_copy, passage["passage_id"], start="Rasmussen", prefix="")
    assert f"row {row} (passage_id '{passage['passage_id']}'), field 'start': start text \"Rasmussen\" occurs" \
           in check_error(data_copy)


def test_partly_overlapping_passages(data_copy):
    # End the anchor's lead-in well inside Myre's first passage, past its start.
    passage = passages_of(NPR)[lambda t: t["voice"] == "NPR anchor (unnamed)"].iloc[0]
    edit_voice(data_copy, passage["passage_id"], end="says the war against ISIS")
    assert "partly overlaps passage" in check_error(data_copy)


def test_text_in_no_passage(data_copy):
    rows = [r for r in data_copy.rows("voices.csv") if r["voice"] != "NPR anchor (unnamed)"]
    data_copy.write("voices.csv", rows)
    assert "text of source 'npr-2017-05-04' is in no passage: \"The Islamic State keeps losing ground" \
           in check_error(data_copy)


def test_narration_cannot_speak_for_someone_else(data_copy):
    passage = first_passage("narration")
    row = edit_voice(data_copy, passage["passage_id"], attributed_to="US officials")
    assert f"row {row} (passage_id '{passage['passage_id']}'), field 'attributed_to': a narration passage conveys " \
           "its own voice" in check_error(data_copy)


# --- derived tables run in the same check ----------------------------------------------------------


def test_typology_label_not_verbatim_fails_make_check(data_copy):
    rows = data_copy.rows("typology.csv")
    rows[0]["type_label"] = "the most dangerous of all"
    data_copy.write("typology.csv", rows)
    message = check_error(data_copy)
    assert f"data/typology.csv, row 2 ({rows[0]['row_id']}), field 'type_label': 'the most dangerous of all' is not " \
           "verbatim in the quote of" in message


def test_positions_row_with_the_wrong_voice_fails_make_check(data_copy):
    rows = data_copy.rows("positions.csv")
    rows[0]["voice"] = "Somebody else"
    data_copy.write("positions.csv", rows)
    message = check_error(data_copy)
    assert "data/positions.csv, row 2 (position_id" in message and "field 'voice'" in message
