"""Dates and months, written once: partial ISO dates, month ordinals and the one rule for counting months.

The sources date their figures loosely ("mid-2015", "since the beginning of 2016", "this
year"); the ledger stores ISO dates of any precision (YYYY, YYYY-MM, YYYY-MM-DD).

**The month rule.** A period from month A to month B covers :func:`months_between` (A, B)
months: the whole months elapsed from the first day of A to the first day of B. A count
"since the beginning of 2016" reported in September 2016 therefore covers 8 months
(January to August complete; the days of September before the report are not counted,
since the report's day within the month is not known). Every average per month in the
book divides by this number.
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

MONTH_RULE = (
    "A period from month A to a report in month B covers the whole months elapsed from the first day of A "
    "to the first day of B (January to September 2016: 8 months)."
)

PLACED_NOTE = {
    "day": "full date given",
    "month": "month only: placed at mid-month",
    "year": "year only: placed at mid-year",
}


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
    """Whole months elapsed from the first day of ``start`` to the first day of ``end`` (see the month rule)."""
    return month(end) - month(start)


def per_month(total: float, start: str, end: str) -> float:
    """A total over a period as an average per month under the month rule (the book's arithmetic)."""
    months = months_between(start, end)
    if months <= 0:
        raise ValueError(f"the period {start} to {end} covers no whole month")
    return total / months


def date_span(stated: str) -> tuple[date, date, str]:
    """First and last day an ISO date (possibly partial: 'YYYY' or 'YYYY-MM') can stand for, and its precision."""
    parts = [int(p) for p in stated.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day, "day"
    if len(parts) == 2:
        year, month_number = parts
        return date(year, month_number, 1), date(year, month_number, calendar.monthrange(year, month_number)[1]), "month"
    (year,) = parts
    return date(year, 1, 1), date(year, 12, 31), "year"


def place_date(stated: str, published: str = "") -> tuple[date, date, date, str]:
    """Where a possibly partial date is drawn: (placed, span start, span end, a note saying how).

    A month is placed at mid-month and a year at mid-year, the midpoint of the span it
    stands for. A statement cannot postdate the source that reports it, so when the
    source's publication date is known and falls inside the span, the span is cut there
    first (e.g. a Washington Post report of "September 2016" relayed on 12 September
    2016 is placed in early September, not on the 16th).
    """
    start, end, precision = date_span(stated)
    note = PLACED_NOTE[precision]
    if precision != "day" and published:
        published_day = date_span(published)[1]
        if start <= published_day < end:
            end = published_day
            note += f", within the span up to the reporting source's date ({published_day.isoformat()})"
    placed = start + (end - start) // 2
    return placed, start, end, note
