"""The decline-in-arrivals chapter: its model on hand-made cases, its notebook run and read, its prose.

- ``evidence.reconciliation`` (the pure arrival-path model) is tested on hand-made cases.
- The chapter's own logic lives in its notebook (claim selections, the readings of the 2016
  figure, the assumptions, the tables and charts). It is tested by running the chapter's code
  cells in this process (:func:`run_chapter`: fast, and every variable of the notebook can be
  read) and, in the slow test, by executing the notebook in a Jupyter kernel as a reader would,
  after changing one of its assumptions.
"""

from __future__ import annotations

import ast
import contextlib
import html
import io
import itertools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from myst_nb.core.read import read_myst_markdown_notebook

import evidence
from conftest import DATA, ROOT
from evidence import book, dates, reconciliation as rc, voices
from evidence.charts import Figure
from evidence.display import Table
from prose import prose

CHAPTER = ROOT / "chapters" / "decline-in-arrivals.md"
CLAIM_ID = re.compile(r"\b(dc|npr|intel|tl|pp)-[a-z0-9-]+")


@pytest.fixture(scope="module")
def ev():
    return evidence.load(DATA)


# --- running the chapter's notebook ----------------------------------------------------------------


class Run:
    """A run of the chapter's code cells: the notebook's variables, each cell's output, the glued values."""

    def __init__(self, namespace: dict, cells: list[tuple[dict, str, object]], glued: dict[str, object]):
        self.ns = namespace
        self.cells = cells  # (metadata, source, value of the cell's last expression)
        self.glued = glued

    def outputs(self, kind: type) -> list:
        return [value for _, _, value in self.cells if isinstance(value, kind)]

    def table(self, name: str) -> pd.DataFrame:
        return next(t.frame for t in self.outputs(Table) if t.name == name)

    def figure(self, name: str) -> tuple[dict, Figure]:
        return next((meta, value) for meta, _, value in self.cells
                    if isinstance(value, Figure) and meta.get("mystnb", {}).get("figure", {}).get("name") == name)


def run_chapter(text: str) -> Run:
    """Run the code cells of a MyST notebook in a fresh namespace, as Jupyter would, in this process.

    Each cell's last expression is evaluated separately, as Jupyter shows it; ``glue`` records
    every glued value in :data:`evidence.book.GLUED` (and MyST-NB's display of it goes to a
    discarded stdout).
    """
    notebook = read_myst_markdown_notebook(text)
    namespace: dict = {}
    cells = []
    book.GLUED.clear()
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, str(CHAPTER), "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), str(CHAPTER), "eval"), namespace) if last else None
            cells.append((dict(cell.metadata), cell.source, value))
    return Run(namespace, cells, dict(book.GLUED))


@pytest.fixture(scope="module")
def chapter() -> Run:
    return run_chapter(CHAPTER.read_text(encoding="utf-8"))


# The chapter's numbers as the book gives them today: a change to the model or its assumptions
# must show up here.
BOOK_NUMBERS = {
    "n_months_2016": "8", "avg_2016": "6", "avg_2016_exact": "6.25", "rate_b": "50", "ratio_2016": "32",
    "ratio_2016_b": "4", "total_b_floor": "400", "us_share_a": "20%", "us_share_b": "2.5%", "us_share_total": "0.6%",
    "bound_2016_total_to_report": "1,600", "n_paths": "2,592", "min_2016_to_report": "40",
    "max_2016_to_report": "8,800", "central_2016_to_report": "1,300", "n_fit_50_a": "162 of 1,944",
    "n_fit_400_b": "1,863 of 1,944", "n_fit_floor_c": "2,511 of 2,592", "band_end_2015_low": "26,100",
    "band_end_2015_high": "80,600", "band_horizon_low": "26,200", "band_horizon_high": "90,200",
    "central_horizon": "51,000", "pp_test_month": "2016-12", "npr_test_month": "2017-04", "dc_test_month": "2017-06",
    "n_meets_end_2015": "2,554 of 2,592", "n_meets_pp": "426 of 2,592", "n_meets_all": "407 of 2,592",
    "n_meets_all_a": "306 of 1,944", "n_meets_all_b": "292 of 1,944", "start_high": "2011-01", "start_low": "2013-01",
    "fit_start_high": "0 of 864", "fit_start_low": "305 of 864", "fit_drop_late": "12 of 648",
    "fit_drop_early": "150 of 648", "sens_2016_a": "170", "sens_2016_high": "2,300",
    "central_changes_meeting_all": "the start month at 2013-01", "stock_gap": "10,000", "bound_2016_half_year": "1,200",
    "needed_h1_2016": "1,500", "resid_band_low": "-11,700", "resid_central": "23,300", "resid_band_high": "71,200",
    "resid_40k_low": "-2,000", "resid_40k_central": "14,000", "resid_40k_high": "26,000",
    "resid_share_40k_central": "35%", "n_resid_negative": "1 of the 9", "n_resid_negative_count": "1",
    "n_resid_cases": "9", "gone_40k_low": "10,000", "gone_40k_high": "30,000", "cat_return_share": "26%",
    "about_tolerance": "10 per cent", "death_low": "10%", "death_high": "30%", "driver_horizon": "shape of the rise",
    "driver_horizon_low": "25,600", "driver_horizon_high": "76,300", "driver_2016": "shape of the decline",
    "driver_2016_low": "800", "driver_2016_high": "7,800", "driver_residual": "shape of the rise",
    "driver_residual_low": "1,800", "driver_residual_high": "44,900", "driver_grid_horizon": "start month",
    "driver_grid_horizon_low": "40,500", "driver_grid_horizon_high": "61,500",
}


# --- the model on hand-made cases ----------------------------------------------------------------


def hand_path(**changes) -> rc.Path:
    """A small path in months 0..20: rise from 0 at month 0 to 400 at 4, 100 at 10, 20 at 16."""
    base = rc.Path(start=0, peak_month=4, peak_rate=400.0, mid_2015_month=10, mid_2015_rate=100.0,
                   mid_2016_month=16, mid_2016_rate=20.0, shape="linear", tail="holds", rise="linear")
    return replace(base, **changes)


@pytest.mark.parametrize("shape", rc.SHAPES)
def test_constant_rate_over_n_months_gives_rate_times_n(shape):
    assert rc.segment(150.0, 150.0, 7, shape).sum() == pytest.approx(150.0 * 7)
    assert rc.cumulative(np.full(12, 150.0))[-1] == pytest.approx(1800.0)


def test_segment_starts_at_the_dated_estimate_and_shapes_are_ordered():
    segments = {shape: rc.segment(1500.0, 100.0, 12, shape) for shape in rc.SHAPES}
    for values in segments.values():
        assert values[0] == 1500.0 and len(values) == 12
    assert np.all(segments["drop-early"] <= segments["exponential"] + 1e-9)
    assert np.all(segments["exponential"] <= segments["linear"] + 1e-9)
    assert np.all(segments["linear"] <= segments["drop-late"] + 1e-9)
    assert segments["drop-early"][1:].tolist() == [100.0] * 11
    assert rc.segment(1500.0, 100.0, 2, "linear").tolist() == [1500.0, 800.0]


def test_segment_rejects_an_unknown_shape():
    with pytest.raises(ValueError, match="unknown shape"):
        rc.segment(1.0, 2.0, 3, "zigzag")


def test_rate_path_by_hand():
    months = np.arange(-2, 21)
    rates = dict(zip(months.tolist(), rc.rate_path(hand_path(), months)))
    assert rates[-2] == rates[-1] == rates[0] == 0.0  # nothing before the start
    assert [rates[m] for m in (1, 2, 3, 4)] == [100.0, 200.0, 300.0, 400.0]  # linear rise to the peak
    assert rates[7] == pytest.approx(250.0)  # halfway from 400 to 100, linear
    assert rates[10] == 100.0 and rates[16] == 20.0  # the dated estimates themselves
    assert rates[20] == 20.0  # tail holds
    stopped = rc.rate_path(hand_path(tail="stops"), months)
    assert stopped[months == 16][0] == 20.0 and stopped[months > 16].sum() == 0.0
    at_peak = rc.rate_path(hand_path(rise="at-peak"), months)  # nothing before the peak month
    assert at_peak[months < 4].sum() == 0.0 and at_peak[months == 4][0] == 400.0


def test_peak_is_never_below_the_mid_2015_rate():
    months = np.arange(0, 20)
    rates = rc.rate_path(hand_path(peak_rate=50.0), months)
    assert rates.max() == 100.0 and np.all(np.diff(rates[months >= 4]) <= 0)


def test_rate_path_rejects_dated_points_out_of_order_and_unknown_words():
    with pytest.raises(ValueError, match="not in time order"):
        rc.rate_path(hand_path(peak_month=12), np.arange(0, 20))
    with pytest.raises(ValueError, match="unknown rise"):
        rc.rate_path(hand_path(rise="zigzag"), np.arange(0, 20))
    with pytest.raises(ValueError, match="unknown tail"):
        rc.rate_path(hand_path(tail="zigzag"), np.arange(0, 20))


def test_band_lower_never_exceeds_upper_and_one_path_is_its_own_band():
    months = np.arange(0, 30)
    paths = [hand_path(shape=s, tail=t) for s in rc.SHAPES for t in rc.TAILS]
    result = rc.band(paths, months)
    assert np.all(result["lower"] <= result["upper"])
    single = rc.band([hand_path()], months)
    assert np.allclose(single["lower"], rc.cumulative(rc.rate_path(hand_path(), months)))
    assert np.allclose(single["lower"], single["upper"])


def test_implied_total_and_residual_by_hand():
    assert rc.implied_total(200, 12) == 2400
    assert rc.residual(40000, 0.15, 20000) == pytest.approx(14000)
    assert rc.residual(40000, 0.30, 30000) < 0  # the figures cannot all hold


def test_values_and_combinations_by_hand():
    assumptions = {"x": {"low": 1, "central": 2, "high": 2, "also": [5]}, "y": {"low": "a", "central": "b", "high": "c"},
                   "z": {"low": 0, "central": 9, "high": 10}}
    assert rc.values(assumptions["x"]) == (1, 2, 5)  # each value once, in order
    assert rc.central(assumptions) == {"x": 2, "y": "b", "z": 9}
    combos = rc.combinations(assumptions, ["x", "y"])
    assert len(combos) == 9 and all(c["z"] == 9 for c in combos)  # z is not in the grid: central
    assert [(c["x"], c["y"]) for c in combos] == list(itertools.product((1, 2, 5), "abc"))


def test_stock_tests_by_hand():
    over = rc.StockTest("end", 30000, 5, "over")
    about = rc.StockTest("later", 40000, 9, "about", 0.10)
    assert not rc.meets(over, 30000) and rc.meets(over, 30001)  # "over": strictly more
    assert rc.meets(about, 40000 * 1.09) and not rc.meets(about, 40000 * 1.11) and rc.meets(about, 36000)
    with pytest.raises(ValueError, match="needs a tolerance"):
        rc.StockTest("later", 40000, 9, "about")
    with pytest.raises(ValueError, match="unknown test"):
        rc.StockTest("later", 40000, 9, "near", 0.1)


def test_measure_and_path_table_by_hand():
    months = np.arange(-2, 21)
    tests = [rc.StockTest("early", 500, 4, "over"), rc.StockTest("late", 2000, 16, "about", 0.5)]
    path = hand_path()
    measured = rc.measure(path, months, tests, (10, 12))
    cum = rc.cumulative(rc.rate_path(path, months))
    assert measured["by_early"] == pytest.approx(1000.0)  # 100 + 200 + 300 + 400
    assert measured["by_late"] == pytest.approx(cum[months == 16][0])
    assert measured["in_window"] == pytest.approx(100 + (100 - 80 / 6) + (100 - 160 / 6))  # months 10 to 12, linear
    with pytest.raises(ValueError, match="outside the months modelled"):
        rc.measure(path, months, [rc.StockTest("x", 1, 40, "over")], (10, 12))
    combos = [{"shape": s} for s in rc.SHAPES]
    table = rc.path_table(combos, [hand_path(shape=s) for s in rc.SHAPES], ["shape"], months, tests, (10, 12))
    assert list(table["shape"]) == list(rc.SHAPES)
    assert table["meets_early"].all() and (table["meets_all"] == table["meets_late"]).all()


def test_one_at_a_time_and_drivers_by_hand():
    assumptions = {"x": {"low": 1, "central": 2, "high": 4}, "y": {"low": 0, "central": 0, "high": 3}}
    frame = rc.one_at_a_time(assumptions, ["x", "y"], lambda v: {"sum": v["x"] + v["y"], "x2": 2 * v["x"]})
    assert list(frame["name"]) == ["", "x", "x", "y"] and list(frame["sum"]) == [2, 1, 4, 5]
    assert pd.isna(frame["value"][0]) and list(frame["value"][1:]) == [1, 4, 3]
    top = rc.drivers(frame, ["x", "y"], ["sum", "x2"])
    assert top["sum"] == ("x", 1, 4)  # x moves the sum by 3, y by 3 too: the first named wins a tie
    assert top["x2"] == ("x", 2, 8)


def test_the_model_module_holds_no_ledger_rows_and_no_assumption_values():
    source = (ROOT / "evidence" / "reconciliation.py").read_text(encoding="utf-8")
    assert not CLAIM_ID.search(source)
    assert not (ROOT / "evidence" / "arrivals.py").exists()
    for node in ast.walk(ast.parse(source)):  # no default values but None: every value comes from the chapter
        defaults = [*node.defaults, *node.kw_defaults] if isinstance(node, ast.arguments) else []
        defaults += [node.value] if isinstance(node, ast.AnnAssign) and node.value is not None else []
        assert all(d is None or (isinstance(d, ast.Constant) and d.value is None) for d in defaults), ast.dump(node)


# --- the notebook: what is where ---------------------------------------------------------------------


def _tags(meta: dict) -> list[str]:
    return meta.get("tags", [])


def test_the_assumptions_readings_and_arithmetic_are_in_visible_cells(chapter):
    visible = "\n".join(source for meta, source, _ in chapter.cells if not _tags(meta))
    for definition in ("ASSUMPTIONS = {", "GRID = [", "ONE_AT_A_TIME = [", "ABOUT = ", "STOCK_TESTS = {",
                       "n_months_2016 = months_between(", "reading_rates = {", "floor_b = ", "us_share = {",
                       "ceiling_ratio = ", "stock_gap = ", "needed_h1_2016 = ", "fits_2016 = {", "cases = [",
                       "sensitivity = reconciliation.one_at_a_time(", "def to_path("):
        assert definition in visible, definition
    assignments = [source for _, source, _ in chapter.cells if "ASSUMPTIONS = {" in source]
    assert len(assignments) == 1  # one cell holds the assumptions


def test_only_glue_and_set_up_cells_are_removed(chapter):
    removed = [source for meta, source, _ in chapter.cells if "remove-cell" in _tags(meta)]
    first = chapter.cells[0][1]
    assert removed[0] == first and "evidence = load()" in first
    for source in removed[1:]:
        statements = [line for line in source.splitlines() if line.strip() and not line.startswith((" ", "#"))]
        assert all(re.match(r"(glue\(|for |[a-z_0-9, ]+ = )", line) for line in statements), source
        assert "glue(" in source
    assert not any("remove-input" in _tags(meta) for meta, _, _ in chapter.cells)


def test_tables_and_charts_are_named_shown_and_numbered_by_sphinx(chapter):
    tables, figures = chapter.outputs(Table), chapter.outputs(Figure)
    assert len(tables) == 10 and len(figures) == 2
    names = [t.name for t in tables]
    for meta, _, value in chapter.cells:
        if isinstance(value, (Table, Figure)):
            assert "hide-input" in _tags(meta)  # long shaping and chart code collapsed, the output shown
        if isinstance(value, Figure):
            figure = meta["mystnb"]["figure"]
            assert figure["caption"] and not re.search(r"\b(Fig\.|Figure) \d", figure["caption"])
            names.append(figure["name"])
    assert len(set(names)) == len(names) and all(re.fullmatch(r"(tbl|fig)-decline-[a-z0-9-]+", n) for n in names)
    assert not any(re.search(r"\bTable \d", t.caption) for t in tables)
    text = CHAPTER.read_text(encoding="utf-8")
    # no typed numbers of the book's tables and figures in the prose (the policy paper's own "Figure 1" is its own)
    assert not re.search(r"\b(Table \d|(Figure|Fig\.) \d+\.\d)", prose(text))
    referenced = set(re.findall(r"\{numref\}`([^`]+)`", text))
    assert referenced <= set(names) and {"tbl-decline-assumptions", "fig-decline-band"} <= referenced


# --- the notebook's numbers, as the book gives them ----------------------------------------------------


def test_glued_numbers_are_the_books(chapter):
    for name, expected in BOOK_NUMBERS.items():
        assert chapter.glued[name] == expected, name


def test_every_glued_name_and_quoted_claim_exists(chapter, ev):
    text = CHAPTER.read_text(encoding="utf-8")
    for name in re.findall(r"\{glue:text\}`([a-z_0-9]+)", text):
        assert name in chapter.glued, name
    for claim_id in re.findall(r"```\{claim-quote\} (\S+)", text):
        assert claim_id in ev.claims.index, claim_id
    for match in CLAIM_ID.finditer(text):  # in the code cells too; a source id is a citation key
        assert match[0] in ev.claims.index or match[0] in ev.sources.index, match[0]


# --- the model in the chapter, on the real ledger -------------------------------------------------------


def test_2016_arrivals_under_less_than_200_stay_below_200_times_12(chapter, ev):
    ns = chapter.ns
    bound = ev.value("pp-flow-mid-2016")
    months = ns["months"]
    in_late_2016 = (months >= dates.month("2016-06")) & (months <= ns["tested_at"]["pp"])
    for path in ns["grid_paths"]:
        rates = rc.rate_path(path, months)
        assert rates[in_late_2016].max() <= bound
        assert rates[in_late_2016].sum() < rc.implied_total(bound, 12)


def test_every_path_declines_after_its_peak(chapter):
    months = chapter.ns["months"]
    for path in chapter.ns["grid_paths"][::7]:
        rates = rc.rate_path(path, months)
        assert np.all(np.diff(rates[months >= path.peak_month]) <= 1e-9), path


def test_grid_is_every_combination(chapter):
    ns = chapter.ns
    assumptions, grid = ns["ASSUMPTIONS"], ns["GRID"]
    expected = int(np.prod([len(rc.values(assumptions[name])) for name in grid]))
    assert len(ns["grid_paths"]) == len(ns["paths"]) == expected
    assert set(rc.values(assumptions["shape"])) == set(rc.SHAPES)
    assert set(rc.values(assumptions["tail"])) == set(rc.TAILS)
    assert "rise" not in grid and {p.rise for p in ns["grid_paths"]} == {"linear"}  # varied one at a time only
    assert set(ns["ONE_AT_A_TIME"]) == set(assumptions)


def test_low_and_high_values_move_arrivals_the_way_the_table_says(chapter):
    """Holding the rest central, each arrival assumption at 'low' gives no more arrivals than at 'high'."""
    ns = chapter.ns
    central = rc.central(ns["ASSUMPTIONS"])
    for name in [*ns["GRID"], "rise"]:
        totals = [rc.cumulative(rc.rate_path(ns["to_path"]({**central, name: ns["ASSUMPTIONS"][name][end]}),
                                             ns["months"]))[-1] for end in ("low", "high")]
        assert totals[0] <= totals[1], name


def test_band_contains_the_central_path_and_grows(chapter):
    ns = chapter.ns
    result = rc.band(ns["grid_paths"], ns["months"])
    central = rc.cumulative(rc.rate_path(ns["central_path"], ns["months"]))
    assert np.all(result["lower"] <= central + 1e-6) and np.all(central <= result["upper"] + 1e-6)
    assert np.all(np.diff(result["lower"]) >= 0) and np.all(np.diff(result["upper"]) >= 0)


def test_assumptions_come_from_the_ledger(chapter, ev):
    assumptions = chapter.ns["ASSUMPTIONS"]
    assert assumptions["mid_2015_rate"]["central"] == ev.value("pp-flow-mid-2015")
    assert assumptions["mid_2016_rate"]["high"] == ev.value("pp-flow-mid-2016")
    assert assumptions["mid_2016_rate"]["low"] == pytest.approx(50 / 8)  # reading (a): 50 over 8 months
    assert ev.value("intel-flow-50-since-2016") in rc.values(assumptions["mid_2016_rate"])  # reading (b)
    assert assumptions["peak_rate"]["high"] == ev.claim("intel-flow-2000-per-month")["upper"]
    assert assumptions["death_share"]["central"] == pytest.approx(ev.value("pp-deaths-european-15-percent") / 100)
    remaining = ev.claim("pp-remaining-10000-30000")
    assert (assumptions["remaining"]["low"], assumptions["remaining"]["high"]) == (remaining["lower"], remaining["upper"])
    assert dates.month_label(dates.month(assumptions["start"]["high"])) == "2011-01"  # "Since 2011"
    assert dates.month_label(chapter.ns["tested_at"]["pp"]) == "2016-12"


def test_month_rule_gives_8_months_for_the_2016_figure(chapter, ev):
    ns = chapter.ns
    claim = ev.claim("intel-flow-50-since-2016")
    assert dates.months_between(claim["period_start"], claim["period_end"]) == ns["n_months_2016"] == 8
    assert ns["reading_rates"]["a"] == pytest.approx(6.25)
    assert ns["window_2016"] == (dates.month("2016-01"), dates.month("2016-08"))
    assert "months_between" not in ns or ns["months_between"] is dates.months_between  # no copy of its own


def test_each_stock_figure_is_tested_at_its_own_date(chapter):
    ns = chapter.ns
    tests = {ns["STOCK_TESTS"][t.key]["claim"]: t for t in ns["tests"]}
    assert dates.month_label(tests["intel-stock-30000-people"].month) == "2015-12"
    assert dates.month_label(tests["pp-stock-total-people"].month) == "2016-12"  # undated: end of its Figure 1
    assert dates.month_label(tests["npr-stock-total"].month) == "2017-04"  # reported 4 May 2017
    assert dates.month_label(tests["dc-stock-total"].month) == "2017-06"  # reported 21 July 2017
    assert tests["intel-stock-30000-people"].test == "over" and tests["npr-stock-total"].tolerance == 0.10
    assert "undated" in ns["STOCK_TESTS"]["pp"]["why"]
    months = ns["months"]
    cum = rc.cumulative(rc.rate_path(ns["central_path"], months))
    for t in ns["tests"]:
        assert ns["central"][f"by_{t.key}"] == pytest.approx(cum[months == t.month][0])


def test_model_covers_both_readings_and_each_reading_has_its_own_subgrid(chapter):
    ns = chapter.ns
    paths, under, rates = ns["paths"], ns["under"], ns["reading_rates"]
    assert rates == {"a": pytest.approx(6.25), "b": 50.0}
    assert rates["b"] not in set(under["a"]["mid_2016_rate"]) and rates["a"] in set(under["a"]["mid_2016_rate"])
    assert rates["a"] not in set(under["b"]["mid_2016_rate"]) and rates["b"] in set(under["b"]["mid_2016_rate"])
    assert len(under["a"]) == len(under["b"]) and len(under["c"]) == len(paths)
    table = chapter.table("tbl-decline-readings-results")
    assert len(table) == 2 and set(table["Combinations"]) == {len(under["a"])}
    # a total of 50 is reached only by an immediate drop to reading (a)'s own average
    low = under["a"][under["a"]["in_window"] <= 50]
    assert len(low) and set(low["shape"]) == {"drop-early"} and set(low["mid_2016_rate"]) == {rates["a"]}


def test_one_at_a_time_changes_one_assumption_from_the_central_path(chapter):
    ns = chapter.ns
    frame, assumptions = ns["sensitivity"], ns["ASSUMPTIONS"]
    central = frame[frame["name"] == ""].iloc[0]
    assert central["by_pp"] == pytest.approx(ns["central"]["by_pp"])
    assert len(frame) == 1 + sum(len(rc.values(assumptions[n])) - 1 for n in ns["ONE_AT_A_TIME"])
    base = rc.central(assumptions)
    for row in frame[frame["name"] != ""].itertuples():
        assert row.value != base[row.name]
        changed = rc.measure(ns["to_path"]({**base, row.name: row.value}), ns["months"], ns["tests"], ns["window_2016"])
        assert row.by_end_2015 == pytest.approx(changed["by_end_2015"]), row.name
    rise = frame[frame["name"] == "rise"].set_index("value")["by_pp"]
    assert rise["at-peak"] < central["by_pp"] < rise["at-once"]
    death = frame[frame["name"] == "death_share"]
    assert (death["by_pp"] == central["by_pp"]).all() and (death["residual"] != central["residual"]).all()
    table = chapter.table("tbl-decline-sensitivity")
    assert len(table) == len(frame) and table.iloc[0]["Changed from the central path"].startswith("(none")


def test_drivers_name_the_assumption_that_moves_each_result_most(chapter):
    ns = chapter.ns
    frame, top = ns["sensitivity"], ns["top"]
    centre = frame[frame["name"] == ""].iloc[0]
    for column, (name, low, high) in top.items():
        values = [*frame.loc[frame["name"] == name, column], centre[column]]
        assert (low, high) == (min(values), max(values))
        for other in ns["ONE_AT_A_TIME"]:
            others = [*frame.loc[frame["name"] == other, column], centre[column]]
            assert max(others) - min(others) <= high - low + 1e-9, (column, other)
    assert ns["grid_top"]["by_pp"][0] in ns["GRID"]
    assert top["by_end_2015"][0] == "rise"  # nothing before the peak month vs the peak rate at once


# --- the tables against the ledger and the data tables ----------------------------------------------------


def _cited_ids(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip() and part.strip() != "book's assumption"]


def test_every_table_row_cites_claims_that_exist(chapter, ev):
    for name, column in [("tbl-decline-estimates", "Claim"), ("tbl-decline-reasons", "Claim"),
                         ("tbl-decline-assumptions", "Claims"), ("tbl-decline-comparison", "Claims"),
                         ("tbl-decline-stock-tests", "Claim")]:
        for cell in chapter.table(name)[column]:
            for claim_id in _cited_ids(cell):
                assert claim_id in ev.claims.index, claim_id


def test_estimates_table_labels_each_kind(chapter, ev):
    table = chapter.table("tbl-decline-estimates").set_index("Claim")
    assert table.loc["pp-flow-mid-2015", "Kind"] == "point estimate"
    assert table.loc["pp-flow-mid-2016", "Kind"] == "upper bound"
    assert table.loc["intel-flow-50-since-2016", "Kind"].startswith("total over a period as worded; read three ways")
    assert table.loc["intel-us-fewer-than-10-since-january", "Kind"] == "total over a period"
    assert table.loc["intel-flow-2000-per-month", "Kind"] == "upper figure"  # hedges.QUALIFIERS["up-to"]
    assert table.loc["intel-flow-2000-per-month", "Refers to"] == "'in previous years' (not dated)"
    assert set(ev.claims.index[ev.claims["topic"] == "flow"]) <= set(table.index)
    kinds = list(table["Kind"])
    assert kinds.index("qualitative statement") > kinds.index("total over a period") > kinds.index("upper bound")


def test_every_assumption_is_worded_and_sourced_or_marked_as_the_books(chapter, ev):
    words = ev.tables["reconciliation-assumptions"]
    assert list(words["assumption"]) == [*chapter.ns["ASSUMPTIONS"], "about_stock"]
    table = chapter.table("tbl-decline-assumptions")
    assert list(table["Assumption"]) == list(words["label"])
    for row in table.itertuples():
        assert row.Claims == "book's assumption" or _cited_ids(row.Claims), row.Assumption
        assert "book's" in row.Basis or row.Claims != "book's assumption"
    for cited in words["claims"]:
        assert all(claim_id in ev.claims.index for claim_id in cited.split())
    assert table.set_index("Assumption").loc["Shape of the rise from zero to the peak", "Also run"] == "one at a time only"


def test_reasons_table_has_every_stated_reason_with_its_quote_and_label(chapter, ev):
    table = chapter.table("tbl-decline-reasons")
    reasons = ev.claims[ev.claims["topic"] == "decline-reason"]
    labels = ev.tables["decline-reasons"].set_index("claim_id")
    assert set(reasons.index) == set(labels.index[labels["stated_as_reason"] == "yes"])
    assert list(table["Claim"]) == [*reasons.index, *labels.index[labels["stated_as_reason"] == "no"]]
    for row in table.itertuples():
        assert row.Quote == f"“{ev.claim(row.Claim)['quote']}”"
        assert row.Reason == labels.loc[row.Claim, "reason"]
    corridor = table.set_index("Claim").loc["pp-context-syria-losses", "Stated as a reason?"]
    assert corridor == "no: reported as a territorial loss, not linked to arrivals"


def test_comparison_states_the_2016_gap_under_both_readings(chapter):
    compared = chapter.table("tbl-decline-comparison").iloc[0]["Compared (book's computation)"]
    assert "Reading (a)" in compared and "32 times" in compared  # 200 / (50 / 8)
    assert "Reading (b)" in compared and "4 times" in compared  # 200 / 50
    assert "fewer than 1,600" in compared  # 200 * 8


def test_readings_table_sets_out_every_reading_with_its_implications(chapter):
    table = chapter.table("tbl-decline-readings").set_index("Reading")
    readings = chapter.ns["READINGS"]
    assert list(table.index) == list(readings.values())
    total, rate, floor = (table.loc[readings[r]] for r in "abc")
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


def test_accounting_rows_add_up(chapter, ev):
    table = chapter.table("tbl-decline-accounting")
    arrivals_column = next(c for c in table.columns if c.startswith("Arrivals by"))
    for row in table.to_dict("records"):
        expected = row[arrivals_column] - row["Died"] - row["Said to remain"]
        assert row["Residual: returned, moved on, or error"] == pytest.approx(expected, abs=100)
    stated = table[table["Arrivals from"].str.startswith("Stated")]
    assert set(stated[arrivals_column]) == {ev.value("pp-stock-total-people")}


def test_consistency_counts_match_the_path_table(chapter):
    paths = chapter.ns["paths"]
    assert (paths["by_pp"] >= paths["by_end_2015"]).all()
    table = chapter.table("tbl-decline-consistency")
    starts = table[table["Assumption"] == "start month"]
    assert starts["All four"].sum() == paths["meets_all"].sum()
    assert starts["Combinations"].sum() == len(paths)
    assert chapter.glued["n_meets_all"] == f"{int(paths['meets_all'].sum()):,} of {len(paths):,}"


def test_counts_of_combinations_are_never_percentages(chapter):
    """The grid is the book's choices, not a distribution: results are 'X of N' counts."""
    for name in [n for n in chapter.glued if n.startswith(("n_meets", "n_fit", "fit_"))]:
        assert re.fullmatch(r"[\d,]+ of [\d,]+", chapter.glued[name]), (name, chapter.glued[name])
    consistency = chapter.table("tbl-decline-consistency")
    counts = [consistency[c] for c in consistency.columns if c not in ("Assumption", "Value")]
    counts += [chapter.table("tbl-decline-stock-tests")["Combinations meeting it"],
               chapter.table("tbl-decline-readings-results")["Meeting all four stock figures"]]
    for column in counts:
        assert not column.astype(str).str.contains("%").any(), column.name
    text = prose(CHAPTER.read_text(encoding="utf-8"))
    assert not re.search(r"(likely|probab)\w*[^.]*\b(paths?|combinations?)\b", text, flags=re.I)
    assert not re.search(r"\b(paths?|combinations?)\b[^.]*\b(very likely|probably)\b", text, flags=re.I)


def test_attribution_columns_credit_the_voice(chapter, ev):
    attributed = chapter.ns["attributed"]
    for name in ("tbl-decline-estimates", "tbl-decline-reasons", "tbl-decline-stock-tests"):
        table = chapter.table(name)
        for shown, claim_id in zip(table["Attributed to (source)"], table["Claim"]):
            claim = ev.claim(claim_id)
            assert shown == attributed(claim)
            assert shown.startswith(voices.credit(claim, ev.sources))
    assert attributed(ev.claim("intel-flow-headline-near-zero")).startswith("intelNews (Joseph Fitsanakis), headline")


# --- charts ---------------------------------------------------------------------------------------------


def _layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", [spec]):
        out += _layers(layer) if "layer" in layer else [layer]
    return out


@pytest.mark.parametrize("name", ["fig-decline-rates", "fig-decline-band"])
def test_charts_carry_quotes_and_credits_in_every_rect_and_symbol_tooltip(chapter, name):
    _, figure = chapter.figure(name)
    assert figure.spec["width"] <= 560 and figure.alt_text and not figure.data.empty
    assert not re.search(r"\b(Figure|Fig\.) \d", figure.spec["title"]["text"])
    marks = 0
    for layer in _layers(figure.spec):
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        if mark in ("rect", "bar", "point", "circle", "square"):
            marks += 1
            fields = [t["field"] for t in layer["encoding"]["tooltip"]]
            assert {"figure", "qualifier", "quote_shown", "source", "credit"} <= set(fields), mark
            assert "speaker" not in fields, mark
    assert marks >= 1


def test_rate_chart_draws_the_2016_figure_under_both_readings(chapter):
    ns = chapter.ns
    data = ns["rate_data"]
    drawn = data[data["claim_id"] == "intel-flow-50-since-2016"].set_index("kind")
    assert drawn.loc[ns["KIND_A"], "rate"] == pytest.approx(50 / 8)
    assert drawn.loc[ns["KIND_B"], "rate"] == 50
    assert drawn.loc[ns["KIND_A"], "end"].strftime("%Y-%m") == "2016-08"  # the month rule: January to August
    assert all(q.startswith("“") and q.endswith("”") for q in data["quote_shown"])


# --- change an assumption, see it follow ---------------------------------------------------------------------

CENTRAL_START = '"start": {"low": "2013-01", "central": "2012-01", "high": since},'
DEATH_SHARE = '"death_share": {"low": 0.10, "central": deaths_europe, "high": 0.30},'
CHANGES = {
    CENTRAL_START: '"start": {"low": "2013-01", "central": "2011-07", "high": since},',
    DEATH_SHARE: '"death_share": {"low": 0.10, "central": deaths_europe, "high": 0.20},',
}


def changed_chapter() -> str:
    text = CHAPTER.read_text(encoding="utf-8")
    for old, new in CHANGES.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_a_changed_assumption_reaches_the_numbers_in_this_process(chapter):
    """The fast half of the slow test below: the same change, run in this process."""
    changed = run_chapter(changed_chapter())
    assert changed.glued["death_high"] == "20%" and changed.glued["n_resid_negative"] == "0 of the 9"
    assert changed.glued["resid_40k_low"] == "2,000"  # 40,000 less 20% dead less 30,000 remaining
    assert changed.glued["central_horizon"] != chapter.glued["central_horizon"]
    assert changed.glued["n_paths"] == chapter.glued["n_paths"]  # the grid's size does not depend on the centre
    assert changed.glued["n_meets_all"] != chapter.glued["n_meets_all"]  # the central start is in the grid
    untouched = ("avg_2016", "ratio_2016", "band_horizon_low", "band_horizon_high", "resid_40k_central", "fit_start_low")
    assert all(changed.glued[n] == chapter.glued[n] for n in untouched)


def _executed(text: str) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """Execute a chapter's MyST text in a Jupyter kernel; return its glued values and its named tables' rows."""
    from nbclient import NotebookClient

    notebook = read_myst_markdown_notebook(text)
    NotebookClient(notebook, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    glued, tables = {}, {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            plain = next((v for k, v in output.get("data", {}).items() if k.endswith("text/plain")), None)
            if name and plain is not None:
                glued[name] = ast.literal_eval(plain) if plain.startswith(("'", '"')) else plain
            page = output.get("data", {}).get("text/html", "")
            table = re.search(r'data-table-name="([^"]+)"', page)
            if table:
                tables[table[1]] = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                                    for row in re.findall(r"<tr>(.*?)</tr>", page) if "<td" in row]
    return glued, tables


@pytest.mark.slow
def test_changing_an_assumption_in_its_cell_changes_every_later_number(chapter, monkeypatch):
    """Edit the assumptions cell (the central start month, the highest death share), execute the
    notebook in a kernel as a reader would, and see the glued numbers and the tables follow; with
    the cell unchanged, the kernel gives the book's numbers."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports evidence from this tree
    monkeypatch.delenv("EVIDENCE_INPUTS_FILE", raising=False)
    monkeypatch.delenv("EVIDENCE_DATA_DIR", raising=False)
    glued, tables = _executed(CHAPTER.read_text(encoding="utf-8"))
    assert {name: glued[name] for name in BOOK_NUMBERS} == BOOK_NUMBERS
    assert glued == {name: str(value) for name, value in chapter.glued.items()}
    built = ROOT / "_build" / "jupyter_execute" / "chapters" / "decline-in-arrivals.glue.json"
    if built.exists():  # the book's own execution, after `make html`
        from evidence.sphinxext.notebook_export import glue_values
        import json

        assert glue_values(json.loads(built.read_text(encoding="utf-8"))) == glued

    changed, changed_tables = _executed(changed_chapter())
    in_process = run_chapter(changed_chapter())
    assert changed == {name: str(value) for name, value in in_process.glued.items()}
    # the death share: its glued words, the residuals and the accounting table's rows
    assert (glued["death_high"], changed["death_high"]) == ("30%", "20%")
    assert (glued["n_resid_negative"], changed["n_resid_negative"]) == ("1 of the 9", "0 of the 9")
    assert (glued["resid_40k_low"], changed["resid_40k_low"]) == ("-2,000", "2,000")
    lowest = [row for row in changed_tables["tbl-decline-accounting"] if row[1] == "lowest residual"]
    assert {row[3] for row in lowest} == {"20%"} and "30%" in {row[3] for row in tables["tbl-decline-accounting"]}
    # the central start month: the central path's totals, in the prose and in the tables
    assert changed["central_horizon"] != glued["central_horizon"]
    assert changed["central_horizon"] == in_process.glued["central_horizon"]
    assert changed_tables["tbl-decline-sensitivity"][0] != tables["tbl-decline-sensitivity"][0]
    central_column = [row[4] for row in changed_tables["tbl-decline-stock-tests"]]
    assert central_column != [row[4] for row in tables["tbl-decline-stock-tests"]]
    assert "2011-07" in changed_tables["tbl-decline-assumptions"][0]  # the start month's row
    # what does not depend on either assumption stays as it was
    assert changed["n_meets_all"] != glued["n_meets_all"]  # the new central start month is one of the grid's
    for name in ("n_paths", "avg_2016", "band_horizon_high", "resid_40k_central"):
        assert changed[name] == glued[name], name


def test_charts_tell_kinds_apart_and_date_their_ticks():
    """Issue 10: every kind of estimate has a shape of its own, and time axes are labelled with the year."""
    import json as json_lib

    raw = (ROOT / "_build" / "html" / "chapters" / "decline-in-arrivals.html").read_text(encoding="utf-8")
    specs = [json_lib.loads(s) for s in re.findall(r'<script type="application/json" id="chart-[0-9a-f]+-spec">(.*?)</script>', raw, re.S)]
    assert specs
    for spec in specs:
        text = json_lib.dumps(spec)
        for scale in re.findall(r'"shape": \{[^{}]*"scale": (\{[^{}]*\})', text):
            shapes = json_lib.loads(scale).get("range", [])
            assert len(shapes) == len(set(shapes)), shapes
        for axis in re.findall(r'"type": "temporal"[^{}]*"axis": (\{[^{}]*\})|"axis": (\{[^{}]*"format": "%Y"[^{}]*\})', text):
            assert "%Y" in "".join(axis)
