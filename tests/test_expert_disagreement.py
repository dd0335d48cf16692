"""The expert-disagreement chapter: the coded positions table, its derived tables, and the chapter's quotes."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from conftest import DATA, ROOT, DataCopy
from evidence import EvidenceError, dates, load, positions, quotes, voices

CHAPTER = ROOT / "chapters" / "expert-disagreement.md"


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


@pytest.fixture(scope="module")
def frame(evidence):
    return positions.positions(evidence)


def credit_claims_as_coded(data_copy: DataCopy) -> None:
    """Give every claim a position rests on the voice, mode and speaker its positions.csv row names,
    as the voices table does for the whole ledger (until it is merged, most claims have no voice)."""
    coded = {row["claim_id"]: row for row in data_copy.rows("positions.csv")}
    rows = data_copy.rows("claims.csv")
    for row in rows:
        if row["claim_id"] in coded:
            row.update({field: coded[row["claim_id"]][field] for field in ("voice", "mode", "speaker")})
    data_copy.write("claims.csv", rows)


# --- the table against the ledger and the schema -----------------------------------------------


def test_every_position_agrees_with_its_claim(evidence):
    table = evidence.tables["positions"]
    assert len(table) >= 20
    assert positions.consistency_problems(evidence) == []
    for row in table.itertuples():
        claim = evidence.claim(row.claim_id)
        if claim["voice"]:  # credited by the voices table
            assert (row.voice, row.mode, row.speaker) == (claim["voice"], claim["mode"], claim["speaker"]), row.position_id


def test_relayed_words_are_never_credited_as_the_speakers_own(frame):
    relayed = frame[frame["mode"].isin(["paraphrase", "reported-speech"])]
    assert len(relayed) >= 4
    assert not relayed["own_words"].any()
    for credit, voice, speaker in zip(relayed["credit"], relayed["voice"], relayed["speaker"]):
        assert credit.startswith(voice + ", ") and speaker in credit and not credit.startswith(speaker)
    # The cells the reviewer named: NPR's "He says..." and the Daily Caller's lede are the reporters' words.
    by_claim = frame.set_index("claim_id")
    assert by_claim.loc["npr-rasmussen-greatest-risk-small-number", "credit"] == (
        "NPR (Greg Myre), reporting what Nicholas Rasmussen (NCTC) said"
    )
    assert by_claim.loc["dc-rasmussen-stay-in-iraq-syria", "voice"] == "Daily Caller (Jonah Bennett)"
    assert by_claim.loc["npr-position-defeat-not-end", "voice"] == "NPR anchor (unnamed)"
    assert by_claim.loc["tl-atlantic-some-may-join-al-qaida", "credit"].startswith("TalkLeft blogger, paraphrasing")


def test_matrix_rows_name_who_says_the_words_and_how(frame):
    rows = positions.row_order(frame)
    assert "NPR (Greg Myre) | reporting what Nicholas Rasmussen (NCTC) said | 2017-05-04" in rows
    assert "Daily Caller (Jonah Bennett) | headline | 2017-07-21" in rows
    # Rasmussen's own words and the reporter's version of them at one date are different rows.
    assert "Nicholas Rasmussen (NCTC) | quoted by NPR | 2017-05-04" in rows


def test_one_position_per_voice_mode_speaker_proposition_and_date(frame):
    keys = frame[["voice", "mode", "speaker", "proposition", "stated"]]
    assert not keys.duplicated().any(), keys[keys.duplicated()]


def test_schema_enums_match_the_module():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "positions")
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["proposition"]["constraints"]["enum"] == list(positions.PROPOSITIONS)
    assert fields["stance"]["constraints"]["enum"] == ["supports", "opposes", "qualified", "raises-question"]
    assert set(fields["stance"]["constraints"]["enum"]) == set(positions.STANCES)
    assert tuple(fields["mode"]["constraints"]["enum"]) == positions.MODES
    claim_modes = next(r for r in package["resources"] if r["name"] == "claims")["schema"]["fields"]
    assert set(positions.MODES) <= set(next(f for f in claim_modes if f["name"] == "mode")["constraints"]["enum"])
    assert resource["schema"]["primaryKey"] == ["position_id"]
    assert resource["schema"]["foreignKeys"][0]["reference"] == {"resource": "claims", "fields": ["claim_id"]}


def test_stance_colours_come_from_the_palette_and_differ():
    from evidence.charts import PALETTE

    colours = [s.colour for s in positions.STANCES.values()]
    assert set(colours) <= set(PALETTE)
    assert len(set(colours)) == len(colours)
    assert len({s.symbol for s in positions.STANCES.values()}) == len(positions.STANCES)


def test_every_proposition_is_coded_at_least_once(frame):
    assert set(frame["proposition"]) == set(positions.PROPOSITIONS)


# --- bad input gets a clear message -------------------------------------------------------------


def test_unknown_claim_id_is_reported_with_row_and_field(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[2]["claim_id"] = "no-such-claim"
    data_copy.write("positions.csv", rows)
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path).tables["positions"]
    message = str(caught.value)
    assert "data/positions.csv, row 4" in message and "claim_id" in message and "no-such-claim" in message


def test_unknown_stance_is_rejected(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[0]["stance"] = "agrees"
    data_copy.write("positions.csv", rows)
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path).tables["positions"]
    assert "row 2" in str(caught.value) and "stance" in str(caught.value)


def test_a_voice_that_is_not_the_claims_voice_is_refused(data_copy: DataCopy):
    credit_claims_as_coded(data_copy)
    rows = data_copy.rows("positions.csv")
    index = next(i for i, r in enumerate(rows) if r["claim_id"] == "npr-rasmussen-greatest-risk-small-number")
    rows[index]["voice"] = "Nicholas Rasmussen (NCTC)"  # NPR's "He says..." coded as Rasmussen's own words
    rows[index]["mode"] = "direct-quotation"
    data_copy.write("positions.csv", rows)
    evidence = load(data_copy.path)
    problems = positions.consistency_problems(evidence)
    where = f"data/positions.csv, row {index + 2} (position_id '{rows[index]['position_id']}')"
    assert any(p.startswith(f"{where}, field 'voice'") and "NPR (Greg Myre)" in p for p in problems), problems
    assert any(p.startswith(f"{where}, field 'mode'") and "reported-speech" in p for p in problems), problems
    with pytest.raises(positions.PositionsError, match=rf"row {index + 2} .*field 'voice'.*Nicholas Rasmussen"):
        positions.positions(evidence)


def test_a_speaker_that_is_not_the_claims_speaker_is_refused(data_copy: DataCopy):
    credit_claims_as_coded(data_copy)
    rows = data_copy.rows("positions.csv")
    index = next(i for i, r in enumerate(rows) if r["claim_id"] == "tl-atlantic-some-may-join-al-qaida")
    rows[index]["speaker"] = "Philip Seib"
    data_copy.write("positions.csv", rows)
    problems = positions.consistency_problems(load(data_copy.path))
    assert len(problems) == 1 and f"row {index + 2}" in problems[0] and "field 'speaker'" in problems[0]
    assert "The Atlantic (Clarke and Amarasingam)" in problems[0]


def test_a_mode_that_does_not_fit_voice_and_speaker_is_refused(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[0]["mode"] = "reported-speech"  # but voice and speaker are both Rasmussen
    rows[1]["speaker"] = "Someone else"  # a direct quotation conveying someone other than its voice
    data_copy.write("positions.csv", rows)
    problems = positions.consistency_problems(load(data_copy.path))
    assert any("row 2 " in p and "field 'speaker'" in p and "reported-speech conveys someone other" in p for p in problems)
    assert any("row 3 " in p and "field 'speaker'" in p and "must be the voice" in p for p in problems)


def test_the_check_passes_once_the_ledger_credits_the_claims(data_copy: DataCopy):
    credit_claims_as_coded(data_copy)
    evidence = load(data_copy.path)
    assert positions.consistency_problems(evidence) == []
    assert len(positions.positions(evidence)) == len(data_copy.rows("positions.csv"))


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stated, published, placed, note",
    [
        ("2017-05-04", "2017-05-04", "2017-05-04", "full date given"),
        ("2017-03", "", "2017-03-16", "month only: placed at mid-month"),
        ("2017", "", "2017-07-02", "year only: placed at mid-year"),
        ("2016-09", "2016-09-12", "2016-09-06", "month only: placed at mid-month, within the span"),
        ("2016-09", "2016-10-01", "2016-09-15", "month only: placed at mid-month"),
    ],
)
def test_place_date(stated, published, placed, note):
    when, start, end, how = dates.place_date(stated, published)
    assert when.isoformat() == placed
    assert start <= when <= end
    assert how.startswith(note)


def test_partial_dates_are_labelled_in_the_timeline_data(frame):
    data = positions.timeline_frame(frame)
    partial = data[data["Date as stated"].str.len() < 10]
    assert len(partial) > 0
    assert partial["How the date is placed"].str.contains("placed at mid-").all()
    full = data[data["Date as stated"].str.len() == 10]
    assert (full["Drawn at"] == full["Date as stated"]).all()


def test_no_own_copies_of_the_shared_date_and_hedge_helpers():
    for name in ("months_in", "monthly_average", "BOUND_WORDS", "_hedge_effect", "date_span", "place_date", "PLACED_NOTE"):
        assert not hasattr(positions, name), name


# --- derived tables ------------------------------------------------------------------------------


def test_rasmussen_changes_view_between_may_and_july_2017(evidence):
    change = positions.change_of_view(evidence)
    assert set(change["Speaker"]) == {"Nicholas Rasmussen (NCTC)"}
    returns = change[change["Proposition"] == "Returns will rise"]
    may = returns[returns["Date"] == "2017-05-04"].iloc[0]
    assert may["Stance (book's coding)"] == "Supports" and may["Whose words"] == "Nicholas Rasmussen (NCTC), quoted by NPR"
    july = returns[returns["Date"] == "2017-07-21"]
    assert list(july["Change"]) == ["changed: supports → qualified"] * 2
    # July: his own words and the Daily Caller's report of them, each credited.
    assert july["Whose words"].iloc[0].startswith("Nicholas Rasmussen (NCTC), quoted by")
    assert july["Whose words"].iloc[1] == "Daily Caller (Jonah Bennett), reporting what Nicholas Rasmussen (NCTC) said"
    quality = change[(change["Proposition"] == "Quality over quantity") & (change["Date"] == "2017-07-21")]
    assert list(quality["Change"]) == ["unchanged (supports)"]
    stay = change[change["Proposition"] == "Most will stay"]
    assert set(stay["Change"]) == {"new: no statement coded at the earlier date"}
    assert "Daily Caller (Jonah Bennett), headline" not in set(change["Whose words"])  # the headline is the paper's view


def test_change_of_view_on_a_hand_made_case(monkeypatch):
    made = pd.DataFrame(
        {
            "speaker": ["V", "V", "V", "V", "W"],
            "voice": ["V", "V", "R", "V", "W"],
            "own_words": [True, True, False, True, True],
            "proposition": ["most-will-stay", "most-will-stay", "most-will-stay", "threat-morphing", "most-will-stay"],
            "stated": ["2017-01", "2017-06-01", "2017-06-01", "2017-06-01", "2017-02"],
            "placed": ["2017-01-16", "2017-06-01", "2017-06-01", "2017-06-01", "2017-02-14"],
            "ledger_row": [0, 1, 2, 3, 4],
            "stance_label": ["Opposes", "Supports", "Qualified", "Qualified", "Supports"],
            "credit": ["V", "V", "R, reporting what V said", "V", "W"],
            "quote_shown": ["“a”", "“b”", "“c”", "“d”", "“e”"],
        }
    )
    monkeypatch.setattr(positions, "positions", lambda evidence: made)
    change = positions.change_of_view(None)
    assert list(change["Speaker"]) == ["V"] * 4  # W spoke once: not listed
    assert list(change["Change"]) == [
        "first statement",
        "changed: opposes → supports",
        "changed: opposes → qualified",
        "new: no statement coded at the earlier date",
    ]
    assert list(change["Whose words"])[2] == "R, reporting what V said"


def test_stance_counts_add_up(evidence, frame):
    counts = positions.stance_counts(evidence)
    assert counts[list(positions.STANCES)].to_numpy().sum() == len(frame)
    # The prose: every coded position on defeat holds that it does not end the threat, each in its own words.
    defeat = counts.loc["military-defeat-not-end"]
    assert defeat["supports"] == defeat["own_words"] > 0
    assert defeat[["opposes", "qualified", "raises-question"]].sum() == 0
    # The prose: whether most will stay is the most divided question (the most different stances).
    stances = (counts[list(positions.STANCES)] > 0).sum(axis=1)
    assert stances.idxmax() == "most-will-stay" and (stances == stances.max()).sum() == 1


def test_matrix_table_has_one_line_per_position_with_its_quote(evidence, frame):
    table = positions.matrix_table(evidence).frame
    assert len(table) == len(frame)
    for quote in table["Quote"]:
        assert quote.startswith("“") and quote.endswith("”")
    shown = {q[1:-1] for q in table["Quote"]}
    assert shown == set(frame["quote"])
    # Every row says whose words the quote is, and the words of a relayed row are not credited to its speaker.
    assert all(", " in w or w in set(frame["voice"]) for w in table["Whose words, date"])


def test_row_order_keeps_a_speakers_dates_together(frame):
    rows = positions.row_order(frame)
    assert len(rows) == frame["row_label"].nunique()
    rasmussen = [i for i, r in enumerate(rows) if "Nicholas Rasmussen" in r]
    assert rasmussen == list(range(rasmussen[0], rasmussen[0] + 4))  # own words and reporters', May then July
    assert rows[rasmussen[0]] == "Nicholas Rasmussen (NCTC) | quoted by NPR | 2017-05-04"
    assert rows[0].startswith("intelNews (Joseph Fitsanakis) | reporting what The Washington Post said")  # earliest


def test_charts_have_a_tooltip_with_the_quote(evidence):
    for figure in (positions.matrix_chart(evidence), positions.timeline_chart(evidence)):
        spec = json.dumps(figure.spec)
        assert '"quote_shown"' in spec and '"Quote (the words in the source)"' in spec
        assert '"credit"' in spec and '"Whose words"' in spec
        assert figure.alt_text and not figure.data.empty
        widths = [layer.get("width") for layer in [figure.spec] if "width" in layer]
        assert all(w <= 560 for w in widths)


# --- numeric disagreements -----------------------------------------------------------------------


def test_disagreements_come_from_the_ledger(evidence):
    table = positions.disagreements(evidence)
    assert len(table) == len(positions.DISAGREEMENTS)
    stock = table.iloc[0]
    a, b = evidence.value("intel-stock-30000-people"), evidence.value("npr-stock-total")
    assert stock["B minus A"] == f"{b - a:,.0f}"
    assert stock["Ratio B/A"] == f"{b / a:.2f}"


def test_no_difference_between_a_total_and_a_monthly_rate(evidence):
    arrivals = positions.disagreements(evidence).iloc[2]
    assert arrivals["B minus A"] == "" and arrivals["Ratio B/A"] == ""
    assert "Not the same measure" in arrivals["Book's reading"]


def _claim(value, qualifier, unit="people", period_start="", period_end="", stated="2017"):
    return pd.Series(
        {"claim_id": "x", "value": value, "lower": float("nan"), "upper": float("nan"), "qualifier": qualifier,
         "unit": unit, "period_start": period_start, "period_end": period_end, "stated": stated}
    )


def test_reading_on_hand_made_cases():
    # A is a lower bound below B: the true gap is at most the printed one.
    assert "true gap is at most about that" in positions.reading(_claim(30000, "more-than"), _claim(40000, "about"))
    assert "true gap is at most that" in positions.reading(_claim(30000, "more-than"), _claim(40000, "exact"))
    # A just under its figure and B above its figure: the true gap is at least the printed one.
    assert "true gap is at least that" in positions.reading(_claim(90, "nearly"), _claim(100, "more-than"))
    # The same pair the other way round (B below A): the printed gap is still a floor.
    assert "true gap is at least that" in positions.reading(_claim(100, "more-than"), _claim(90, "nearly"))
    # Both bounds pushing the same figure up: the gap could move either way.
    assert "larger or smaller" in positions.reading(_claim(90, "more-than"), _claim(100, "more-than"))
    # Both point figures: no hedge sentence.
    plain = positions.reading(_claim(10, "exact"), _claim(12, "exact"))
    assert "B is 2 higher" in plain and "true gap" not in plain
    # A total from January to a report in April (3 months under the month rule) against a monthly rate.
    mixed = positions.reading(
        _claim(200, "fewer-than", unit="people-per-month"),
        _claim(39, "exact", period_start="2016-01", period_end="2016-04"),
    )
    assert "3 months" in mixed and "about 13 a month" in mixed and "ways" not in mixed
    assert "below the ceiling" in mixed


def test_the_50_is_read_both_ways(evidence):
    claim = evidence.claim("intel-flow-50-since-2016")
    readings = positions.readings_of_total(claim)
    assert [round(m, 2) for _, m in readings] == [claim["value"] / 8, claim["value"]]  # Jan to the Sep report: 8 months
    assert dates.months_between(claim["period_start"], claim["period_end"]) == 8
    arrivals = positions.disagreements(evidence).iloc[2]["Book's reading"]
    assert "two ways" in arrivals and "about 6 a month" in arrivals and "about 50 a month" in arrivals
    assert "Under either reading" in arrivals
    assert "a floor" in arrivals  # the third reading (a count of identified recruits) is named, not computed
    with pytest.raises(ValueError):
        positions.readings_of_total(evidence.claim("pp-flow-mid-2016"))


def test_contrasts_quote_both_sides_from_the_ledger(evidence):
    table = positions.contrasts(evidence)
    assert len(table) == len(positions.CONTRASTS) >= 5
    ledger = [quotes.normalise(q) for q in evidence.claims["quote"]]
    for contrast in positions.CONTRASTS:
        a, b = evidence.claim(contrast.claim_a), evidence.claim(contrast.claim_b)
        both = quotes.normalise(a["quote"] + " " + b["quote"])
        for span in re.findall(r"“([^”]+)”", contrast.reading):
            assert quotes.normalise(span) in both, (contrast.question, span)
        assert any(quotes.normalise(a["quote"]) == q for q in ledger)
    pairs = {(c.claim_a, c.claim_b) for c in positions.CONTRASTS}
    assert ("pp-forecast-merger-possible", "tl-atlantic-some-may-join-al-qaida") in pairs
    assert ("dc-headline-fight-to-death", "dc-rasmussen-fight-to-death") in pairs
    assert ("intel-flow-headline-near-zero", "intel-flow-50-since-2016") in pairs
    assert ("npr-headline-new-worry", "npr-position-initial-flood-concern") in pairs
    for cell in table["One side"]:
        assert cell.startswith("“") and "” (" in cell


def test_figures_for_the_prose(evidence, frame):
    figures = positions.figures(evidence)
    assert figures["n_positions"] == len(frame)
    assert figures["n_in_own_voice"] + figures["n_quoted"] + figures["n_relayed"] == len(frame)
    assert figures["weeks_apart"] == (date(2017, 7, 21) - date(2017, 5, 4)).days // 7
    assert figures["n_defeat_opposes"] == 0
    # The key point counts speakers in their own words; the prose names the two sources that are silent.
    assert figures["n_defeat_own_words"] == figures["n_defeat_supports"] == figures["n_defeat_speakers"]
    defeat = frame[frame["proposition"] == "military-defeat-not-end"]
    silent = set(evidence.sources.index) - set(defeat["source_id"])
    assert silent == {"dailycaller-2017-07-21", "intelnews-2016-09-12"}
    assert figures["n_defeat_silent"] == len(silent)
    assert (figures["months_50"], figures["avg_50"], figures["rate_50"]) == (8, "6", "50")
    # The prose names the two speakers with the most qualified positions.
    qualified = frame[frame["stance"] == "qualified"]["speaker"].value_counts()
    assert set(qualified.index[:2]) == {"The Atlantic (Clarke and Amarasingam)", "Policy paper author(s)"}


# --- the chapter ---------------------------------------------------------------------------------


def _prose(text: str) -> str:
    """The chapter without its code cells and directive blocks."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


def test_claim_quotes_and_citations_exist(evidence):
    text = CHAPTER.read_text(encoding="utf-8")
    for claim_id in re.findall(r"```\{claim-quote\} ([a-z0-9-]+)", text):
        evidence.claim(claim_id)
    cited = set(re.findall(r"\{cite:[pt]\}`([^`]+)`", text))
    keys = {k.strip() for group in cited for k in group.split(",")}
    bib = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(encoding="utf-8"), flags=re.M))
    assert set(evidence.sources["source_id"]) <= bib
    assert keys <= bib, keys - bib


def test_glued_names_exist(evidence):
    text = CHAPTER.read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([a-z0-9_]+)", text))
    cell = re.search(r"glue_claims\(\s*evidence,\s*\{(.*?)\}", text, flags=re.S).group(1)
    glued = set(positions.figures(evidence)) | set(re.findall(r'"([a-z0-9_]+)":', cell))
    assert used <= glued, used - glued


def test_prose_length():
    """1,500-3,000 words of prose: code, directives, roles and the front matter do not count; a glued value is one word."""
    text = _prose(CHAPTER.read_text(encoding="utf-8"))
    text = re.sub(r"^---.*?---", "", text, flags=re.S)
    text = re.sub(r"\{glue:text\}`[^`]+`", "N", text)
    text = re.sub(r"\{(cite:[pt]|doc)\}`[^`]+`", "", text)
    text = re.sub(r"^:.*$", "", text, flags=re.M)
    words = len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text))
    assert 1500 <= words <= 3000, words
