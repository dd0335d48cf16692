"""Returnee typology: the sources' frameworks side by side, mapped onto the book's common paths.

Three frameworks describe where ISIS's foreign fighters go once the caliphate falls:
The Atlantic's typology (Clarke and Amarasingam, March 2017) as excerpted and summarised by
TalkLeft and, separately, as paraphrased by the Daily Caller, and the policy paper's five
scenarios. ``data/typology.csv`` holds one row per type, in the words of the passage that names
it, with whose words those are (``label_voice``: in TalkLeft, the blogger's linking lines are the
blogger's, the excerpts The Atlantic's) and the book's mapping onto six common paths. The mapping
is the book's inference; the words are the sources'. :func:`verbatim_problems` checks both the
words and the voice against the claims ledger. Everything here is computed from that table and the
ledger, so a correction in ``data/`` reaches every table, chart and glued number of the chapter;
every column or tooltip that says who said a quote uses :func:`evidence.voices.credit`.

The European figures of the Center for the Analysis of Terrorism (CAT), relayed by TalkLeft,
are read from the ledger, hedged with the source's own hedge words (see :func:`evidence.book.describe`),
and turned into one inferred share whose direction follows from the hedges (:func:`share_bound`).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import altair as alt
import pandas as pd

from evidence import hedges, quotes
from evidence.book import comparison, describe, number, provenance
from evidence.charts import PALETTE, Figure, titled
from evidence.display import Table
from evidence.ledger import Evidence
from evidence.tables import short_name
from evidence.voices import credit

# The frameworks, in the order the chapter discusses them, with how the book names them.
FRAMEWORKS: dict[str, str] = {
    "atlantic-via-talkleft": "The Atlantic, as excerpted and summarised by TalkLeft",
    "atlantic-via-dailycaller": "The Atlantic, as paraphrased by the Daily Caller",
    "policy-paper-scenarios": "Policy paper: five scenarios",
}
# Shorter names for chart axes (each fits its column without clipping).
FRAMEWORK_AXIS: dict[str, str] = {
    "atlantic-via-talkleft": "Atlantic via TalkLeft",
    "atlantic-via-dailycaller": "Atlantic via Daily Caller",
    "policy-paper-scenarios": "Policy paper",
}

# The book's common paths, from staying in the war zone to returning with operational intent.
PATHS: dict[str, str] = {
    "stay": "Stay in Iraq or Syria",
    "join-other-group": "Join another militant group",
    "next-theatre": "Move to another theatre",
    "return-disillusioned": "Return: disillusioned",
    "return-disengaged": "Return: disengaged, not disillusioned",
    "return-operational": "Return: operational",
}
RETURN_PATHS = tuple(p for p in PATHS if p.startswith("return-"))

# The two voices of the TalkLeft post (names as in the ledger's voice column).
BLOGGER = "TalkLeft blogger"
ATLANTIC = "The Atlantic (Clarke and Amarasingam)"

ROLE_PRIMARY = "Type maps here"
ROLE_ALSO = "Type also covers this path (book's reading)"

# What each CAT figure counts, in words close to TalkLeft's; keyed by claim id. Values come from the ledger.
CAT_LABELS: dict[str, str] = {
    "tl-cat-eu-involved": "EU nationals or residents involved in jihadi networks",
    "tl-cat-eu-departures": "EU departures",
    "tl-cat-eu-returnees": "Returnees in the EU",
    "tl-cat-france-involved": "French nationals or residents involved in the networks",
    "tl-cat-france-in-syria-iraq": "French nationals or residents in Syria or Iraq",
    "tl-cat-france-legal-proceedings": "Individuals with pending legal proceedings in France",
    "tl-cat-eu-share-fr-uk-de": "Share of the EU total who are French, British or German",
}
CAT_SPEAKER = "CAT"

# The policy paper's returnee challenges, in the order the paper raises them: (challenge, aspect) per claim id.
CHALLENGES: dict[str, tuple[str, str]] = {
    "pp-returnees-challenge-identifying": ("1. Identification", "Telling who has truly rejected violence"),
    "pp-returnees-denmark-rehabilitation": ("1. Identification", "Those who have: rehabilitation (Denmark)"),
    "pp-returnees-latent-threat": ("1. Identification", "Those who have not: a latent threat"),
    "pp-returnees-deradicalisation": ("2. De-radicalisation", "Is walking away from terrorism enough?"),
    "pp-returnees-prosecution": ("3. Prosecution", "Evidence that will hold up in court"),
    "pp-returnees-prison-radicalisation": ("3. Prosecution", "Prison radicalisation after sentencing"),
}

# Rasmussen's forecasts on whether fighters leave or stay, dated (NPR, May 2017; Daily Caller, July 2017).
RASMUSSEN_FORECASTS = (
    "npr-rasmussen-leaving-will-increase",
    "dc-rasmussen-flood-less-likely",
    "dc-rasmussen-fight-to-death",
)

# Two routes to attacks in the West, as the sources describe them: claim id -> the book's heading, in reading order.
SENT = "Fighters sent back"
AT_HOME = "Supporters at home"
BOTH = "Both routes together"
ROUTES: dict[str, str] = {
    "pp-scenario-5-dispatched-abroad": SENT,
    "pp-position-paris-brussels-orchestrated": SENT,
    "tl-atlantic-paris-2015-example": SENT,
    "tl-atlantic-command-and-control": SENT,
    "npr-context-attacks-without-travel": AT_HOME,
    "npr-context-recent-attacks-model": AT_HOME,
    "pp-home-grown-radicals": BOTH,
}

# How each voice ranks the operational returnees, in its exact words (claim id -> phrase in its quote).
OPERATIONAL_WORDING: dict[str, str] = {
    "tl-atlantic-operational": "the one to be concerned about",
    "tl-blogger-biggest-threat": "the biggest threat",
    "tl-atlantic-most-deadly": "They are the most deadly.",
    "dc-atlantic-operational-most-dangerous": "the most dangerous",
}

# --------------------------------------------------------------------------- the crosswalk


class TypologyError(ValueError):
    """A row of data/typology.csv does not quote its ledger row; the message names the row and field."""


def _quote_of(evidence: Evidence, claim_id: str) -> str:
    return evidence.claim(claim_id)["quote"] if claim_id else ""


def verbatim_problems(evidence: Evidence, typology: pd.DataFrame | None = None) -> list[str]:
    """Rows whose words or whose credit for the words do not match the ledger; each message names row and field.

    Why: the table keeps the sources' words apart from the book's mapping, and says whose words
    each label and threat is; this is what makes both promises checkable. A ``type_label`` must be
    a verbatim piece of the quote of ``claim_id``, a ``threat_as_stated`` of the quote of
    ``threat_claim_id`` (after :func:`evidence.quotes.normalise`); ``label_voice`` and
    ``threat_voice`` must be the ledger ``voice`` of those claims (a blogger's linking line is the
    blogger's, not the article it summarises). A claim whose ledger voice is still empty is only
    checked for the words. Claim ids named in a mapping note must exist in the ledger.
    """
    typology = evidence.tables["typology"] if typology is None else typology
    problems = []
    for position, row in enumerate(typology.itertuples(index=False), start=2):
        where = f"data/typology.csv, row {position} ({row.row_id})"
        problems += _words_problems(evidence, where, "type_label", row.type_label, "label_voice", row.label_voice,
                                    "claim_id", row.claim_id)
        if row.threat_as_stated or row.threat_voice or row.threat_claim_id:
            problems += _words_problems(evidence, where, "threat_as_stated", row.threat_as_stated, "threat_voice",
                                        row.threat_voice, "threat_claim_id", row.threat_claim_id)
        if row.also_path and row.also_path == row.common_path:
            problems.append(f"{where}, field 'also_path': repeats common_path '{row.common_path}'")
        for cited in re.findall(r"\(((?:dc|npr|intel|tl|pp)-[a-z0-9-]+)\)", row.mapping_note):
            if cited not in evidence.claims.index:
                problems.append(f"{where}, field 'mapping_note': cites '{cited}', which is not in data/claims.csv")
    return problems


def _words_problems(evidence: Evidence, where: str, words_field: str, words: str, voice_field: str, voice: str,
                    claim_field: str, claim_id: str) -> list[str]:
    """Whether ``words`` are verbatim in the quote of ``claim_id`` and ``voice`` is that claim's ledger voice."""
    for field, value in ((words_field, words), (voice_field, voice), (claim_field, claim_id)):
        if not value:
            return [f"{where}, field '{field}': empty, but the row gives "
                    + ", ".join(f"'{f}'" for f, v in ((words_field, words), (voice_field, voice),
                                                      (claim_field, claim_id)) if v)]
    if claim_id not in evidence.claims.index:
        return [f"{where}, field '{claim_field}': '{claim_id}' is not in data/claims.csv"]
    claim = evidence.claim(claim_id)
    problems = []
    if quotes.normalise(words) not in quotes.normalise(claim["quote"]):
        problems.append(f"{where}, field '{words_field}': '{words}' is not verbatim in the quote of {claim_id}")
    if claim["voice"] and voice != claim["voice"]:
        problems.append(
            f"{where}, field '{voice_field}': '{voice}', but the words of {claim_id} are in the voice of "
            f"'{claim['voice']}' (data/claims.csv)"
        )
    return problems


def check(evidence: Evidence) -> None:
    """Raise :class:`TypologyError` listing every problem of :func:`verbatim_problems` (for ``make check``)."""
    problems = verbatim_problems(evidence)
    if problems:
        raise TypologyError("data/typology.csv does not match the ledger:\n  - " + "\n  - ".join(problems))


def crosswalk(evidence: Evidence) -> pd.DataFrame:
    """The typology table in reading order, with each row's quotes, whose words they are, date and source.

    Raises :class:`TypologyError` if a label or threat is not verbatim or not credited to the voice
    the ledger gives (see :func:`verbatim_problems`), so a chapter never shows words a source did
    not use, or credits them to the wrong voice.
    """
    check(evidence)
    table = evidence.tables["typology"].copy()
    table["framework_order"] = table["framework"].map(list(FRAMEWORKS).index)
    table["level_order"] = (table["level"] != "type").astype(int)
    table = table.sort_values(["framework_order", "type_order", "level_order"]).reset_index(drop=True)
    claims = evidence.claims
    table["quote"] = [claims.loc[c, "quote"] for c in table["claim_id"]]
    table["detail_quote"] = [_quote_of(evidence, c) for c in table["detail_claim_id"]]
    table["label_credit"] = [credit(claims.loc[c], evidence.sources) for c in table["claim_id"]]
    table["threat_credit"] = [credit(claims.loc[c], evidence.sources) if c else "" for c in table["threat_claim_id"]]
    table["stated"] = [claims.loc[c, "stated"] for c in table["claim_id"]]
    table["source_id"] = [claims.loc[c, "source_id"] for c in table["claim_id"]]
    table["source"] = [short_name(evidence.sources.loc[s]) for s in table["source_id"]]
    return table.drop(columns=["framework_order", "level_order"])


def curly(text: str) -> str:
    """Text in curly double quotes; straight double quotes inside become curly single ones (‘…’)."""
    inner = re.sub(r'"([^"]*)"', "\u2018\\1\u2019", text)
    return f"\u201c{inner}\u201d"


def _label_with_level(row: pd.Series) -> str:
    label = curly(row["type_label"])
    return label + (" (sub-group)" if row["level"] == "sub-group" else "")


def _credited_label(row: pd.Series) -> str:
    """The label in quote marks, then whose words it is (:func:`evidence.voices.credit` of its ledger row)."""
    return _label_with_level(row) + (f" [{row['label_credit']}]" if row["label_credit"] else "")


def side_by_side(evidence: Evidence) -> pd.DataFrame:
    """Common paths (rows) by framework (columns); each cell: the types mapped there, each with whose words it is.

    A type that also covers a path on the book's reading appears there with "(also)". An empty cell
    means the framework, as the source gives it, has no type on that path. Threats are in :func:`threats`.
    """
    table = crosswalk(evidence)
    rows = []
    for path, path_label in PATHS.items():
        row = {"Common path (the book's)": path_label}
        for framework, framework_label in FRAMEWORKS.items():
            cells = []
            mine = table[table["framework"] == framework]
            for _, t in mine.iterrows():
                if t["common_path"] == path:
                    cells.append(_credited_label(t))
                elif t["also_path"] == path:
                    cells.append(_label_with_level(t) + " (also)")
            row[framework_label] = " / ".join(cells) if cells else "—"
        rows.append(row)
    return pd.DataFrame(rows)


def side_by_side_table(evidence: Evidence, caption: str) -> Table:
    """:func:`side_by_side` as a captioned table for the book."""
    return Table(side_by_side(evidence), caption)


def crosswalk_detail(evidence: Evidence, caption: str) -> Table:
    """Every row of the crosswalk with whose words its label is, its mapping note and ledger ids."""
    table = crosswalk(evidence)
    frame = pd.DataFrame(
        {
            "Framework": table["framework"].map(FRAMEWORK_AXIS),
            "Type [whose words]": table.apply(_credited_label, axis=1),
            "Common path": table["common_path"].map(PATHS)
            + table["also_path"].map(lambda p: f"; also: {PATHS[p]}" if p else ""),
            "Why the book maps it there": table["mapping_note"],
            "Ledger": table["claim_id"] + table["detail_claim_id"].map(lambda c: f", {c}" if c else ""),
        }
    )
    return Table(frame, caption)


def returnee_type_counts(evidence: Evidence) -> dict[str, int]:
    """How many returnee types each framework names (main types only, not sub-groups).

    Why: the two summaries of one Atlantic article disagree on this count (two against three).
    """
    table = crosswalk(evidence)
    named = table[(table["level"] == "type") & table["common_path"].isin(RETURN_PATHS)]
    return {f: int((named["framework"] == f).sum()) for f in FRAMEWORKS}


def summaries_compared(evidence: Evidence) -> pd.DataFrame:
    """The Atlantic's typology as TalkLeft and the Daily Caller give it, path by path, with the difference."""
    table = crosswalk(evidence)
    sides = {"TalkLeft": "atlantic-via-talkleft", "Daily Caller": "atlantic-via-dailycaller"}
    rows = []
    for path, path_label in PATHS.items():
        found: dict[str, tuple[str, str]] = {}
        for name, framework in sides.items():
            mine = table[table["framework"] == framework]
            primary = mine[mine["common_path"] == path]
            also = mine[mine["also_path"] == path]
            if len(primary):
                found[name] = ("own", " / ".join(primary.apply(_credited_label, axis=1)))
            elif len(also):
                found[name] = ("within", " / ".join(also.apply(_label_with_level, axis=1)))
            else:
                found[name] = ("none", "—")
        kinds = (found["TalkLeft"][0], found["Daily Caller"][0])
        rows.append(
            {
                "Common path (the book's)": path_label,
                "TalkLeft (undated; by 2017-03-08)": found["TalkLeft"][1]
                + (" (within this type)" if kinds[0] == "within" else ""),
                "Daily Caller (2017-07-21)": found["Daily Caller"][1]
                + (" (within this type)" if kinds[1] == "within" else ""),
                "Difference": _difference(kinds),
            }
        )
    return pd.DataFrame(rows)


def _difference(kinds: tuple[str, str]) -> str:
    """How the two summaries differ on one path, from what each has there (own type, within another, none)."""
    talkleft, dailycaller = kinds
    if talkleft == dailycaller == "none":
        return "neither summary"
    if talkleft == dailycaller == "own":
        return "both name a type"
    if "none" in kinds:
        return f"only {'TalkLeft' if dailycaller == 'none' else 'the Daily Caller'} has it"
    if talkleft == "within":
        return "a separate type in the Daily Caller; part of another type in TalkLeft"
    return "a separate type in TalkLeft; part of another type in the Daily Caller"


def threats(evidence: Evidence) -> pd.DataFrame:
    """Every type for which its source states a threat level: the words, whose words they are, and the ledger row."""
    table = crosswalk(evidence)
    stated = table[table["threat_as_stated"] != ""]
    return pd.DataFrame(
        {
            "Framework": stated["framework"].map(FRAMEWORK_AXIS),
            "Type": stated.apply(_label_with_level, axis=1),
            "Threat as stated": stated["threat_as_stated"].map(curly),
            "Whose words": stated["threat_credit"],
            "Ledger": stated["threat_claim_id"],
        }
    )


# --------------------------------------------------------------------------- the matrix chart


def matrix_data(evidence: Evidence) -> pd.DataFrame:
    """One row per (type, path) cell of the matrix: the main path and, where the book reads one, the second."""
    table = crosswalk(evidence)
    shown = provenance(evidence, evidence.claims.loc[table["claim_id"]]).reset_index(drop=True)
    rows = []
    for (_, t), (_, p) in zip(table.iterrows(), shown.iterrows()):
        for path, role in ((t["common_path"], ROLE_PRIMARY), (t["also_path"], ROLE_ALSO)):
            if not path:
                continue
            rows.append(
                {
                    "framework": FRAMEWORK_AXIS[t["framework"]],
                    "path": PATHS[path],
                    "role": role,
                    "type_label": _label_with_level(t),
                    "cell_text": "\n".join(textwrap.wrap(_label_with_level(t), 21)),
                    "threat": (curly(t["threat_as_stated"]) + (f" ({t['threat_credit']})" if t["threat_credit"] else "")
                               if t["threat_as_stated"] else "none stated"),
                    "quote_shown": p["quote_shown"],
                    "source": p["source"],
                    "label_credit": t["label_credit"],
                    "mapping_note": t["mapping_note"],
                    "claim_id": t["claim_id"],
                }
            )
    frame = pd.DataFrame(rows)
    # Two types of one framework in one cell (none today) would overprint: join them instead.
    return (
        frame.groupby(["framework", "path", "role"], sort=False, as_index=False)
        .agg(lambda values: " / ".join(dict.fromkeys(values)) if values.dtype == object else values.iloc[0])
    )


def matrix_chart(evidence: Evidence) -> Figure:
    """Frameworks (columns) by common paths (rows): where each framework's types fall, and where none do."""
    data = matrix_data(evidence)
    x = alt.X("framework:N", sort=list(FRAMEWORK_AXIS.values()), title="Framework (and the source that gives it)",
              axis=alt.Axis(orient="bottom", labelAngle=0, labelLimit=130, labelLineHeight=13,
                            labelExpr="split(replace(datum.label, ' via ', ' via|'), '|')"))
    y = alt.Y("path:N", sort=list(PATHS.values()), title="Common path (the book's mapping)",
              axis=alt.Axis(labelLimit=240, titlePadding=14))
    tooltip = [
        alt.Tooltip("type_label:N", title="Type (source's words)"),
        alt.Tooltip("label_credit:N", title="Whose words"),
        alt.Tooltip("framework:N", title="Framework"),
        alt.Tooltip("path:N", title="Common path"),
        alt.Tooltip("role:N", title="Mapping"),
        alt.Tooltip("threat:N", title="Threat as stated"),
        alt.Tooltip("quote_shown:N", title="Quote"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("mapping_note:N", title="Why mapped here"),
    ]
    cells = alt.Chart(data).mark_rect(stroke="#ffffff", strokeWidth=3).encode(
        x=x,
        y=y,
        color=alt.Color("role:N", title="Mapping", sort=[ROLE_PRIMARY, ROLE_ALSO],
                        scale=alt.Scale(domain=[ROLE_PRIMARY, ROLE_ALSO], range=[PALETTE[4], PALETTE[6]])),
        tooltip=tooltip,
    )
    labels = alt.Chart(data).mark_text(fontSize=10, lineHeight=12, lineBreak="\n", color=PALETTE[7]).encode(
        x=x, y=y, text="cell_text:N", tooltip=tooltip
    )
    chart = (cells + labels).properties(width=390, height=alt.Step(76))
    return Figure(
        titled(chart, "Where each framework sends the fighters",
                "The Atlantic (March 2017) as summarised by TalkLeft (undated; by 2017-03-08) and the Daily Caller "
                "(2017-07-21); policy paper (undated, early 2017). Mapping onto common paths: the book's."),
        "A grid of three frameworks by six common paths. TalkLeft's summary has types on every path except "
        "the disengaged-returnee path, which it covers only inside its “Operational Returnees”; the Daily "
        "Caller's has no type for staying or joining other groups; the policy paper has a scenario on every "
        "path, the disengaged path only through a sub-group of returnees it discusses.",
        data.drop(columns=["cell_text"]).rename(
            columns={"framework": "Framework", "path": "Common path", "role": "Mapping", "type_label": "Type",
                     "threat": "Threat as stated", "quote_shown": "Quote", "source": "Source",
                     "label_credit": "Whose words", "mapping_note": "Why mapped here", "claim_id": "Ledger"}
        ),
        "typology-crosswalk",
    )


# --------------------------------------------------------------------------- hedged figures


@dataclass(frozen=True)
class Share:
    """A share computed from two hedged figures: its value and which way the true share can lie."""

    percent: float
    direction: str  # as evidence.hedges.direction gives it: "at least", "at most about", "exactly", …

    def words(self, digits: int = 0) -> str:
        """E.g. 'at least about 26 per cent' (about: the printed value is rounded)."""
        amount = f"{self.percent:.{digits}f} per cent"
        if self.direction == "exactly":
            return amount
        if self.direction == "not bounded":
            return f"about {amount} (the hedges point both ways)"
        bound = self.direction.removesuffix(" about")
        return f"about {amount}" if bound == "about" else f"{bound} about {amount}"


def share_bound(numerator: pd.Series, denominator: pd.Series) -> Share:
    """numerator / denominator as a percentage, with the direction the two hedges allow.

    The direction is the book's one bound rule (:func:`evidence.hedges.direction`): a share grows
    with its numerator and shrinks with its denominator, so "more than" over "almost" is at least
    the computed value.
    """
    percent = 100 * float(numerator["value"]) / float(denominator["value"])
    return Share(percent, hedges.direction([numerator["qualifier"]], [denominator["qualifier"]]))


# --------------------------------------------------------------------------- European figures (CAT)


def cat_claims(evidence: Evidence) -> pd.DataFrame:
    """CAT's figures as relayed by TalkLeft: every ledger row whose speaker is CAT and that has a value."""
    claims = evidence.claims
    chosen = claims[claims["speaker"].str.startswith(CAT_SPEAKER) & claims["value"].notna()]
    unknown = sorted(set(chosen["claim_id"]) - set(CAT_LABELS))
    if unknown:
        raise KeyError(f"CAT figures without a label in evidence/typology.py CAT_LABELS: {', '.join(unknown)}")
    return chosen


def cat_table(evidence: Evidence) -> pd.DataFrame:
    """CAT's figures in the source's words: what is counted, the figure as hedged, the scope and the ledger id."""
    chosen = cat_claims(evidence)
    return pd.DataFrame(
        {
            "What is counted (CAT, via TalkLeft)": chosen["claim_id"].map(CAT_LABELS),
            "Figure as stated": [describe(row) for _, row in chosen.iterrows()],
            "Whose words": [credit(row, evidence.sources) for _, row in chosen.iterrows()],
            "Scope": chosen["geography"],
            "Reference date": "not stated (latest figures cited about March 2017)",
            "Ledger": chosen["claim_id"],
        }
    ).reset_index(drop=True)


def cat_chart(evidence: Evidence) -> Figure:
    """CAT's head counts as bars, EU and France apart, each labelled with its hedge ("almost", "more than")."""
    chosen = cat_claims(evidence)
    people = chosen[chosen["unit"] == "people"]
    data = provenance(evidence, people).reset_index(drop=True)
    data["what"] = data["claim_id"].map(CAT_LABELS)
    data["as_stated"] = [describe(row, unit=False) for _, row in people.iterrows()]
    data["scope"] = data["geography"].map(lambda g: "European Union" if g == "EU" else g)
    data["credit"] = [credit(row, evidence.sources) for _, row in people.iterrows()]
    order = list(data.sort_values(["scope", "value"], ascending=[True, False])["what"])
    tooltip = [
        alt.Tooltip("what:N", title="What is counted"),
        alt.Tooltip("as_stated:N", title="Figure as stated"),
        alt.Tooltip("qualifier:N", title="Qualifier (ledger)"),
        alt.Tooltip("quote_shown:N", title="Quote"),
        alt.Tooltip("credit:N", title="Whose words"),
        alt.Tooltip("source:N", title="Source"),
    ]
    y = alt.Y("what:N", sort=order, title=None, axis=alt.Axis(labelLimit=330))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value:Q", title="People (as stated; hedge in the label)",
                scale=alt.Scale(domain=[0, float(data["value"].max()) * 1.45]), axis=alt.Axis(format=",d")),
        y=y,
        color=alt.Color("scope:N", title="Scope", scale=alt.Scale(range=[PALETTE[0], PALETTE[1]])),
        tooltip=tooltip,
    )
    text = alt.Chart(data).mark_text(align="left", dx=4, fontSize=11, color=PALETTE[7]).encode(
        x="value:Q", y=y, text="as_stated:N", tooltip=tooltip
    )
    chart = (bars + text).properties(width=230, height=alt.Step(34))
    return Figure(
        titled(chart, "European jihadists: CAT's latest figures",
               "Center for the Analysis of Terrorism (France), as cited by TalkLeft (undated; by 2017-03-08); "
               "reference date not stated"),
        "Bars for CAT's counts: almost 7,200 EU nationals or residents involved in jihadi networks, almost "
        "5,800 EU departures and more than 1,500 returnees in the EU; about 2,300 French nationals or "
        "residents involved, 689 of them in Syria or Iraq, and 1,302 people with pending legal proceedings in France.",
        data[["what", "as_stated", "qualifier", "scope", "quote_shown", "credit", "source", "claim_id"]].rename(
            columns={"what": "What is counted", "as_stated": "Figure as stated", "qualifier": "Qualifier",
                     "scope": "Scope", "quote_shown": "Quote", "credit": "Whose words", "source": "Source",
                     "claim_id": "Ledger"}
        ),
        "cat-european-figures",
    )


def returnee_share(evidence: Evidence) -> Share:
    """The book's inference: CAT's EU returnees as a share of CAT's EU departures, with its direction."""
    return share_bound(evidence.claim("tl-cat-eu-returnees"), evidence.claim("tl-cat-eu-departures"))


def outcomes_data(evidence: Evidence) -> pd.DataFrame:
    """Two shares of European foreign fighters: returned (the book's inference from CAT) and died (policy paper)."""
    share = returnee_share(evidence)
    died = evidence.claim("pp-deaths-european-15-percent")
    returned = evidence.claims.loc[["tl-cat-eu-returnees", "tl-cat-eu-departures"]]
    shown = provenance(evidence, returned)
    died_shown = provenance(evidence, evidence.claims.loc[["pp-deaths-european-15-percent"]]).iloc[0]
    return pd.DataFrame(
        [
            {
                "outcome": "Returned to the EU (of EU departures)",
                "percent": round(share.percent, 1),
                "as_stated": share.words(),
                "kind": "The book's inference from two CAT figures",
                "quote_shown": " … ".join(shown["quote_shown"].drop_duplicates()),
                "credit": " / ".join(dict.fromkeys(credit(row, evidence.sources) for _, row in returned.iterrows())),
                "source": shown["source"].iloc[0] + ", citing CAT",
            },
            {
                "outcome": "Died fighting with ISIS (of European foreign fighters)",
                "percent": float(died["value"]),
                "as_stated": describe(died),
                "kind": "Stated by the source",
                "quote_shown": died_shown["quote_shown"],
                "credit": credit(died, evidence.sources),
                "source": died_shown["source"],
            },
        ]
    )


def outcomes_chart(evidence: Evidence) -> Figure:
    """Returned (inferred, a lower bound) against died (stated, roughly): two shares from two sources."""
    data = outcomes_data(evidence)
    tooltip = [
        alt.Tooltip("outcome:N", title="Outcome"),
        alt.Tooltip("as_stated:N", title="Share"),
        alt.Tooltip("kind:N", title="Stated or inferred"),
        alt.Tooltip("quote_shown:N", title="Quote"),
        alt.Tooltip("credit:N", title="Whose words"),
        alt.Tooltip("source:N", title="Source"),
    ]
    y = alt.Y("outcome:N", title=None, sort=list(data["outcome"]), axis=alt.Axis(labelLimit=330))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("percent:Q", title="Per cent", scale=alt.Scale(domain=[0, 60])),
        y=y,
        color=alt.Color("kind:N", title=None, scale=alt.Scale(range=[PALETTE[2], PALETTE[3]])),
        tooltip=tooltip,
    )
    text = alt.Chart(data).mark_text(align="left", dx=4, fontSize=11, color=PALETTE[7]).encode(
        x="percent:Q", y=y, text="as_stated:N", tooltip=tooltip
    )
    chart = (bars + text).properties(width=250, height=alt.Step(40))
    return Figure(
        titled(chart, "Returned or died: two shares, two sources",
               "CAT via TalkLeft (undated; by 2017-03-08), share inferred by the book; policy paper (undated, early 2017)"),
        f"Two bars: {data.loc[0, 'as_stated']} of EU departures had returned to the EU (the book's inference "
        f"from CAT's figures), against {data.loc[1, 'as_stated']} of European foreign fighters who had died "
        "(stated by the policy paper). The populations and dates differ.",
        data.rename(columns={"outcome": "Outcome", "percent": "Per cent (computed or stated)",
                             "as_stated": "In words", "kind": "Stated or inferred", "quote_shown": "Quote",
                             "credit": "Whose words", "source": "Source"}),
        "returned-or-died",
    )


def european_comparison(evidence: Evidence) -> pd.DataFrame:
    """The policy paper's French and Western European figures against CAT's, side by side, with the gap.

    The France rows are two ledger figures each (via :func:`evidence.book.comparison`); the last
    row is the book's inference: the paper's share of Western Europeans applied to its own total.
    """
    frame = comparison(
        evidence,
        [
            ("French fighters: policy paper's count vs CAT's French involved in the networks",
             "pp-origin-france", "tl-cat-france-involved"),
            ("French fighters: policy paper's count vs CAT's French in Syria or Iraq",
             "pp-origin-france", "tl-cat-france-in-syria-iraq"),
        ],
    )
    share, total = evidence.claim("pp-origin-western-europe-share"), evidence.claim("pp-stock-total-people")
    departures = evidence.claim("tl-cat-eu-departures")
    implied = western_europe_implied(evidence)
    frame.loc[len(frame)] = {
        "Quantity": "Europeans who went: Western Europe (policy paper, book's inference) vs EU departures (CAT)",
        "Figure A": f"more than {number(implied)} (inferred: {describe(share)} of {describe(total)})",
        "Source A": f"{share['speaker']}, {share['stated']} ({short_name(evidence.sources.loc[share['source_id']])})",
        "Figure B": describe(departures),
        "Source B": f"{departures['speaker']}, {departures['stated']} "
        f"({short_name(evidence.sources.loc[departures['source_id']])})",
        "B minus A": "",
        "Ratio B/A": f"at most {float(departures['value']) / implied:.2f}",
        "Claims": "pp-origin-western-europe-share, pp-stock-total-people, tl-cat-eu-departures",
    }
    return frame


def western_europe_implied(evidence: Evidence) -> float:
    """The book's inference: the policy paper's share of Western Europeans times its total (a lower bound)."""
    share, total = evidence.claim("pp-origin-western-europe-share"), evidence.claim("pp-stock-total-people")
    return float(share["value"]) / 100 * float(total["value"])


# --------------------------------------------------------------------------- returnee challenges, forecasts


def challenges(evidence: Evidence) -> pd.DataFrame:
    """The policy paper's returnee challenges, in its order, each with its verbatim quote."""
    claims = evidence.claims.loc[list(CHALLENGES)]
    return pd.DataFrame(
        {
            "Challenge": [challenge for challenge, _ in CHALLENGES.values()],
            "Aspect (the book's heading)": [aspect for _, aspect in CHALLENGES.values()],
            "In the paper's words": [curly(q) for q in claims["quote"]],
            "Ledger": claims["claim_id"].to_list(),
        }
    )


def forecasts(evidence: Evidence) -> pd.DataFrame:
    """Rasmussen's statements on whether foreign fighters will leave or stay, in date order."""
    claims = evidence.claims.loc[list(RASMUSSEN_FORECASTS)].sort_values("stated", kind="stable")
    return pd.DataFrame(
        {
            "Stated": claims["stated"].to_list(),
            "Statement": [f"“{q}”" for q in claims["quote"]],
            "Whose words": [credit(claim, evidence.sources) for _, claim in claims.iterrows()],
            "Source": [short_name(evidence.sources.loc[s]) for s in claims["source_id"]],
            "Ledger": claims["claim_id"].to_list(),
        }
    )


def credited_quotes(evidence: Evidence, chosen: dict[str, str], heading: str) -> pd.DataFrame:
    """Ledger quotes under the book's headings (``chosen``: claim id -> heading), each with whose words it is.

    A quote in a paraphrase or reported speech (:func:`evidence.voices.own_words` is False) is
    shown with its credit naming the one who paraphrases, never as the speaker's own words.
    """
    claims = evidence.claims.loc[list(chosen)]
    return pd.DataFrame(
        {
            heading: list(chosen.values()),
            "In the source's words": [f"“{q}”" for q in claims["quote"]],
            "Whose words": [credit(claim, evidence.sources) for _, claim in claims.iterrows()],
            "Stated": claims["stated"].to_list(),
            "Ledger": claims["claim_id"].to_list(),
        }
    )


def routes(evidence: Evidence) -> pd.DataFrame:
    """Fighters sent back by ISIS against supporters acting at home: each side in its sources' words."""
    return credited_quotes(evidence, ROUTES, "Route (the book's heading)")


def operational_wording(evidence: Evidence) -> pd.DataFrame:
    """How each voice ranks the operational returnees: the exact phrase, whose words it is, and its ledger row.

    Raises ValueError if a phrase is not verbatim in its claim's quote.
    """
    rows = []
    for claim_id, phrase in OPERATIONAL_WORDING.items():
        claim = evidence.claim(claim_id)
        if quotes.normalise(phrase) not in quotes.normalise(claim["quote"]):
            raise ValueError(f"OPERATIONAL_WORDING: '{phrase}' is not verbatim in the quote of {claim_id}")
        rows.append(
            {
                "Words": curly(phrase),
                "Whose words": credit(claim, evidence.sources),
                "Source": short_name(evidence.sources.loc[claim["source_id"]]),
                "Ledger": claim_id,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- numbers for the prose


def glue_values(evidence: Evidence) -> dict[str, str]:
    """Every number the chapter's prose uses, in words, keyed by glue name (computed here, never typed)."""
    counts = returnee_type_counts(evidence)
    table = crosswalk(evidence)
    share = returnee_share(evidence)
    died = evidence.claim("pp-deaths-european-15-percent")
    claim = evidence.claim
    scenarios = table[(table["framework"] == "policy-paper-scenarios") & (table["level"] == "type")]
    talkleft = table[table["framework"] == "atlantic-via-talkleft"]
    words = {
        "n_frameworks": str(table["framework"].nunique()),
        "n_types": str(len(table)),
        "n_paths": str(len(PATHS)),
        "n_scenarios": str(len(scenarios)),
        "n_threats": str(int((table["threat_as_stated"] != "").sum())),
        "n_straddling": str(int((table["also_path"] != "").sum())),
        "n_return_paths": str(len(RETURN_PATHS)),
        "n_challenges": str(len({challenge for challenge, _ in CHALLENGES.values()})),
        "tl_returnee_types": str(counts["atlantic-via-talkleft"]),
        "tl_labels": str(len(talkleft)),
        "tl_blogger_labels": str(int((talkleft["label_voice"] == BLOGGER).sum())),
        "tl_atlantic_labels": str(int((talkleft["label_voice"] == ATLANTIC).sum())),
        "dc_returnee_types": str(counts["atlantic-via-dailycaller"]),
        "cat_fr_involved": describe(claim("tl-cat-france-involved")),
        "cat_fr_in_theatre": describe(claim("tl-cat-france-in-syria-iraq")),
        "cat_fr_legal": describe(claim("tl-cat-france-legal-proceedings")),
        "cat_eu_involved": describe(claim("tl-cat-eu-involved")),
        "cat_eu_share": describe(claim("tl-cat-eu-share-fr-uk-de")),
        "cat_eu_departures": describe(claim("tl-cat-eu-departures")),
        "cat_eu_returnees": describe(claim("tl-cat-eu-returnees")),
        "returnee_share": share.words(),
        "returnee_share_direction": share.direction,
        "died_share": describe(died),
        "pp_france": describe(claim("pp-origin-france")),
        "pp_we_share": describe(claim("pp-origin-western-europe-share")),
        "pp_total": describe(claim("pp-stock-total-people")),
        "pp_we_implied": f"more than {number(western_europe_implied(evidence))}",
        "fr_in_theatre_share": f"about {100 * claim('tl-cat-france-in-syria-iraq')['value'] / claim('tl-cat-france-involved')['value']:.0f} per cent",
        "pp_remaining": describe(claim("pp-remaining-10000-30000")),
    }
    return words


# --------------------------------------------------------------------------- the chapter's tables


def summaries_compared_table(evidence: Evidence, caption: str) -> Table:
    """:func:`summaries_compared` as a captioned table."""
    return Table(summaries_compared(evidence), caption)


def threats_table(evidence: Evidence, caption: str) -> Table:
    """:func:`threats` as a captioned table."""
    return Table(threats(evidence), caption)


def challenges_table(evidence: Evidence, caption: str) -> Table:
    """:func:`challenges` as a captioned table."""
    return Table(challenges(evidence), caption)


def cat_table_display(evidence: Evidence, caption: str) -> Table:
    """:func:`cat_table` as a captioned table."""
    return Table(cat_table(evidence), caption)


def european_comparison_table(evidence: Evidence, caption: str) -> Table:
    """:func:`european_comparison`, narrowed to fit the page: A is always the policy paper, B always CAT."""
    frame = european_comparison(evidence)
    assert frame["Source A"].str.startswith("Policy paper").all() and frame["Source B"].str.startswith("CAT").all()
    shown = pd.DataFrame(
        {
            "Quantity": COMPARISON_LABELS[: len(frame)],
            "A: policy paper (undated)": frame["Figure A"],
            "B: CAT via TalkLeft (undated)": frame["Figure B"],
            "B minus A": frame["B minus A"],
            "Ratio B/A": frame["Ratio B/A"],
            "Ledger": frame["Claims"].str.replace(", ", " "),
        }
    )
    return Table(shown, caption, numeric=("B minus A", "Ratio B/A"))


# Short names for the rows of :func:`european_comparison`, in its order.
COMPARISON_LABELS = [
    "France: recruits (A) vs involved in the networks (B)",
    "France: recruits (A) vs in Syria or Iraq (B)",
    "Western Europeans who went (A, inferred) vs EU departures (B)",
]


def routes_table(evidence: Evidence, caption: str) -> Table:
    """:func:`routes` as a captioned table."""
    return Table(routes(evidence), caption)


def operational_wording_table(evidence: Evidence, caption: str) -> Table:
    """:func:`operational_wording` as a captioned table."""
    return Table(operational_wording(evidence), caption)


def forecasts_table(evidence: Evidence, caption: str) -> Table:
    """:func:`forecasts` as a captioned table."""
    return Table(forecasts(evidence), caption)
