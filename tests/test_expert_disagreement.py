"""The expert-disagreement chapter: the coded positions table, its derived tables, and the chapter's quotes."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from conftest import DATA, ROOT, DataCopy
from evidence import EvidenceError, load, positions, quotes

CHAPTER = ROOT / "chapters" / "expert-disagreement.md"


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


@pytest.fixture(scope="module")
def frame(evidence):
    return positions.positions(evidence)


# --- the table against the ledger and the schema -----------------------------------------------


def test_every_position_cites_an_existing_claim_whose_speaker_is_the_voice(evidence):
    table = evidence.tables["positions"]
    assert len(table) >= 20
    for row in table.itertuples():
        claim = evidence.claim(row.claim_id)
        assert claim["speaker"] == row.voice, row.position_id


def test_one_position_per_voice_proposition_and_date(frame):
    keys = frame[["voice", "proposition", "stated"]]
    assert not keys.duplicated().any(), keys[keys.duplicated()]


def test_schema_enums_match_the_module():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "positions")
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["proposition"]["constraints"]["enum"] == list(positions.PROPOSITIONS)
    assert fields["stance"]["constraints"]["enum"] == ["supports", "opposes", "qualified", "raises-question"]
    assert set(fields["stance"]["constraints"]["enum"]) == set(positions.STANCES)
    assert set(fields["relation"]["constraints"]["enum"]) == set(positions.RELATIONS)
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


def test_a_voice_that_is_not_the_claims_speaker_is_refused(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[0]["voice"] = "Someone else"
    data_copy.write("positions.csv", rows)
    with pytest.raises(positions.PositionsError, match=r"row 2 .*field 'voice'.*Someone else"):
        positions.positions(load(data_copy.path))


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
    when, start, end, how = positions.place_date(stated, published)
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


def test_months_in():
    assert positions.months_in("2016-01", "2016-09") == 9
    assert positions.months_in("2015-11", "2016-02") == 4
    assert positions.months_in("2016-06", "2016-06") == 1


# --- derived tables ------------------------------------------------------------------------------


def test_rasmussen_changes_view_between_may_and_july_2017(evidence):
    change = positions.change_of_view(evidence)
    assert set(change["Voice"]) == {"Nicholas Rasmussen (NCTC)"}
    returns = change[change["Proposition"] == "Returns will rise"].set_index("Date")
    assert returns.loc["2017-05-04", "Stance (book's coding)"] == "Supports"
    assert returns.loc["2017-07-21", "Change"] == "changed: supports → qualified"
    quality = change[change["Proposition"] == "Quality over quantity"].set_index("Date")
    assert quality.loc["2017-07-21", "Change"] == "unchanged (supports)"
    stay = change[change["Proposition"] == "Most will stay"]
    assert list(stay["Change"]) == ["new: no statement coded at the earlier date"]


def test_change_of_view_on_a_hand_made_case(monkeypatch):
    made = pd.DataFrame(
        {
            "voice": ["V", "V", "V", "W"],
            "proposition": ["most-will-stay", "most-will-stay", "threat-morphing", "most-will-stay"],
            "stated": ["2017-01", "2017-06-01", "2017-06-01", "2017-02"],
            "placed": ["2017-01-16", "2017-06-01", "2017-06-01", "2017-02-14"],
            "ledger_row": [0, 1, 2, 3],
            "stance_label": ["Opposes", "Supports", "Qualified", "Supports"],
            "carried": ["s"] * 4,
            "quote_shown": ["“a”", "“b”", "“c”", "“d”"],
            "row_label": ["V, 2017-01", "V, 2017-06-01", "V, 2017-06-01", "W, 2017-02"],
        }
    )
    monkeypatch.setattr(positions, "positions", lambda evidence: made)
    change = positions.change_of_view(None)
    assert list(change["Voice"]) == ["V", "V", "V"]  # W spoke once: not listed
    assert list(change["Change"]) == ["first statement", "changed: opposes → supports", "new: no statement coded at the earlier date"]


def test_stance_counts_add_up(evidence, frame):
    counts = positions.stance_counts(evidence)
    assert counts[list(positions.STANCES)].to_numpy().sum() == len(frame)
    assert counts.loc["military-defeat-not-end", "opposes"] == 0  # the prose says no voice opposes it


def test_matrix_table_has_one_line_per_position_with_its_quote(evidence, frame):
    table = positions.matrix_table(evidence).frame
    assert len(table) == len(frame)
    for quote in table["Quote"]:
        assert quote.startswith("“") and quote.endswith("”")
    shown = {q[1:-1] for q in table["Quote"]}
    assert shown == set(frame["quote"])


def test_row_order_keeps_a_voices_dates_together(frame):
    rows = positions.row_order(frame)
    assert len(rows) == frame["row_label"].nunique()
    rasmussen = [i for i, r in enumerate(rows) if r.startswith("Nicholas Rasmussen")]
    assert rasmussen == list(range(rasmussen[0], rasmussen[0] + 2))
    assert rows[0].startswith("The Washington Post")  # the earliest statement comes first


def test_charts_have_a_tooltip_with_the_quote(evidence):
    for figure in (positions.matrix_chart(evidence), positions.timeline_chart(evidence)):
        spec = json.dumps(figure.spec)
        assert '"quote_shown"' in spec and '"Quote"' in spec
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
    # A is a lower bound below B: the true gap is smaller than printed.
    assert "smaller" in positions.reading(_claim(30000, "more-than"), _claim(40000, "about"))
    # A just under its figure and B above its figure: the true gap is larger.
    assert "larger" in positions.reading(_claim(90, "nearly"), _claim(100, "more-than"))
    # Both point figures: no hedge sentence.
    plain = positions.reading(_claim(10, "exact"), _claim(12, "exact"))
    assert "B is 2 higher" in plain and "true gap" not in plain
    # A total over 4 months against a monthly rate: converted, not subtracted.
    mixed = positions.reading(
        _claim(200, "fewer-than", unit="people-per-month"),
        _claim(40, "exact", period_start="2016-01", period_end="2016-04"),
    )
    assert "about 10 a month" in mixed


def test_monthly_average(evidence):
    claim = evidence.claim("intel-flow-50-since-2016")
    assert positions.monthly_average(claim) == pytest.approx(claim["value"] / 9)
    with pytest.raises(ValueError):
        positions.monthly_average(evidence.claim("pp-flow-mid-2016"))


def test_figures_for_the_prose(evidence, frame):
    figures = positions.figures(evidence)
    assert figures["n_positions"] == len(frame)
    assert figures["n_own"] + figures["n_relayed"] == len(frame)
    assert figures["weeks_apart"] == (date(2017, 7, 21) - date(2017, 5, 4)).days // 7
    assert figures["n_defeat_opposes"] == 0
    # The prose names the two voices with the most qualified positions.
    qualified = frame[frame["stance"] == "qualified"]["voice"].value_counts()
    assert set(qualified.index[:2]) == {"The Atlantic (Clarke and Amarasingam)", "Policy paper author(s)"}


# --- the chapter ---------------------------------------------------------------------------------


def _prose(text: str) -> str:
    """The chapter without its code cells and directive blocks."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


def test_inline_quotations_are_verbatim_ledger_quotes(evidence):
    prose = _prose(CHAPTER.read_text(encoding="utf-8"))
    spans = re.findall(r"“([^”]+)”", prose) + re.findall(r'"([^"\n]+)"', prose)
    assert len(spans) >= 15
    ledger = [quotes.normalise(q) for q in evidence.claims["quote"]]
    for span in spans:
        piece = quotes.normalise(span)
        assert any(piece in q for q in ledger), span


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
