"""The decline in arrivals: the monthly-inflow estimates, and a small flow-stock reconciliation.

Two halves, kept apart on purpose:

- **What the sources say.** Every arrival-rate estimate in the ledger, labelled by the
  *kind* of statement it is (a point estimate, an upper bound, an upper figure with no
  period, a total over a period), the readings that intelNews's 2016 figure allows, the two
  2016 figures side by side, and the reasons the sources give for the decline, each
  credited to the voice whose words it is (:func:`evidence.voices.credit`). Nothing here is
  a number of the book's own, except where a column says "book's arithmetic".
- **What the book infers.** A deliberately small model: a piecewise monthly arrival path
  through the dated estimates, summed into cumulative arrivals and compared with each stock
  figure at the date it refers to, with deaths and "those said to remain" subtracted to
  leave a residual (returned home, moved elsewhere, or simply the error of the other
  figures). Every assumption is a named :class:`Parameter` with a low, central and high
  value and the claim ids it rests on. The model is run over every combination of them (a
  grid of the book's choices, not a probability distribution: results are counts of
  combinations), and each assumption is also varied alone from the central path, so the
  chapter can say which assumption drives which result.

Months and hedges are not computed here: :mod:`evidence.dates` holds the one month rule and
:mod:`evidence.hedges` the meaning of every qualifier.

The model functions (:func:`segment`, :func:`rate_path`, :func:`cumulative`,
:func:`band`) are pure and take plain numbers, so they can be tested with hand-made cases;
the functions that take ``evidence`` only read the ledger and call them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import altair as alt
import numpy as np
import pandas as pd

from evidence import book, voices
from evidence.charts import PALETTE, Figure, titled
from evidence.dates import month, month_date, month_label, months_between, per_month
from evidence.hedges import QUALIFIERS, direction
from evidence.ledger import Evidence
from evidence.tables import short_name

# --- the ledger rows this chapter rests on ------------------------------------------------------

RATE_MID_2015 = "pp-flow-mid-2015"  # roughly 1,500 a month in mid-2015 (US estimates, policy paper)
RATE_MID_2016 = "pp-flow-mid-2016"  # less than 200 a month by mid-2016 (US estimates, policy paper)
RATE_PREVIOUS_YEARS = "intel-flow-2000-per-month"  # nearly as many as 2,000 "each month" "in previous years"
TOTAL_2016 = "intel-flow-50-since-2016"  # "a total of just 50 since the beginning of 2016" (read three ways)
HEADLINE_2016 = "intel-flow-headline-near-zero"  # intelNews's headline: "drops to near zero"
PEAK_2014 = "npr-rasmussen-rate-declined-since-2014-peak"  # "steadily declined since its peak in 2014"
STOCK_END_2015 = "intel-stock-30000-people"  # over 30,000 by the end of 2015
STOCK_TOTAL = "pp-stock-total-people"  # 40,000 since 2011 (US intelligence estimates, undated policy paper)
STOCK_NPR, STOCK_DC = "npr-stock-total", "dc-stock-total"  # about 40,000, May and July 2017
STOCK_LATER = (STOCK_NPR, STOCK_DC)
REMAINING = "pp-remaining-10000-30000"  # 10,000-30,000 remain in the war zone
DEATHS_EUROPE = "pp-deaths-european-15-percent"  # roughly 15 % of European foreign fighters have died
HORIZON = "pp-context-figure1-territorial-losses"  # the policy paper's latest dated reference: Dec 2016
US_2016 = "intel-us-fewer-than-10-since-january"
US_TOTAL = "npr-us-250-attempted"
US_SMALL = "npr-rasmussen-us-persons-small-portion"
CAT_DEPARTURES, CAT_RETURNEES = "tl-cat-eu-departures", "tl-cat-eu-returnees"  # European comparison only


def kind(claim: pd.Series) -> str:
    """What kind of statement a flow figure is: a rate (point, bound, upper figure) or a total over a period."""
    if claim["unit"] == "people":
        return "total over a period"
    if not claim["unit"]:
        return "qualitative statement"
    return QUALIFIERS[claim["qualifier"]].kind


def attributed(evidence: Evidence, claim: pd.Series) -> str:
    """Whose words a claim is and where: the voice as :func:`evidence.voices.credit` names it, and the source."""
    return f"{voices.credit(claim, evidence.sources)} ({short_name(evidence.sources.loc[claim['source_id']])})"


# --- the readings of intelNews's 2016 figure -------------------------------------------------------
#
# "the total inflow of foreign recruits has trickled down to a total of just 50 since the
# beginning of 2016" can be read as a total over the period (a), as a monthly rate garbled
# into a total (b), or as a count of the recruits the assessments could identify (c). The
# chapter sets them side by side before any arithmetic; no model bound rests on one alone.

READINGS = {
    "a": "(a) a total",
    "b": "(b) a monthly rate",
    "c": "(c) a count of identified recruits",
}


def months_2016(evidence: Evidence) -> int:
    """Months the 2016 figure covers under the month rule (January to the September report: 8)."""
    claim = evidence.claim(TOTAL_2016)
    return months_between(claim["period_start"], claim["period_end"])


def average_2016(evidence: Evidence) -> float:
    """Reading (a): the total divided by the months it covers, by the month rule (book's arithmetic)."""
    claim = evidence.claim(TOTAL_2016)
    return per_month(claim["value"], claim["period_start"], claim["period_end"])


def reading_rates(evidence: Evidence) -> dict[str, float]:
    """The monthly rate each reading gives for 2016: (a) the average of a total, (b) the figure itself.

    Reading (c) gives only a floor, no rate of its own; the model's lowest value covers it.
    """
    return {"a": average_2016(evidence), "b": float(evidence.value(TOTAL_2016))}


def readings_table(evidence: Evidence) -> pd.DataFrame:
    """Table: each reading of the 2016 figure, what it implies a month, in all, for the US share, and against 200.

    Every number is the book's arithmetic on ledger figures; the hedge of each derived share
    follows the one bound rule (:func:`evidence.hedges.direction`).
    """
    total, us, bound = evidence.claim(TOTAL_2016), evidence.claim(US_2016), evidence.claim(RATE_MID_2016)
    n = months_2016(evidence)
    rates = reading_rates(evidence)
    fifty, ten, ceiling = total["value"], us["value"], bound["value"]
    floor_b = rates["b"] * n  # the rate had fallen ("trickled down") to 50, so the months before carried at least 50
    us_share_a = direction([us["qualifier"]], [total["qualifier"]])
    us_share_b = direction([us["qualifier"]], ["more-than"])
    return pd.DataFrame([
        {
            "Reading": READINGS["a"],
            "Taken to mean": f"{book.number(fifty)} arrived in all, January to the report",
            "A month (book's arithmetic)": f"about {rates['a']:.0f} ({book.number(fifty)} ÷ {n} = {rates['a']:.2f})",
            "January–August 2016": book.number(fifty),
            "Americans' share": f"{us_share_a} {ten / fifty:.0%}",
            "Against 'less than 200'": f"the ceiling is {book.ratio(ceiling, rates['a']):g} times the average",
        },
        {
            "Reading": READINGS["b"],
            "Taken to mean": f"the inflow had fallen to {book.number(rates['b'])} a month by the report",
            "A month (book's arithmetic)": f"{book.number(rates['b'])}, at the report",
            "January–August 2016": f"at least {book.number(floor_b)} ({book.number(rates['b'])} × {n}, the rate falling)",
            "Americans' share": f"{us_share_b} {ten / floor_b:.1%}",
            "Against 'less than 200'": f"the ceiling is {book.ratio(ceiling, rates['b']):g} times the rate: the fall went on",
        },
        {
            "Reading": READINGS["c"],
            "Taken to mean": f"{book.number(fifty)} that the assessments could count; others may be uncounted",
            "A month (book's arithmetic)": f"at least about {rates['a']:.0f} (a floor)",
            "January–August 2016": f"at least {book.number(fifty)}",
            "Americans' share": f"{us_share_a} {ten / fifty:.0%} of those counted; of all arrivals, not known",
            "Against 'less than 200'": "no conflict: a floor says nothing of how far below",
        },
    ])


# --- the model: pure functions on plain numbers -----------------------------------------------------

SHAPES = ("drop-early", "exponential", "linear", "drop-late")
TAILS = ("stops", "holds")
# The rise from zero to the peak: no source describes it. "linear" is the book's central choice;
# every rising path lies between "at-peak" (nothing before the peak month) and "at-once" (the
# peak rate from the month after the start), the same two bounds as for a declining segment.
RISES = {"at-peak": "drop-late", "linear": "linear", "at-once": "drop-early"}


def segment(r0: float, r1: float, n: int, shape: str) -> np.ndarray:
    """Monthly rates for the ``n`` months from one dated point (included) to the next (excluded).

    The sources give a few dated rates and say the rate "steadily declined"; between two dated
    points any non-increasing path lies between ``drop-early`` (the next level at once) and
    ``drop-late`` (the earlier level until the next point), so those two shapes bound every
    declining path, and ``exponential`` and ``linear`` lie in between. The first month always
    carries ``r0``: the dated estimate itself.
    """
    if n <= 0:
        return np.zeros(0)
    steps = np.arange(n) / n
    if shape == "linear":
        return r0 + (r1 - r0) * steps
    if shape == "exponential":
        if r0 <= 0 or r1 <= 0:
            return r0 + (r1 - r0) * steps  # a proportional path cannot start or end at zero
        return r0 * (r1 / r0) ** steps
    if shape == "drop-early":
        return np.concatenate([[r0], np.full(n - 1, float(r1))])
    if shape == "drop-late":
        return np.full(n, float(r0))
    raise ValueError(f"unknown shape '{shape}': expected one of {', '.join(SHAPES)}")


@dataclass(frozen=True)
class Path:
    """One set of assumptions: where arrivals start, where they peak, and how they decline.

    Months are ordinals (see :func:`evidence.dates.month`). The rate rises from zero at
    ``start`` to ``peak_rate`` at ``peak_month`` (in the way ``rise`` names), then follows
    ``shape`` through the mid-2015 and mid-2016 points, then ``tail``: "holds" keeps the
    mid-2016 rate, "stops" drops to zero after it.
    """

    start: int
    peak_month: int
    peak_rate: float
    mid_2015_month: int
    mid_2015_rate: float
    mid_2016_month: int
    mid_2016_rate: float
    shape: str
    tail: str
    rise: str = "linear"


def rate_path(path: Path, months: np.ndarray) -> np.ndarray:
    """The monthly arrival rate in each of ``months`` (ordinals, consecutive) under ``path``."""
    if not path.start < path.peak_month < path.mid_2015_month < path.mid_2016_month:
        raise ValueError(f"the dated points of {path} are not in time order")
    if path.rise not in RISES:
        raise ValueError(f"unknown rise '{path.rise}': expected one of {', '.join(RISES)}")
    peak = max(path.peak_rate, path.mid_2015_rate)  # the rate declined after its peak (Rasmussen)
    pieces = [
        segment(0.0, peak, path.peak_month - path.start, RISES[path.rise]),
        segment(peak, path.mid_2015_rate, path.mid_2015_month - path.peak_month, path.shape),
        segment(path.mid_2015_rate, path.mid_2016_rate, path.mid_2016_month - path.mid_2015_month, path.shape),
    ]
    known = np.concatenate(pieces)  # months start .. mid_2016_month - 1
    rates = np.zeros(len(months))
    offset = months - path.start
    inside = (offset >= 0) & (offset < len(known))
    rates[inside] = known[offset[inside]]
    after = months >= path.mid_2016_month
    rates[after] = path.mid_2016_rate if path.tail == "holds" else 0.0
    rates[months == path.mid_2016_month] = path.mid_2016_rate  # the dated estimate itself
    return rates


def cumulative(rates: np.ndarray) -> np.ndarray:
    """Cumulative arrivals at the end of each month: a constant rate r over n months gives r*n."""
    return np.cumsum(rates)


def implied_total(rate_bound: float, n_months: int) -> float:
    """The most arrivals a rate bound allows over ``n_months`` ('less than 200 a month' for 12 months: < 2,400)."""
    return rate_bound * n_months


def band(paths: list[Path], months: np.ndarray) -> pd.DataFrame:
    """Cumulative arrivals per month: the lowest and highest over ``paths``, one row per month."""
    totals = np.vstack([cumulative(rate_path(p, months)) for p in paths])
    return pd.DataFrame({"month": months, "lower": totals.min(axis=0), "upper": totals.max(axis=0)})


def residual(arrivals: float, death_share: float, remaining: float) -> float:
    """Arrivals neither dead nor still in the war zone: returned home, moved on, or the other figures' error."""
    return arrivals * (1 - death_share) - remaining


# --- the assumptions, from the ledger ------------------------------------------------------------------

BOOK = "book's assumption"


@dataclass(frozen=True)
class Parameter:
    """One assumption of the model: low, central and high values, further values run, and what they rest on.

    *Low* and *high* refer to the effect on arrivals. ``also`` holds further values the grid
    runs (e.g. reading (b)'s rate for mid-2016); ``in_grid`` is False for an assumption that
    is only varied one at a time from the central path.
    """

    name: str
    label: str
    short: str
    low: object
    central: object
    high: object
    basis: str
    claims: tuple[str, ...] = field(default=())
    also: tuple = field(default=())
    in_grid: bool = True

    def values(self) -> tuple:
        return tuple(dict.fromkeys((self.low, self.central, self.high, *self.also)))


ABOUT_TOLERANCE = 0.10  # the book reads "about 40,000" as within 10 per cent either way


def dated_points(evidence: Evidence) -> dict[str, int]:
    """The months of the dated points, read from the ledger's periods."""
    return {
        "mid_2015": month(evidence.claim(RATE_MID_2015)["period_start"]),
        "mid_2016": month(evidence.claim(RATE_MID_2016)["period_start"]),
        "end_2015": month(evidence.claim(STOCK_END_2015)["period_end"]),
        "horizon": month(evidence.claim(HORIZON)["period_end"]),
        "since": month(evidence.claim(STOCK_TOTAL)["period_start"]),
        "peak_year": month(evidence.claim(PEAK_2014)["period_start"]),
    }


def parameters(evidence: Evidence) -> list[Parameter]:
    """Every assumption of the reconciliation, with its values and what it rests on."""
    points = dated_points(evidence)
    since, peak_year = points["since"], points["peak_year"]
    mid_2015 = evidence.value(RATE_MID_2015)
    bound_2016 = evidence.value(RATE_MID_2016)
    readings = reading_rates(evidence)
    upper_peak = evidence.claim(RATE_PREVIOUS_YEARS)["upper"]
    death = evidence.value(DEATHS_EUROPE) / 100
    remaining = evidence.claim(REMAINING)
    stock = evidence.value(STOCK_TOTAL)
    return [
        Parameter("start", "Month arrivals begin to rise from zero", "start month",
                  since + 24, since + 12, since,
                  "High: the policy paper's 'since 2011'; central and low one and two years later: book's assumption",
                  (STOCK_TOTAL,)),
        Parameter("rise", "Shape of the rise from zero to the peak", "shape of the rise",
                  "at-peak", "linear", "at-once",
                  "No source describes the rise. Low: nothing before the peak month; high: the peak rate from "
                  "the start (every rising path lies between them): book's assumption; varied one at a time only",
                  (),
                  in_grid=False),
        Parameter("peak_month", "Month of the peak rate, within 2014", "peak month",
                  peak_year + 11, peak_year + 6, peak_year,
                  "Rasmussen: peak in 2014; the month within the year is the book's assumption", (PEAK_2014,)),
        Parameter("peak_rate", "Peak rate (a month)", "peak rate",
                  mid_2015, (mid_2015 + upper_peak) / 2, upper_peak,
                  "Low: no lower than the mid-2015 rate (the rate declined after the peak); high: 'nearly as "
                  "many as 2,000'; central: halfway, book's assumption", (RATE_MID_2015, RATE_PREVIOUS_YEARS, PEAK_2014)),
        Parameter("mid_2015_rate", "Rate in mid-2015 (a month)", "mid-2015 rate",
                  mid_2015 * 0.9, mid_2015, mid_2015 * 1.1,
                  "Central: 'roughly 1,500'; plus or minus 10 per cent for 'roughly': book's assumption", (RATE_MID_2015,)),
        Parameter("mid_2016_rate", "Rate in mid-2016 (a month)", "mid-2016 rate",
                  readings["a"], bound_2016 / 2, bound_2016,
                  "High: the bound 'less than 200' itself; low: intelNews's 50 under reading (a), spread over "
                  f"{months_2016(evidence)} months (book's arithmetic), also run: 50 a month under reading (b); "
                  "central: half the bound, book's assumption",
                  (RATE_MID_2016, TOTAL_2016), also=(readings["b"],)),
        Parameter("shape", "Shape of the decline between dated points", "shape of the decline",
                  "drop-early", "exponential", "drop-late",
                  "Rasmussen: 'steadily declined'; every declining path lies between drop-early and drop-late; "
                  "also run: linear; the central shape is the book's assumption", (PEAK_2014,), also=("linear",)),
        Parameter("tail", "Rate after mid-2016", "rate after mid-2016", "stops", "holds", "holds",
                  "Zero ('all but eliminated', intelNews) or held at the mid-2016 level: book's assumption",
                  ("intel-flow-all-but-eliminated",)),
        Parameter("death_share", "Share of arrivals who died", "death share",
                  death * 2 / 3, death, death * 2,
                  "Central: roughly 15 per cent of European foreign fighters, applied to all fighters (an "
                  "assumption: the source gives it for Europeans only); low and high: book's assumption",
                  (DEATHS_EUROPE,)),
        Parameter("remaining", "Foreign fighters still in the war zone", "number said to remain",
                  remaining["lower"], (remaining["lower"] + remaining["upper"]) / 2, remaining["upper"],
                  "US estimates: 'between 10,000 and 30,000'; central: the midpoint, book's assumption", (REMAINING,)),
        Parameter("about_stock", "Cumulative arrivals that count as 'about 40,000'", "tolerance of 'about'",
                  stock * (1 - ABOUT_TOLERANCE), stock, stock * (1 + ABOUT_TOLERANCE),
                  "Within 10 per cent either way: book's assumption", (STOCK_TOTAL, *STOCK_LATER)),
    ]


def _param(evidence: Evidence, name: str) -> Parameter:
    return next(p for p in parameters(evidence) if p.name == name)


ARRIVAL_PARAMETERS = ("start", "peak_month", "peak_rate", "mid_2015_rate", "mid_2016_rate", "shape", "tail")
ONE_AT_A_TIME = ("start", "rise", "peak_month", "peak_rate", "mid_2015_rate", "mid_2016_rate", "shape", "tail",
                 "death_share", "remaining")


def central_path(evidence: Evidence) -> Path:
    """The path with every arrival assumption at its central value."""
    params = {p.name: p for p in parameters(evidence)}
    points = dated_points(evidence)
    return Path(
        start=params["start"].central, peak_month=params["peak_month"].central,
        peak_rate=params["peak_rate"].central, mid_2015_month=points["mid_2015"],
        mid_2015_rate=params["mid_2015_rate"].central, mid_2016_month=points["mid_2016"],
        mid_2016_rate=params["mid_2016_rate"].central, shape=params["shape"].central, tail=params["tail"].central,
        rise=params["rise"].central,
    )


def grid(evidence: Evidence) -> list[Path]:
    """Every combination of the values of the arrival assumptions (the central path with each set of changes)."""
    params = {p.name: p for p in parameters(evidence)}
    central = central_path(evidence)
    choices = [params[name].values() for name in ARRIVAL_PARAMETERS]
    return [replace(central, **dict(zip(ARRIVAL_PARAMETERS, combo))) for combo in itertools.product(*choices)]


# --- the stock figures, each tested at the date it refers to -------------------------------------------


@dataclass(frozen=True)
class StockTest:
    """A stock figure and the month whose cumulative arrivals (to the end of that month) it is tested against."""

    key: str
    claim_id: str
    month: int
    test: str  # "over": arrivals must exceed the figure; "about": within ABOUT_TOLERANCE of it
    dated: str  # how the month is chosen, in words


def stock_tests(evidence: Evidence) -> list[StockTest]:
    """The four stock figures with the month each is tested at, and why that month.

    A figure stated without a reference date is tested at the arrivals before the month of
    its report (the month rule: whole months before the report's month). The policy paper is
    undated: its figure is tested at December 2016, the last month its Figure 1 covers, so the
    earliest the paper can date from; testing it later would add only the rate after mid-2016.
    """
    end15 = evidence.claim(STOCK_END_2015)
    horizon = dated_points(evidence)["horizon"]
    tests = [
        StockTest("end_2015", STOCK_END_2015, month(end15["period_end"]), "over", "'By the end of 2015'"),
        StockTest("pp", STOCK_TOTAL, horizon, "about",
                  "undated paper: the last month its Figure 1 covers, the earliest the paper can date from"),
    ]
    for key, claim_id in (("npr", STOCK_NPR), ("dc", STOCK_DC)):
        claim = evidence.claim(claim_id)
        tests.append(StockTest(key, claim_id, month(claim["stated"]) - 1, "about",
                               f"no reference date: the month before the report ({claim['stated']})"))
    return tests


def meets(test: StockTest, arrivals: np.ndarray | float, figure: float) -> np.ndarray | bool:
    """Whether cumulative arrivals meet a stock figure: above a lower bound, or within the tolerance of 'about'."""
    if test.test == "over":
        return arrivals > figure
    return abs(arrivals - figure) <= ABOUT_TOLERANCE * figure


def model_months(evidence: Evidence) -> np.ndarray:
    """The months the model covers: from the earliest start to the latest stock test (June 2017)."""
    return np.arange(dated_points(evidence)["since"], max(t.month for t in stock_tests(evidence)) + 1)


def window_2016(evidence: Evidence) -> tuple[int, int]:
    """The months of intelNews's 2016 figure under the month rule: January to August 2016 (both included)."""
    claim = evidence.claim(TOTAL_2016)
    return month(claim["period_start"]), month(claim["period_end"]) - 1


def _measure(path: Path, months: np.ndarray, tests: list[StockTest], window: tuple[int, int]) -> dict[str, float]:
    rates = rate_path(path, months)
    cum = cumulative(rates)
    out = {f"by_{t.key}": float(cum[months == t.month][0]) for t in tests}
    out["in_2016_to_report"] = float(rates[(months >= window[0]) & (months <= window[1])].sum())
    return out


def results(evidence: Evidence, path: Path) -> dict[str, float]:
    """The model's main results for one path: arrivals by each stock test's month, and January-August 2016."""
    return _measure(path, model_months(evidence), stock_tests(evidence), window_2016(evidence))


def path_table(evidence: Evidence) -> pd.DataFrame:
    """Every combination of the grid with its results and, for each stock figure, whether it meets it.

    ``reading`` says which reading of the 2016 figure a combination's mid-2016 rate comes from
    ("a", "b", or "" for a rate that is not a reading's).
    """
    months, tests, window = model_months(evidence), stock_tests(evidence), window_2016(evidence)
    frame = pd.DataFrame([
        {**{name: getattr(p, name) for name in ARRIVAL_PARAMETERS}, **_measure(p, months, tests, window)}
        for p in grid(evidence)
    ])
    for t in tests:
        frame[f"meets_{t.key}"] = meets(t, frame[f"by_{t.key}"], evidence.value(t.claim_id))
    frame["meets_all"] = frame[[f"meets_{t.key}" for t in tests]].all(axis=1)
    frame["reading"] = frame["mid_2016_rate"].map({v: k for k, v in reading_rates(evidence).items()}).fillna("")
    return frame


def under_reading(paths: pd.DataFrame, reading: str) -> pd.DataFrame:
    """The combinations of the grid open under one reading of the 2016 figure: without the other reading's rate.

    Reading (c) gives only a floor, so every combination is open under it.
    """
    other = {"a": "b", "b": "a"}.get(reading)
    return paths[paths["reading"] != other] if other else paths


# --- derived tables -------------------------------------------------------------------------------

RATE_FLOWS = (RATE_PREVIOUS_YEARS, RATE_MID_2015, RATE_MID_2016, TOTAL_2016)


def estimates_table(evidence: Evidence) -> pd.DataFrame:
    """Table: every arrival estimate in the ledger (topic flow, plus the US 2016 figure), with its kind."""
    claims = evidence.claims
    rows = claims[(claims["topic"] == "flow") | (claims["claim_id"] == US_2016)]
    out = []
    for _, c in rows.iterrows():
        out.append({
            "Estimate": book.describe(c) or "no figure",
            "Kind": "total over a period as worded; read three ways (see above)" if c["claim_id"] == TOTAL_2016 else kind(c),
            "Refers to": _period_words(c),
            "Who": c["geography"] or "all origins",
            "Attributed to (source)": attributed(evidence, c),
            "Claim": c["claim_id"],
        })
    order = {"qualitative statement": 2}
    frame = pd.DataFrame(out)
    frame["_o"] = [1 if k.startswith("total") else order.get(k, 0) for k in frame["Kind"]]
    return frame.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _period_words(claim: pd.Series) -> str:
    start, end = claim["period_start"], claim["period_end"]
    if claim["claim_id"] == RATE_PREVIOUS_YEARS:
        return "'in previous years' (not dated)"
    if claim["claim_id"] == TOTAL_2016:
        return f"'since the beginning of 2016', to the report ({end})"
    if start and end and start != end:
        return f"{start} to {end}"
    if start and end:
        return start
    if start:
        return f"since {start}"
    if end:
        return f"by {end}"
    return f"stated {claim['stated']}"


def comparison_2016(evidence: Evidence) -> pd.DataFrame:
    """Table: pairs of figures for the same quantity from different sources, as monthly rates where possible.

    The 2016 pair is compared under each reading of intelNews's figure (see :func:`readings_table`);
    a bound stays a bound, so a ratio compares a ceiling with an average or a rate and says so.
    """
    mid15, bound16 = evidence.claim(RATE_MID_2015), evidence.claim(RATE_MID_2016)
    prev, total = evidence.claim(RATE_PREVIOUS_YEARS), evidence.claim(TOTAL_2016)
    end15, stock = evidence.claim(STOCK_END_2015), evidence.claim(STOCK_TOTAL)
    n16 = months_2016(evidence)
    rates = reading_rates(evidence)
    ceiling = bound16["value"]

    def src(c: pd.Series) -> str:
        return attributed(evidence, c)

    rows = [
        {
            "Quantity": "Arrivals a month in 2016",
            "Figure A": book.describe(bound16) + f" (by {bound16['period_start']})",
            "Source A": src(bound16),
            "Figure B": f"'a total of just {book.number(total['value'])} since the beginning of 2016' (to {total['period_end']})",
            "Source B": src(total),
            "Compared (book's computation)": f"Reading (a), a total: about {rates['a']:.2f} a month over "
            f"{n16} months, and A's ceiling is {book.ratio(ceiling, rates['a']):g} times that. Reading (b), a rate: "
            f"{book.number(rates['b'])} a month, and A's ceiling is {book.ratio(ceiling, rates['b']):g} times that. "
            f"At the ceiling, {n16} months would allow fewer than {book.number(implied_total(ceiling, n16))}",
            "Claims": f"{RATE_MID_2016}, {TOTAL_2016}",
        },
        {
            "Quantity": "Arrivals a month at or near the peak",
            "Figure A": book.describe(mid15) + f" ({mid15['period_start']})",
            "Source A": src(mid15),
            "Figure B": book.describe(prev) + " ('in previous years')",
            "Source B": src(prev),
            "Compared (book's computation)": f"B's upper figure is {book.ratio(prev['upper'], mid15['value']):g} "
            "times A; B has no date and counts crossings into Syria only",
            "Claims": f"{RATE_MID_2015}, {RATE_PREVIOUS_YEARS}",
        },
        {
            "Quantity": "Foreigners who had travelled (cumulative)",
            "Figure A": book.describe(end15) + f" (by {end15['period_end']})",
            "Source A": src(end15),
            "Figure B": book.describe(stock) + f" (since {stock['period_start']}; the paper is undated)",
            "Source B": src(stock),
            "Compared (book's computation)": f"B minus A: {direction([stock['qualifier']], [end15['qualifier']])} "
            f"{book.number(stock['value'] - end15['value'])}, since A is a lower bound",
            "Claims": f"{STOCK_END_2015}, {STOCK_TOTAL}",
        },
    ]
    return pd.DataFrame(rows)


REASON_LABELS = {
    "intel-decline-shrinking-territory": "Shrinking territory",
    "intel-decline-failing-entity": "ISIS seen as a 'failing entity'",
    "intel-decline-harder-to-enter-syria": "Harder to enter Syria; vigilance of Western governments and Turkey",
    "intel-decline-lost-border-regions": "Loss of areas next to Turkey's border",
}


def reasons_table(evidence: Evidence) -> pd.DataFrame:
    """Table: the reasons the sources give for the decline (topic decline-reason), each with its quote and voice.

    The policy paper's loss of the Syria-Turkey corridor is listed too, marked as context: the
    paper reports the loss but does not tie it to arrivals.
    """
    claims = evidence.claims
    rows = claims[claims["topic"] == "decline-reason"]
    out = [
        {
            "Reason": REASON_LABELS.get(c["claim_id"], c["claim_id"]),
            "Quote": f"“{c['quote']}”",
            "Attributed to (source)": attributed(evidence, c),
            "Stated as a reason?": "yes",
            "Claim": c["claim_id"],
        }
        for _, c in rows.iterrows()
    ]
    corridor = evidence.claim("pp-context-syria-losses")
    out.append({
        "Reason": "Loss of the corridor between northern Syria and Turkey",
        "Quote": f"“{corridor['quote']}”",
        "Attributed to (source)": attributed(evidence, corridor),
        "Stated as a reason?": "no: reported as a territorial loss, not linked to arrivals",
        "Claim": corridor["claim_id"],
    })
    return pd.DataFrame(out)


def _show(name: str, value: object) -> str:
    """A parameter value as the tables print it."""
    if name in ("start", "peak_month"):
        return month_label(value)
    if name == "death_share":
        return f"{value:.0%}"
    if isinstance(value, str):
        return value
    return f"{value:.2f}" if value < 10 else book.number(round(value, 1))


def assumptions_table(evidence: Evidence) -> pd.DataFrame:
    """Table: every assumption of the reconciliation with its low, central and high values and its basis."""
    return pd.DataFrame([
        {
            "Assumption": p.label,
            "Low": _show(p.name, p.low),
            "Central": _show(p.name, p.central),
            "High": _show(p.name, p.high),
            "Also run": ", ".join(_show(p.name, v) for v in p.also) if p.in_grid else "one at a time only",
            "Basis": p.basis,
            "Claims": ", ".join(p.claims) if p.claims else BOOK,
        }
        for p in parameters(evidence)
    ])


def _test_column(evidence: Evidence, t: StockTest) -> str:
    """A short column title for one stock test: the source and the month (the caption names the figures)."""
    who = {"end_2015": "intelNews", "pp": "Policy paper", "npr": "NPR", "dc": "Daily Caller"}[t.key]
    return f"{who}, {month_label(t.month)}"


def consistency_table(evidence: Evidence) -> pd.DataFrame:
    """Table: for each value of each arrival assumption, how many combinations meet each stock figure at its date.

    Counts of combinations of the book's assumptions, not probabilities: the grid is a set of
    choices, each counted once.
    """
    paths = path_table(evidence)
    params = {p.name: p for p in parameters(evidence)}
    tests = stock_tests(evidence)
    rows = []
    for name in ARRIVAL_PARAMETERS:
        groups = dict(list(paths.groupby(name, sort=False)))
        for value in params[name].values():
            group = groups[value]
            row = {"Assumption": params[name].short, "Value": _show(name, value), "Combinations": len(group)}
            for t in tests:
                row[_test_column(evidence, t)] = int(group[f"meets_{t.key}"].sum())
            row["All four"] = int(group["meets_all"].sum())
            rows.append(row)
    return pd.DataFrame(rows)


def stock_tests_table(evidence: Evidence) -> pd.DataFrame:
    """Table: each stock figure, the month it is tested at and why, and how many combinations meet it."""
    paths = path_table(evidence)
    central = results(evidence, central_path(evidence))
    rows = []
    for t in stock_tests(evidence):
        claim = evidence.claim(t.claim_id)
        rows.append({
            "Stock figure": book.describe(claim),
            "Attributed to (source)": attributed(evidence, claim),
            "Tested at the end of": month_label(t.month),
            "Why that month": t.dated,
            "Central path": _rnd_number(central[f"by_{t.key}"]),
            "Combinations meeting it": f"{int(paths[f'meets_{t.key}'].sum()):,} of {len(paths):,}",
            "Claim": t.claim_id,
        })
    return pd.DataFrame(rows)


SENSITIVITY_RESULTS = {
    "by_end_2015": "Arrivals by end-2015",
    "by_pp": "Arrivals by Dec 2016",
    "in_2016_to_report": "Arrivals Jan–Aug 2016",
    "residual": "Residual, Dec 2016",
}


def sensitivity(evidence: Evidence) -> pd.DataFrame:
    """The main results on the central path and with one assumption at a time moved to each of its other values.

    One row per (assumption, value); ``name`` is "" for the central path. The residual is the
    model's arrivals by December 2016 less deaths and those said to remain.
    """
    params = {p.name: p for p in parameters(evidence)}
    central = central_path(evidence)
    tests = stock_tests(evidence)

    def row(name: str, value: object) -> dict:
        path = replace(central, **{name: value}) if name in Path.__dataclass_fields__ else central
        out = results(evidence, path)
        death = value if name == "death_share" else params["death_share"].central
        remain = value if name == "remaining" else params["remaining"].central
        out["residual"] = residual(out["by_pp"], death, remain)
        out["meets_all"] = all(meets(t, out[f"by_{t.key}"], evidence.value(t.claim_id)) for t in tests)
        return {"name": name, "value": value, **out}

    rows = [row("", None)]
    for name in ONE_AT_A_TIME:
        rows += [row(name, v) for v in params[name].values() if v != params[name].central]
    return pd.DataFrame(rows)


def sensitivity_table(evidence: Evidence) -> pd.DataFrame:
    """Table: :func:`sensitivity` as printed, results rounded as the prose gives them."""
    params = {p.name: p for p in parameters(evidence)}
    frame = sensitivity(evidence)
    out = pd.DataFrame({
        "Changed from the central path": ["(none: central path)" if not n else params[n].short for n in frame["name"]],
        "To": ["" if not n else _show(n, v) for n, v in zip(frame["name"], frame["value"])],
    })
    for column, title in SENSITIVITY_RESULTS.items():
        out[title] = [_rnd_number(v) for v in frame[column]]
    out["Meets all four stock figures"] = ["yes" if m else "no" for m in frame["meets_all"]]
    return out


def drivers(evidence: Evidence, among: tuple[str, ...] = ONE_AT_A_TIME) -> dict[str, tuple[str, float, float]]:
    """For each main result, the assumption (of ``among``) whose one-at-a-time change moves it most.

    Returns, per result column of :data:`SENSITIVITY_RESULTS`, (short name, lowest, highest),
    the range including the central path.
    """
    frame = sensitivity(evidence)
    params = {p.name: p for p in parameters(evidence)}
    central = frame[frame["name"] == ""].iloc[0]
    out = {}
    for column in SENSITIVITY_RESULTS:
        swings = []
        for name in among:
            values = [*frame.loc[frame["name"] == name, column], central[column]]
            swings.append((max(values) - min(values), params[name].short, min(values), max(values)))
        out[column] = max(swings, key=lambda s: s[0])[1:]
    return out


def readings_results_table(evidence: Evidence) -> pd.DataFrame:
    """Table: the model's main results over the combinations open under each reading of the 2016 figure."""
    paths = path_table(evidence)
    first, last = window_2016(evidence)
    rows = []
    for key in ("a", "b"):
        sub = under_reading(paths, key)
        low = _param(evidence, "mid_2016_rate")
        rates = sorted(sub["mid_2016_rate"].unique())
        rows.append({
            "Reading of the 2016 figure": READINGS[key],
            "Mid-2016 rates run": ", ".join(_show(low.name, r) for r in rates),
            "Combinations": len(sub),
            "Arrivals by end-2015": f"{_rnd_number(sub['by_end_2015'].min())} to {_rnd_number(sub['by_end_2015'].max())}",
            "Arrivals by Dec 2016": f"{_rnd_number(sub['by_pp'].min())} to {_rnd_number(sub['by_pp'].max())}",
            f"Arrivals {month_label(first)} to {month_label(last)}": f"{_rnd_number(sub['in_2016_to_report'].min())} to "
            f"{_rnd_number(sub['in_2016_to_report'].max())}",
            "Meeting all four stock figures": f"{int(sub['meets_all'].sum()):,} of {len(sub):,}",
        })
    return pd.DataFrame(rows)


RESIDUAL = "Residual: returned, moved on, or error"


def accounting_table(evidence: Evidence) -> pd.DataFrame:
    """Table: arrivals minus deaths minus those remaining, at December 2016, at both ends of the assumptions.

    Two bases for arrivals: the model band and the stated "about 40,000". The residual is what
    the figures leave for those who returned home or moved elsewhere, plus every error in the
    other figures; a negative residual means the figures cannot all hold together.
    """
    paths = path_table(evidence)
    central = results(evidence, central_path(evidence))["by_pp"]
    death, remain = _param(evidence, "death_share"), _param(evidence, "remaining")
    about = evidence.value(STOCK_TOTAL)
    stated = f"Stated: {book.describe(evidence.claim(STOCK_TOTAL))} ({STOCK_TOTAL})"
    cases = [
        ("Model band", "lowest residual", paths["by_pp"].min(), death.high, remain.high),
        ("Model", "central assumptions", central, death.central, remain.central),
        ("Model band", "highest residual", paths["by_pp"].max(), death.low, remain.low),
        (stated, "lowest residual", about, death.high, remain.high),
        (stated, "central assumptions", about, death.central, remain.central),
        (stated, "highest residual", about, death.low, remain.low),
    ]
    horizon = month_label(dated_points(evidence)["horizon"])
    rows = []
    for basis, case, arrivals, share, remaining in cases:
        left = residual(arrivals, share, remaining)
        rows.append({
            "Arrivals from": basis,
            "Case": case,
            f"Arrivals by {horizon}": round(arrivals, -2),
            "Died (share)": f"{share:.0%}",
            "Died": round(arrivals * share, -2),
            "Said to remain": remaining,
            RESIDUAL: round(left, -2),
            "Residual share of arrivals": f"{left / arrivals:.0%}",
        })
    return pd.DataFrame(rows)


def stated_residuals(evidence: Evidence) -> pd.DataFrame:
    """The residual from the stated 40,000 at every combination of the death share and the number remaining."""
    death, remain = _param(evidence, "death_share"), _param(evidence, "remaining")
    about = evidence.value(STOCK_TOTAL)
    return pd.DataFrame([
        {"death_share": d, "remaining": r, "residual": residual(about, d, r)}
        for d in death.values() for r in remain.values()
    ])


# Ledger figures the prose names, glued in words (hedged as the ledger records them).
CLAIM_GLUE = {
    "rate_2015": RATE_MID_2015,
    "rate_2016": RATE_MID_2016,
    "rate_previous": RATE_PREVIOUS_YEARS,
    "total_2016": TOTAL_2016,
    "stock_2015": STOCK_END_2015,
    "stock_total": STOCK_TOTAL,
    "stock_npr": STOCK_NPR,
    "stock_dc": STOCK_DC,
    "remaining": REMAINING,
    "deaths_europe": DEATHS_EUROPE,
    "us_2016": US_2016,
    "us_total": US_TOTAL,
    "cat_departures": CAT_DEPARTURES,
    "cat_returnees": CAT_RETURNEES,
}


def prose_values(evidence: Evidence) -> dict[str, str]:
    """Everything the chapter glues into its prose: ledger figures in words, then computed numbers."""
    return {**{name: book.describe(evidence.claim(cid)) for name, cid in CLAIM_GLUE.items()}, **key_numbers(evidence)}


def _rnd(value: float) -> float:
    return round(value, -2) if abs(value) >= 1000 else round(value, -1)


def _rnd_number(value: float) -> str:
    """A model result as the prose and tables give it: to the nearest 100 from 1,000 up, else to the nearest 10."""
    return book.number(_rnd(value))


rnd = _rnd_number


def _of(mask: pd.Series) -> str:
    """'X of N' combinations."""
    return f"{int(mask.sum()):,} of {len(mask):,}"


def key_numbers(evidence: Evidence) -> dict[str, str]:
    """Every computed number the chapter's prose uses, already in words (for ``glue``).

    Counts of combinations are given as counts ("X of N"), never as shares: the grid is the
    book's choices, not a probability distribution.
    """
    paths = path_table(evidence)
    params = {p.name: p for p in parameters(evidence)}
    central = results(evidence, central_path(evidence))
    tests = {t.key: t for t in stock_tests(evidence)}
    bound16 = evidence.value(RATE_MID_2016)
    total16 = evidence.claim(TOTAL_2016)
    n16 = months_2016(evidence)
    rates = reading_rates(evidence)
    us16 = evidence.claim(US_2016)
    stock = evidence.value(STOCK_TOTAL)
    under_a, under_b = under_reading(paths, "a"), under_reading(paths, "b")
    acc = accounting_table(evidence)[RESIDUAL].tolist()  # band low, central, high; stated low, central, high
    stated = stated_residuals(evidence)
    start = params["start"]
    sens = sensitivity(evidence)
    mid16 = sens[sens["name"] == "mid_2016_rate"].set_index("value")["in_2016_to_report"]
    meeting = sens[(sens["name"] != "") & sens["meets_all"]]
    top, grid_top = drivers(evidence), drivers(evidence, ARRIVAL_PARAMETERS)
    out = {
        "n_paths": book.number(len(paths)),
        "n_months_2016": str(n16),
        "avg_2016": book.number(round(rates["a"])),
        "avg_2016_exact": f"{rates['a']:.2f}",
        "rate_b": book.number(rates["b"]),
        "ratio_2016": f"{book.ratio(bound16, rates['a']):g}",
        "ratio_2016_b": f"{book.ratio(bound16, rates['b']):g}",
        "total_b_floor": book.number(rates["b"] * n16),
        "us_share_a": f"{us16['value'] / total16['value']:.0%}",  # an upper bound: 'fewer than'
        "us_share_b": f"{us16['value'] / (rates['b'] * n16):.1%}",
        "us_share_total": f"{evidence.value(US_TOTAL) / evidence.value(STOCK_NPR):.1%}",
        "bound_2016_total_to_report": book.number(implied_total(bound16, n16)),
        "min_2016_to_report": rnd(paths["in_2016_to_report"].min()),
        "max_2016_to_report": rnd(paths["in_2016_to_report"].max()),
        "central_2016_to_report": rnd(central["in_2016_to_report"]),
        "n_fit_50_a": _of(under_a["in_2016_to_report"] <= total16["value"]),
        "n_fit_400_b": _of(under_b["in_2016_to_report"] >= rates["b"] * n16),
        "n_fit_floor_c": _of(paths["in_2016_to_report"] >= total16["value"]),
        "band_end_2015_low": rnd(paths["by_end_2015"].min()),
        "band_end_2015_high": rnd(paths["by_end_2015"].max()),
        "band_horizon_low": rnd(paths["by_pp"].min()),
        "band_horizon_high": rnd(paths["by_pp"].max()),
        "central_horizon": rnd(central["by_pp"]),
        "pp_test_month": month_label(tests["pp"].month),
        "npr_test_month": month_label(tests["npr"].month),
        "dc_test_month": month_label(tests["dc"].month),
        "n_meets_end_2015": _of(paths["meets_end_2015"]),
        "n_meets_pp": _of(paths["meets_pp"]),
        "n_meets_all": _of(paths["meets_all"]),
        "n_meets_all_a": _of(under_a["meets_all"]),
        "n_meets_all_b": _of(under_b["meets_all"]),
        "share_meets_both": book.number(int(paths["meets_all"].sum())),  # a count; the introduction's key
        "start_high": month_label(start.high),
        "start_low": month_label(start.low),
        "fit_start_high": _of(paths.loc[paths["start"] == start.high, "meets_all"]),
        "fit_start_low": _of(paths.loc[paths["start"] == start.low, "meets_all"]),
        "fit_drop_late": _of(paths.loc[paths["shape"] == "drop-late", "meets_all"]),
        "fit_drop_early": _of(paths.loc[paths["shape"] == "drop-early", "meets_all"]),
        "sens_2016_a": rnd(mid16[rates["a"]]),
        "sens_2016_high": rnd(mid16[params["mid_2016_rate"].high]),
        "central_changes_meeting_all": "; ".join(
            f"the {params[r.name].short} at {_show(r.name, r.value)}" for r in meeting.itertuples()) or "none",
        "stock_gap": book.number(stock - evidence.value(STOCK_END_2015)),
        "bound_2016_half_year": book.number(implied_total(bound16, 6)),
        "needed_h1_2016": rnd((stock - evidence.value(STOCK_END_2015) - implied_total(bound16, 6)) / 6),
        "resid_band_low": rnd(acc[0]),
        "resid_central": rnd(acc[1]),
        "resid_band_high": rnd(acc[2]),
        "resid_40k_low": rnd(acc[3]),
        "resid_40k_central": rnd(acc[4]),
        "resid_40k_high": rnd(acc[5]),
        "resid_share_40k_central": f"{acc[4] / stock:.0%}",
        "n_resid_negative": f"{int((stated['residual'] < 0).sum())} of the {len(stated)}",
        "n_resid_negative_count": str(int((stated["residual"] < 0).sum())),
        "n_resid_cases": str(len(stated)),
        "gone_40k_low": rnd(stock - evidence.claim(REMAINING)["upper"]),
        "gone_40k_high": rnd(stock - evidence.claim(REMAINING)["lower"]),
        "cat_return_share": f"{evidence.value(CAT_RETURNEES) / evidence.value(CAT_DEPARTURES):.0%}",
        "about_tolerance": f"{ABOUT_TOLERANCE * 100:.0f} per cent",
        "death_low": f"{params['death_share'].low:.0%}",
        "death_high": f"{params['death_share'].high:.0%}",
    }
    for key, column in (("horizon", "by_pp"), ("2016", "in_2016_to_report"), ("residual", "residual")):
        name, low, high = top[column]
        out.update({f"driver_{key}": name, f"driver_{key}_low": rnd(low), f"driver_{key}_high": rnd(high)})
    name, low, high = grid_top["by_pp"]
    out.update({"driver_grid_horizon": name, "driver_grid_horizon_low": rnd(low), "driver_grid_horizon_high": rnd(high)})
    return out


# --- charts -----------------------------------------------------------------------------------------------

KIND_A = "monthly average of a total: reading (a), book's arithmetic"
KIND_B = "monthly rate: reading (b), book's reading"
KIND_SHAPES = {
    "point estimate": "circle",
    "upper bound": "triangle-down",
    "upper figure": "triangle-down",
    KIND_A: "square",
    KIND_B: "diamond",
    "lower bound": "triangle-up",
}


def rate_estimates_data(evidence: Evidence) -> pd.DataFrame:
    """The monthly-rate estimates as chart rows: where each is drawn, over which span, of which kind.

    intelNews's 2016 figure is drawn twice: under reading (a) as its average over January to
    August 2016 (the month rule), under reading (b) as a rate of 50 at the report's month.
    """
    claims = book.provenance(evidence, evidence.claims.loc[list(RATE_FLOWS)])
    rates = reading_rates(evidence)
    rows = []

    def add(c: pd.Series, k: str, rate: float, start: int, end: int, shown: str, label: str) -> None:
        rows.append({
            "claim_id": c["claim_id"], "kind": k, "rate": float(rate),
            "rate_words": f"{rate:,.0f} a month" if rate >= 10 else f"about {rate:.2f} a month",
            "date": month_date((start + end) // 2) + pd.Timedelta(days=14),
            "start": month_date(start), "end": month_date(end) + pd.offsets.MonthEnd(0),
            "drawn_at": shown, "figure": c["figure"], "qualifier": c["qualifier"],
            "quote_shown": c["quote_shown"], "source": c["source"], "credit": c["credit"],
            "label": label,
            "label_below": c["claim_id"] == RATE_MID_2015,  # above it runs the 'previous years' span
        })

    for _, c in claims.iterrows():
        if c["claim_id"] == RATE_PREVIOUS_YEARS:
            # "in previous years", written in September 2016: drawn across 2014-2015, the book's placement
            add(c, kind(c), c["upper"], month("2014-01"), month("2015-12"),
                "drawn across 2014–2015 (book's placement; the source gives no date)",
                f"nearly as many as {book.number(c['upper'])}")
        elif c["claim_id"] == TOTAL_2016:
            first, last = window_2016(evidence)
            n = months_2016(evidence)
            add(c, KIND_A, rates["a"], first, last,
                f"{book.number(c['value'])} in all ÷ {n} months, {month_label(first)} to {month_label(last)}",
                f"(a) {book.number(c['value'])} in all ≈ {rates['a']:.0f}/month")
            report = month(c["period_end"])
            add(c, KIND_B, rates["b"], report, report,
                f"at the report ({month_label(report)})",
                f"(b) {book.number(rates['b'])}/month")
        else:
            start = month(c["period_start"])
            add(c, kind(c), c["value"], start, start, c["period_start"], c["figure"].replace(" a month", ""))
    return pd.DataFrame(rows)


def rate_chart(evidence: Evidence) -> Figure:
    """Chart 1: the monthly arrival-rate estimates over time, by source and by kind of estimate (log scale)."""
    data = rate_estimates_data(evidence)
    peak = book.provenance(evidence, evidence.claims.loc[[PEAK_2014]])
    year = int(peak.iloc[0]["period_start"])
    peak_data = pd.DataFrame({
        "start": [pd.Timestamp(f"{year}-01-01")], "end": [pd.Timestamp(f"{year}-12-31")],
        "figure": ["peak in 2014 (no figure given)"], "qualifier": ["qualitative"],
        "quote_shown": peak["quote_shown"].tolist(), "source": peak["source"].tolist(),
        "credit": peak["credit"].tolist(), "label": [f"Peak year ({peak.iloc[0]['speaker'].split(' (')[0]})"],
    })
    x_scale = alt.Scale(domain=[pd.Timestamp("2013-06-01").isoformat(), pd.Timestamp("2017-01-01").isoformat()])
    y_scale = alt.Scale(type="log", domain=[2, 5000])
    tooltip = [
        alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("qualifier:N", title="Qualifier"), alt.Tooltip("drawn_at:N", title="Drawn at"),
        alt.Tooltip("quote_shown:N", title="Quote"), alt.Tooltip("credit:N", title="Attributed to"),
        alt.Tooltip("source:N", title="Source"),
    ]
    peak_tooltip = [alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("qualifier:N", title="Qualifier"),
                    alt.Tooltip("quote_shown:N", title="Quote"),
                    alt.Tooltip("credit:N", title="Attributed to"), alt.Tooltip("source:N", title="Source")]
    base = alt.Chart(data)
    band14 = alt.Chart(peak_data).mark_rect(color=PALETTE[6], opacity=0.25).encode(
        x=alt.X("start:T", scale=x_scale, title="Period the estimate refers to"),
        x2="end:T", tooltip=peak_tooltip,
    )
    band14_label = alt.Chart(peak_data).mark_text(align="left", dx=4, dy=10, fontSize=11, color="#444444").encode(
        x="start:T", y=alt.value(0), text="label:N")
    color = alt.Color("source:N", title="Source", scale=alt.Scale(range=PALETTE[:3]))
    spans = base.mark_rule(strokeWidth=2, strokeDash=[4, 3]).encode(
        x="start:T", x2="end:T", y=alt.Y("rate:Q", scale=y_scale), color=color)
    kinds = [k for k in KIND_SHAPES if k in set(data["kind"])]
    points = base.mark_point(size=140, filled=True, opacity=1).encode(
        x="date:T",
        y=alt.Y("rate:Q", scale=y_scale, title="Arrivals a month (log scale)", axis=alt.Axis(values=[2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], format=",")),
        shape=alt.Shape("kind:N", title="Kind of estimate",
                        scale=alt.Scale(domain=kinds, range=[KIND_SHAPES[k] for k in kinds])),
        color=color, tooltip=tooltip,
    )
    labels = alt.layer(*(
        base.transform_filter(alt.datum.label_below == below)
        .mark_text(align="left", dx=10, dy=14 if below else -10, fontSize=11, color="#222222")
        .encode(x="date:T", y="rate:Q", text="label:N")
        for below in (False, True)
    ))
    chart = (band14 + band14_label + spans + points + labels).properties(width=520, height=320)
    table = data.assign(
        Date=[d.strftime("%Y-%m") for d in data["date"]],
    )[["figure", "kind", "rate_words", "drawn_at", "credit", "source", "claim_id"]].rename(columns={
        "figure": "Figure", "kind": "Kind", "rate_words": "Drawn as", "drawn_at": "Drawn at",
        "credit": "Attributed to", "source": "Source", "claim_id": "Claim"})
    return Figure(
        titled(chart, "Monthly arrival estimates, by source and kind",
               "policy paper (2017), citing US estimates; intelNews (2016-09-12), citing US intelligence; "
               "NPR (2017-05-04)"),
        "Dot chart on a logarithmic scale of the monthly arrival estimates: "
        + "; ".join(f"{r.label} ({r.kind}, {r.drawn_at})" for r in data.itertuples())
        + f"; the shaded year {year} is when, according to Rasmussen, the rate peaked.",
        table, "arrival-rate-estimates",
    )


def band_chart(evidence: Evidence) -> Figure:
    """Chart 2: cumulative arrivals under the whole assumption grid (a band) against the stated stock figures."""
    months = model_months(evidence)
    paths = grid(evidence)
    b = band(paths, months)
    meets = path_table(evidence)["meets_all"].tolist()  # same order as grid(evidence)
    fitting = band([p for p, ok in zip(paths, meets) if ok], months)
    b["fit_lower"], b["fit_upper"] = fitting["lower"], fitting["upper"]
    b["central"] = cumulative(rate_path(central_path(evidence), months))
    b["date"] = [month_date(m) for m in b["month"]]  # the band's value at a month is the total to its end
    b["Month"] = [month_label(m) for m in b["month"]]
    for column in ("lower", "upper", "central", "fit_lower", "fit_upper"):
        b[f"{column}_words"] = [f"{v:,.0f}" for v in b[column]]

    tests = stock_tests(evidence)
    stocks = book.provenance(evidence, evidence.claims.loc[[t.claim_id for t in tests]])
    stocks["date"] = [month_date(t.month) for t in tests]  # drawn where the band gives the total it is tested against
    stocks["kind"] = [QUALIFIERS[q].kind + (" (over)" if q == "more-than" else " (about)") for q in stocks["qualifier"]]
    stocks["drawn_at"] = [f"arrivals to the end of {month_label(t.month)} ({t.dated})" for t in tests]
    remain = book.provenance(evidence, evidence.claims.loc[[REMAINING]])
    remain["date"] = [month_date(month("2017", within_year=1)) + pd.Timedelta(days=14)]
    remain["kind"] = ["range (said to remain)"]
    remain["drawn_at"] = ["2017 (undated paper; drawn at January 2017)"]

    x = alt.X("date:T", title="Month", axis=alt.Axis(format="%Y"))
    y_scale = alt.Scale(domain=[0, float(np.ceil(b["upper"].max() / 10000) * 10000)])
    y_axis = alt.Axis(format=",.0f")
    area = alt.Chart(b).mark_area(opacity=0.3, color=PALETTE[4]).encode(
        x=x, y=alt.Y("lower:Q", scale=y_scale, title="Foreign fighters (cumulative arrivals)", axis=y_axis),
        y2="upper:Q",
        tooltip=[alt.Tooltip("Month:N"), alt.Tooltip("lower_words:N", title="Lowest combination"),
                 alt.Tooltip("upper_words:N", title="Highest combination"),
                 alt.Tooltip("central_words:N", title="Central path")],
    )
    fit = alt.Chart(b).mark_area(opacity=0.35, color=PALETTE[0]).encode(
        x=x, y=alt.Y("fit_lower:Q", axis=y_axis), y2="fit_upper:Q",
        tooltip=[alt.Tooltip("Month:N"), alt.Tooltip("fit_lower_words:N", title="Lowest meeting all four"),
                 alt.Tooltip("fit_upper_words:N", title="Highest meeting all four")],
    )
    line = alt.Chart(b).mark_line(color=PALETTE[0], strokeWidth=2).encode(x=x, y=alt.Y("central:Q", axis=y_axis))
    tooltip = [alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("kind:N", title="Kind"),
               alt.Tooltip("qualifier:N", title="Qualifier"), alt.Tooltip("drawn_at:N", title="Drawn at"),
               alt.Tooltip("quote_shown:N", title="Quote"), alt.Tooltip("credit:N", title="Attributed to"),
               alt.Tooltip("source:N", title="Source")]
    rem = alt.Chart(remain).mark_bar(width=8, color=PALETTE[5], opacity=0.8).encode(
        x="date:T", y=alt.Y("lower:Q", axis=y_axis), y2="upper:Q", tooltip=tooltip)
    rem_label = alt.Chart(remain).mark_text(align="right", dx=-10, fontSize=11, color="#222222").encode(
        x="date:T", y=alt.Y("mid:Q", axis=y_axis), text=alt.value(f"said to remain: {remain.iloc[0]['figure']}"),
    ).transform_calculate(mid="(datum.lower + datum.upper) / 2")
    pts = alt.Chart(stocks).mark_point(size=150, filled=True, color="#000000").encode(
        x="date:T", y=alt.Y("value:Q", axis=y_axis),
        shape=alt.Shape("kind:N", title="Stated stock figure",
                        scale=alt.Scale(domain=["lower bound (over)", "point estimate (about)"],
                                        range=["triangle-up", "circle"])),
        tooltip=tooltip,
    )
    labels = alt.Chart(pd.DataFrame({
        "date": [month_date(month("2011-07"))] * 3,
        "y": [b["upper"].max() * f for f in (0.97, 0.88, 0.79)],
        "text": [f"Light: lowest to highest of all {len(paths):,} combinations",
                 f"Dark: the {sum(meets):,} that meet all four stock figures", "Line: central assumptions"],
    })).mark_text(align="left", fontSize=11, color="#222222").encode(
        x="date:T", y=alt.Y("y:Q", axis=y_axis), text="text:N")
    chart = (area + fit + line + rem + rem_label + pts + labels).properties(width=520, height=340)
    table = b[["Month", "lower", "fit_lower", "central", "fit_upper", "upper"]].iloc[::6].rename(columns={
        "lower": "Lowest combination", "fit_lower": "Lowest meeting all four", "central": "Central path",
        "fit_upper": "Highest meeting all four", "upper": "Highest combination"}).round(-1)
    return Figure(
        titled(chart, "Cumulative arrivals implied by the monthly estimates",
               f"book's model over {len(paths):,} combinations of its assumptions; stock figures: intelNews (2016-09-12), "
               "policy paper (2017), NPR (2017-05-04), Daily Caller (2017-07-21)"),
        f"Band chart: cumulative arrivals implied by {len(paths):,} combinations of assumptions, from "
        f"{b['lower'].iloc[-1]:,.0f} to {b['upper'].iloc[-1]:,.0f} by {b['Month'].iloc[-1]} (central path "
        f"{b['central'].iloc[-1]:,.0f}); black marks show the stated stock figures ("
        + "; ".join(f"{c.figure}, {c.drawn_at}" for c in stocks.itertuples())
        + f"); a darker band marks the {sum(meets):,} combinations that meet all four stock figures at their "
        f"dates, and a red bar the {remain.iloc[0]['figure']} said to remain.",
        table, "arrivals-reconciliation-band",
    )
