"""The flow-of-recruits chapter: its derived tables agree with the ledger, and its computations are right."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import DATA, ROOT
from evidence import hedges, load, origins, quotes

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
        ("more-than", "about", "at most about"),  # over 30,000 vs about 40,000
        ("nearly", "more-than", "at least"),  # close to 90 vs more than 100
        ("about", "about", "about"),
        ("exact", "fewer-than", "at most"),
        ("fewer-than", "exact", "at least"),
        ("more-than", "more-than", "not bounded"),
        ("fewer-than", "nearly", "not bounded"),
        ("range", "about", "not bounded"),
    ],
)
def test_gap_reading_follows_the_books_one_bound_rule(a, b, expected):
    assert origins.gap_reading(a, b) == expected


def test_implied_count_keeps_the_hedge():
    total = pd.Series({"value": 1000.0, "qualifier": "about"})
    assert origins.implied_count(pd.Series({"value": 20.0, "qualifier": "more-than"}), total) == (200.0, "at least about")
    assert origins.implied_count(pd.Series({"value": 50.0, "qualifier": "exact"}), total) == (500.0, "about")
    exact_total = pd.Series({"value": 1000.0, "qualifier": "exact"})
    assert origins.implied_count(pd.Series({"value": 10.0, "qualifier": "fewer-than"}), exact_total) == (100.0, "at most")
    assert origins.implied_count(pd.Series({"value": 10.0, "qualifier": "exact"}), exact_total) == (100.0, "exactly")
    assert origins.in_words("exactly", "100") == "100" and origins.in_words("at most", "100") == "at most 100"


# --------------------------------------------------------------------------- the figures are stated in their quotes


def chapter_claim_ids(evidence) -> set[str]:
    """Every claim the chapter's module or text uses."""
    text = CHAPTER.read_text(encoding="utf-8")
    ids = set(re.findall(r'"([a-z]+-[a-z0-9-]+)"', text)) | set(re.findall(r"claim-quote\} (\S+)", text))
    ids |= {*origins.STOCK_TOTALS, *origins.US_CLAIMS, origins.NBER_LIST, origins.BELGIUM_PER_CAPITA}
    ids |= set(origins.country_counts(evidence)["claim_id"]) | set(origins.nber_members(evidence)["claim_id"])
    return {i for i in ids if i in evidence.claims.index}


def test_every_figure_the_chapter_uses_is_written_in_its_quote(evidence):
    """No rank read from list order, no number the quoted words do not state (value, lower, upper)."""
    for claim_id in chapter_claim_ids(evidence):
        claim = evidence.claim(claim_id)
        stated = hedges.stated_numbers(claim["quote"])
        for column in ("value", "lower", "upper"):
            if pd.notna(claim[column]):
                assert float(claim[column]) in stated, (claim_id, column, claim[column], claim["quote"])


def test_the_nber_rows_state_membership_and_the_list_states_five(evidence):
    members = origins.nber_members(evidence)
    assert members["value"].isna().all() and (members["unit"] == "").all()  # no rank in the ledger
    assert len(members) == evidence.value(origins.NBER_LIST)  # "the top five": five rows
    assert set(members["quote"]) <= {q for q in evidence.claims["quote"] if q in evidence.claim(origins.NBER_LIST)["quote"]}


def test_belgium_per_capita_is_a_statement_not_a_figure(evidence):
    claim = evidence.claim(origins.BELGIUM_PER_CAPITA)
    assert pd.isna(claim["value"]) and not claim["unit"] and not claim["qualifier"]


# --------------------------------------------------------------------------- the stock


def test_stock_estimates_are_every_headcount_total_oldest_first(evidence):
    rows = origins.stock_estimates(evidence)
    claims = evidence.claims
    expected = claims[(claims["topic"] == "stock") & (claims["unit"] == "people") & claims["value"].notna()]
    assert set(rows["claim_id"]) == set(expected["claim_id"]) == set(origins.STOCK_TOTALS)
    assert rows.iloc[0]["claim_id"] == "intel-stock-30000-people"  # refers to end-2015, the oldest
    assert rows.set_index("claim_id").loc["intel-stock-30000-people", "kind"] == origins.LOWER
    assert all(q.startswith("“") and q.endswith("”") for q in rows["quote_shown"])


def test_scope_words_are_in_the_quotes_they_cite(evidence):
    for claim_id, (holder, words) in origins.SCOPE.items():
        evidence.claim(claim_id)
        assert quotes.normalise(words) in quotes.normalise(evidence.claim(holder)["quote"]), (claim_id, words)
    for share_id, (words, _) in origins.SHARE_OF.items():
        assert words in quotes.normalise(evidence.claim(share_id)["quote"]), share_id


def test_stock_comparison_matches_the_ledger(evidence):
    frame = origins.stock_comparison(evidence)
    for row, (_, id_a, id_b) in zip(frame.itertuples(index=False), origins.STOCK_PAIRS):
        a, b = evidence.value(id_a), evidence.value(id_b)
        assert row[frame.columns.get_loc("B minus A")] == f"{b - a:,.0f}"
        assert row[frame.columns.get_loc("Ratio B/A")] == f"{b / a:.2f}"
        assert claim_ids_in(row[frame.columns.get_loc("Claims")]) == [id_a, id_b]
    readings = dict(zip(frame["Quantity"], frame["How to read the gap"]))
    assert readings["Total: intelNews vs NPR"].startswith("at most about (A: lower bound")
    assert readings["Countries of origin: intelNews vs NPR"].startswith("at least (")
    scopes = dict(zip(frame["Quantity"], frame["What A counts"]))
    assert "Sunni-inspired opposition groups" in scopes["Total: intelNews vs NPR"]


def with_voices(data_copy):
    """A copy of the data in which two claims carry voice and mode, as the voices data will give them."""
    data_copy.edit_claim("intel-stock-30000-people", voice="intelNews (Joseph Fitsanakis)", mode="narration")
    data_copy.edit_claim("npr-us-fbi-thousand-cases", voice="NPR (Greg Myre)", mode="reported-speech")
    data_copy.edit_claim("dc-nber-top-five", voice="Daily Caller (Jonah Bennett)", mode="paraphrase")
    data_copy.edit_claim("pp-origin-western-europe-share", voice="Policy paper author(s)", mode="narration")
    return load(data_copy.path)


def test_tables_and_tooltips_name_the_voice_with_credit(data_copy):
    evidence = with_voices(data_copy)
    compact = origins.stock_comparison_compact(evidence)
    assert "Source A" not in compact.columns
    assert compact.iloc[0]["Figure A"].startswith("over 30,000 (intelNews (Joseph Fitsanakis); intelNews.org")
    us = origins.us_figures(evidence).set_index("Claim")
    assert us.loc["npr-us-fbi-thousand-cases", "Whose words, where"].startswith(
        "NPR (Greg Myre), reporting what Nicholas Rasmussen (NCTC) said"
    )
    chart = origins.stock_chart(evidence).data.set_index("Claim")
    assert chart.loc["intel-stock-30000-people", "Whose words"] == "intelNews (Joseph Fitsanakis)"
    russia = origins.country_chart(evidence).data.set_index("Country").loc["Russia"]
    assert russia["Whose words"] == "Daily Caller (Jonah Bennett), paraphrasing NBER study (2016)"
    regional = origins.regional_chart(evidence).data.set_index("Group")
    assert regional.loc["Western Europe", "Whose words"] == "Policy paper author(s)"


def test_stock_chart_draws_the_lower_bound_as_a_rule(evidence):
    figure = origins.stock_chart(evidence)
    layers = figure.spec["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks[0] == "point" and "rule" in marks
    assert "lower bound" in figure.alt_text
    assert set(figure.data["Claim"]) == set(origins.STOCK_TOTALS)
    tooltip = [t["field"] for t in layers[0]["encoding"]["tooltip"]]
    assert {"Figure", "Qualifier", "Quote", "Source", "Whose words", "What it counts"} <= set(tooltip)


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
    assert origins.group_label(evidence, region) == "“the region” (not defined by the paper)"
    assert origins.group_label(evidence, west) == west


def test_country_region_is_read_from_the_position_of_the_quote(data_copy):
    """Give Morocco the Western European sentence as its quote: it must move to that group."""
    france_quote = next(r["quote"] for r in data_copy.rows("claims.csv") if r["claim_id"] == "pp-origin-france")
    data_copy.edit_claim("pp-origin-morocco", quote=france_quote, value="1800")  # a figure must be in its quote
    regions = origins.country_regions(load(data_copy.path))
    assert regions["Morocco"] == "Western Europe"


def test_listed_order_is_read_from_the_quote():
    quote = "placed Tunisia, Saudi Arabia, Russia, Turkey and Jordan as the top five"
    assert origins.listed_order(quote, ["Jordan", "Tunisia", "Turkey"]) == {"Jordan": 3, "Tunisia": 1, "Turkey": 2}
    with pytest.raises(ValueError, match="Morocco"):
        origins.listed_order(quote, ["Morocco"])


def test_nber_vs_counts_keeps_both_lists_whole(evidence):
    table = origins.nber_vs_counts(evidence).set_index("Country")
    for _, member in origins.nber_members(evidence).iterrows():
        assert table.loc[member["geography"], origins.TOP_FIVE_COL] == "yes"
        assert table.loc[member["geography"], origins.LISTED_COL] == member["listed"]
    assert list(origins.nber_members(evidence)["geography"]) == ["Tunisia", "Saudi Arabia", "Russia", "Turkey", "Jordan"]
    for _, count in origins.country_counts(evidence).iterrows():
        assert table.loc[count["geography"], "Policy paper count"] == f"{count['value']:,.0f}"
    assert table.loc["Russia", "Policy paper count"] == origins.NOT_COUNTED
    assert "pp-origin-russia-soviet-balkans" in table.loc["Russia", "Claims"]
    assert table.loc["Turkey", "Listed by the paper under"] == "not named as an origin"
    assert table.loc["Morocco", origins.TOP_FIVE_COL] == "no"
    assert table.loc["Morocco", origins.LISTED_COL] == origins.NOT_LISTED
    for cell in table["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)  # raises if unknown


def test_listed_and_counted_split(evidence):
    lists = origins.listed_and_counted(evidence)
    assert lists["both"] == ["Tunisia", "Saudi Arabia", "Jordan"]
    assert lists["listed_only"] == ["Russia", "Turkey"]
    assert "Morocco" in lists["counted_only"]
    assert origins.orders_agree(evidence)


def test_orders_agree_can_fail():
    """Jordan counted above Saudi Arabia: the paper's counts no longer follow the Daily Caller's order.

    The ledger would refuse 2,600 (not in the quote), so the loaded table is changed in memory.
    """
    evidence = load(DATA)
    evidence.claims.loc["pp-origin-jordan", "value"] = 2600.0
    assert not origins.orders_agree(evidence)


def test_nber_consistency_on_both_readings(evidence):
    bounds = origins.nber_consistency(evidence)
    assert bounds["uncounted"] == ["Russia", "Turkey"]
    assert (bounds["floor_country"], bounds["floor"]) == ("Morocco", evidence.value("pp-origin-morocco"))
    jordan, saudi = evidence.value("pp-origin-jordan"), evidence.value("pp-origin-saudi-arabia")
    assert bounds["ordered"]["Russia"] == (jordan, "Jordan", saudi, "Saudi Arabia")
    assert origins.ordered_bounds_words(bounds) == "Russia and Turkey each between Jordan's 2,200 and Saudi Arabia's 2,500"


def test_nber_consistency_follows_the_counts():
    """A larger Moroccan count raises the floor the set reading puts on Russia and Turkey (changed in memory)."""
    evidence = load(DATA)
    evidence.claims.loc["pp-origin-morocco", "value"] = 2100.0
    bounds = origins.nber_consistency(evidence)
    assert (bounds["floor_country"], bounds["floor"]) == ("Morocco", 2100.0)


def test_country_chart_shows_uncounted_members_of_the_top_five(evidence):
    figure = origins.country_chart(evidence)
    data = figure.data.set_index("Country")
    assert pd.isna(data.loc["Russia", "Count"]) and pd.isna(data.loc["Turkey", "Count"])
    assert data.loc["Tunisia", "Count"] == evidence.value("pp-origin-tunisia")
    assert data.loc["Jordan", "In the NBER top five"] == "yes" and data.loc["Morocco", "In the NBER top five"] == "no"
    assert "rank" not in " ".join(figure.data["Figure"]) and "rank" not in figure.alt_text
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


def test_split_readings_follow_the_hedges(evidence):
    split = origins.split_figures(evidence)
    assert split["west_reading"] == "at least about"  # "over 20 percent" of an estimated 40,000
    assert split["west_named_share_reading"] == "at most about"
    assert split["rest_share_reading"] == "at most" and split["rest_implied_reading"] == "at most about"


def test_regional_split_names_the_denominators_and_unquantified_groups(evidence):
    split = origins.regional_split(evidence).set_index("Group")
    implied = "Headcount if a share of the 40,000 (book's inference)"
    assert split.loc["Western Europe", implied].startswith("at least about ")
    assert "the group's foreign recruits" in split.loc["Western Europe", "A share of"]
    region = origins.group_label(evidence, evidence.claim(origins.REGION_SHARE)["geography"])
    assert "these foreigners" in split.loc[region, "A share of"]
    assert split.loc["Western Europe", "Named countries as share of that headcount (book's inference)"].startswith("at most ")
    unquantified = split[split["A share of"] == "not quantified"]
    assert len(unquantified) == 2
    assert (unquantified[implied] == "none (no figure given)").all()
    for cell in split["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)


def test_regional_chart_is_labelled_as_inference(evidence):
    figure = origins.regional_chart(evidence)
    assert "book's inference" in figure.spec["title"]["text"] and "if both shares" in figure.spec["title"]["text"]
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


# --------------------------------------------------------------------------- the glossary


def _evidence_text(evidence, source_id: str) -> str:
    """A source's normalised text, without the TalkLeft reader comments (never evidence)."""
    text = evidence.texts[source_id]
    return text.split("< Ex-Spy")[0] if source_id.startswith("talkleft") else text


def test_glossary_quotes_are_verbatim_from_the_sources(evidence):
    """Every span in quotation marks in a definition is in one of the five sources (reader comments excluded)."""
    glossary = evidence.tables["glossary"]
    missing = []
    for entry in glossary.itertuples(index=False):
        spans = re.findall(r"“([^“”]+)”", entry.definition)
        for span in spans:
            if not any(quotes.normalise(span) in _evidence_text(evidence, s) for s in evidence.texts):
                missing.append((entry.term, span))
    assert missing == []


def test_glossary_entries_are_attributed_and_their_passages_show_the_term(evidence):
    """Each definition quotes or names a source, and its ledger passage uses the term (or a word of it)."""
    outlets = ("policy paper", "NPR", "Daily Caller", "intelNews", "TalkLeft", "sources")
    for entry in evidence.tables["glossary"].itertuples(index=False):
        assert any(o in entry.definition for o in outlets), entry.term
        passage = quotes.normalise(evidence.claim(entry.claim_id)["quote"]).lower()
        longest = max(re.findall(r"[A-Za-z]+", entry.term), key=len).lower()
        spans = [quotes.normalise(s).lower() for s in re.findall(r"“([^“”]+)”", entry.definition)]
        expansions = [quotes.normalise(e).lower() for e in re.findall(r"the ([A-Z][a-z]+(?: [A-Z][a-z]+)+)", entry.definition)]
        assert longest[:6] in passage or any(s in passage for s in spans + expansions), entry.term


def test_glossary_states_no_outside_facts_the_sources_lack():
    """Facts the old glossary took from outside the sources must not come back (each was checked absent)."""
    text = (DATA / "glossary.csv").read_text(encoding="utf-8")
    for outside in ("from which ISIS split", "US government agency", "research organisation", "annual conference",
                    "largely lost by 2017", "A Syrian armed group"):
        assert outside not in text, outside
