"""The flow-of-recruits chapter: its derived tables agree with the ledger, and its computations are right."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import DATA, ROOT
from evidence import load, origins, quotes

CHAPTER = ROOT / "chapters" / "flow-of-recruits.md"


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


def claim_ids_in(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


# --------------------------------------------------------------------------- hedges


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("more-than", "about", "at most"),  # over 30,000 vs about 40,000
        ("nearly", "more-than", "at least"),  # close to 90 vs more than 100
        ("about", "about", "about"),
        ("exact", "fewer-than", "at most"),
        ("fewer-than", "exact", "at least"),
        ("more-than", "more-than", "cannot be bounded"),
        ("fewer-than", "nearly", "cannot be bounded"),
        ("range", "about", "cannot be bounded"),
    ],
)
def test_gap_reading_follows_the_hedges(a, b, expected):
    assert origins.gap_reading(a, b) == expected


def test_implied_count_keeps_the_hedge():
    total = pd.Series({"value": 1000.0, "qualifier": "about"})
    assert origins.implied_count(pd.Series({"value": 20.0, "qualifier": "more-than"}), total) == (200.0, "more-than")
    assert origins.implied_count(pd.Series({"value": 50.0, "qualifier": "exact"}), total) == (500.0, "about")
    exact_total = pd.Series({"value": 1000.0, "qualifier": "exact"})
    assert origins.implied_count(pd.Series({"value": 10.0, "qualifier": "fewer-than"}), exact_total) == (100.0, "fewer-than")
    assert origins.implied_count(pd.Series({"value": 10.0, "qualifier": "exact"}), exact_total) == (100.0, "exact")


# --------------------------------------------------------------------------- the stock


def test_stock_estimates_are_every_headcount_total_oldest_first(evidence):
    rows = origins.stock_estimates(evidence)
    claims = evidence.claims
    expected = claims[(claims["topic"] == "stock") & (claims["unit"] == "people") & claims["value"].notna()]
    assert set(rows["claim_id"]) == set(expected["claim_id"]) == set(origins.STOCK_TOTALS)
    assert rows.iloc[0]["claim_id"] == "intel-stock-30000-people"  # refers to end-2015, the oldest
    assert rows.set_index("claim_id").loc["intel-stock-30000-people", "kind"] == origins.LOWER
    assert all(q.startswith("“") and q.endswith("”") for q in rows["quote_shown"])


def test_stock_comparison_matches_the_ledger(evidence):
    frame = origins.stock_comparison(evidence)
    for row, (_, id_a, id_b) in zip(frame.itertuples(index=False), origins.STOCK_PAIRS):
        a, b = evidence.value(id_a), evidence.value(id_b)
        assert row[frame.columns.get_loc("B minus A")] == f"{b - a:,.0f}"
        assert row[frame.columns.get_loc("Ratio B/A")] == f"{b / a:.2f}"
        assert claim_ids_in(row[frame.columns.get_loc("Claims")]) == [id_a, id_b]
    readings = dict(zip(frame["Quantity"], frame["How to read the gap"]))
    assert readings["Foreign fighters who went (total): intelNews vs NPR"].startswith("at most")
    assert readings["Countries of origin: intelNews vs NPR"].startswith("at least")


def test_compact_comparison_keeps_figures_and_names_the_cited_voice(evidence):
    frame = origins.stock_comparison_compact(evidence)
    assert "Source A" not in frame.columns
    first = frame.iloc[0]
    assert first["Figure A"].startswith("over 30,000 (intelNews.org")
    assert "citing US intelligence estimates" in first["Figure B"]


def test_stock_chart_draws_the_lower_bound_as_a_rule(evidence):
    figure = origins.stock_chart(evidence)
    layers = figure.spec["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks[0] == "point" and "rule" in marks
    assert "lower bound" in figure.alt_text
    assert set(figure.data["Claim"]) == set(origins.STOCK_TOTALS)
    tooltip = [t["field"] for t in layers[0]["encoding"]["tooltip"]]
    assert {"Figure", "Qualifier", "Quote", "Source"} <= set(tooltip)


# --------------------------------------------------------------------------- origins


def test_country_counts_are_the_policy_papers_people_counts(evidence):
    counts = origins.country_counts(evidence)
    claims = evidence.claims
    expected = claims[
        (claims["source_id"] == "policy-paper-2017") & (claims["topic"] == "origin") & (claims["unit"] == "people")
    ]
    assert set(counts["claim_id"]) == set(expected["claim_id"])
    assert list(counts["value"]) == sorted(counts["value"], reverse=True)


def test_country_regions_follow_the_papers_lists(evidence):
    regions = origins.country_regions(evidence)
    region = evidence.claim(origins.REGION_SHARE)["geography"]
    west = evidence.claim(origins.WESTERN_EUROPE_SHARE)["geography"]
    assert {c for c, r in regions.items() if r == region} == {"Tunisia", "Saudi Arabia", "Jordan", "Morocco"}
    assert {c for c, r in regions.items() if r == west} == {"France", "United Kingdom", "Germany", "Belgium"}


def test_country_region_is_read_from_the_position_of_the_quote(data_copy):
    """Give Morocco the Western European sentence as its quote: it must move to that group."""
    france_quote = next(r["quote"] for r in data_copy.rows("claims.csv") if r["claim_id"] == "pp-origin-france")
    data_copy.edit_claim("pp-origin-morocco", quote=france_quote)
    regions = origins.country_regions(load(data_copy.path))
    assert regions["Morocco"] == "Western Europe"


def test_nber_vs_counts_keeps_both_lists_whole(evidence):
    table = origins.nber_vs_counts(evidence).set_index("Country")
    for _, rank in origins.nber_ranks(evidence).iterrows():
        assert table.loc[rank["geography"], origins.RANK_COL] == int(rank["value"])
    for _, count in origins.country_counts(evidence).iterrows():
        assert table.loc[count["geography"], "Policy paper count"] == f"{count['value']:,.0f}"
    assert table.loc["Russia", "Policy paper count"] == origins.NOT_COUNTED
    assert "pp-origin-russia-soviet-balkans" in table.loc["Russia", "Claims"]
    assert table.loc["Turkey", "Listed by the paper under"] == "not named as an origin"
    assert table.loc["Morocco", origins.RANK_COL] == origins.NOT_RANKED
    for cell in table["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)  # raises if unknown


def test_ranked_and_counted_split(evidence):
    lists = origins.ranked_and_counted(evidence)
    assert lists["both"] == ["Tunisia", "Saudi Arabia", "Jordan"]
    assert lists["ranked_only"] == ["Russia", "Turkey"]
    assert "Morocco" in lists["counted_only"]
    assert origins.orders_agree(evidence)


def test_orders_agree_can_fail(data_copy):
    data_copy.edit_claim("dc-nber-rank-1-tunisia", value="5")
    data_copy.edit_claim("dc-nber-rank-5-jordan", value="1")
    assert not origins.orders_agree(load(data_copy.path))


def test_country_chart_shows_uncounted_ranked_countries(evidence):
    figure = origins.country_chart(evidence)
    data = figure.data.set_index("Country")
    assert pd.isna(data.loc["Russia", "Count"]) and pd.isna(data.loc["Turkey", "Count"])
    assert data.loc["Tunisia", "Count"] == evidence.value("pp-origin-tunisia")
    assert data.loc["Jordan", "NBER rank"] == "5"
    assert "Russia and Turkey" in figure.alt_text
    for cell in figure.data["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)


# --------------------------------------------------------------------------- the regional split


def test_split_figures_are_sums_and_shares_of_the_ledger(evidence):
    split = origins.split_figures(evidence)
    total = evidence.value("pp-stock-total-people")
    counts = origins.country_counts(evidence)
    assert split["named_sum"] == counts["value"].sum()
    assert split["named_share"] == pytest.approx(counts["value"].sum() / total * 100)
    assert split["region_implied"] == pytest.approx(evidence.value("pp-origin-region-half") / 100 * total)
    assert split["region_named"] == sum(
        evidence.value(f"pp-origin-{c}") for c in ("tunisia", "saudi-arabia", "jordan", "morocco")
    )
    assert split["rest_share"] == 100 - evidence.value("pp-origin-region-half") - evidence.value(
        "pp-origin-western-europe-share"
    )


def test_regional_split_hedges_and_unquantified_groups(evidence):
    split = origins.regional_split(evidence).set_index("Group")
    assert split.loc["Western Europe", "Implied number (book's inference)"].startswith("more than ")
    assert split.loc["Western Europe", "Named countries as share of the group (book's inference)"].startswith("less than ")
    unquantified = split[split["Share stated by the paper"] == "not quantified"]
    assert len(unquantified) == 2
    assert (unquantified["Implied number (book's inference)"] == "none (no figure given)").all()
    for cell in split["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)


def test_regional_chart_is_labelled_as_inference(evidence):
    figure = origins.regional_chart(evidence)
    assert "book's inference" in figure.spec["title"]["text"]
    kinds = dict(zip(figure.data["Group"], figure.data["Kind of figure"]))
    assert kinds["Western Europe"] == origins.LOWER
    assert kinds["all other origins (remainder)"] == origins.UPPER


# --------------------------------------------------------------------------- United States


def test_us_figures_keep_kinds_apart(evidence):
    table = origins.us_figures(evidence).set_index("Claim")
    assert list(table.index) == list(origins.US_CLAIMS)
    assert "not foreign fighters" in table.loc["npr-us-fbi-thousand-cases", "Kind"]
    assert table.loc["npr-us-250-attempted", "Figure"] == "about 250"
    assert table.loc["intel-us-fewer-than-10-since-january", "Figure"] == "fewer than 10"
    assert table.loc["pp-origin-canada-us-australia", "Figure"] == "no number given"


# --------------------------------------------------------------------------- the chapter text


def prose(text: str) -> str:
    """The chapter without its front matter, code cells and directives."""
    text = re.sub(r"\A---.*?---", "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return text


def test_every_inline_quotation_is_in_the_ledger(evidence):
    text = prose(CHAPTER.read_text(encoding="utf-8"))
    spans = re.findall(r"“([^”]+)”", text) + re.findall(r'"([^"\n]+)"', text)
    assert spans, "the chapter quotes its sources"
    ledger = [quotes.normalise(q) for q in evidence.claims["quote"]]
    missing = [s for s in spans if not any(quotes.normalise(s) in q for q in ledger)]
    assert missing == []


def test_block_quotes_name_existing_claims(evidence):
    text = CHAPTER.read_text(encoding="utf-8")
    ids = re.findall(r"```\{claim-quote\} (\S+)", text)
    assert len(ids) >= 5
    for claim_id in ids:
        evidence.claim(claim_id)


def test_prose_length_is_in_range():
    text = prose(CHAPTER.read_text(encoding="utf-8"))
    words = len(re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"\{[a-z:]+\}`[^`]*`", "", text)))
    assert 1500 <= words <= 3000, words
