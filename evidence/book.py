"""What the chapters call: ledger figures in words, glued into prose, with their provenance.

A chapter should hold prose and a few calls; the wording of a hedged figure
("about 40,000", "fewer than 200 a month", "10,000–30,000") is decided once, here,
from the ledger's value, bounds, qualifier and unit, so the prose can never
drift from the data.
"""

from __future__ import annotations

import re

import pandas as pd

from evidence.ledger import Evidence
from evidence.tables import short_name

QUALIFIER_WORDS = {
    "exact": "",
    "about": "about ",
    "more-than": "more than ",
    "fewer-than": "fewer than ",
    "nearly": "nearly ",
    "up-to": "up to ",
    "range": "",
}

UNIT_WORDS = {
    "people": "",
    "people-per-month": " a month",
    "percent": " per cent",
    "countries": " countries",
    "rank": "",
    "cases": " cases",
}


def qualifier_wording() -> pd.DataFrame:
    """Each ledger qualifier and the words the prose uses for it (for the methods appendix)."""
    return pd.DataFrame(
        [{"Qualifier": q, "Written as": (w.strip() or "(the number alone)") + " …"} for q, w in QUALIFIER_WORDS.items()]
    )


def number(value: float) -> str:
    """A count as the book prints it: thousands separated, no decimals unless needed."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# The words sources use for each qualifier, longest first so "nearly as many as" wins over "nearly".
HEDGE_WORDS = (
    "nearly as many as", "as many as", "more than", "fewer than", "less than", "close to", "an estimated",
    "up to", "almost", "about", "around", "roughly", "nearly", "over", "some",
)


def _figure(claim: pd.Series) -> float:
    """The number a claim states: its point value, or its one bound when it has only one."""
    for column in ("value", "upper", "lower"):
        if pd.notna(claim[column]):
            return float(claim[column])
    raise ValueError(f"claim '{claim['claim_id']}' has no figure to describe")


def source_hedge(claim: pd.Series) -> str | None:
    """The hedge word the quote puts right before the figure ('almost 7,200' -> 'almost'), if any."""
    from evidence.quotes import normalise

    figure = number(_figure(claim))
    quote = normalise(claim.get("quote", "") or "")
    for shown in dict.fromkeys((figure, figure.replace(",", ""))):
        match = re.search(rf"([A-Za-z ]*?)\b{re.escape(shown)}(?![\d,])", quote)
        if match:
            before = match.group(1).strip().lower()
            return next((h for h in HEDGE_WORDS if before == h or before.endswith(" " + h)), None)
    return None


def describe(claim: pd.Series, unit: bool = True) -> str:
    """A ledger figure in words, hedged exactly as its source hedges it (e.g. 'more than 30,000').

    The hedge is the source's own word where the quote has one right before the number
    ('almost', 'roughly', 'over'); otherwise the ledger's qualifier in words. A claim with
    only one bound ('up to 2,000') is described by that bound, never as a point; a claim
    with no figure (a statement) is described as ''.
    """
    if not claim["unit"]:
        return ""  # a statement, not a figure
    unit_words = UNIT_WORDS[claim["unit"]] if unit else ""
    if claim["unit"] == "rank":
        return f"rank {number(claim['value'])}"
    if pd.notna(claim["lower"]) and pd.notna(claim["upper"]) and pd.isna(claim["value"]):
        return f"{number(claim['lower'])}–{number(claim['upper'])}{unit_words}"
    figure = _figure(claim)
    hedge = source_hedge(claim)
    words = f"{hedge} " if hedge else ("" if claim["qualifier"] == "exact" else QUALIFIER_WORDS[claim["qualifier"]])
    return f"{words}{number(figure)}{unit_words}"


def glue_claims(evidence: Evidence, names: dict[str, str]) -> None:
    """Glue each claim's figure in words under the given name, for ``{glue:text}`` in the prose."""
    from myst_nb import glue

    for name, claim_id in names.items():
        glue(name, describe(evidence.claim(claim_id)), display=False)


def provenance(evidence: Evidence, claims: pd.DataFrame) -> pd.DataFrame:
    """Columns every chart's tooltip shows: the figure in words, its qualifier, the quote and its source."""
    sources = evidence.sources
    out = claims.copy()
    out["figure"] = [describe(row) if row["unit"] else "" for _, row in claims.iterrows()]
    out["source"] = [short_name(sources.loc[sid]) for sid in claims["source_id"]]
    out["quote_shown"] = [f"“{q}”" for q in claims["quote"]]
    return out


def ratio(high: float, low: float) -> float:
    """How many times larger one figure is than another, rounded for prose (1 decimal)."""
    return round(high / low, 1)


def comparison(evidence: Evidence, pairs: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Two sources' figures for the same quantity, side by side, with the gap between them.

    ``pairs`` holds (what is compared, claim id A, claim id B). The gap is computed from the
    stated numbers, each shown with its hedge; the chapters say how a bound or a rounded
    figure limits what the gap means. Figures in different units (a total against a monthly
    rate) get no difference or ratio.
    """
    rows = []
    for what, id_a, id_b in pairs:
        a, b = evidence.claim(id_a), evidence.claim(id_b)
        figure_a, figure_b = _figure(a), _figure(b)
        comparable = a["unit"] == b["unit"]  # a total against a monthly rate has no meaningful difference
        rows.append(
            {
                "Quantity": what,
                "Figure A": describe(a),
                "Source A": f"{a['speaker']}, {a['stated']} ({short_name(evidence.sources.loc[a['source_id']])})",
                "Figure B": describe(b),
                "Source B": f"{b['speaker']}, {b['stated']} ({short_name(evidence.sources.loc[b['source_id']])})",
                "B minus A": number(figure_b - figure_a) if comparable else "",
                "Ratio B/A": f"{figure_b / figure_a:.2f}" if comparable and figure_a else "",
                "Claims": f"{id_a}, {id_b}",
            }
        )
    return pd.DataFrame(rows)
