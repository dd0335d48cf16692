"""Hedged figures, written once: what each ledger qualifier means, how it is worded, and what it bounds.

A source rarely gives a bare number: "over 30,000", "about 40,000", "less than 200 a
month", "nearly as many as 2,000". The ledger records the number and a qualifier; this
module is the one place that says

- what kind of statement each qualifier makes (:data:`QUALIFIERS`: point, approximate,
  lower or upper bound, range) and how the book words it;
- which hedge word the source itself uses before the number (:func:`source_hedge`), so the
  prose repeats the source's hedge, not the book's (:func:`describe`);
- which way the true value of a computed quantity can lie, given the hedges of the figures
  it is computed from (:func:`direction`): the one bound rule for every gap, ratio and share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Qualifier:
    """What a ledger qualifier says about the true value, and how the book words it."""

    bound: str  # "exact", "approximate", "lower" (true >= figure), "upper" (true <= figure) or "range"
    words: str  # the book's words before the number when the quote has no hedge word of its own
    kind: str  # the kind of statement, as tables label it


QUALIFIERS = {
    "exact": Qualifier("exact", "", "point estimate"),
    "about": Qualifier("approximate", "about ", "point estimate"),
    "more-than": Qualifier("lower", "more than ", "lower bound"),
    "fewer-than": Qualifier("upper", "fewer than ", "upper bound"),
    "nearly": Qualifier("upper", "nearly ", "upper figure"),
    "up-to": Qualifier("upper", "up to ", "upper figure"),
    "range": Qualifier("range", "", "range"),
}

UNIT_WORDS = {
    "people": "",
    "people-per-month": " a month",
    "percent": " per cent",
    "countries": " countries",
    "rank": "",
    "cases": " cases",
}

# The words sources use for a hedge, longest first so "nearly as many as" wins over "nearly".
HEDGE_WORDS = (
    "nearly as many as", "as many as", "more than", "fewer than", "less than", "close to", "an estimated",
    "estimate that", "up to", "almost", "about", "around", "roughly", "nearly", "over", "some",
)
# A hedge the source puts in a verb ("agencies estimate that 40,000") is written as the adjective.
HEDGE_WRITTEN = {"estimate that": "an estimated"}


def qualifier_wording() -> pd.DataFrame:
    """Each ledger qualifier, the kind of statement it makes and the words the prose uses (methods appendix)."""
    return pd.DataFrame(
        [{"Qualifier": q, "Kind of statement": v.kind, "Written as": (v.words.strip() or "(the number alone)") + " …"}
         for q, v in QUALIFIERS.items()]
    )


def number(value: float) -> str:
    """A count as the book prints it: thousands separated, no decimals unless needed."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def figure(claim: pd.Series) -> float:
    """The number a claim states: its point value, or its one bound when it has only one."""
    for column in ("value", "upper", "lower"):
        if pd.notna(claim[column]):
            return float(claim[column])
    raise ValueError(f"claim '{claim['claim_id']}' has no figure to describe")


def source_hedge(claim: pd.Series) -> str | None:
    """The hedge word the quote puts right before the figure ('almost 7,200' -> 'almost'), if any."""
    from evidence.quotes import normalise

    shown_figure = number(figure(claim))
    quote = normalise(claim.get("quote", "") or "")
    for shown in dict.fromkeys((shown_figure, shown_figure.replace(",", ""))):
        match = re.search(rf"([A-Za-z ]*?)\b{re.escape(shown)}(?![\d,])", quote)
        if match:
            before = match.group(1).strip().lower()
            return next((h for h in HEDGE_WORDS if before == h or before.endswith(" " + h)), None)
    return None


def describe(claim: pd.Series, unit: bool = True) -> str:
    """A ledger figure in words, hedged exactly as its source hedges it (e.g. 'more than 30,000').

    The hedge is the source's own word where the quote has one right before the number
    ('almost', 'roughly', 'over'); otherwise the qualifier's words. A claim with only one
    bound ('up to 2,000') is described by that bound, never as a point; a claim with no
    figure (a statement) is described as ''.
    """
    if not claim["unit"]:
        return ""  # a statement, not a figure
    unit_words = UNIT_WORDS[claim["unit"]] if unit else ""
    if claim["unit"] == "rank":
        return f"rank {number(claim['value'])}"
    if pd.notna(claim["lower"]) and pd.notna(claim["upper"]) and pd.isna(claim["value"]):
        return f"{number(claim['lower'])}–{number(claim['upper'])}{unit_words}"
    hedge = source_hedge(claim)
    words = f"{HEDGE_WRITTEN.get(hedge, hedge)} " if hedge else QUALIFIERS[claim["qualifier"]].words
    return f"{words}{number(figure(claim))}{unit_words}"


def direction(increasing: list[str], decreasing: list[str] = ()) -> str:
    """Where the true value of a computed quantity lies relative to the computed one.

    ``increasing`` holds the qualifiers of the figures the quantity grows with (B in B - A, the
    numerator of a share), ``decreasing`` those it shrinks with (A, the denominator). A lower
    bound ("more than") pushes the true value of its figure up, an upper bound ("fewer than",
    "nearly", "up to") down; an approximate figure ("about") can lie either side. The rule:

    - bounds pushing the result both ways: "not bounded";
    - pushes one way only: "at least" or "at most", plus " about" when any figure is approximate;
    - no pushes: "exactly" when every figure is exact, else "about";
    - a range among the figures: "not bounded".
    """
    pushes, approximate = set(), False
    for qualifiers, sign in ((increasing, 1), (decreasing, -1)):
        for qualifier in qualifiers:
            bound = QUALIFIERS[qualifier].bound
            if bound == "range":
                return "not bounded"
            if bound == "approximate":
                approximate = True
            elif bound in ("lower", "upper"):
                pushes.add(sign if bound == "lower" else -sign)
    if len(pushes) == 2:
        return "not bounded"
    if pushes:
        return ("at least" if pushes == {1} else "at most") + (" about" if approximate else "")
    return "about" if approximate else "exactly"


# --- figures against their quotes ------------------------------------------------------------------

# Number words a quote may use instead of digits. A share word is a percentage ("half" = 50 per cent).
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "a dozen": 12, "a hundred": 100, "a thousand": 1000, "none": 0,
}
SHARE_WORDS = {"half": 50, "a third": 100 / 3, "a quarter": 25}
NONE_PATTERN = re.compile(r"\bnot\b(?:\s+\w+){0,3}\s+any\b")  # "have not seen any of their nationals" = 0
MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000}
_DIGITS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s+(thousand|million)\b)?")


def stated_numbers(quote: str) -> set[float]:
    """Every number a quote states, in digits ("30,000", "1.5 million", "70%") or in words ("a thousand", "half").

    This is the mapping from words to numbers, written once: :data:`NUMBER_WORDS`, :data:`SHARE_WORDS`
    (as percentages) and "not … any" for zero.
    """
    from evidence.quotes import normalise

    text = normalise(quote).lower()
    found: set[float] = set()
    for whole, decimals, multiplier in _DIGITS.findall(text):
        value = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        found.add(value * MULTIPLIERS.get(multiplier, 1))
    for words, value in {**NUMBER_WORDS, **SHARE_WORDS}.items():
        if re.search(rf"\b{re.escape(words)}\b", text):
            found.add(float(value))
    if NONE_PATTERN.search(text):
        found.add(0.0)
    return found


def number_words() -> str:
    """The word-to-number mapping in one line, for messages and the methods appendix."""
    pairs = [f"'{w}' = {v:g}" for w, v in NUMBER_WORDS.items()] + [f"'{w}' = {v:g} per cent" for w, v in SHARE_WORDS.items()]
    return ", ".join(pairs) + ", 'not … any' = 0"
