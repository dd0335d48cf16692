"""What the chapters call: ledger figures in words, glued into prose, with their provenance.

A chapter should hold prose and a few calls; the wording of a hedged figure
("about 40,000", "fewer than 200 a month", "10,000–30,000") is decided once, here,
from the ledger's value, bounds, qualifier and unit, so the prose can never
drift from the data.
"""

from __future__ import annotations

import pandas as pd

from evidence import voices
from evidence.hedges import QUALIFIERS, UNIT_WORDS, describe, figure, number, qualifier_wording, source_hedge  # noqa: F401
from evidence.ledger import Evidence
from evidence.tables import short_name

# Hedged figures are worded in one place (evidence.hedges); these names are what the chapters call.
QUALIFIER_WORDS = {qualifier: q.words for qualifier, q in QUALIFIERS.items()}
_figure = figure


GLUED: dict[str, object] = {}  # every value glued in this kernel, by name (what the prose shows)


def glue(name: str, value: object, display: bool = False) -> None:
    """Name a value for ``{glue:text}`` in the chapter's prose.

    In the book this is MyST-NB's ``glue``. In a downloaded notebook re-run without the book's
    toolchain (no MyST-NB installed), the value is only kept in :data:`GLUED`: the prose there
    already shows the values, and a reader can look up any name, e.g. ``GLUED["avg_2016"]``.
    """
    GLUED[name] = value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)


def glue_claims(evidence: Evidence, names: dict[str, str]) -> None:
    """Glue each claim's figure in words under the given name, for ``{glue:text}`` in the prose."""
    for name, claim_id in names.items():
        glue(name, describe(evidence.claim(claim_id)), display=False)


def provenance(evidence: Evidence, claims: pd.DataFrame) -> pd.DataFrame:
    """Columns every chart's tooltip shows: the figure in words, the quote, whose words it is (credit) and its source."""
    sources = evidence.sources
    out = claims.copy()
    out["figure"] = [describe(row) if row["unit"] else "" for _, row in claims.iterrows()]
    out["source"] = [short_name(sources.loc[sid]) for sid in claims["source_id"]]
    out["quote_shown"] = [f"“{q}”" for q in claims["quote"]]
    out["credit"] = [voices.credit(row, sources) for _, row in claims.iterrows()]
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
                "Source A": f"{voices.credit(a, evidence.sources)}, {a['stated']} ({short_name(evidence.sources.loc[a['source_id']])})",
                "Figure B": describe(b),
                "Source B": f"{voices.credit(b, evidence.sources)}, {b['stated']} ({short_name(evidence.sources.loc[b['source_id']])})",
                "B minus A": number(figure_b - figure_a) if comparable else "",
                "Ratio B/A": f"{figure_b / figure_a:.2f}" if comparable and figure_a else "",
                "Claims": f"{id_a}, {id_b}",
            }
        )
    return pd.DataFrame(rows)
