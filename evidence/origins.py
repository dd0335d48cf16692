"""The flow of recruits: how many foreign fighters went, and from where, as each source states it.

Everything here is derived from the claims ledger (``data/claims.csv``), by claim id or by
filtering on topic, unit and geography; no figure is typed in this module. Computed numbers
(sums, shares of the 40,000, ratios) are the book's inference, and the functions that make
them say so in their docstrings so the chapter can label them.

Why some of this is less obvious than it looks:

- A source's hedge decides what a comparison can say. "More than 30,000" is a lower bound,
  so 40,000 divided by it is the *largest* the ratio can be, not the ratio
  (:func:`gap_reading`).
- The policy paper gives country counts in two lists, each introduced by a regional share
  ("half … from within the region", "over 20 percent" western European). Which region a
  country belongs to is read from that structure of the text, not typed here:
  :func:`country_regions` assigns each country count to the regional share claim that
  precedes it in the source.
- The NBER ranking (via the Daily Caller) and the paper's counts name partly different
  countries; :func:`nber_vs_counts` keeps both lists whole instead of joining only the
  overlap, so the gaps (ranked but uncounted, counted but unranked) stay visible.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from evidence import book, quotes

from evidence.charts import PALETTE, Figure, titled
from evidence.display import Table
from evidence.ledger import Evidence
from evidence.tables import short_name

# Claim ids used as handles (the ledger holds the figures).
STOCK_TOTALS = ("intel-stock-30000-people", "pp-stock-total-people", "npr-stock-total", "dc-stock-total")
TOTAL = "pp-stock-total-people"  # the total the policy paper's shares refer to
REGION_SHARE = "pp-origin-region-half"
WESTERN_EUROPE_SHARE = "pp-origin-western-europe-share"
NBER_PREFIX = "dc-nber-rank-"
BELGIUM_PER_CAPITA = "dc-origin-belgium-per-capita"
US_CLAIMS = (
    "npr-us-250-attempted",
    "intel-us-fewer-than-10-since-january",
    "npr-rasmussen-us-persons-small-portion",
    "pp-origin-canada-us-australia",
    "npr-us-fbi-thousand-cases",
)
STOCK_PAIRS = (
    ("Foreign fighters who went (total): intelNews vs policy paper", "intel-stock-30000-people", "pp-stock-total-people"),
    ("Foreign fighters who went (total): intelNews vs NPR", "intel-stock-30000-people", "npr-stock-total"),
    ("Foreign fighters (total): NPR vs Daily Caller", "npr-stock-total", "dc-stock-total"),
    ("Countries of origin: intelNews vs NPR", "intel-stock-90-countries", "npr-stock-countries"),
    ("Countries of origin: intelNews vs policy paper", "intel-stock-90-countries", "pp-stock-total-countries"),
)

NOT_RANKED, NOT_COUNTED = "not in the top five", "no count"
RANK_COL, ORDER_COL = "NBER rank (2016)", "Order of the paper's count (book's inference)"
LOWER, UPPER, POINT, RANGE = "lower bound", "upper bound", "approximate or exact", "range"
BOUND_KIND = {
    "more-than": LOWER,
    "nearly": UPPER,
    "fewer-than": UPPER,
    "up-to": UPPER,
    "about": POINT,
    "exact": POINT,
    "range": RANGE,
}


# --------------------------------------------------------------------------- hedges and gaps


def bound_kind(qualifier: str) -> str:
    """What a qualifier makes of a figure: a lower bound, an upper bound, or a point (approximate or exact).

    The whole chapter leans on this: "over 30,000" and "about 40,000" are different kinds of statement.
    """
    return BOUND_KIND[qualifier]


def gap_reading(qualifier_a: str, qualifier_b: str) -> str:
    """How to read B minus A (and B/A, for positive figures) given how each figure is hedged.

    Returns "at most" when the computed gap is the largest the true gap can be (B a point or
    upper bound, A a lower bound), "at least" in the mirror case, "about" when both are points,
    and "cannot be bounded" when both bounds point the same way (or a range is involved).
    """
    a, b = bound_kind(qualifier_a), bound_kind(qualifier_b)
    if RANGE in (a, b):
        return "cannot be bounded"
    if a == POINT and b == POINT:
        return "about"
    if b in (POINT, UPPER) and a in (POINT, LOWER):
        return "at most"
    if b in (POINT, LOWER) and a in (POINT, UPPER):
        return "at least"
    return "cannot be bounded"


def stock_comparison(evidence: Evidence) -> pd.DataFrame:
    """The totals and country counts side by side (``book.comparison``) with how to read each gap.

    ``book.comparison`` computes B minus A and B/A from point values; a lower bound such as
    "more than 30,000" turns that gap into a maximum, which the added column says in words.
    """
    frame = book.comparison(evidence, list(STOCK_PAIRS))
    readings = []
    for _, id_a, id_b in STOCK_PAIRS:
        reading = gap_reading(evidence.claim(id_a)["qualifier"], evidence.claim(id_b)["qualifier"])
        readings.append(
            {
                "about": "approximate: both figures are",
                "at most": "at most this: A is a lower bound",
                "at least": "at least this: A is an upper bound, B a lower one",
                "cannot be bounded": "not bounded by the hedges",
            }[reading]
        )
    frame.insert(frame.columns.get_loc("Claims"), "How to read the gap", readings)
    return frame


def stock_comparison_compact(evidence: Evidence) -> pd.DataFrame:
    """:func:`stock_comparison` with each figure and its source in one cell, so the table fits a page."""
    frame = stock_comparison(evidence)
    for side, index in (("A", 1), ("B", 2)):
        frame[f"Figure {side}"] = [
            f"{figure} ({_who(evidence, evidence.claim(pair[index]))})"
            for figure, pair in zip(frame[f"Figure {side}"], STOCK_PAIRS)
        ]
    return frame.drop(columns=["Source A", "Source B"])


def _who(evidence: Evidence, claim: pd.Series) -> str:
    """A claim's source in a few words: outlet and date, and whom it cites when not its own voice."""
    source = short_name(evidence.sources.loc[claim["source_id"]])
    own_voice = claim["speaker"].split()[0].lower() in source.lower()
    return source if own_voice else f"{source}, citing {claim['speaker']}"


# --------------------------------------------------------------------------- the stock


def reference_period(claim: pd.Series) -> str:
    """The date or period a stock figure refers to, in words; 'not stated' when the source gives none."""
    start, end = claim["period_start"], claim["period_end"]
    if start and end:
        return f"{start} to {end}"
    if end:
        return f"by {end}"
    return "not stated"


def stock_estimates(evidence: Evidence) -> pd.DataFrame:
    """The headcount totals of foreign fighters (topic stock, unit people), in the order they refer to.

    Sorted by the date each figure refers to, or, when a source gives none, the date it was stated,
    so the chart reads from the oldest estimate to the newest.
    """
    claims = evidence.claims
    rows = claims[(claims["topic"] == "stock") & (claims["unit"] == "people") & claims["value"].notna()].copy()
    rows["as_of"] = [c["period_end"] or c["stated"] for _, c in rows.iterrows()]
    rows = rows.sort_values(["as_of", "stated"], kind="stable")
    rows = book.provenance(evidence, rows)
    rows["kind"] = [bound_kind(q) for q in rows["qualifier"]]
    rows["refers_to"] = [reference_period(c) for _, c in rows.iterrows()]
    return rows.reset_index(drop=True)


def stock_chart(evidence: Evidence) -> Figure:
    """Dot chart of the totals by source and date; a lower bound is drawn as a point with a dashed rule running right."""
    rows = stock_estimates(evidence)
    top = float(rows["value"].max()) * 1.25
    domain_max = float(-(-top // 10_000) * 10_000)  # next 10,000 above the largest figure, with room for labels
    data = pd.DataFrame(
        {
            "Source": rows["source"],
            "Who is cited": rows["speaker"],
            "Figure": rows["figure"],
            "Qualifier": rows["qualifier"],
            "Kind of figure": rows["kind"],
            "Refers to": rows["refers_to"],
            "Value": rows["value"],
            "Quote": rows["quote_shown"],
            "Claim": rows["claim_id"],
        }
    )
    plot = data.assign(
        rule_end=[domain_max if k == LOWER else v for k, v in zip(data["Kind of figure"], data["Value"])],
        label=[
            f + ("" if r == "not stated" else f", {r}") + (" (lower bound) →" if k == LOWER else "")
            for f, k, r in zip(data["Figure"], data["Kind of figure"], data["Refers to"])
        ],
        align=["left" if k == LOWER else "center" for k in data["Kind of figure"]],
    )
    order = list(dict.fromkeys(plot["Source"]))
    kinds = [POINT, LOWER]
    y = alt.Y("Source:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X(
        "Value:Q",
        title="Foreign fighters (people)",
        scale=alt.Scale(domain=[0, domain_max]),
        axis=alt.Axis(format=",.0f"),
    )
    tooltip = [
        alt.Tooltip("Figure:N", title="Figure"),
        alt.Tooltip("Qualifier:N", title="Qualifier"),
        alt.Tooltip("Refers to:N", title="Refers to"),
        alt.Tooltip("Quote:N", title="Quote"),
        alt.Tooltip("Source:N", title="Source"),
        alt.Tooltip("Who is cited:N", title="Who is cited"),
    ]
    colour = alt.Color(
        "Kind of figure:N",
        scale=alt.Scale(domain=kinds, range=[PALETTE[0], PALETTE[5]]),
        legend=alt.Legend(title="How the source hedges the figure", titleLimit=400),
    )
    shape = alt.Shape("Kind of figure:N", scale=alt.Scale(domain=kinds, range=["circle", "triangle-right"]))
    base = alt.Chart(plot).encode(y=y)
    points = base.mark_point(filled=True, size=160, opacity=1).encode(x=x, color=colour, shape=shape, tooltip=tooltip)
    rules = (
        base.transform_filter(alt.datum["Kind of figure"] == LOWER)
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color=PALETTE[5])
        .encode(x=x, x2="rule_end:Q", tooltip=tooltip)
    )
    labels_left = base.transform_filter(alt.datum["align"] == "left").mark_text(
        dy=-15, align="right", fontSize=11, color=PALETTE[7]
    ).encode(x=alt.X("rule_end:Q", scale=alt.Scale(domain=[0, domain_max])), text="label:N")
    labels_centre = base.transform_filter(alt.datum["align"] == "center").mark_text(
        dy=-15, align="center", fontSize=11, color=PALETTE[7]
    ).encode(x=x, text="label:N")
    chart = (points + rules + labels_left + labels_centre).properties(width=360, height=62 * len(plot))
    lower = rows[rows["kind"] == LOWER]
    points_text = "; ".join(f"{r.source}: {r.figure}" for r in rows.itertuples())
    alt_text = (
        f"Dot chart of the total number of foreign fighters as each source states it: {points_text}. "
        + (
            "The " + " and ".join(lower["figure"]) + " figure is a lower bound, drawn as a triangle with a dashed line "
            "running to the right."
            if len(lower)
            else ""
        )
    )
    return Figure(
        titled(chart, "Figure 1.1. How many foreign fighters? The totals as stated", _source_line(evidence, rows)),
        alt_text,
        data,
        "stock-estimates",
    )


# --------------------------------------------------------------------------- origins by country


def _position(evidence: Evidence, claim: pd.Series) -> int:
    """Where a claim's quote (its first piece) starts in its normalised source text."""
    first_piece = quotes.quote_pieces(claim["quote"])[0]
    return evidence.texts[claim["source_id"]].find(first_piece)


def country_counts(evidence: Evidence) -> pd.DataFrame:
    """The policy paper's per-country counts (topic origin, unit people), largest first, with provenance."""
    claims = evidence.claims
    source = evidence.claim(TOTAL)["source_id"]
    rows = claims[
        (claims["source_id"] == source)
        & (claims["topic"] == "origin")
        & (claims["unit"] == "people")
        & claims["value"].notna()
    ]
    rows = book.provenance(evidence, rows)
    return rows.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)


def country_regions(evidence: Evidence) -> dict[str, str]:
    """Country -> regional group, read from the structure of the policy paper's text.

    The paper introduces each list of countries with a regional share (REGION_SHARE,
    WESTERN_EUROPE_SHARE). A country count belongs to the share claim whose quote comes
    last before the country's quote in the source. Deriving it this way means no regional
    label is typed here, and a reordered or corrected ledger cannot silently mislabel a country.
    """
    shares = [evidence.claim(REGION_SHARE), evidence.claim(WESTERN_EUROPE_SHARE)]
    anchored = sorted(((_position(evidence, s), s["geography"]) for s in shares), key=lambda pair: pair[0])
    regions = {}
    for _, country in country_counts(evidence).iterrows():
        where = _position(evidence, country)
        before = [geography for position, geography in anchored if position <= where]
        if not before:
            raise ValueError(f"claim '{country['claim_id']}' comes before every regional share in its source")
        regions[country["geography"]] = before[-1]
    return regions


def nber_ranks(evidence: Evidence) -> pd.DataFrame:
    """The NBER top five as the Daily Caller lists them (one ledger row per rank)."""
    claims = evidence.claims
    rows = claims[claims["claim_id"].str.startswith(NBER_PREFIX)]
    rows = book.provenance(evidence, rows)
    return rows.sort_values("value").reset_index(drop=True)


def unquantified_group(evidence: Evidence, country: str) -> pd.Series | None:
    """The policy paper's unquantified origin group (e.g. 'several thousand' from Russia …) naming ``country``, if any."""
    claims = evidence.claims
    source = evidence.claim(TOTAL)["source_id"]
    groups = claims[
        (claims["source_id"] == source) & (claims["topic"] == "origin") & claims["value"].isna() & claims["lower"].isna()
    ]
    for _, group in groups.iterrows():
        names = [part.strip().removeprefix("and ").strip() for part in group["geography"].replace(" and ", ", ").split(",")]
        if country in names:
            return group
    return None


def nber_vs_counts(evidence: Evidence) -> pd.DataFrame:
    """Every country named by either list: its NBER rank (via the Daily Caller) and the policy paper's count.

    An outer join on purpose: Russia and Turkey are ranked but not counted, Morocco and the
    Western European countries are counted but not ranked, and the table must show that.
    The paper's own order is the rank of each count among the eight countries it names
    (the book's inference: the paper does not rank them across the two lists).
    """
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    ranks = nber_ranks(evidence)
    countries = list(dict.fromkeys([*ranks["geography"], *counts["geography"]]))
    by_count = counts.set_index("geography")
    by_rank = ranks.set_index("geography")
    order = counts["value"].rank(ascending=False, method="min").astype(int)
    order.index = counts["geography"]
    rows = []
    for country in countries:
        counted = country in by_count.index
        ranked = country in by_rank.index
        group = None if counted else unquantified_group(evidence, country)
        if counted:
            paper = by_count.loc[country, "figure"]
            note = regions[country]
        elif group is not None:
            paper = NOT_COUNTED
            note = f"{group['geography']} (no figure)"
        else:
            paper = NOT_COUNTED
            note = "not named as an origin"
        rows.append(
            {
                "Country": country,
                RANK_COL: int(by_rank.loc[country, "value"]) if ranked else NOT_RANKED,
                "Policy paper count": paper,
                ORDER_COL: int(order[country]) if counted else NOT_COUNTED,
                "Listed by the paper under": note,
                "Claims": ", ".join(
                    ([by_rank.loc[country, "claim_id"]] if ranked else [])
                    + ([by_count.loc[country, "claim_id"]] if counted else [])
                    + ([group["claim_id"]] if group is not None else [])
                ),
            }
        )
    return pd.DataFrame(rows)


def ranked_and_counted(evidence: Evidence) -> dict[str, list[str]]:
    """Which countries are in both lists, only in the NBER top five, or only counted by the paper."""
    table = nber_vs_counts(evidence)
    ranked = table[RANK_COL] != NOT_RANKED
    counted = table["Policy paper count"] != NOT_COUNTED
    return {
        "both": list(table.loc[ranked & counted, "Country"]),
        "ranked_only": list(table.loc[ranked & ~counted, "Country"]),
        "counted_only": list(table.loc[~ranked & counted, "Country"]),
    }


def orders_agree(evidence: Evidence) -> bool:
    """Do the NBER ranking and the paper's counts put the countries they share in the same order?"""
    table = nber_vs_counts(evidence)
    rank, order = RANK_COL, ORDER_COL
    shared = table[(table[rank] != NOT_RANKED) & (table[order] != NOT_COUNTED)]
    by_nber = list(shared.sort_values(rank, key=lambda s: s.astype(int))["Country"])
    by_count = list(shared.sort_values(order, key=lambda s: s.astype(int))["Country"])
    return by_nber == by_count


def country_chart(evidence: Evidence) -> Figure:
    """Horizontal bars of the paper's counts, coloured by regional group, with the NBER rank marked beside each bar.

    Countries the NBER ranks but the paper does not count get a row with no bar and a label,
    so their absence is visible rather than silent.
    """
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    ranks = nber_ranks(evidence).set_index("geography")
    table = nber_vs_counts(evidence)
    rows = []
    for _, c in counts.iterrows():
        rank = ranks["value"].get(c["geography"])
        rows.append(
            {
                "Country": c["geography"],
                "Group in the paper": regions[c["geography"]],
                "Count": c["value"],
                "Figure": c["figure"],
                "Qualifier": c["qualifier"],
                "NBER rank": "" if pd.isna(rank) else f"{int(rank)}",
                "Quote": c["quote_shown"],
                "Source": c["source"],
                "Claims": c["claim_id"] + ("" if pd.isna(rank) else ", " + ranks.loc[c["geography"], "claim_id"]),
            }
        )
    for _, t in table[table["Policy paper count"] == NOT_COUNTED].iterrows():
        r = ranks.loc[t["Country"]]
        rows.append(
            {
                "Country": t["Country"],
                "Group in the paper": t["Listed by the paper under"],
                "Count": None,
                "Figure": f"NBER rank {int(r['value'])}; no count in the policy paper",
                "Qualifier": f"{r['qualifier']} (rank only)",
                "NBER rank": f"{int(r['value'])}",
                "Quote": r["quote_shown"],
                "Source": r["source"],
                "Claims": t["Claims"],
            }
        )
    data = pd.DataFrame(rows)
    plot = data.assign(
        x0=0,
        label=[
            (f if pd.notna(n) else "no count in the paper") + (f" · NBER rank {k}" if k else "")
            for f, n, k in zip(data["Figure"], data["Count"], data["NBER rank"])
        ],
    )
    order = list(plot["Country"])
    groups = list(dict.fromkeys(regions[c] for c in counts["geography"]))
    top = float(counts["value"].max())
    y = alt.Y("Country:N", sort=order, title=None)
    x = alt.X(
        "Count:Q",
        title="Recruits (people), as counted by the policy paper",
        scale=alt.Scale(domain=[0, top * 1.55]),
        axis=alt.Axis(format=",.0f"),
    )
    tooltip = [
        alt.Tooltip("Country:N", title="Country"),
        alt.Tooltip("Figure:N", title="Figure"),
        alt.Tooltip("Qualifier:N", title="Qualifier"),
        alt.Tooltip("NBER rank:N", title="NBER rank (via Daily Caller)"),
        alt.Tooltip("Quote:N", title="Quote"),
        alt.Tooltip("Source:N", title="Source"),
    ]
    base = alt.Chart(plot).encode(y=y)
    bars = base.transform_filter("isValid(datum.Count)").mark_bar(height=18).encode(
        x=x,
        color=alt.Color(
            "Group in the paper:N",
            scale=alt.Scale(domain=groups, range=[PALETTE[1], PALETTE[0]]),
            legend=alt.Legend(title="Group in the policy paper"),
        ),
        tooltip=tooltip,
    )
    counted_labels = base.transform_filter("isValid(datum.Count)").mark_text(align="left", dx=4, fontSize=11).encode(
        x=x, text="label:N", tooltip=tooltip
    )
    missing_labels = (
        base.transform_filter("!isValid(datum.Count)")
        .mark_text(align="left", dx=2, fontSize=11, fontStyle="italic", color="#444444")
        .encode(x=alt.X("x0:Q", scale=alt.Scale(domain=[0, top * 1.55])), text="label:N", tooltip=tooltip)
    )
    chart = (bars + counted_labels + missing_labels).properties(width=400, height=26 * len(plot))
    counted_text = ", ".join(f"{r.Country} {r.Figure}" for r in data[data["Count"].notna()].itertuples())
    missing = data[data["Count"].isna()]
    alt_text = (
        f"Horizontal bars of the policy paper's recruit counts by country, largest first: {counted_text}; "
        f"bars are coloured by the paper's two groups ({' and '.join(groups)}). "
        f"Labels mark the NBER top-five rank where there is one; "
        f"{' and '.join(missing['Country'])}, ranked by the NBER, have no bar because the paper gives no count."
    )
    return Figure(
        titled(chart, "Figure 1.2. Recruits by country, with the NBER top five marked", _source_line(evidence, data)),
        alt_text,
        data,
        "origins-by-country",
    )


# --------------------------------------------------------------------------- the regional split


def implied_count(share: pd.Series, total: pd.Series) -> tuple[float, str]:
    """A share of the total turned into a headcount, with the hedge it inherits (the book's inference).

    "Over 20 percent" of "about 40,000" is "more than" 8,000 on the book's reading; an exact
    share of an approximate total stays "about".
    """
    value = share["value"] / 100 * total["value"]
    if bound_kind(share["qualifier"]) == LOWER:
        return value, "more-than"
    if bound_kind(share["qualifier"]) == UPPER:
        return value, "fewer-than"
    return value, "about" if "about" in (share["qualifier"], total["qualifier"]) else "exact"


def regional_split(evidence: Evidence) -> pd.DataFrame:
    """The paper's regional shares, what they imply as headcounts, and how much of each the named countries cover.

    Columns after "Share stated" are the book's inference: share x the paper's total, and the
    sum of the country counts the paper lists under each share. The unquantified groups
    ("several thousand", "a few hundred") are listed with no number, as the paper gives none.
    """
    total = evidence.claim(TOTAL)
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    rows = []
    for share_id in (REGION_SHARE, WESTERN_EUROPE_SHARE):
        share = evidence.claim(share_id)
        value, qualifier = implied_count(share, total)
        named = counts[[regions[c] == share["geography"] for c in counts["geography"]]]
        named_sum = float(named["value"].sum())
        covered = named_sum / value * 100
        cover_qualifier = {"more-than": "less than ", "fewer-than": "more than ", "about": "about ", "exact": ""}[qualifier]
        rows.append(
            {
                "Group": share["geography"],
                "The paper's words": f"“{share['quote']}”",
                "Share stated by the paper": book.describe(share),
                "Implied number (book's inference)": book.QUALIFIER_WORDS[qualifier] + book.number(value),
                "Countries the paper names": ", ".join(named["geography"]),
                "Sum of their counts (book's inference)": book.number(named_sum),
                "Named countries as share of the group (book's inference)": f"{cover_qualifier}{covered:.1f} per cent",
                "Claims": ", ".join([share_id, TOTAL, *named["claim_id"]]),
            }
        )
    source = total["source_id"]
    claims = evidence.claims
    for _, group in claims[
        (claims["source_id"] == source) & (claims["topic"] == "origin") & claims["value"].isna() & claims["lower"].isna()
    ].iterrows():
        rows.append(
            {
                "Group": group["geography"],
                "The paper's words": f"“{group['quote']}”",
                "Share stated by the paper": "not quantified",
                "Implied number (book's inference)": "none (no figure given)",
                "Countries the paper names": "",
                "Sum of their counts (book's inference)": "",
                "Named countries as share of the group (book's inference)": "",
                "Claims": group["claim_id"],
            }
        )
    return pd.DataFrame(rows)


def split_figures(evidence: Evidence) -> dict[str, float]:
    """The numbers the prose needs about the regional split and the named countries (all the book's inference).

    - ``named_sum``: the eight country counts added up; ``named_share``: that sum as a per cent of the total;
    - ``region_implied``/``west_implied``: the two shares applied to the total (the second a lower bound);
    - ``region_named``/``west_named``: the counts listed under each share, and their per cent of it;
    - ``rest_share``/``rest_implied``: what the two shares leave for all other origins (an upper bound,
      because the Western European share is a lower bound).
    """
    total = evidence.claim(TOTAL)
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    region, west = evidence.claim(REGION_SHARE), evidence.claim(WESTERN_EUROPE_SHARE)
    region_named = float(counts[[regions[c] == region["geography"] for c in counts["geography"]]]["value"].sum())
    west_named = float(counts[[regions[c] == west["geography"] for c in counts["geography"]]]["value"].sum())
    named_sum = float(counts["value"].sum())
    rest_share = 100 - region["value"] - west["value"]
    return {
        "total": float(total["value"]),
        "named_sum": named_sum,
        "named_share": named_sum / total["value"] * 100,
        "region_implied": implied_count(region, total)[0],
        "west_implied": implied_count(west, total)[0],
        "region_named": region_named,
        "west_named": west_named,
        "region_named_share": region_named / implied_count(region, total)[0] * 100,
        "west_named_share": west_named / implied_count(west, total)[0] * 100,
        "rest_share": rest_share,
        "rest_implied": rest_share / 100 * total["value"],
    }


def regional_chart(evidence: Evidence) -> Figure:
    """The paper's two regional shares as headcounts of its total, with the named countries' counts inside them.

    Everything drawn is the book's inference (share x total; sums of counts; the remainder), which
    the title says. Hedges carry through: the Western European figure is a lower bound (dashed rule
    to the right) and the remainder for all other origins an upper bound (stated in its label).
    """
    total = evidence.claim(TOTAL)
    split = split_figures(evidence)
    shares = [evidence.claim(REGION_SHARE), evidence.claim(WESTERN_EUROPE_SHARE)]
    claims = evidence.claims
    groups = claims[
        (claims["source_id"] == total["source_id"])
        & (claims["topic"] == "origin")
        & claims["value"].isna()
        & claims["lower"].isna()
    ]
    source = short_name(evidence.sources.loc[total["source_id"]])
    rows = []
    for share, named in zip(shares, (split["region_named"], split["west_named"])):
        value, qualifier = implied_count(share, total)
        rows.append(
            {
                "Group": share["geography"],
                "Implied number": value,
                "Implied (in words)": book.QUALIFIER_WORDS[qualifier] + book.number(value),
                "Kind of figure": bound_kind(qualifier),
                "Qualifier": qualifier,
                "Named countries' counts": named,
                "Share stated": book.describe(share),
                "Quote": f"“{share['quote']}”",
                "Source": source,
                "Claims": f"{share['claim_id']}, {TOTAL}",
            }
        )
    rows.append(
        {
            "Group": "all other origins (remainder)",
            "Implied number": split["rest_implied"],
            "Implied (in words)": f"fewer than {book.number(split['rest_implied'])}",
            "Kind of figure": UPPER,
            "Qualifier": "fewer-than",
            "Named countries' counts": 0.0,
            "Share stated": f"less than {book.number(split['rest_share'])} per cent (book's inference: the remainder)",
            "Quote": " … ".join(f"“{q}”" for q in groups["quote"]),
            "Source": source,
            "Claims": ", ".join([*groups["claim_id"], REGION_SHARE, WESTERN_EUROPE_SHARE, TOTAL]),
        }
    )
    data = pd.DataFrame(rows)
    domain_max = float(total["value"]) * 0.75
    plot = data.assign(
        rule_end=[domain_max if k == LOWER else v for k, v in zip(data["Kind of figure"], data["Implied number"])],
        label=[
            w + (" (lower bound) →" if k == LOWER else " (upper bound)" if k == UPPER else "")
            for w, k in zip(data["Implied (in words)"], data["Kind of figure"])
        ],
        named_label=[f"named countries: {book.number(n)}" if n else "" for n in data["Named countries' counts"]],
        named=data["Named countries' counts"],
        implied=data["Implied number"],
        kind=data["Kind of figure"],
        implied_words=data["Implied (in words)"],
        share=data["Share stated"],
    )
    order = list(plot["Group"])
    x_scale = alt.Scale(domain=[0, domain_max])
    y = alt.Y("Group:N", sort=order, title=None, axis=alt.Axis(labelLimit=280))
    tooltip = [
        alt.Tooltip("Group:N", title="Group"),
        alt.Tooltip("implied_words:N", title="Implied number (book's inference)"),
        alt.Tooltip("Qualifier:N", title="Qualifier"),
        alt.Tooltip("share:N", title="Share stated"),
        alt.Tooltip("Quote:N", title="Quote"),
        alt.Tooltip("Source:N", title="Source"),
    ]
    base = alt.Chart(plot).encode(y=y)
    implied = base.mark_bar(height=26, color=PALETTE[4], opacity=0.55).encode(
        x=alt.X(
            "implied:Q",
            title="People (share of the paper's total; book's inference)",
            scale=x_scale,
            axis=alt.Axis(format=",.0f", tickCount=4),
        ),
        strokeDash=alt.condition(alt.datum["kind"] == UPPER, alt.value([4, 3]), alt.value([1, 0])),
        stroke=alt.value(PALETTE[0]),
        tooltip=tooltip,
    )
    named = base.transform_filter(alt.datum["named"] > 0).mark_bar(height=10, color=PALETTE[0]).encode(
        x=alt.X("named:Q", scale=x_scale), tooltip=tooltip
    )
    rules = (
        base.transform_filter(alt.datum["kind"] == LOWER)
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color=PALETTE[5])
        .encode(x=alt.X("implied:Q", scale=x_scale), x2="rule_end:Q")
    )
    labels = base.mark_text(align="left", dy=-20, dx=-2, fontSize=11, color=PALETTE[7]).encode(
        x=alt.value(0), text="label:N"
    )
    named_labels = base.mark_text(align="left", dy=20, dx=-2, fontSize=11, color=PALETTE[0]).encode(
        x=alt.value(0), text="named_label:N"
    )
    chart = (implied + named + rules + labels + named_labels).properties(width=330, height=80 * len(plot))
    alt_text = (
        "Bars of the policy paper's regional shares turned into headcounts of its total by the book: "
        + "; ".join(
            f"{r['Group']}: {r['Implied (in words)']}"
            + (f", of which the named countries account for {book.number(n)}" if n else "")
            for r, n in zip(data.to_dict("records"), data["Named countries' counts"])
        )
        + "."
    )
    return Figure(
        titled(chart, "Figure 1.3. The regional split as headcounts (book's inference)", f"{source}, citing {total['speaker']} for the total; computed by the book"),
        alt_text,
        data,
        "regional-split",
    )


# --------------------------------------------------------------------------- United States


def us_figures(evidence: Evidence) -> pd.DataFrame:
    """The US figures side by side, with what each counts: they measure different things and must not be added.

    'Kind' is read from the ledger's unit: people (would-be or actual travellers), cases (FBI
    investigations of homegrown extremism, not foreign fighters), or no figure at all.
    """
    rows = []
    for claim_id in US_CLAIMS:
        c = evidence.claim(claim_id)
        has_figure = bool(c["unit"])
        rows.append(
            {
                "Figure": book.describe(c) if has_figure else "no number given",
                "Kind": {"people": "people", "cases": "investigations (cases), not foreign fighters"}.get(c["unit"], "not quantified")
                if has_figure
                else "not quantified",
                "Source's words": f"“{c['quote']}”",
                "Who says it, where": f"{c['speaker']}, in {short_name(evidence.sources.loc[c['source_id']])}",
                "Period": reference_period(c) if (c["period_start"] or c["period_end"]) else "not stated",
                "Claim": claim_id,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- tables as the chapter shows them


def stock_table(evidence: Evidence) -> Table:
    """Table 1.1: the totals and the country counts side by side."""
    return Table(
        stock_comparison_compact(evidence),
        "Table 1.1. The totals side by side: who says how many, and how to read the gap",
        numeric=("B minus A", "Ratio B/A"),
    )


def nber_table(evidence: Evidence) -> Table:
    """Table 1.2: the NBER top five against the policy paper's counts, every country of either list."""
    return Table(
        nber_vs_counts(evidence),
        "Table 1.2. The NBER top five (2016, as reported by the Daily Caller) against the policy paper's counts",
        numeric=(RANK_COL, ORDER_COL),
    )


def regional_table(evidence: Evidence) -> Table:
    """Table 1.3: the regional split, stated and inferred, compact enough for a page.

    The country counts' claim ids are left to Table 1.2, which lists each country with its own;
    here each row cites the share and the total it was computed from.
    """
    split = regional_split(evidence)
    named = [
        f"{countries}: {total}" if countries else ""
        for countries, total in zip(split["Countries the paper names"], split["Sum of their counts (book's inference)"])
    ]
    frame = pd.DataFrame(
        {
            "Group": split["Group"],
            "The paper's words": split["The paper's words"],
            "Implied number (book's inference)": split["Implied number (book's inference)"],
            "Named countries and their total (book's inference)": named,
            "Named countries' share of the group (book's inference)": split[
                "Named countries as share of the group (book's inference)"
            ],
            "Claims": [", ".join(ids.split(", ")[:2]) for ids in split["Claims"]],
        }
    )
    return Table(frame, "Table 1.3. The policy paper's regional split, and what the book infers from it (country claims: Table 1.2)")


def us_table(evidence: Evidence) -> Table:
    """Table 1.4: the US figures, which count different things."""
    return Table(us_figures(evidence), "Table 1.4. Figures on the United States: each counts something different")


# --------------------------------------------------------------------------- prose numbers


def glue_chapter(evidence: Evidence) -> None:
    """Glue the chapter's computed numbers and lists (each the book's inference) for ``{glue:text}``."""
    from myst_nb import glue

    a, b = evidence.claim("intel-stock-30000-people"), evidence.claim("npr-stock-total")
    glue("stock_gap", book.number(b["value"] - a["value"]), display=False)
    glue("stock_ratio", f"{b['value'] / a['value']:.2f}", display=False)
    glue("stock_gap_pct", f"{(b['value'] / a['value'] - 1) * 100:.0f}", display=False)
    glue("total_value", book.number(evidence.claim(TOTAL)["value"]), display=False)
    glue("intel_floor", book.number(a["value"]), display=False)
    ca, cb = evidence.claim("intel-stock-90-countries"), evidence.claim("npr-stock-countries")
    glue("countries_gap", book.number(cb["value"] - ca["value"]), display=False)
    flow = evidence.claim("intel-flow-50-since-2016")
    glue("flow_2016_share_of_gap", f"{flow['value'] / (b['value'] - a['value']) * 100:.1f}", display=False)
    us = evidence.claim("npr-us-250-attempted")
    glue("us_share", f"{us['value'] / b['value'] * 100:.1f}", display=False)

    split = split_figures(evidence)
    for name in ("named_sum", "region_implied", "west_implied", "region_named", "west_named", "rest_implied"):
        glue(name, book.number(split[name]), display=False)
    for name in ("named_share", "region_named_share", "west_named_share"):
        glue(name, f"{split[name]:.1f}", display=False)
    glue("rest_share", book.number(split["rest_share"]), display=False)
    glue("n_named", len(country_counts(evidence)), display=False)

    lists = ranked_and_counted(evidence)
    glue("both_lists", _and(lists["both"]), display=False)
    glue("ranked_only", _and(lists["ranked_only"]), display=False)
    glue("counted_only", _and(lists["counted_only"]), display=False)
    glue("n_both", len(lists["both"]), display=False)
    glue("orders_agree", "the same order" if orders_agree(evidence) else "a different order", display=False)


def _and(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _source_line(evidence: Evidence, rows: pd.DataFrame) -> str:
    """The chart subtitle: each source once, in the chart's order, with whom it cites when not its own voice."""
    sources = rows["Source"] if "Source" in rows else rows["source"]
    speakers = rows["Who is cited"] if "Who is cited" in rows else rows.get("speaker", pd.Series([""] * len(rows)))
    cited: dict[str, list[str]] = {}
    for source, speaker in zip(sources, speakers):
        own_voice = not speaker or speaker.split()[0].lower() in source.lower()
        cited.setdefault(source, [])
        if not own_voice and speaker not in cited[source]:
            cited[source].append(speaker)
    return "; ".join(f"{s}, citing {_and(c)}" if c else s for s, c in cited.items())
