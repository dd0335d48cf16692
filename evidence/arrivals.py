"""The decline in arrivals: the monthly-inflow estimates, and a small flow-stock reconciliation.

Two halves, kept apart on purpose:

- **What the sources say.** Every arrival-rate estimate in the ledger, labelled by the
  *kind* of statement it is (a point estimate, an upper bound, an upper-ish figure with no
  period, a total over a period), the two 2016 figures side by side, and the reasons the
  sources give for the decline. Nothing here is a number of the book's own, except where a
  column says "book's inference" (e.g. a total over a period divided by its months).
- **What the book infers.** A deliberately small model: a piecewise monthly arrival path
  through the dated estimates, summed into cumulative arrivals and compared with the stock
  figures, with deaths and "those said to remain" subtracted to leave a residual (returned
  home, moved elsewhere, or simply the error of the other figures). Every assumption is a
  named :class:`Parameter` with a low, central and high value and the claim ids it rests
  on, and the model is run over the whole grid of them, so the book shows a band, never a
  single path.

The model functions (:func:`segment`, :func:`rate_path`, :func:`cumulative`,
:func:`band`) are pure and take plain numbers, so they can be tested with hand-made cases;
the functions that take ``evidence`` only read the ledger and call them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from evidence import book
from evidence.charts import PALETTE, Figure, titled
from evidence.ledger import Evidence
from evidence.tables import short_name

# --- the ledger rows this chapter rests on ------------------------------------------------------

RATE_MID_2015 = "pp-flow-mid-2015"  # roughly 1,500 a month in mid-2015 (US estimates, policy paper)
RATE_MID_2016 = "pp-flow-mid-2016"  # less than 200 a month by mid-2016 (US estimates, policy paper)
RATE_PREVIOUS_YEARS = "intel-flow-2000-per-month"  # nearly as many as 2,000 a month "in previous years"
TOTAL_2016 = "intel-flow-50-since-2016"  # a total of just 50 since the beginning of 2016 (US IC, intelNews)
PEAK_2014 = "npr-rasmussen-rate-declined-since-2014-peak"  # "steadily declined since its peak in 2014"
STOCK_END_2015 = "intel-stock-30000-people"  # over 30,000 by the end of 2015
STOCK_TOTAL = "pp-stock-total-people"  # 40,000 since 2011 (US intelligence estimates, policy paper)
STOCK_LATER = ("npr-stock-total", "dc-stock-total")  # about 40,000, May and July 2017
REMAINING = "pp-remaining-10000-30000"  # 10,000-30,000 remain in the war zone
DEATHS_EUROPE = "pp-deaths-european-15-percent"  # roughly 15 % of European foreign fighters have died
HORIZON = "pp-context-figure1-territorial-losses"  # the policy paper's latest dated reference: Dec 2016
US_2016 = "intel-us-fewer-than-10-since-january"
US_TOTAL = "npr-us-250-attempted"
CAT_DEPARTURES, CAT_RETURNEES = "tl-cat-eu-departures", "tl-cat-eu-returnees"  # European comparison only

# --- how a ledger figure is described and labelled ----------------------------------------------

KIND = {
    "about": "point estimate",
    "exact": "point estimate",
    "fewer-than": "upper bound",
    "up-to": "upper figure, period not stated",
    "nearly": "upper figure",
    "more-than": "lower bound",
    "range": "range",
}


def kind(claim: pd.Series) -> str:
    """What kind of statement a flow figure is: a rate (point, bound, upper figure) or a total over a period."""
    if claim["unit"] == "people":
        return "total over a period"
    if not claim["unit"]:
        return "qualitative statement"
    return KIND[claim["qualifier"]]


# --- months ---------------------------------------------------------------------------------------


def month(iso: str, within_year: int = 1) -> int:
    """A month as an integer ordinal (months since 1970-01), from an ISO date of any precision.

    A year alone ("2014") has no month; ``within_year`` says which month of it to use, a choice
    that callers document.
    """
    iso = str(iso)
    if len(iso) == 4:
        iso = f"{iso}-{within_year:02d}"
    return pd.Period(iso[:7], "M").ordinal


def month_label(ordinal: int) -> str:
    """'2015-06' for an ordinal month."""
    return str(pd.Period(ordinal=int(ordinal), freq="M"))


def month_date(ordinal: int) -> pd.Timestamp:
    """The first day of an ordinal month, for a chart's time axis."""
    return pd.Period(ordinal=int(ordinal), freq="M").to_timestamp()


def months_between(start: str, end: str) -> int:
    """Whole months elapsed from the start of ``start`` to the start of ``end`` (Jan to Sep = 8)."""
    return month(end) - month(start)


# --- the model: pure functions on plain numbers -----------------------------------------------------

SHAPES = ("drop-early", "exponential", "linear", "drop-late")
TAILS = ("stops", "holds")


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

    Months are ordinals (see :func:`month`). The rate rises linearly from zero at ``start`` to
    ``peak_rate`` at ``peak_month``, then follows ``shape`` through the mid-2015 and mid-2016
    points, then ``tail``: "holds" keeps the mid-2016 rate, "stops" drops to zero after it.
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


def rate_path(path: Path, months: np.ndarray) -> np.ndarray:
    """The monthly arrival rate in each of ``months`` (ordinals, consecutive) under ``path``."""
    if not path.start < path.peak_month < path.mid_2015_month < path.mid_2016_month:
        raise ValueError(f"the dated points of {path} are not in time order")
    peak = max(path.peak_rate, path.mid_2015_rate)  # the rate declined after its peak (Rasmussen)
    pieces = [
        segment(0.0, peak, path.peak_month - path.start, "linear"),
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
    """One assumption of the model: low, central and high values and what they rest on."""

    name: str
    label: str
    low: object
    central: object
    high: object
    basis: str
    claims: tuple[str, ...] = field(default=())

    def values(self) -> tuple:
        return tuple(dict.fromkeys((self.low, self.central, self.high)))


ABOUT_TOLERANCE = 0.10  # the book reads "about 40,000" as within 10 per cent either way
TOTAL_2016_MONTHS_NOTE = "months from January to the September 2016 report"


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


def average_2016(evidence: Evidence) -> float:
    """The book's inference: intelNews's total for 2016 divided by the months it covers (about 6 a month)."""
    claim = evidence.claim(TOTAL_2016)
    return claim["value"] / months_between(claim["period_start"], claim["period_end"])


def parameters(evidence: Evidence) -> list[Parameter]:
    """Every assumption of the reconciliation, with its grid of values and what it rests on."""
    points = dated_points(evidence)
    since, peak_year = points["since"], points["peak_year"]
    mid_2015 = evidence.value(RATE_MID_2015)
    bound_2016 = evidence.value(RATE_MID_2016)
    upper_peak = evidence.claim(RATE_PREVIOUS_YEARS)["upper"]
    death = evidence.value(DEATHS_EUROPE) / 100
    remaining = evidence.claim(REMAINING)
    stock = evidence.value(STOCK_TOTAL)
    return [
        Parameter("start", "Month arrivals begin to rise from zero (linear rise to the peak)",
                  since + 24, since + 12, since,
                  "High: the policy paper's 'since 2011'; central and low one and two years later: book's assumption",
                  (STOCK_TOTAL,)),
        Parameter("peak_month", "Month of the peak rate, within 2014",
                  peak_year + 11, peak_year + 6, peak_year,
                  "Rasmussen: peak in 2014; the month within the year is the book's assumption", (PEAK_2014,)),
        Parameter("peak_rate", "Peak rate (a month)",
                  mid_2015, (mid_2015 + upper_peak) / 2, upper_peak,
                  "Low: no lower than the mid-2015 rate (the rate declined after the peak); high: 'nearly as "
                  "many as 2,000'; central: halfway, book's assumption", (RATE_MID_2015, RATE_PREVIOUS_YEARS, PEAK_2014)),
        Parameter("mid_2015_rate", "Rate in mid-2015 (a month)",
                  mid_2015 * 0.9, mid_2015, mid_2015 * 1.1,
                  "Central: 'roughly 1,500'; plus or minus 10 per cent for 'roughly': book's assumption", (RATE_MID_2015,)),
        Parameter("mid_2016_rate", "Rate in mid-2016 (a month)",
                  average_2016(evidence), bound_2016 / 2, bound_2016,
                  "High: the bound 'less than 200' itself; low: intelNews's 50 since January 2016 spread over "
                  f"the {TOTAL_2016_MONTHS_NOTE} (book's inference); central: half the bound, book's assumption",
                  (RATE_MID_2016, TOTAL_2016)),
        Parameter("shape", "Shape of the decline between dated points",
                  "drop-early", "exponential", "drop-late",
                  "Rasmussen: 'steadily declined'; every declining path lies between drop-early and drop-late; "
                  "linear is also run; the central shape is the book's assumption", (PEAK_2014,)),
        Parameter("tail", "Rate after mid-2016", "stops", "holds", "holds",
                  "Zero ('all but eliminated', intelNews) or held at the mid-2016 level: book's assumption",
                  ("intel-flow-all-but-eliminated",)),
        Parameter("death_share", "Share of arrivals who died",
                  death * 2 / 3, death, death * 2,
                  "Central: roughly 15 per cent of European foreign fighters, applied to all fighters (an "
                  "assumption: the source gives it for Europeans only); low and high: book's assumption",
                  (DEATHS_EUROPE,)),
        Parameter("remaining", "Foreign fighters still in the war zone",
                  remaining["lower"], (remaining["lower"] + remaining["upper"]) / 2, remaining["upper"],
                  "US estimates: 'between 10,000 and 30,000'; central: the midpoint, book's assumption", (REMAINING,)),
        Parameter("about_stock", "Cumulative arrivals that count as 'about 40,000'",
                  stock * (1 - ABOUT_TOLERANCE), stock, stock * (1 + ABOUT_TOLERANCE),
                  "Within 10 per cent either way: book's assumption", (STOCK_TOTAL, *STOCK_LATER)),
    ]


def _param(evidence: Evidence, name: str) -> Parameter:
    return next(p for p in parameters(evidence) if p.name == name)


ARRIVAL_PARAMETERS = ("start", "peak_month", "peak_rate", "mid_2015_rate", "mid_2016_rate", "shape", "tail")


def grid(evidence: Evidence) -> list[Path]:
    """Every combination of the arrival assumptions (all four shapes are run, not only low/central/high)."""
    params = {p.name: p for p in parameters(evidence)}
    points = dated_points(evidence)
    choices = {name: params[name].values() for name in ARRIVAL_PARAMETERS}
    choices["shape"] = SHAPES
    choices["tail"] = TAILS
    paths = []
    for combo in itertools.product(*(choices[name] for name in ARRIVAL_PARAMETERS)):
        values = dict(zip(ARRIVAL_PARAMETERS, combo))
        paths.append(
            Path(
                start=values["start"], peak_month=values["peak_month"], peak_rate=values["peak_rate"],
                mid_2015_month=points["mid_2015"], mid_2015_rate=values["mid_2015_rate"],
                mid_2016_month=points["mid_2016"], mid_2016_rate=values["mid_2016_rate"],
                shape=values["shape"], tail=values["tail"],
            )
        )
    return paths


def central_path(evidence: Evidence) -> Path:
    """The path with every arrival assumption at its central value."""
    params = {p.name: p for p in parameters(evidence)}
    points = dated_points(evidence)
    return Path(
        start=params["start"].central, peak_month=params["peak_month"].central,
        peak_rate=params["peak_rate"].central, mid_2015_month=points["mid_2015"],
        mid_2015_rate=params["mid_2015_rate"].central, mid_2016_month=points["mid_2016"],
        mid_2016_rate=params["mid_2016_rate"].central, shape=params["shape"].central, tail=params["tail"].central,
    )


def model_months(evidence: Evidence) -> np.ndarray:
    """The months the model covers: from the earliest start to the latest stock figure (July 2017)."""
    points = dated_points(evidence)
    last = max(month(evidence.claim(c)["stated"]) for c in STOCK_LATER)
    return np.arange(points["since"], last + 1)


# --- derived tables -------------------------------------------------------------------------------

RATE_FLOWS = (RATE_PREVIOUS_YEARS, RATE_MID_2015, RATE_MID_2016, TOTAL_2016)


def estimates_table(evidence: Evidence) -> pd.DataFrame:
    """Table: every arrival estimate in the ledger (topic flow, plus the US 2016 figure), with its kind."""
    claims = evidence.claims
    rows = claims[(claims["topic"] == "flow") | (claims["claim_id"] == US_2016)]
    out = []
    for _, c in rows.iterrows():
        period = _period_words(c)
        out.append({
            "Estimate": book.describe(c) or "no figure",
            "Kind": kind(c),
            "Refers to": period,
            "Who": c["geography"] or "all origins",
            "Attributed to (source)": f"{c['speaker']} ({short_name(evidence.sources.loc[c['source_id']])})",
            "Claim": c["claim_id"],
        })
    order = {"point estimate": 0, "upper figure, period not stated": 0, "upper bound": 0, "total over a period": 1,
             "qualitative statement": 2}
    frame = pd.DataFrame(out)
    frame["_o"] = frame["Kind"].map(order)
    return frame.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _period_words(claim: pd.Series) -> str:
    start, end = claim["period_start"], claim["period_end"]
    if claim["claim_id"] == RATE_PREVIOUS_YEARS:
        return "'in previous years' (not dated)"
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

    A total over a period is turned into a monthly average (the book's inference, labelled); a
    bound stays a bound, so the ratio compares a ceiling with an average and says so.
    """
    mid15, bound16 = evidence.claim(RATE_MID_2015), evidence.claim(RATE_MID_2016)
    prev, total = evidence.claim(RATE_PREVIOUS_YEARS), evidence.claim(TOTAL_2016)
    end15, stock = evidence.claim(STOCK_END_2015), evidence.claim(STOCK_TOTAL)
    n16 = months_between(total["period_start"], total["period_end"])
    avg16 = average_2016(evidence)

    def src(c: pd.Series) -> str:
        return f"{c['speaker']}, {short_name(evidence.sources.loc[c['source_id']])}"

    rows = [
        {
            "Quantity": "Arrivals a month in 2016",
            "Figure A": book.describe(bound16) + f" (by {bound16['period_start']})",
            "Source A": src(bound16),
            "Figure B": f"{book.describe(total)} from {total['period_start']} to {total['period_end']}",
            "Source B": src(total),
            "Compared (book's computation)": f"B is about {book.number(round(avg16, 1))} a month over {n16} months; "
            f"A's ceiling is {book.ratio(bound16['value'], avg16):g} times that average; at the ceiling, "
            f"{n16} months would allow fewer than {book.number(implied_total(bound16['value'], n16))}",
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
            "Figure B": book.describe(stock) + f" (since {stock['period_start']}, paper of early {stock['period_end']})",
            "Source B": src(stock),
            "Compared (book's computation)": f"B minus A: {book.number(stock['value'] - end15['value'])}, "
            "at most, since A is a lower bound",
            "Claims": f"{STOCK_END_2015}, {STOCK_TOTAL}",
        },
    ]
    return pd.DataFrame(rows)


def reasons_table(evidence: Evidence) -> pd.DataFrame:
    """Table: the reasons the sources give for the decline (topic decline-reason), each with its quote.

    The policy paper's loss of the Syria-Turkey corridor is listed too, marked as context: the
    paper reports the loss but does not tie it to arrivals.
    """
    claims = evidence.claims
    rows = claims[claims["topic"] == "decline-reason"]
    labels = {
        "intel-decline-shrinking-territory": "Shrinking territory",
        "intel-decline-failing-entity": "ISIS seen as a 'failing entity'",
        "intel-decline-harder-to-enter-syria": "Harder to enter Syria; vigilance of Western governments and Turkey",
        "intel-decline-lost-border-regions": "Loss of areas next to Turkey's border",
    }
    out = [
        {
            "Reason": labels.get(c["claim_id"], c["claim_id"]),
            "Quote": f"“{c['quote']}”",
            "Attributed to (source)": f"{c['speaker']} ({short_name(evidence.sources.loc[c['source_id']])})",
            "Stated as a reason?": "yes",
            "Claim": c["claim_id"],
        }
        for _, c in rows.iterrows()
    ]
    corridor = evidence.claim("pp-context-syria-losses")
    out.append({
        "Reason": "Loss of the corridor between northern Syria and Turkey",
        "Quote": f"“{corridor['quote']}”",
        "Attributed to (source)": f"{corridor['speaker']} ({short_name(evidence.sources.loc[corridor['source_id']])})",
        "Stated as a reason?": "no: reported as a territorial loss, not linked to arrivals",
        "Claim": corridor["claim_id"],
    })
    return pd.DataFrame(out)


def assumptions_table(evidence: Evidence) -> pd.DataFrame:
    """Table: every assumption of the reconciliation with its low, central and high values and its basis."""
    def show(name: str, value: object) -> str:
        if name in ("start", "peak_month"):
            return month_label(value)
        if name in ("death_share",):
            return f"{value:.0%}"
        if isinstance(value, str):
            return value
        return book.number(round(value, 1))

    return pd.DataFrame([
        {
            "Assumption": p.label,
            "Low": show(p.name, p.low),
            "Central": show(p.name, p.central),
            "High": show(p.name, p.high),
            "Basis": p.basis,
            "Claims": ", ".join(p.claims) if p.claims else BOOK,
        }
        for p in parameters(evidence)
    ])


def path_table(evidence: Evidence) -> pd.DataFrame:
    """Every path of the grid with its cumulative arrivals at end-2015 and at the horizon, and its checks."""
    months = model_months(evidence)
    points = dated_points(evidence)
    total16 = evidence.claim(TOTAL_2016)
    jan16, sep16 = month(total16["period_start"]), month(total16["period_end"])
    low_stock = evidence.value(STOCK_END_2015)
    about = evidence.value(STOCK_TOTAL)
    rows = []
    for p in grid(evidence):
        rates = rate_path(p, months)
        cum = cumulative(rates)
        rows.append({
            **{name: getattr(p, name) for name in ARRIVAL_PARAMETERS},
            "by_end_2015": cum[months == points["end_2015"]][0],
            "by_horizon": cum[months == points["horizon"]][0],
            "in_2016_to_report": rates[(months >= jan16) & (months < sep16)].sum(),
        })
    frame = pd.DataFrame(rows)
    frame["meets_end_2015"] = frame["by_end_2015"] > low_stock
    frame["meets_about_40000"] = (frame["by_horizon"] - about).abs() <= ABOUT_TOLERANCE * about
    frame["meets_both"] = frame["meets_end_2015"] & frame["meets_about_40000"]
    return frame


def consistency_table(evidence: Evidence) -> pd.DataFrame:
    """Table: for each value of each arrival assumption, the share of paths that meet both stock figures."""
    paths = path_table(evidence)
    params = {p.name: p for p in parameters(evidence)}
    end15, stock = evidence.claim(STOCK_END_2015), evidence.claim(STOCK_TOTAL)
    horizon = month_label(dated_points(evidence)["horizon"])
    meets_low = f"Meets '{book.describe(end15)}' by {end15['period_end']}"
    meets_about = f"Within {ABOUT_TOLERANCE:.0%} of {book.number(stock['value'])} by {horizon}"
    rows = []
    for name in ARRIVAL_PARAMETERS:
        order = SHAPES if name == "shape" else TAILS if name == "tail" else sorted(paths[name].unique())
        groups = dict(list(paths.groupby(name, sort=False)))
        for value in order:
            group = groups[value]
            shown = month_label(value) if name in ("start", "peak_month") else (
                value if isinstance(value, str) else book.number(round(value, 1)))
            rows.append({
                "Assumption": params[name].label,
                "Value": shown,
                "Paths": len(group),
                meets_low: f"{group['meets_end_2015'].mean():.0%}",
                meets_about: f"{group['meets_about_40000'].mean():.0%}",
                "Both": f"{group['meets_both'].mean():.0%}",
            })
    return pd.DataFrame(rows)


RESIDUAL = "Residual: returned, moved on, or error"


def accounting_table(evidence: Evidence) -> pd.DataFrame:
    """Table: arrivals minus deaths minus those remaining, at the horizon, at both ends of the assumptions.

    Two bases for arrivals: the model band and the stated "about 40,000". The residual is what
    the figures leave for those who returned home or moved elsewhere, plus every error in the
    other figures; a negative residual means the figures cannot all hold together.
    """
    paths = path_table(evidence)
    central = cumulative(rate_path(central_path(evidence), model_months(evidence)))
    horizon_index = list(model_months(evidence)).index(dated_points(evidence)["horizon"])
    death, remain = _param(evidence, "death_share"), _param(evidence, "remaining")
    about = evidence.value(STOCK_TOTAL)
    stated = f"Stated: {book.describe(evidence.claim(STOCK_TOTAL))} ({STOCK_TOTAL})"
    cases = [
        ("Model band", "lowest residual", paths["by_horizon"].min(), death.high, remain.high),
        ("Model", "central assumptions", central[horizon_index], death.central, remain.central),
        ("Model band", "highest residual", paths["by_horizon"].max(), death.low, remain.low),
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


# Ledger figures the prose names, glued in words (hedged as the ledger records them).
CLAIM_GLUE = {
    "rate_2015": RATE_MID_2015,
    "rate_2016": RATE_MID_2016,
    "rate_previous": RATE_PREVIOUS_YEARS,
    "total_2016": TOTAL_2016,
    "stock_2015": STOCK_END_2015,
    "stock_total": STOCK_TOTAL,
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


def _fit_shares(evidence: Evidence, paths: pd.DataFrame) -> dict[str, str]:
    """Share of paths meeting both stock figures, for the earliest and latest start and each shape."""
    start = _param(evidence, "start")
    share = lambda mask: f"{paths.loc[mask, 'meets_both'].mean():.0%}"  # noqa: E731
    out = {
        "fit_start_high": share(paths["start"] == start.high),
        "fit_start_low": share(paths["start"] == start.low),
        "start_high": month_label(start.high),
        "start_low": month_label(start.low),
    }
    for shape in SHAPES:
        out[f"fit_{shape.replace('-', '_')}"] = share(paths["shape"] == shape)
    return out


def rnd(value: float) -> str:
    """A model result as the prose gives it: to the nearest 100 from 1,000 up, else to the nearest 10."""
    return book.number(round(value, -2) if abs(value) >= 1000 else round(value, -1))


def key_numbers(evidence: Evidence) -> dict[str, str]:
    """Every computed number the chapter's prose uses, already in words (for ``glue``)."""
    paths = path_table(evidence)
    points = dated_points(evidence)
    months = model_months(evidence)
    central = cumulative(rate_path(central_path(evidence), months))
    at = {m: i for i, m in enumerate(months)}
    bound16 = evidence.value(RATE_MID_2016)
    total16 = evidence.claim(TOTAL_2016)
    n16 = months_between(total16["period_start"], total16["period_end"])
    avg16 = average_2016(evidence)
    us16 = evidence.claim(US_2016)
    us_total = evidence.value(US_TOTAL)
    stock = evidence.value(STOCK_TOTAL)
    acc = accounting_table(evidence)[RESIDUAL].tolist()  # band low, central, high; stated low, central, high
    return {
        "n_paths": book.number(len(paths)),
        "n_months_2016": str(n16),
        "avg_2016": book.number(round(avg16)),
        "avg_2016_exact": f"{avg16:.2f}",
        "ratio_2016": f"{book.ratio(bound16, avg16):g}",
        "bound_2016_total_to_report": book.number(implied_total(bound16, n16)),
        "bound_2016_year": book.number(implied_total(bound16, 12)),
        "min_2016_to_report": rnd(paths["in_2016_to_report"].min()),
        "max_2016_to_report": rnd(paths["in_2016_to_report"].max()),
        "central_2016_to_report": rnd(rate_path(central_path(evidence), months)[
            (months >= month(total16["period_start"])) & (months < month(total16["period_end"]))].sum()),
        "band_end_2015_low": rnd(paths["by_end_2015"].min()),
        "band_end_2015_high": rnd(paths["by_end_2015"].max()),
        "band_horizon_low": rnd(paths["by_horizon"].min()),
        "band_horizon_high": rnd(paths["by_horizon"].max()),
        "central_end_2015": rnd(central[at[points["end_2015"]]]),
        "central_horizon": rnd(central[at[points["horizon"]]]),
        "share_meets_end_2015": f"{paths['meets_end_2015'].mean():.0%}",
        "share_meets_about": f"{paths['meets_about_40000'].mean():.0%}",
        "share_meets_both": f"{paths['meets_both'].mean():.0%}",
        "n_meets_both": book.number(int(paths["meets_both"].sum())),
        **_fit_shares(evidence, paths),
        "stock_gap": book.number(stock - evidence.value(STOCK_END_2015)),
        "us_share_2016": f"{us16['value'] / total16['value']:.0%}",  # an upper bound: 'fewer than'
        "bound_2016_half_year": book.number(implied_total(bound16, 6)),
        "us_share_total": f"{us_total / stock:.1%}",
        "resid_band_low": rnd(acc[0]),
        "resid_central": rnd(acc[1]),
        "resid_band_high": rnd(acc[2]),
        "resid_40k_low": rnd(acc[3]),
        "resid_40k_central": rnd(acc[4]),
        "resid_40k_high": rnd(acc[5]),
        "gone_40k_low": rnd(stock - evidence.claim(REMAINING)["upper"]),
        "gone_40k_high": rnd(stock - evidence.claim(REMAINING)["lower"]),
        "needed_h1_2016": rnd((stock - evidence.value(STOCK_END_2015) - implied_total(bound16, 6)) / 6),
        "cat_return_share": f"{evidence.value(CAT_RETURNEES) / evidence.value(CAT_DEPARTURES):.0%}",
        "resid_share_40k_central": f"{acc[4] / stock:.0%}",
        "about_tolerance": f"{ABOUT_TOLERANCE * 100:.0f} per cent",
        "death_low": f"{_param(evidence, 'death_share').low:.0%}",
        "death_high": f"{_param(evidence, 'death_share').high:.0%}",
    }


# --- charts -----------------------------------------------------------------------------------------------

KIND_SHAPES = {
    "point estimate": "circle",
    "upper bound": "triangle-down",
    "upper figure, period not stated": "triangle-down",
    "monthly average of a total (book's inference)": "square",
    "lower bound": "triangle-up",
}


def rate_estimates_data(evidence: Evidence) -> pd.DataFrame:
    """The monthly-rate estimates as chart rows: where each is drawn, over which span, of which kind."""
    claims = book.provenance(evidence, evidence.claims.loc[list(RATE_FLOWS)])
    rows = []
    for _, c in claims.iterrows():
        if c["claim_id"] == RATE_PREVIOUS_YEARS:
            # "in previous years", written in September 2016: drawn across 2014-2015, the book's placement
            start, end = month("2014-01"), month("2015-12")
            rate, shown = c["upper"], "drawn across 2014–2015 (book's placement; the source gives no date)"
        elif c["claim_id"] == TOTAL_2016:
            start, end = month(c["period_start"]), month(c["period_end"])
            rate = average_2016(evidence)
            shown = f"total ÷ {months_between(c['period_start'], c['period_end'])} months (book's inference)"
        else:
            start = end = month(c["period_start"])
            rate, shown = c["value"], c["period_start"]
        k = "monthly average of a total (book's inference)" if c["claim_id"] == TOTAL_2016 else kind(c)
        rows.append({
            "claim_id": c["claim_id"], "kind": k, "rate": float(rate),
            "rate_words": f"{rate:,.0f} a month" if rate >= 10 else f"about {rate:.1f} a month",
            "date": month_date((start + end) // 2) + pd.Timedelta(days=14),
            "start": month_date(start), "end": month_date(end) + pd.offsets.MonthEnd(0),
            "drawn_at": shown, "figure": c["figure"], "qualifier": c["qualifier"],
            "quote_shown": c["quote_shown"], "source": c["source"], "speaker": c["speaker"],
            "label": _rate_label(c, rate),
            "label_below": c["claim_id"] == RATE_MID_2015,  # above it runs the 'previous years' span
        })
    return pd.DataFrame(rows)


def _rate_label(claim: pd.Series, rate: float) -> str:
    """The short label beside a mark, in the source's hedge words."""
    if claim["claim_id"] == TOTAL_2016:
        return f"{book.number(claim['value'])} in 2016 ≈ {rate:.0f}/month"
    if claim["claim_id"] == RATE_PREVIOUS_YEARS:
        return f"nearly as many as {book.number(claim['upper'])}"
    return claim["figure"].replace(" a month", "")


def rate_chart(evidence: Evidence) -> Figure:
    """Chart 1: the monthly arrival-rate estimates over time, by source and by kind of estimate (log scale)."""
    data = rate_estimates_data(evidence)
    peak = book.provenance(evidence, evidence.claims.loc[[PEAK_2014]])
    year = int(peak.iloc[0]["period_start"])
    peak_data = pd.DataFrame({
        "start": [pd.Timestamp(f"{year}-01-01")], "end": [pd.Timestamp(f"{year}-12-31")],
        "figure": ["peak in 2014 (no figure given)"], "qualifier": ["qualitative"],
        "quote_shown": peak["quote_shown"].tolist(), "source": peak["source"].tolist(),
        "speaker": peak["speaker"].tolist(), "label": [f"Peak year ({peak.iloc[0]['speaker'].split(' (')[0]})"],
    })
    x_scale = alt.Scale(domain=[pd.Timestamp("2013-06-01").isoformat(), pd.Timestamp("2017-01-01").isoformat()])
    y_scale = alt.Scale(type="log", domain=[2, 5000])
    tooltip = [
        alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("qualifier:N", title="Qualifier"), alt.Tooltip("drawn_at:N", title="Drawn at"),
        alt.Tooltip("quote_shown:N", title="Quote"), alt.Tooltip("speaker:N", title="Attributed to"),
        alt.Tooltip("source:N", title="Source"),
    ]
    peak_tooltip = [alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("qualifier:N", title="Qualifier"),
                    alt.Tooltip("quote_shown:N", title="Quote"),
                    alt.Tooltip("speaker:N", title="Attributed to"), alt.Tooltip("source:N", title="Source")]
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
    )[["figure", "kind", "rate_words", "drawn_at", "speaker", "source", "claim_id"]].rename(columns={
        "figure": "Figure", "kind": "Kind", "rate_words": "Drawn as", "drawn_at": "Drawn at",
        "speaker": "Attributed to", "source": "Source", "claim_id": "Claim"})
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
    meets = path_table(evidence)["meets_both"].tolist()  # same order as grid(evidence)
    fitting = band([p for p, ok in zip(paths, meets) if ok], months)
    b["fit_lower"], b["fit_upper"] = fitting["lower"], fitting["upper"]
    b["central"] = cumulative(rate_path(central_path(evidence), months))
    b["date"] = [month_date(m) for m in b["month"]]
    b["Month"] = [month_label(m) for m in b["month"]]
    for column in ("lower", "upper", "central", "fit_lower", "fit_upper"):
        b[f"{column}_words"] = [f"{v:,.0f}" for v in b[column]]

    stock_ids = [STOCK_END_2015, STOCK_TOTAL, *STOCK_LATER]
    stocks = book.provenance(evidence, evidence.claims.loc[stock_ids])
    stocks["date"] = [
        month_date(month(c["period_end"] or c["stated"], within_year=1)) + pd.Timedelta(days=14)
        for _, c in stocks.iterrows()
    ]
    stocks["kind"] = [KIND[q] + (" (over)" if q == "more-than" else " (about)") for q in stocks["qualifier"]]
    stocks["drawn_at"] = [
        f"{c['period_end'] or c['stated']}" + (" (undated paper; drawn at January 2017)" if c["claim_id"] == STOCK_TOTAL else "")
        for _, c in stocks.iterrows()
    ]
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
        tooltip=[alt.Tooltip("Month:N"), alt.Tooltip("lower_words:N", title="Lowest path"),
                 alt.Tooltip("upper_words:N", title="Highest path"), alt.Tooltip("central_words:N", title="Central path")],
    )
    fit = alt.Chart(b).mark_area(opacity=0.35, color=PALETTE[0]).encode(
        x=x, y=alt.Y("fit_lower:Q", axis=y_axis), y2="fit_upper:Q",
        tooltip=[alt.Tooltip("Month:N"), alt.Tooltip("fit_lower_words:N", title="Lowest fitting path"),
                 alt.Tooltip("fit_upper_words:N", title="Highest fitting path")],
    )
    line = alt.Chart(b).mark_line(color=PALETTE[0], strokeWidth=2).encode(x=x, y=alt.Y("central:Q", axis=y_axis))
    tooltip = [alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("kind:N", title="Kind"),
               alt.Tooltip("qualifier:N", title="Qualifier"), alt.Tooltip("drawn_at:N", title="Drawn at"),
               alt.Tooltip("quote_shown:N", title="Quote"), alt.Tooltip("speaker:N", title="Attributed to"),
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
        "text": ["Light: lowest to highest of all model paths",
                 f"Dark: the {sum(meets):,} paths that meet both stock figures", "Line: central assumptions"],
    })).mark_text(align="left", fontSize=11, color="#222222").encode(
        x="date:T", y=alt.Y("y:Q", axis=y_axis), text="text:N")
    chart = (area + fit + line + rem + rem_label + pts + labels).properties(width=520, height=340)
    table = b[["Month", "lower", "fit_lower", "central", "fit_upper", "upper"]].iloc[::6].rename(columns={
        "lower": "Lowest path", "fit_lower": "Lowest fitting path", "central": "Central path",
        "fit_upper": "Highest fitting path", "upper": "Highest path"}).round(-1)
    return Figure(
        titled(chart, "Cumulative arrivals implied by the monthly estimates",
               f"book's model over {len(paths):,} assumption sets; stock figures: intelNews (2016-09-12), "
               "policy paper (2017), NPR (2017-05-04), Daily Caller (2017-07-21)"),
        f"Band chart: cumulative arrivals implied by {len(paths):,} combinations of assumptions, from "
        f"{b['lower'].iloc[-1]:,.0f} to {b['upper'].iloc[-1]:,.0f} by {b['Month'].iloc[-1]} (central path "
        f"{b['central'].iloc[-1]:,.0f}); black marks show the stated stock figures ("
        + "; ".join(f"{c.figure}, {c.drawn_at}" for c in stocks.itertuples())
        + f"); a darker band marks the {sum(meets):,} paths that meet both the end-2015 and the 2017 "
        f"stock figures, and a red bar the {remain.iloc[0]['figure']} said to remain.",
        table, "arrivals-reconciliation-band",
    )
