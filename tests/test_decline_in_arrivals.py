"""The decline-in-arrivals chapter: its model on hand-made cases, its tables against the ledger, its prose."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from evidence import book

from conftest import DATA, ROOT
import evidence
from evidence import arrivals as a
from evidence import quotes

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
    assert a.months_between("2016-01", "2016-09") == 8
    assert a.month_label(a.month("2015-06")) == "2015-06"
    assert a.month("2014", within_year=7) == a.month("2014-07")


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
    expected = len(a.SHAPES) * len(a.TAILS)
    for name in ("start", "peak_month", "peak_rate", "mid_2015_rate", "mid_2016_rate"):
        expected *= len(params[name].values())
    assert len(a.grid(ev)) == expected == len(a.path_table(ev))


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
    assert params["mid_2016_rate"].low == pytest.approx(50 / 8)
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
    assert table.loc["intel-flow-50-since-2016", "Kind"] == "total over a period"
    assert table.loc["intel-flow-2000-per-month", "Kind"] == "upper figure, period not stated"
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


def test_comparison_states_the_2016_gap(ev):
    first = a.comparison_2016(ev).iloc[0]
    assert "32 times" in first["Compared (book's computation)"]  # 200 / (50 / 8)
    assert "fewer than 1,600" in first["Compared (book's computation)"]  # 200 * 8


def test_accounting_rows_add_up(ev):
    table = a.accounting_table(ev)
    arrivals_column = next(c for c in table.columns if c.startswith("Arrivals by"))
    for row in table.to_dict("records"):
        expected = row[arrivals_column] - row["Died"] - row["Said to remain"]
        assert row[a.RESIDUAL] == pytest.approx(expected, abs=100)
    stated = table[table["Arrivals from"].str.startswith("Stated")]
    assert set(stated[arrivals_column]) == {ev.value("pp-stock-total-people")}


def test_consistency_shares_match_the_path_table(ev):
    paths = a.path_table(ev)
    assert paths["meets_both"].sum() == int(a.key_numbers(ev)["n_meets_both"].replace(",", ""))
    assert (paths["by_horizon"] >= paths["by_end_2015"]).all()


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
def test_charts_carry_quotes_in_every_rect_and_symbol_tooltip(ev, make):
    figure = make(ev)
    assert figure.spec["width"] <= 560 and figure.alt_text and not figure.data.empty
    marks = 0
    for layer in _layers(figure.spec):
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        if mark in ("rect", "bar", "point", "circle", "square"):
            marks += 1
            fields = [t["field"] for t in layer["encoding"]["tooltip"]]
            assert {"figure", "qualifier", "quote_shown", "source"} <= set(fields), mark
    assert marks >= 1


# --- the chapter's prose ------------------------------------------------------------------------------


def _prose(text: str) -> str:
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # code cells and directives
    return re.sub(r"^---.*?^---", "", text, count=1, flags=re.S | re.M)


def test_every_quoted_span_in_the_chapter_is_a_ledger_quote(ev):
    pieces = [quotes.normalise(p) for q in ev.claims["quote"] for p in quotes.ELISION.split(q)]
    prose = _prose(CHAPTER.read_text(encoding="utf-8"))
    spans = re.findall(r"“([^”]+)”|\"([^\"]+)\"", prose)
    assert spans
    for curly, straight in spans:
        span = quotes.normalise(curly or straight)
        assert any(span in piece for piece in pieces), span


def test_every_glued_name_and_quoted_claim_exists(ev):
    text = CHAPTER.read_text(encoding="utf-8")
    values = a.prose_values(ev)
    for name in re.findall(r"\{glue:text\}`([a-z_0-9]+)", text):
        assert name in values, name
    for claim_id in re.findall(r"```\{claim-quote\} (\S+)", text):
        assert claim_id in ev.claims.index, claim_id
