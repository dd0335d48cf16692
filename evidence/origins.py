"""The flow of recruits: how many foreign fighters went, and from where, as each source states it.

Everything here is derived from the claims ledger (``data/claims.csv``), by claim id or by
filtering on topic, unit and geography; no figure is typed in this module. Computed numbers
(sums, shares of the 40,000, gaps, ratios) are the book's inference, and the functions that
make them say so in their docstrings so the chapter can label them.

Why some of this is less obvious than it looks:

- A source's hedge decides what a comparison can say. "Over 30,000" is a lower bound, so
  40,000 minus it is the *largest* the gap can be, not the gap. The bound rule is
  :func:`evidence.hedges.direction`, written once for the whole book.
- The totals do not all count the same people (:data:`SCOPE`): recruits of any Sunni
  opposition group (intelNews), everyone who travelled (the policy paper), fighters for ISIS
  (NPR, the Daily Caller). Tables show each figure's scope in the source's own words.
- The policy paper gives country counts in two lists, each introduced by a regional share
  ("half … from within the region", "over 20 percent" western European). Which list a
  country belongs to is read from that structure of the text, not typed here:
  :func:`country_regions` assigns each country count to the regional share claim that
  precedes it in the source. The two shares are shares of different people
  (:data:`SHARE_OF`), so turning both into headcounts of the 40,000 is a reading the
  chapter labels as the book's.
- The NBER "top five" (the Daily Caller's paraphrase of a 2016 study) is a set of five
  countries; the text does not say it is in rank order. The ledger records membership only;
  the place of each country in the Daily Caller's list is read from the quote here
  (:func:`listed_order`), and the chapter uses it only as an alternative reading.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from evidence import book, quotes, voices
from evidence.charts import PALETTE, Figure, titled
from evidence.display import Table
from evidence.hedges import NUMBER_WORDS, QUALIFIERS, direction
from evidence.ledger import Evidence
from evidence.tables import short_name

# Claim ids used as handles (the ledger holds the figures).
STOCK_TOTALS = ("intel-stock-30000-people", "pp-stock-total-people", "npr-stock-total", "dc-stock-total")
TOTAL = "pp-stock-total-people"  # the total the policy paper's shares refer to
REGION_SHARE = "pp-origin-region-half"
WESTERN_EUROPE_SHARE = "pp-origin-western-europe-share"
NBER_LIST = "dc-nber-top-five"  # the Daily Caller's sentence: five countries named as "the top five"
NBER_PREFIX = "dc-nber-rank-"  # one membership row per named country (the number in the id is its place in the list)
BELGIUM_PER_CAPITA = "dc-origin-belgium-per-capita"
US_CLAIMS = (
    "npr-us-250-attempted",
    "intel-us-fewer-than-10-since-january",
    "npr-rasmussen-us-persons-small-portion",
    "pp-origin-canada-us-australia",
    "npr-us-fbi-thousand-cases",
)
STOCK_PAIRS = (
    ("Total: intelNews vs policy paper", "intel-stock-30000-people", "pp-stock-total-people"),
    ("Total: intelNews vs NPR", "intel-stock-30000-people", "npr-stock-total"),
    ("Total: NPR vs Daily Caller", "npr-stock-total", "dc-stock-total"),
    ("Countries of origin: intelNews vs NPR", "intel-stock-90-countries", "npr-stock-countries"),
    ("Countries of origin: intelNews vs policy paper", "intel-stock-90-countries", "pp-stock-total-countries"),
)

# What each total counts, in its source's own words: claim id -> (the claim whose quote holds the words, the words).
# A test checks that the words are in that quote.
SCOPE = {
    "intel-stock-30000-people": ("intel-stock-scope-sunni-groups", "to fight for one of the Sunni-inspired opposition groups"),
    "intel-stock-90-countries": ("intel-stock-scope-sunni-groups", "to fight for one of the Sunni-inspired opposition groups"),
    "pp-stock-total-people": ("pp-stock-total-people", "have travelled to Syria and Iraq"),
    "pp-stock-total-countries": ("pp-stock-total-countries", "have travelled to Syria and Iraq"),
    "npr-stock-total": ("npr-stock-total", "have gone to fight for the group"),
    "npr-stock-countries": ("npr-stock-countries", "have gone to fight for the group"),
    "dc-stock-total": ("dc-stock-total", "the number of foreign ISIS fighters"),
}

# Whom each regional share is a share of, in the paper's words (a test checks they are in the share's quote).
SHARE_OF = {
    REGION_SHARE: ("these foreigners", "all who travelled to Syria and Iraq since 2011: the paper's 40,000"),
    WESTERN_EUROPE_SHARE: ("the group's foreign recruits", "ISIS's foreign recruits, a number the paper does not give"),
}

NOT_LISTED, NOT_COUNTED = "not in the top five", "no count"
TOP_FIVE_COL = "In the NBER top five (as the Daily Caller lists it)"
LISTED_COL = "Place in the Daily Caller's list (not stated to be a rank)"
ORDER_COL = "Order of the paper's count (book's inference)"
POINT, LOWER, UPPER = QUALIFIERS["about"].kind, QUALIFIERS["more-than"].kind, QUALIFIERS["fewer-than"].kind


# --------------------------------------------------------------------------- hedges and gaps


def kind(qualifier: str) -> str:
    """The kind of statement a qualifier makes ("point estimate", "lower bound", …), as :mod:`evidence.hedges` names it."""
    return QUALIFIERS[qualifier].kind


def gap_reading(qualifier_a: str, qualifier_b: str) -> str:
    """Where the true B minus A (and B/A) lies relative to the computed one, given each figure's hedge.

    The book's one bound rule (:func:`evidence.hedges.direction`): B pushes the gap up, A down.
    """
    return direction([qualifier_b], [qualifier_a])


def in_words(reading: str, figure: str) -> str:
    """A computed figure with its bound reading: 'at most about 10,000'; 'exactly' is left unsaid."""
    return figure if reading == "exactly" else f"{reading} {figure}"


def scope(evidence: Evidence, claim_id: str) -> str:
    """What a total counts, in its source's words (quoted), or '' when the chapter records none."""
    if claim_id not in SCOPE:
        return ""
    holder, words = SCOPE[claim_id]
    evidence.claim(holder)  # raises if the claim holding the words is gone
    return f"“{words}”"


def _who(evidence: Evidence, claim: pd.Series) -> str:
    """Whose words a figure is (:func:`evidence.voices.credit`) and where: 'NPR (Greg Myre); NPR (2017-05-04)'."""
    source = short_name(evidence.sources.loc[claim["source_id"]])
    credit = voices.credit(claim, evidence.sources)
    return f"{credit}; {source}" if credit else source


def stock_comparison(evidence: Evidence) -> pd.DataFrame:
    """The totals and country counts side by side (``book.comparison``), with what each counts and how to read each gap.

    ``book.comparison`` computes B minus A and B/A from the stated numbers; the hedges decide
    whether that is the gap, its largest or its smallest value, which the added column says.
    The gap means a change only if both figures count the same people, which the scope
    columns let the reader judge.
    """
    frame = book.comparison(evidence, list(STOCK_PAIRS))
    readings, scopes_a, scopes_b = [], [], []
    for _, id_a, id_b in STOCK_PAIRS:
        a, b = evidence.claim(id_a), evidence.claim(id_b)
        readings.append(f"{gap_reading(a['qualifier'], b['qualifier'])} (A: {kind(a['qualifier'])}; B: {kind(b['qualifier'])})")
        scopes_a.append(scope(evidence, id_a))
        scopes_b.append(scope(evidence, id_b))
    frame.insert(frame.columns.get_loc("Figure B"), "What A counts", scopes_a)
    frame.insert(frame.columns.get_loc("B minus A"), "What B counts", scopes_b)
    frame.insert(frame.columns.get_loc("Claims"), "How to read the gap", readings)
    return frame


def stock_comparison_compact(evidence: Evidence) -> pd.DataFrame:
    """:func:`stock_comparison` with each figure, whose words it is and what it counts in one cell, to fit a page."""
    frame = stock_comparison(evidence)
    for side, index in (("A", 1), ("B", 2)):
        frame[f"Figure {side}"] = [
            f"{figure} ({_who(evidence, evidence.claim(pair[index]))}): {counts}"
            for figure, pair, counts in zip(frame[f"Figure {side}"], STOCK_PAIRS, frame[f"What {side} counts"])
        ]
    return frame.drop(columns=["Source A", "Source B", "What A counts", "What B counts"])


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
    rows["kind"] = [kind(q) for q in rows["qualifier"]]
    rows["refers_to"] = [reference_period(c) for _, c in rows.iterrows()]
    rows["counts"] = [scope(evidence, c) for c in rows["claim_id"]]
    return rows.reset_index(drop=True)


def stock_chart(evidence: Evidence) -> Figure:
    """Dot chart of the totals by source and date; a lower bound is drawn as a point with a dashed rule running right."""
    rows = stock_estimates(evidence)
    top = float(rows["value"].max()) * 1.25
    domain_max = float(-(-top // 10_000) * 10_000)  # next 10,000 above the largest figure, with room for labels
    data = pd.DataFrame(
        {
            "Source": rows["source"],
            "Whose words": rows["credit"],
            "What it counts": rows["counts"],
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
        alt.Tooltip("What it counts:N", title="What it counts"),
        alt.Tooltip("Source:N", title="Source"),
        alt.Tooltip("Whose words:N", title="Whose words"),
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
        titled(chart, "Figure 1.1. How many foreign fighters? The totals as stated", _source_line(rows["source"])),
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
    """Country -> regional group (the share claim's geography), read from the structure of the policy paper's text.

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


def group_label(evidence: Evidence, geography: str) -> str:
    """How tables and charts name a regional group: the paper's own words where the ledger glosses them.

    The paper says only "within the region"; the ledger's geography for that share adds a gloss
    (its examples lie in North Africa and the Middle East), which a label must not present as the
    paper's definition.
    """
    if geography == evidence.claim(REGION_SHARE)["geography"]:
        return "“the region” (not defined by the paper)"
    return geography


def listed_order(quote: str, countries: list[str]) -> dict[str, int]:
    """Each country's place (1, 2, …) in the order the quote names them; raises if one is not named."""
    text = quotes.normalise(quote)
    positions = {}
    for country in countries:
        where = text.find(quotes.normalise(country))
        if where < 0:
            raise ValueError(f"'{country}' is not named in the quote \"{quote}\"")
        positions[country] = where
    ranked = sorted(positions, key=positions.get)
    return {country: ranked.index(country) + 1 for country in countries}


def nber_members(evidence: Evidence) -> pd.DataFrame:
    """The countries of the NBER top five (one membership row each), in the order the Daily Caller names them.

    The ledger holds no rank: the place in the list (column ``listed``) is read here from the
    quote of :data:`NBER_LIST`, and is only the order of the Daily Caller's sentence.
    """
    claims = evidence.claims
    rows = book.provenance(evidence, claims[claims["claim_id"].str.startswith(NBER_PREFIX)])
    order = listed_order(evidence.claim(NBER_LIST)["quote"], list(rows["geography"]))
    rows["listed"] = [order[c] for c in rows["geography"]]
    return rows.sort_values("listed").reset_index(drop=True)


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
    """Every country named by either list: in the NBER top five or not, its place in that list, and the paper's count.

    An outer join on purpose: Russia and Turkey are in the top five but not counted, Morocco
    and the Western European countries are counted but not in the top five, and the table must
    show that. The order of the paper's counts is the rank of each count among the eight
    countries it names (the book's inference: the paper does not rank them across its two lists).
    """
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    members = nber_members(evidence)
    countries = list(dict.fromkeys([*members["geography"], *counts["geography"]]))
    by_count = counts.set_index("geography")
    by_member = members.set_index("geography")
    order = counts["value"].rank(ascending=False, method="min").astype(int)
    order.index = counts["geography"]
    rows = []
    for country in countries:
        counted = country in by_count.index
        listed = country in by_member.index
        group = None if counted else unquantified_group(evidence, country)
        if counted:
            paper, note = by_count.loc[country, "figure"], group_label(evidence, regions[country])
        elif group is not None:
            paper, note = NOT_COUNTED, f"{group['geography']} (no figure)"
        else:
            paper, note = NOT_COUNTED, "not named as an origin"
        rows.append(
            {
                "Country": country,
                TOP_FIVE_COL: "yes" if listed else "no",
                LISTED_COL: int(by_member.loc[country, "listed"]) if listed else NOT_LISTED,
                "Policy paper count": paper,
                ORDER_COL: int(order[country]) if counted else NOT_COUNTED,
                "Listed by the paper under": note,
                "Claims": ", ".join(
                    ([by_member.loc[country, "claim_id"]] if listed else [])
                    + ([by_count.loc[country, "claim_id"]] if counted else [])
                    + ([group["claim_id"]] if group is not None else [])
                ),
            }
        )
    return pd.DataFrame(rows)


def listed_and_counted(evidence: Evidence) -> dict[str, list[str]]:
    """Which countries are in both lists, only in the NBER top five, or only counted by the paper."""
    table = nber_vs_counts(evidence)
    listed = table[TOP_FIVE_COL] == "yes"
    counted = table["Policy paper count"] != NOT_COUNTED
    return {
        "both": list(table.loc[listed & counted, "Country"]),
        "listed_only": list(table.loc[listed & ~counted, "Country"]),
        "counted_only": list(table.loc[~listed & counted, "Country"]),
    }


def orders_agree(evidence: Evidence) -> bool:
    """Does the Daily Caller's list name the countries it shares with the paper in the order of the paper's counts?

    Meaningful only on the reading that the list is in rank order, which the text does not state.
    """
    table = nber_vs_counts(evidence)
    shared = table[(table[TOP_FIVE_COL] == "yes") & (table[ORDER_COL] != NOT_COUNTED)]
    by_list = list(shared.sort_values(LISTED_COL, key=lambda s: s.astype(int))["Country"])
    by_count = list(shared.sort_values(ORDER_COL, key=lambda s: s.astype(int))["Country"])
    return by_list == by_count


def nber_consistency(evidence: Evidence) -> dict:
    """What the paper's counts would require of the countries it does not count, if the NBER ranked numbers of people.

    The book's inference, on two readings of the Daily Caller's list (both assume the study
    ranked absolute numbers and counted the same people as the paper):

    - ``set``: the top five as a set. Every member must have more recruits than every country
      outside it, so each uncounted member must exceed the largest count the paper gives for
      a country outside the five (``floor``, ``floor_country``).
    - ``ordered``: the list in rank order. Each uncounted member must lie between the counts
      of the nearest counted members named before and after it (``(low, low_country, high,
      high_country)``; None where there is no such neighbour).
    """
    table = nber_vs_counts(evidence)
    counts = country_counts(evidence).set_index("geography")["value"]
    outside = table[(table[TOP_FIVE_COL] == "no") & (table["Policy paper count"] != NOT_COUNTED)]["Country"]
    floor_country = max(outside, key=lambda c: counts[c])
    members = nber_members(evidence)
    listed = list(members["geography"])
    ordered = {}
    for place, country in enumerate(listed):
        if country in counts.index:
            continue
        before = [c for c in listed[:place] if c in counts.index]
        after = [c for c in listed[place + 1 :] if c in counts.index]
        ordered[country] = (
            float(counts[after[0]]) if after else None,
            after[0] if after else None,
            float(counts[before[-1]]) if before else None,
            before[-1] if before else None,
        )
    return {
        "uncounted": [c for c in listed if c not in counts.index],
        "floor": float(counts[floor_country]),
        "floor_country": floor_country,
        "ordered": ordered,
    }


def country_chart(evidence: Evidence) -> Figure:
    """Horizontal bars of the paper's counts, coloured by the paper's two lists, with the NBER top five marked.

    Countries in the NBER top five that the paper does not count get a row with no bar and a
    label, so their absence is visible rather than silent.
    """
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    members = nber_members(evidence).set_index("geography")
    nber = evidence.claim(NBER_LIST)
    nber_credit = voices.credit(nber, evidence.sources)
    table = nber_vs_counts(evidence)
    rows = []
    for _, c in counts.iterrows():
        member = c["geography"] in members.index
        rows.append(
            {
                "Country": c["geography"],
                "Group in the paper": group_label(evidence, regions[c["geography"]]),
                "Count": c["value"],
                "Figure": c["figure"],
                "Qualifier": c["qualifier"],
                "In the NBER top five": "yes" if member else "no",
                "Quote": c["quote_shown"],
                "Whose words": c["credit"],
                "Source": c["source"],
                "Claims": c["claim_id"] + (", " + members.loc[c["geography"], "claim_id"] if member else ""),
            }
        )
    for _, t in table[table["Policy paper count"] == NOT_COUNTED].iterrows():
        rows.append(
            {
                "Country": t["Country"],
                "Group in the paper": t["Listed by the paper under"],
                "Count": None,
                "Figure": "in the NBER top five; no count in the policy paper",
                "Qualifier": "",
                "In the NBER top five": "yes",
                "Quote": f"“{nber['quote']}”",
                "Whose words": nber_credit,
                "Source": short_name(evidence.sources.loc[nber["source_id"]]),
                "Claims": t["Claims"],
            }
        )
    data = pd.DataFrame(rows)
    plot = data.assign(
        x0=0,
        label=[
            (f if pd.notna(n) else "no count in the paper") + (" · NBER top five" if m == "yes" else "")
            for f, n, m in zip(data["Figure"], data["Count"], data["In the NBER top five"])
        ],
    )
    order = list(plot["Country"])
    groups = list(dict.fromkeys(group_label(evidence, regions[c]) for c in counts["geography"]))
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
        alt.Tooltip("In the NBER top five:N", title="In the NBER top five (Daily Caller)"),
        alt.Tooltip("Quote:N", title="Quote"),
        alt.Tooltip("Whose words:N", title="Whose words"),
        alt.Tooltip("Source:N", title="Source"),
    ]
    base = alt.Chart(plot).encode(y=y)
    bars = base.transform_filter("isValid(datum.Count)").mark_bar(height=18).encode(
        x=x,
        color=alt.Color(
            "Group in the paper:N",
            scale=alt.Scale(domain=groups, range=[PALETTE[1], PALETTE[0]]),
            legend=alt.Legend(title="List in which the policy paper gives the count", titleLimit=400),
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
        f"bars are coloured by the paper's two lists ({' and '.join(groups)}). "
        f"Labels mark the countries the Daily Caller names in the NBER top five; "
        f"{' and '.join(missing['Country'])}, also named there, have no bar because the paper gives no count."
    )
    return Figure(
        titled(chart, "Figure 1.2. Recruits by country, with the NBER top five marked", _source_line(data["Source"])),
        alt_text,
        data,
        "origins-by-country",
    )


# --------------------------------------------------------------------------- the regional split


def implied_count(share: pd.Series, total: pd.Series) -> tuple[float, str]:
    """A share of the total turned into a headcount, with where the true number lies (the book's inference).

    "Over 20 percent" of "about 40,000" is "at least about" 8,000 by the one bound rule
    (:func:`evidence.hedges.direction`). The chapter must first say whether the share is a
    share of that total at all (:data:`SHARE_OF`).
    """
    return share["value"] / 100 * total["value"], direction([share["qualifier"], total["qualifier"]])


def share_of(evidence: Evidence, share_id: str) -> str:
    """Whom a regional share is a share of: the paper's words, quoted, and what they refer to."""
    words, meaning = SHARE_OF[share_id]
    evidence.claim(share_id)
    return f"“{words}” ({meaning})"


def split_figures(evidence: Evidence) -> dict:
    """The numbers the prose needs about the regional split and the named countries (all the book's inference).

    Every headcount below reads both shares as shares of the paper's 40,000. That holds for
    "half of these foreigners"; the Western European share is of "the group's foreign
    recruits" (ISIS's), which the paper does not count, so its headcount needs a looser reading.

    - ``named_sum``: the eight country counts added up; ``named_share``: that sum as a per cent of the total;
    - ``region_implied``/``west_implied``: the two shares applied to the total;
    - ``region_named``/``west_named``: the counts listed under each share, and their per cent of it;
    - ``rest_share``/``rest_implied``: what the two shares leave for all other origins.
    Each ``*_reading`` says where the true value lies ("about", "at most", …) by the one bound rule.
    """
    total = evidence.claim(TOTAL)
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    region, west = evidence.claim(REGION_SHARE), evidence.claim(WESTERN_EUROPE_SHARE)
    listed = {s["geography"]: counts[[regions[c] == s["geography"] for c in counts["geography"]]] for s in (region, west)}
    region_named = float(listed[region["geography"]]["value"].sum())
    west_named = float(listed[west["geography"]]["value"].sum())
    named_sum = float(counts["value"].sum())
    named_qualifiers = list(counts["qualifier"])
    region_implied, region_reading = implied_count(region, total)
    west_implied, west_reading = implied_count(west, total)
    rest_share = 100 - region["value"] - west["value"]
    return {
        "total": float(total["value"]),
        "named_sum": named_sum,
        "named_share": named_sum / total["value"] * 100,
        "named_share_reading": direction(named_qualifiers, [total["qualifier"]]),
        "region_implied": region_implied,
        "region_reading": region_reading,
        "west_implied": west_implied,
        "west_reading": west_reading,
        "region_named": region_named,
        "west_named": west_named,
        "region_named_share": region_named / region_implied * 100,
        "region_named_share_reading": direction(named_qualifiers, [region["qualifier"], total["qualifier"]]),
        "west_named_share": west_named / west_implied * 100,
        "west_named_share_reading": direction(named_qualifiers, [west["qualifier"], total["qualifier"]]),
        "rest_share": rest_share,
        "rest_share_reading": direction([], [region["qualifier"], west["qualifier"]]),
        "rest_implied": rest_share / 100 * total["value"],
        "rest_implied_reading": direction([total["qualifier"]], [region["qualifier"], west["qualifier"]]),
    }


def _unquantified_groups(evidence: Evidence) -> pd.DataFrame:
    claims = evidence.claims
    source = evidence.claim(TOTAL)["source_id"]
    return claims[
        (claims["source_id"] == source) & (claims["topic"] == "origin") & claims["value"].isna() & claims["lower"].isna()
    ]


def regional_split(evidence: Evidence) -> pd.DataFrame:
    """The paper's regional shares, whom each is a share of, and what they imply as headcounts of the 40,000.

    Columns after "A share of" are the book's inference: share x the paper's total, and the
    sum of the country counts the paper lists under each share. The unquantified groups
    ("several thousand", "a few hundred") are listed with no number, as the paper gives none.
    """
    total = evidence.claim(TOTAL)
    counts = country_counts(evidence)
    regions = country_regions(evidence)
    split = split_figures(evidence)
    rows = []
    for share_id, key in ((REGION_SHARE, "region"), (WESTERN_EUROPE_SHARE, "west")):
        share = evidence.claim(share_id)
        named = counts[[regions[c] == share["geography"] for c in counts["geography"]]]
        rows.append(
            {
                "Group": group_label(evidence, share["geography"]),
                "The paper's words": f"“{share['quote']}”",
                "A share of": share_of(evidence, share_id),
                "Headcount if a share of the 40,000 (book's inference)": in_words(
                    split[f"{key}_reading"], book.number(split[f"{key}_implied"])
                ),
                "Countries the paper names": ", ".join(named["geography"]),
                "Sum of their counts (book's inference)": book.number(split[f"{key}_named"]),
                "Named countries as share of that headcount (book's inference)": in_words(
                    split[f"{key}_named_share_reading"], f"{split[f'{key}_named_share']:.1f} per cent"
                ),
                "Claims": ", ".join([share_id, TOTAL, *named["claim_id"]]),
            }
        )
    for _, group in _unquantified_groups(evidence).iterrows():
        rows.append(
            {
                "Group": group["geography"],
                "The paper's words": f"“{group['quote']}”",
                "A share of": "not quantified",
                "Headcount if a share of the 40,000 (book's inference)": "none (no figure given)",
                "Countries the paper names": "",
                "Sum of their counts (book's inference)": "",
                "Named countries as share of that headcount (book's inference)": "",
                "Claims": group["claim_id"],
            }
        )
    return pd.DataFrame(rows)


def regional_chart(evidence: Evidence) -> Figure:
    """The paper's two regional shares as headcounts of its total, with the named countries' counts inside them.

    Everything drawn is the book's inference (share x total; sums of counts; the remainder) on the
    reading that both shares are shares of the 40,000, which the title says. Hedges carry through:
    the Western European figure is a lower bound (dashed rule to the right) and the remainder an
    upper bound (stated in its label).
    """
    total = evidence.claim(TOTAL)
    split = split_figures(evidence)
    groups = _unquantified_groups(evidence)
    source = short_name(evidence.sources.loc[total["source_id"]])
    rows = []
    for share_id, key in ((REGION_SHARE, "region"), (WESTERN_EUROPE_SHARE, "west")):
        share = evidence.claim(share_id)
        reading = split[f"{key}_reading"]
        rows.append(
            {
                "Group": group_label(evidence, share["geography"]),
                "Implied number": split[f"{key}_implied"],
                "Implied (in words)": in_words(reading, book.number(split[f"{key}_implied"])),
                "Kind of figure": LOWER if reading.startswith("at least") else UPPER if reading.startswith("at most") else POINT,
                "Named countries' counts": split[f"{key}_named"],
                "Share stated": book.describe(share),
                "A share of": share_of(evidence, share_id),
                "Quote": f"“{share['quote']}”",
                "Whose words": voices.credit(share, evidence.sources),
                "Source": source,
                "Claims": f"{share_id}, {TOTAL}",
            }
        )
    rest_reading = split["rest_implied_reading"]
    rows.append(
        {
            "Group": "all other origins (remainder)",
            "Implied number": split["rest_implied"],
            "Implied (in words)": in_words(rest_reading, book.number(split["rest_implied"])),
            "Kind of figure": UPPER if rest_reading.startswith("at most") else POINT,
            "Named countries' counts": 0.0,
            "Share stated": in_words(split["rest_share_reading"], f"{book.number(split['rest_share'])} per cent")
            + " (book's inference: the remainder)",
            "A share of": "the 40,000 (book's reading)",
            "Quote": " … ".join(f"“{q}”" for q in groups["quote"]),
            "Whose words": "; ".join(dict.fromkeys(voices.credit(g, evidence.sources) for _, g in groups.iterrows())),
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
        of=data["A share of"],
    )
    order = list(plot["Group"])
    x_scale = alt.Scale(domain=[0, domain_max])
    y = alt.Y("Group:N", sort=order, title=None, axis=alt.Axis(labelLimit=280))
    tooltip = [
        alt.Tooltip("Group:N", title="Group"),
        alt.Tooltip("implied_words:N", title="Implied number (book's inference)"),
        alt.Tooltip("share:N", title="Share stated"),
        alt.Tooltip("of:N", title="A share of"),
        alt.Tooltip("Quote:N", title="Quote"),
        alt.Tooltip("Whose words:N", title="Whose words"),
        alt.Tooltip("Source:N", title="Source"),
    ]
    base = alt.Chart(plot).encode(y=y)
    implied = base.mark_bar(height=26, color=PALETTE[4], opacity=0.55).encode(
        x=alt.X(
            "implied:Q",
            title="People (share of the paper's 40,000; book's inference)",
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
        "Bars of the policy paper's regional shares turned into headcounts of its 40,000 by the book, reading both "
        "shares as shares of that total: "
        + "; ".join(
            f"{r['Group']}: {r['Implied (in words)']}"
            + (f", of which the named countries account for {book.number(n)}" if n else "")
            for r, n in zip(data.to_dict("records"), data["Named countries' counts"])
        )
        + "."
    )
    return Figure(
        titled(
            chart,
            "Figure 1.3. The regional split as headcounts, if both shares are of the 40,000 (book's inference)",
            f"{source}; computed by the book",
        ),
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
                "Whose words, where": _who(evidence, c),
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
        "Table 1.1. The totals side by side: whose words, what each counts, and how to read the gap",
        numeric=("B minus A", "Ratio B/A"),
    )


def nber_table(evidence: Evidence) -> Table:
    """Table 1.2: the NBER top five against the policy paper's counts, every country of either list."""
    return Table(
        nber_vs_counts(evidence),
        "Table 1.2. The NBER top five (2016, as the Daily Caller paraphrases it) against the policy paper's counts",
        numeric=(LISTED_COL, ORDER_COL),
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
            "A share of": split["A share of"],
            "Headcount if a share of the 40,000 (book's inference)": split[
                "Headcount if a share of the 40,000 (book's inference)"
            ],
            "Named countries and their total (book's inference)": named,
            "Named countries' share of that headcount (book's inference)": split[
                "Named countries as share of that headcount (book's inference)"
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
    gap = gap_reading(a["qualifier"], b["qualifier"])
    glue("stock_gap", in_words(gap, book.number(b["value"] - a["value"])), display=False)
    glue("stock_ratio", in_words(gap, f"{b['value'] / a['value']:.2f}"), display=False)
    glue("stock_gap_pct", in_words(gap, f"{(b['value'] / a['value'] - 1) * 100:.0f}"), display=False)
    glue("total_value", book.number(evidence.claim(TOTAL)["value"]), display=False)
    glue("intel_floor", book.number(a["value"]), display=False)
    glue("intel_half", book.number(a["value"] / 2), display=False)
    # NPR's figure against the part of intelNews's that joined ISIS ("most": more than half), the book's reading.
    glue("isis_gap", in_words(gap_reading("more-than", b["qualifier"]), book.number(b["value"] - a["value"] / 2)),
         display=False)
    ca, cb = evidence.claim("intel-stock-90-countries"), evidence.claim("npr-stock-countries")
    glue(
        "countries_gap",
        in_words(gap_reading(ca["qualifier"], cb["qualifier"]), book.number(cb["value"] - ca["value"])),
        display=False,
    )
    flow = evidence.claim("intel-flow-50-since-2016")
    glue("flow_2016_share_of_gap", f"{flow['value'] / (b['value'] - a['value']) * 100:.1f}", display=False)
    us = evidence.claim("npr-us-250-attempted")
    glue("us_share", in_words(direction([us["qualifier"]], [b["qualifier"]]), f"{us['value'] / b['value'] * 100:.1f}"),
         display=False)

    split = split_figures(evidence)
    for name in ("named_sum", "region_named", "west_named"):
        glue(name, book.number(split[name]), display=False)
    for name, reading in (("region_implied", "region_reading"), ("west_implied", "west_reading"),
                          ("rest_implied", "rest_implied_reading")):
        glue(name, in_words(split[reading], book.number(split[name])), display=False)
    for name in ("named_share", "region_named_share", "west_named_share"):
        glue(name, in_words(split[f"{name}_reading"], f"{split[name]:.1f}"), display=False)
    glue("rest_share", in_words(split["rest_share_reading"], book.number(split["rest_share"])), display=False)
    glue("n_named", in_letters(len(country_counts(evidence))), display=False)

    lists = listed_and_counted(evidence)
    glue("both_lists", _and(lists["both"]), display=False)
    glue("listed_only", _and(lists["listed_only"]), display=False)
    glue("counted_only", _and(lists["counted_only"]), display=False)
    glue("n_both", in_letters(len(lists["both"])), display=False)
    glue("n_nber", in_letters(len(nber_members(evidence))), display=False)
    glue("orders_agree", "in the order in which" if orders_agree(evidence) else "not in the order in which", display=False)
    bounds = nber_consistency(evidence)
    glue("set_floor", f"{bounds['floor_country']}'s {book.number(bounds['floor'])}", display=False)
    glue("ordered_bounds", ordered_bounds_words(bounds), display=False)


def ordered_bounds_words(bounds: dict) -> str:
    """'Russia and Turkey each between Jordan's 2,200 and Saudi Arabia's 2,500' (countries sharing bounds grouped)."""
    grouped: dict[tuple, list[str]] = {}
    for country, limits in bounds["ordered"].items():
        grouped.setdefault(limits, []).append(country)
    parts = []
    for (low, low_country, high, high_country), countries in grouped.items():
        each = " each" if len(countries) > 1 else ""
        if low is not None and high is not None:
            where = f"between {low_country}'s {book.number(low)} and {high_country}'s {book.number(high)}"
        elif low is not None:
            where = f"above {low_country}'s {book.number(low)}"
        else:
            where = f"below {high_country}'s {book.number(high)}"
        parts.append(f"{_and(countries)}{each} {where}")
    return "; ".join(parts)


def in_letters(count: int) -> str:
    """A small count as prose writes it ('five'), from the book's one word-to-number table; digits otherwise."""
    return next((w for w, v in NUMBER_WORDS.items() if v == count and w.isalpha() and w not in ("none", "zero")), str(count))


def _and(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _source_line(sources) -> str:
    """The chart subtitle: each source once, in the chart's order (whose words each figure is: in the tooltips)."""
    return "; ".join(dict.fromkeys(sources))
