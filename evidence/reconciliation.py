"""Reconciling flows with stocks: a small model of monthly arrivals, summed and set against stock figures.

The sources give arrival rates at a few dates ("roughly 1,500 per month in mid-2015") and totals
at others ("40,000 since 2011"). If both are right, the monthly rates added up should reproduce
the totals. This module is the arithmetic of that test and nothing else: pure functions on plain
numbers, with no ledger rows, no assumption values and no defaults. A chapter supplies every value
(its assumptions, the dated points, the stock figures and the months to test them at), so a reader
who changes one of them there sees every result follow.

- :func:`segment` and :func:`rate_path`: a monthly arrival path in pieces, rising from zero to a
  peak and declining through two dated rates, in one of four shapes between dated points;
- :func:`cumulative`, :func:`band`, :func:`implied_total`, :func:`residual`: sums of arrivals, and
  what is left after deaths and those still in the war zone;
- :func:`values`, :func:`combinations`: the grid of a chapter's assumptions (every combination of
  their values: a set of choices, not a probability distribution);
- :class:`StockTest`, :func:`meets`, :func:`measure`, :func:`path_table`: each stock figure tested
  against the cumulative arrivals to the end of the month it refers to;
- :func:`one_at_a_time`, :func:`drivers`: each assumption moved alone from the central values, and
  the one that moves each result most.

Months are integer ordinals (:func:`evidence.dates.month`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHAPES = ("drop-early", "exponential", "linear", "drop-late")
TAILS = ("stops", "holds")
# The rise from zero to the peak: every rising path lies between "at-peak" (nothing before the peak
# month) and "at-once" (the peak rate from the month after the start), the same two bounds as for a
# declining segment, so each rise is drawn with the segment shape named here.
RISES = {"at-peak": "drop-late", "linear": "linear", "at-once": "drop-early"}


def segment(r0: float, r1: float, n: int, shape: str) -> np.ndarray:
    """Monthly rates for the ``n`` months from one dated point (included) to the next (excluded).

    Between two dated points any non-increasing path lies between ``drop-early`` (the next level
    at once) and ``drop-late`` (the earlier level until the next point), so those two shapes bound
    every declining path; ``exponential`` (a constant proportional fall) and ``linear`` (a constant
    absolute fall) lie in between. The first month always carries ``r0``: the dated rate itself.
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
    """One arrival path: where arrivals start, where they peak, and how they decline.

    The rate rises from zero at ``start`` to ``peak_rate`` at ``peak_month`` (in the way ``rise``
    names, see :data:`RISES`), then follows ``shape`` through the rate at ``mid_2015_month`` and
    the rate at ``mid_2016_month``, then ``tail``: "holds" keeps the last rate, "stops" drops to
    zero after it. Months are ordinals.
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
    rise: str


def rate_path(path: Path, months: np.ndarray) -> np.ndarray:
    """The monthly arrival rate in each of ``months`` (ordinals, consecutive) under ``path``."""
    if not path.start < path.peak_month < path.mid_2015_month < path.mid_2016_month:
        raise ValueError(f"the dated points of {path} are not in time order")
    if path.rise not in RISES:
        raise ValueError(f"unknown rise '{path.rise}': expected one of {', '.join(RISES)}")
    if path.tail not in TAILS:
        raise ValueError(f"unknown tail '{path.tail}': expected one of {', '.join(TAILS)}")
    peak = max(path.peak_rate, path.mid_2015_rate)  # the rate declines after its peak
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
    rates[months == path.mid_2016_month] = path.mid_2016_rate  # the dated rate itself
    return rates


def cumulative(rates: np.ndarray) -> np.ndarray:
    """Cumulative arrivals at the end of each month: a constant rate r over n months gives r*n."""
    return np.cumsum(rates)


def implied_total(rate_bound: float, n_months: int) -> float:
    """The most arrivals a rate bound allows over ``n_months`` ('less than 200 a month' for 12 months: < 2,400)."""
    return rate_bound * n_months


def band(paths: Sequence[Path], months: np.ndarray) -> pd.DataFrame:
    """Cumulative arrivals per month: the lowest and highest over ``paths``, one row per month."""
    totals = np.vstack([cumulative(rate_path(p, months)) for p in paths])
    return pd.DataFrame({"month": months, "lower": totals.min(axis=0), "upper": totals.max(axis=0)})


def residual(arrivals: float, death_share: float, remaining: float) -> float:
    """Arrivals neither dead nor still in the war zone: returned home, moved on, or the other figures' error."""
    return arrivals * (1 - death_share) - remaining


# --- the grid of assumptions ---------------------------------------------------------------------


def values(assumption: Mapping) -> tuple:
    """An assumption's values in order, each once: low, central, high, then any it lists under ``also``."""
    return tuple(dict.fromkeys((assumption["low"], assumption["central"], assumption["high"],
                                *assumption.get("also", ()))))


def central(assumptions: Mapping[str, Mapping]) -> dict:
    """Every assumption at its central value."""
    return {name: a["central"] for name, a in assumptions.items()}


def combinations(assumptions: Mapping[str, Mapping], names: Sequence[str]) -> list[dict]:
    """Every combination of the values of the assumptions ``names``, the others at their central value.

    The combinations are the product of the listed values, in order (the last name varies fastest).
    """
    base = central(assumptions)
    choices = [values(assumptions[name]) for name in names]
    return [{**base, **dict(zip(names, combo))} for combo in itertools.product(*choices)]


# --- stock figures, each tested at the month it refers to ----------------------------------------


@dataclass(frozen=True)
class StockTest:
    """A stock figure and the month whose cumulative arrivals (to the end of that month) it is tested against.

    ``test`` is "over" (arrivals must exceed the figure: a lower bound such as "over 30,000") or
    "about" (arrivals within ``tolerance`` times the figure either way). ``key`` names the result
    columns: ``by_<key>`` and ``meets_<key>``.
    """

    key: str
    figure: float
    month: int
    test: str
    tolerance: float | None = None  # required for "about"

    def __post_init__(self) -> None:
        if self.test not in ("over", "about"):
            raise ValueError(f"unknown test '{self.test}': expected 'over' or 'about'")
        if self.test == "about" and self.tolerance is None:
            raise ValueError(f"the 'about' test of {self.key} needs a tolerance")


def meets(test: StockTest, arrivals: np.ndarray | float) -> np.ndarray | bool:
    """Whether cumulative arrivals meet a stock figure: above a lower bound, or within the tolerance of 'about'."""
    if test.test == "over":
        return arrivals > test.figure
    return abs(arrivals - test.figure) <= test.tolerance * test.figure


def measure(path: Path, months: np.ndarray, tests: Sequence[StockTest], window: tuple[int, int]) -> dict[str, float]:
    """A path's results: cumulative arrivals by each test's month (``by_<key>``), and arrivals within ``window``.

    ``window`` is (first month, last month), both included (``in_window``).
    """
    rates = rate_path(path, months)
    cum = cumulative(rates)
    out = {}
    for t in tests:
        if not months[0] <= t.month <= months[-1]:
            raise ValueError(f"the month of test '{t.key}' is outside the months modelled")
        out[f"by_{t.key}"] = float(cum[months == t.month][0])
    out["in_window"] = float(rates[(months >= window[0]) & (months <= window[1])].sum())
    return out


def path_table(combos: Sequence[Mapping], paths: Sequence[Path], names: Sequence[str], months: np.ndarray,
               tests: Sequence[StockTest], window: tuple[int, int]) -> pd.DataFrame:
    """One row per combination: its values of ``names``, its results, and whether it meets each stock figure.

    ``paths[i]`` is the path of ``combos[i]``. ``meets_all`` is True when a combination meets every test.
    """
    if len(combos) != len(paths):
        raise ValueError("one path per combination")
    frame = pd.DataFrame([
        {**{name: combo[name] for name in names}, **measure(path, months, tests, window)}
        for combo, path in zip(combos, paths)
    ])
    for t in tests:
        frame[f"meets_{t.key}"] = meets(t, frame[f"by_{t.key}"])
    frame["meets_all"] = frame[[f"meets_{t.key}" for t in tests]].all(axis=1)
    return frame


# --- one assumption at a time ----------------------------------------------------------------------


def one_at_a_time(assumptions: Mapping[str, Mapping], names: Sequence[str],
                  evaluate: Callable[[dict], Mapping[str, float]]) -> pd.DataFrame:
    """The results at the central values, then with each of ``names`` moved alone to each of its other values.

    ``evaluate(values)`` returns the results for one set of values (every assumption by name). One
    row per (name, value), with ``name`` "" and ``value`` None for the central values.
    """
    base = central(assumptions)
    rows = [{"name": "", "value": None, **evaluate(base)}]
    for name in names:
        for value in values(assumptions[name]):
            if value != base[name]:
                rows.append({"name": name, "value": value, **evaluate({**base, name: value})})
    return pd.DataFrame(rows)


def drivers(frame: pd.DataFrame, among: Sequence[str], columns: Sequence[str]) -> dict[str, tuple[str, float, float]]:
    """For each result column, the assumption (of ``among``) whose changes in ``frame`` move it most.

    ``frame`` is :func:`one_at_a_time`'s. Returns, per column, (name, lowest, highest), the range
    including the central values; of equal swings, the first in ``among`` is named.
    """
    centre = frame[frame["name"] == ""].iloc[0]
    out = {}
    for column in columns:
        swings = []
        for name in among:
            moved = [*frame.loc[frame["name"] == name, column], centre[column]]
            swings.append((max(moved) - min(moved), name, min(moved), max(moved)))
        out[column] = max(swings, key=lambda s: s[0])[1:]
    return out
