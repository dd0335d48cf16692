"""What the chapters call: ledger figures in words, glued into prose, with their provenance.

A chapter should hold prose and a few calls; the wording of a hedged figure
("about 40,000", "fewer than 200 a month", "10,000–30,000") is decided once, here,
from the ledger's value, bounds, qualifier and unit, so the prose can never
drift from the data.
"""

from __future__ import annotations

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


def describe(claim: pd.Series, unit: bool = True) -> str:
    """A ledger figure in words, hedged exactly as its source hedges it (e.g. 'more than 30,000')."""
    if pd.notna(claim["lower"]) and pd.notna(claim["upper"]) and pd.isna(claim["value"]):
        amount = f"{number(claim['lower'])}–{number(claim['upper'])}"
    elif pd.notna(claim["value"]):
        amount = QUALIFIER_WORDS[claim["qualifier"]] + number(claim["value"])
    else:
        raise ValueError(f"claim '{claim['claim_id']}' has no figure to describe")
    if claim["unit"] == "rank":
        return f"rank {number(claim['value'])}"
    return amount + (UNIT_WORDS[claim["unit"]] if unit else "")


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

    ``pairs`` holds (what is compared, claim id A, claim id B). Difference and ratio are
    computed only when both claims carry a point value; a bound or a range is shown in
    words but not turned into a point.
    """
    rows = []
    for what, id_a, id_b in pairs:
        a, b = evidence.claim(id_a), evidence.claim(id_b)
        both_points = pd.notna(a["value"]) and pd.notna(b["value"])
        rows.append(
            {
                "Quantity": what,
                "Figure A": describe(a),
                "Source A": f"{a['speaker']}, {a['stated']} ({short_name(evidence.sources.loc[a['source_id']])})",
                "Figure B": describe(b),
                "Source B": f"{b['speaker']}, {b['stated']} ({short_name(evidence.sources.loc[b['source_id']])})",
                "B minus A": number(b["value"] - a["value"]) if both_points else "",
                "Ratio B/A": f"{b['value'] / a['value']:.2f}" if both_points and a["value"] else "",
                "Claims": f"{id_a}, {id_b}",
            }
        )
    return pd.DataFrame(rows)
