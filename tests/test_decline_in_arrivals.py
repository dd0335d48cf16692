"""The decline-in-arrivals chapter: its model on hand-made cases, its tables against the ledger, its prose."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from evidence import book

from conftest import DATA, ROOT
from prose import prose
import evidence
from evidence import arrivals as a
from evidence import dates, quotes, voices

CHAPTER = ROOT / "chapters" / "decline-in-arrivals.md"


@pytest.fixture(scope="module")
def ev():
    return evidence.load(DATA)


def hand_path(**changes) -> a.Path:
    """A small path in months 0..20: rise from 0 at month 0 to 400 at 4, 100 at 10, 20 at 16."""
    base = a.Path(start=0, peak_month=4, peak_rate=400.0, mid_2015_month=10, mid_2015_rate=100.0,
                  mid_2016_month=16, mid_2016_rate=20.0, shape="linear", tail="holds")
    return replace(base, **changes)


# --- the model on hand-made cases ----------------------------------------------------------------


@pytest.mark.parametrize("shape", a.SHAPES)
def test_constant_rate_over_n_months_gives_rate_times_n(shape):
    assert a.segment(150.0, 150.0, 7, shape).sum() == pytest.approx(150.0 * 7)
    assert a.cumulative(np.full(12, 150.0))[-1] == pytest.approx(1800.0)


def test_segment_starts_at_the_dated_estimate_and_shapes_are_ordered():
    segments = {shape: a.segment(1500.0, 100.0, 12, shape) for shape in a.SHAPES}
    for values in segments.values():
        assert values[0] == 1500.0 and len(values) == 12
    assert np.all(segments["drop-early"] <= segments["exponential"] + 1e-9)
    assert np.all(segments["exponential"] <= segments["linear"] + 1e-9)
    assert np.all(segments["linear"] <= segments["drop-late"] + 1e-9)
    assert segments["drop-early"][1:].tolist() == [100.0] * 11
    assert a.segment(1500.0, 100.0, 2, "linear").tolist() == [1500.0, 800.0]


def test_segment_rejects_an_unknown_shape():
    with pytest.raises(ValueError, match="unknown shape"):
        a.segment(1.0, 2.0, 3, "zigzag")


def test_rate_path_by_hand():
    months = np.arange(-2, 21)
    rates = dict(zip(months.tolist(), a.rate_path(hand_path(), months)))
    assert rates[-2] == rates[-1] == rates[0] == 0.0  # nothing before the start
    assert [rates[m] for m in (1, 2, 3, 4)] == [100.0, 200.0, 300.0, 400.0]  # linear rise to the peak
    assert rates[7] == pytest.approx(250.0)  # halfway from 400 to 100, linear
    assert rates[10] == 100.0 and rates[16] == 20.0  # the dated estimates themselves
    assert rates[20] == 20.0  # tail holds
    stopped = a.rate_path(hand_path(tail="stops"), months)
    assert stopped[months == 16][0] == 20.0 and stopped[months > 16].sum() == 0.0


def test_peak_is_never_below_the_mid_2015_rate():
    months = np.arange(0, 20)
    rates = a.rate_path(hand_path(peak_rate=50.0), months)
    assert rates.max() == 100.0 and np.all(np.diff(rates[months >= 4]) <= 0)


def test_rate_path_rejects_dated_points_out_of_order():
    with pytest.raises(ValueError, match="not in time order"):
        a.rate_path(hand_path(peak_month=12), np.arange(0, 20))


def test_band_lower_never_exceeds_upper_and_one_path_is_its_own_band():
    months = np.arange(0, 30)
    paths = [hand_path(shape=s, tail=t) for s in a.SHAPES for t in a.TAILS]
    result = a.band(paths, months)
    assert np.all(result["lower"] <= result["upper"])
    single = a.band([hand_path()], months)
    assert np.allclose(single["lower"], a.cumulative(a.rate_path(hand_path(), months)))
    assert np.allclose(single["lower"], single["upper"])


def test_implied_total_and_residual_by_hand():
    assert a.implied_total(200, 12) == 2400
    assert a.residual(40000, 0.15, 20000) == pytest.approx(14000)
    assert a.residual(40000, 0.30, 30000) < 0  # the figures cannot all hold


# --- the model on the real ledger ----------------------------------------------------------------


def test_2016_arrivals_under_less_than_200_stay_below_200_times_12(ev):
    bound = ev.value(a.RATE_MID_2016)
    months = a.model_months(ev)
    points = a.dated_points(ev)
    in_late_2016 = (months >= points["mid_2016"]) & (months <= points["horizon"])
    for path in a.grid(ev):
        rates = a.rate_path(path, months)
        assert rates[in_late_2016].max() <= bound
        assert rates[in_late_2016].sum() < a.implied_total(bound, 12)


def test_every_path_declines_after_its_peak(ev):
    months = a.model_months(ev)
    for path in a.grid(ev)[::7]:
        rates = a.rate_path(path, months)
        after = rates[months >= path.peak_month]
        assert np.all(np.diff(after) <= 1e-9), path


def test_grid_is_every_combination(ev):
    params = {p.name: p for p in a.parameters(ev)}
    expected = 1
    for name in a.ARRIVAL_PARAMETERS:
        expected *= len(params[name].values())
    assert len(a.grid(ev)) == expected == len(a.path_table(ev))
    assert set(params["shape"].values()) == set(a.SHAPES) and set(params["tail"].values()) == set(a.TAILS)
    assert {p.rise for p in a.grid(ev)} == {"linear"}  # the rise is varied one at a time only
    assert not params["rise"].in_grid


def test_low_and_high_values_move_arrivals_the_way_the_table_says(ev):
    """Holding the rest central, each assumption at 'low' gives no more arrivals than at 'high'."""
    months = a.model_months(ev)
    central = a.central_path(ev)
    for p in a.parameters(ev):
        if p.name not in a.ARRIVAL_PARAMETERS:
            continue
        low = a.cumulative(a.rate_path(replace(central, **{p.name: p.low}), months))[-1]
        high = a.cumulative(a.rate_path(replace(central, **{p.name: p.high}), months))[-1]
        assert low <= high, p.name


def test_band_contains_the_central_path_and_grows(ev):
    months = a.model_months(ev)
    result = a.band(a.grid(ev), months)
    central = a.cumulative(a.rate_path(a.central_path(ev), months))
    assert np.all(result["lower"] <= central + 1e-6) and np.all(central <= result["upper"] + 1e-6)
    assert np.all(np.diff(result["lower"]) >= 0) and np.all(np.diff(result["upper"]) >= 0)


def test_model_parameters_come_from_the_ledger(ev):
    params = {p.name: p for p in a.parameters(ev)}
    assert params["mid_2015_rate"].central == ev.value("pp-flow-mid-2015")
    assert params["mid_2016_rate"].high == ev.value("pp-flow-mid-2016")
    assert params["mid_2016_rate"].low == pytest.approx(50 / 8)  # reading (a): 50 over 8 months
    assert ev.value("intel-flow-50-since-2016") in params["mid_2016_rate"].values()  # reading (b): 50 a month
    assert params["peak_rate"].high == ev.claim("intel-flow-2000-per-month")["upper"]
    assert params["death_share"].central == pytest.approx(ev.value("pp-deaths-european-15-percent") / 100)
    remaining = ev.claim("pp-remaining-10000-30000")
    assert (params["remaining"].low, params["remaining"].high) == (remaining["lower"], remaining["upper"])
    assert a.month_label(a.dated_points(ev)["horizon"]) == "2016-12"


# --- derived tables against the ledger --------------------------------------------------------------


def _cited_ids(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip() and part.strip() != a.BOOK]


def test_every_table_row_cites_claims_that_exist(ev):
    for table, column in [
        (a.estimates_table(ev), "Claim"),
        (a.reasons_table(ev), "Claim"),
        (a.assumptions_table(ev), "Claims"),
        (a.comparison_2016(ev), "Claims"),
    ]:
        for cell in table[column]:
            for claim_id in _cited_ids(cell):
                assert claim_id in ev.claims.index, claim_id


def test_estimates_table_labels_each_kind(ev):
    table = a.estimates_table(ev).set_index("Claim")
    assert table.loc["pp-flow-mid-2015", "Kind"] == "point estimate"
    assert table.loc["pp-flow-mid-2016", "Kind"] == "upper bound"
    assert table.loc["intel-flow-50-since-2016", "Kind"].startswith("total over a period as worded; read three ways")
    assert table.loc["intel-flow-us-fewer-than-10-since-january".replace("flow-", ""), "Kind"] == "total over a period"
    assert table.loc["intel-flow-2000-per-month", "Kind"] == "upper figure"  # hedges.QUALIFIERS["up-to"]
    assert table.loc["intel-flow-2000-per-month", "Refers to"] == "'in previous years' (not dated)"
    flow_ids = set(ev.claims.index[ev.claims["topic"] == "flow"])
    assert flow_ids <= set(table.index)


def test_every_assumption_is_sourced_or_marked_as_the_books(ev):
    table = a.assumptions_table(ev)
    assert len(table) == len(a.parameters(ev))
    for row in table.itertuples():
        assert row.Claims == a.BOOK or _cited_ids(row.Claims), row.Assumption
        assert "book's" in row.Basis or row.Claims != a.BOOK


def test_reasons_table_has_every_stated_reason_with_its_quote(ev):
    table = a.reasons_table(ev)
    reasons = ev.claims[ev.claims["topic"] == "decline-reason"]
    assert set(reasons.index) <= set(table["Claim"])
    for row in table.itertuples():
        assert row.Quote == f"“{ev.claim(row.Claim)['quote']}”"


def test_comparison_states_the_2016_gap_under_both_readings(ev):
    compared = a.comparison_2016(ev).iloc[0]["Compared (book's computation)"]
    assert "Reading (a)" in compared and "32 times" in compared  # 200 / (50 / 8)
    assert "Reading (b)" in compared and "4 times" in compared  # 200 / 50
    assert "fewer than 1,600" in compared  # 200 * 8


def test_accounting_rows_add_up(ev):
    table = a.accounting_table(ev)
    arrivals_column = next(c for c in table.columns if c.startswith("Arrivals by"))
    for row in table.to_dict("records"):
        expected = row[arrivals_column] - row["Died"] - row["Said to remain"]
        assert row[a.RESIDUAL] == pytest.approx(expected, abs=100)
    stated = table[table["Arrivals from"].str.startswith("Stated")]
    assert set(stated[arrivals_column]) == {ev.value("pp-stock-total-people")}


def test_consistency_counts_match_the_path_table(ev):
    paths = a.path_table(ev)
    numbers = a.key_numbers(ev)
    assert numbers["n_meets_all"] == f"{int(paths['meets_all'].sum()):,} of {len(paths):,}"
    assert (paths["by_pp"] >= paths["by_end_2015"]).all()
    table = a.consistency_table(ev)
    starts = table[table["Assumption"] == "start month"]
    assert starts["All four"].sum() == paths["meets_all"].sum()
    assert starts["Combinations"].sum() == len(paths)


def test_counts_of_combinations_are_never_percentages(ev):
    """The grid is the book's choices, not a distribution: results are 'X of N' counts."""
    numbers = a.key_numbers(ev)
    for name in [n for n in numbers if n.startswith(("n_meets", "n_fit", "fit_"))]:
        assert re.fullmatch(r"[\d,]+ of [\d,]+", numbers[name]), (name, numbers[name])
    consistency = a.consistency_table(ev)
    counts = [consistency[c] for c in consistency.columns if c not in ("Assumption", "Value")]
    counts += [a.stock_tests_table(ev)["Combinations meeting it"], a.readings_results_table(ev)["Meeting all four stock figures"]]
    for column in counts:
        assert not column.astype(str).str.contains("%").any(), column.name
    text = prose(CHAPTER.read_text(encoding="utf-8"))
    assert not re.search(r"(likely|probab)\w*[^.]*\b(paths?|combinations?)\b", text, flags=re.I)
    assert not re.search(r"\b(paths?|combinations?)\b[^.]*\b(very likely|probably)\b", text, flags=re.I)


def test_bound_only_claims_get_tooltips_with_their_quote(ev):
    shown = book.provenance(ev, ev.claims.loc[list(a.RATE_FLOWS)])
    assert all(q.startswith("“") and q.endswith("”") for q in shown["quote_shown"])


# --- charts ---------------------------------------------------------------------------------------------


def _layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", [spec]):
        out += _layers(layer) if "layer" in layer else [layer]
    return out


@pytest.mark.parametrize("make", [a.rate_chart, a.band_chart])
def test_charts_carry_quotes_and_credits_in_every_rect_and_symbol_tooltip(ev, make):
    figure = make(ev)
    assert figure.spec["width"] <= 560 and figure.alt_text and not figure.data.empty
    marks = 0
    for layer in _layers(figure.spec):
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        if mark in ("rect", "bar", "point", "circle", "square"):
            marks += 1
            fields = [t["field"] for t in layer["encoding"]["tooltip"]]
            assert {"figure", "qualifier", "quote_shown", "source", "credit"} <= set(fields), mark
            assert "speaker" not in fields, mark
    assert marks >= 1


def test_rate_chart_draws_the_2016_figure_under_both_readings(ev):
    data = a.rate_estimates_data(ev)
    drawn = data[data["claim_id"] == a.TOTAL_2016].set_index("kind")
    assert drawn.loc[a.KIND_A, "rate"] == pytest.approx(50 / 8)
    assert drawn.loc[a.KIND_B, "rate"] == 50
    assert drawn.loc[a.KIND_A, "end"].strftime("%Y-%m") == "2016-08"  # the month rule: January to August


# --- the chapter's prose ------------------------------------------------------------------------------


def test_every_glued_name_and_quoted_claim_exists(ev):
    text = CHAPTER.read_text(encoding="utf-8")
    values = a.prose_values(ev)
    for name in re.findall(r"\{glue:text\}`([a-z_0-9]+)", text):
        assert name in values, name
    for claim_id in re.findall(r"```\{claim-quote\} (\S+)", text):
        assert claim_id in ev.claims.index, claim_id


# --- the readings of the 2016 figure, the month rule, the stock dates, the one-at-a-time changes -----------


def test_month_rule_gives_8_months_for_the_2016_figure(ev):
    claim = ev.claim(a.TOTAL_2016)
    assert dates.months_between(claim["period_start"], claim["period_end"]) == 8
    assert a.months_2016(ev) == 8
    assert a.average_2016(ev) == pytest.approx(6.25)
    assert a.window_2016(ev) == (dates.month("2016-01"), dates.month("2016-08"))
    assert a.key_numbers(ev)["n_months_2016"] == "8" and a.key_numbers(ev)["avg_2016_exact"] == "6.25"
    assert not hasattr(a, "months_between") or a.months_between is dates.months_between  # no copy of its own


def test_readings_table_sets_out_every_reading_with_its_implications(ev):
    table = a.readings_table(ev).set_index("Reading")
    assert list(table.index) == list(a.READINGS.values())
    total = table.loc[a.READINGS["a"]]
    rate = table.loc[a.READINGS["b"]]
    floor = table.loc[a.READINGS["c"]]
    assert "50 ÷ 8 = 6.25" in total["A month (book's arithmetic)"]
    assert total["January–August 2016"] == "50"
    assert total["Americans' share"] == "at most 20%"  # fewer than 10 of 50
    assert "32 times" in total["Against 'less than 200'"]
    assert rate["A month (book's arithmetic)"].startswith("50")
    assert rate["January–August 2016"].startswith("at least 400")
    assert rate["Americans' share"] == "at most 2.5%"  # fewer than 10 of at least 400
    assert "4 times" in rate["Against 'less than 200'"]
    assert floor["January–August 2016"] == "at least 50"
    assert "not known" in floor["Americans' share"]


def test_model_covers_both_readings_and_each_reading_has_its_own_subgrid(ev):
    paths = a.path_table(ev)
    rates = a.reading_rates(ev)
    assert rates == {"a": pytest.approx(6.25), "b": 50.0}
    under_a, under_b = a.under_reading(paths, "a"), a.under_reading(paths, "b")
    assert rates["b"] not in set(under_a["mid_2016_rate"]) and rates["a"] in set(under_a["mid_2016_rate"])
    assert rates["a"] not in set(under_b["mid_2016_rate"]) and rates["b"] in set(under_b["mid_2016_rate"])
    assert len(under_a) == len(under_b) and len(a.under_reading(paths, "c")) == len(paths)
    table = a.readings_results_table(ev)
    assert len(table) == 2 and set(table["Combinations"]) == {len(under_a)}
    # a total of 50 is reached only by an immediate drop to reading (a)'s own average
    low = under_a[under_a["in_2016_to_report"] <= 50]
    assert len(low) and set(low["shape"]) == {"drop-early"} and set(low["mid_2016_rate"]) == {rates["a"]}


def test_each_stock_figure_is_tested_at_its_own_date(ev):
    tests = {t.claim_id: t for t in a.stock_tests(ev)}
    assert dates.month_label(tests["intel-stock-30000-people"].month) == "2015-12"
    assert dates.month_label(tests["pp-stock-total-people"].month) == "2016-12"  # undated: end of its Figure 1
    assert dates.month_label(tests["npr-stock-total"].month) == "2017-04"  # reported 4 May 2017
    assert dates.month_label(tests["dc-stock-total"].month) == "2017-06"  # reported 21 July 2017
    assert "undated" in tests["pp-stock-total-people"].dated
    months = a.model_months(ev)
    path = a.central_path(ev)
    cum = a.cumulative(a.rate_path(path, months))
    measured = a.results(ev, path)
    for key, claim_id in (("end_2015", "intel-stock-30000-people"), ("pp", "pp-stock-total-people"),
                          ("npr", "npr-stock-total"), ("dc", "dc-stock-total")):
        assert measured[f"by_{key}"] == pytest.approx(cum[months == tests[claim_id].month][0])
    test = tests["npr-stock-total"]
    assert a.meets(test, 40000 * 1.09, 40000) and not a.meets(test, 40000 * 1.11, 40000)
    assert not a.meets(tests["intel-stock-30000-people"], 30000, 30000)  # "over": strictly more


def test_one_at_a_time_changes_one_assumption_from_the_central_path(ev):
    frame = a.sensitivity(ev)
    params = {p.name: p for p in a.parameters(ev)}
    central = frame[frame["name"] == ""].iloc[0]
    assert central["by_pp"] == pytest.approx(a.results(ev, a.central_path(ev))["by_pp"])
    expected = 1 + sum(len(params[n].values()) - 1 for n in a.ONE_AT_A_TIME)
    assert len(frame) == expected
    for row in frame[frame["name"] != ""].itertuples():
        assert row.value != params[row.name].central
        path = replace(a.central_path(ev), **{row.name: row.value}) if row.name in a.Path.__dataclass_fields__ else a.central_path(ev)
        assert row.by_end_2015 == pytest.approx(a.results(ev, path)["by_end_2015"]), row.name
    rise = frame[frame["name"] == "rise"].set_index("value")["by_pp"]
    assert rise["at-peak"] < central["by_pp"] < rise["at-once"]
    death = frame[frame["name"] == "death_share"]
    assert (death["by_pp"] == central["by_pp"]).all() and (death["residual"] != central["residual"]).all()
    table = a.sensitivity_table(ev)
    assert len(table) == len(frame) and table.iloc[0]["Changed from the central path"].startswith("(none")


def test_drivers_name_the_assumption_that_moves_each_result_most(ev):
    frame = a.sensitivity(ev)
    top = a.drivers(ev)
    grid_top = a.drivers(ev, a.ARRIVAL_PARAMETERS)
    params = {p.short: p.name for p in a.parameters(ev)}
    for column, (short, low, high) in top.items():
        name = params[short]
        values = [*frame.loc[frame["name"] == name, column], frame.loc[frame["name"] == "", column].iloc[0]]
        assert (low, high) == (min(values), max(values))
        for other in a.ONE_AT_A_TIME:
            others = [*frame.loc[frame["name"] == other, column], frame.loc[frame["name"] == "", column].iloc[0]]
            assert max(others) - min(others) <= high - low + 1e-9, (column, other)
    assert params[grid_top["by_pp"][0]] in a.ARRIVAL_PARAMETERS
    assert top["by_end_2015"][0] == "shape of the rise"  # nothing before the peak month vs the peak rate at once


def test_attribution_columns_credit_the_voice(ev):
    sources = ev.sources
    for table, column in [(a.estimates_table(ev), "Attributed to (source)"), (a.reasons_table(ev), "Attributed to (source)"),
                          (a.stock_tests_table(ev), "Attributed to (source)")]:
        for shown, claim_id in zip(table[column], table["Claim"]):
            claim = ev.claim(claim_id)
            assert shown == a.attributed(ev, claim)
            assert shown.startswith(voices.credit(claim, sources))
    headline = ev.claim(a.HEADLINE_2016)
    assert a.attributed(ev, headline).startswith("intelNews (Joseph Fitsanakis), headline")
