"""The shared wording of figures (evidence.book): hedges as the source words them, bounds never as points."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import DATA
from evidence import book, load


def claim(**fields) -> pd.Series:
    """A hand-made ledger row with only the fields the functions under test read."""
    base = {"claim_id": "x", "value": float("nan"), "lower": float("nan"), "upper": float("nan"),
            "qualifier": "", "unit": "people", "quote": ""}
    return pd.Series({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"value": 7200.0, "qualifier": "nearly", "quote": "Almost 7,200 EU nationals"}, "almost 7,200"),
        ({"value": 1500.0, "qualifier": "more-than", "quote": "5,800 departures and more than 1,500 returnees"},
         "more than 1,500"),
        ({"value": 15.0, "qualifier": "about", "unit": "percent", "quote": "roughly 15 percent of"}, "roughly 15 per cent"),
        ({"value": 689.0, "qualifier": "exact", "quote": "(including 689 in Syria"}, "689"),
        ({"value": 40000.0, "qualifier": "about", "quote": "An estimated 40,000 foreign fighters"}, "an estimated 40,000"),
        ({"value": 40000.0, "qualifier": "about", "quote": "estimate that 40,000 foreigners"}, "an estimated 40,000"),
        ({"value": 50.0, "qualifier": "exact", "quote": "a figure not in the quote"}, "50"),
    ],
)
def test_describe_uses_the_source_s_hedge_word(fields, expected):
    assert book.describe(claim(**fields)) == expected


def test_a_bound_only_claim_is_described_by_its_bound():
    assert book.describe(claim(upper=2000.0, qualifier="up-to", unit="people-per-month",
                               quote="nearly as many as 2,000 foreign recruits")) == "nearly as many as 2,000 a month"
    assert book.describe(claim(upper=200.0, qualifier="fewer-than", unit="people-per-month")) == "fewer than 200 a month"


def test_a_range_and_a_statement():
    assert book.describe(claim(lower=10000.0, upper=30000.0, qualifier="range")) == "10,000–30,000"
    assert book.describe(claim(unit="")) == ""


def test_comparison_shows_hedged_figures_and_skips_unlike_units():
    evidence = load(DATA)
    row = book.comparison(evidence, [("total", "intel-stock-30000-people", "npr-stock-total")]).iloc[0]
    assert row["Figure A"] == "over 30,000" and row["B minus A"] == "10,000" and row["Ratio B/A"] == "1.33"
    mixed = book.comparison(evidence, [("2016", "pp-flow-mid-2016", "intel-flow-50-since-2016")]).iloc[0]
    assert mixed["B minus A"] == "" and mixed["Ratio B/A"] == ""


def test_inputs_stamp_changes_exactly_when_the_inputs_do():
    from evidence.sphinxext.inputs import LastRun, choose_stamp

    assert choose_stamp(None, None) == ""  # first run: nothing known yet
    first = LastRun(stamp="", digest="d1")
    assert choose_stamp(first, "d1") == ""  # prose edit, same inputs: same stamp, cache hit
    assert choose_stamp(first, "d2") == "d2"  # inputs changed: new stamp, re-execution
    assert choose_stamp(LastRun(stamp="d2", digest="d2"), "d2") == "d2"
