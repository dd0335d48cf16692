"""Expert disagreement: who takes which position, when, on which contested question, in whose words.

The sources answer a handful of recurring questions in different ways: will most
foreign fighters stay in Syria and Iraq or flow back; does the quality of returnees
matter more than their number; is the threat easing or changing shape; does the
military defeat of ISIS end it; does al Qaeda gain; can returnees help. This module
turns the hand-coded table ``data/positions.csv`` (one row per position, each resting on
one ledger quote) into the positions matrix, the timeline of statements, the
change-of-view table, the table of framings set against the words they frame, and the
numeric disagreements table.

Three things are kept apart throughout, because a reader has to weigh them differently:

- what a source says: the quote, its date, whose words it is (``voice``), how the source
  presents them (``mode``) and whose view they convey (``speaker``) all come from the
  ledger (``data/claims.csv``). ``positions.csv`` repeats voice, mode and speaker so that a
  coder has to name them, and :func:`consistency_problems` refuses a row that differs
  from its claim;
- who is credited: every label, tooltip and table cell that says who said a quote is
  :func:`evidence.voices.credit`, so a reporter's paraphrase is never shown as the words
  of the one paraphrased;
- what the book infers: the proposition a quote bears on and the stance it takes are the
  book's coding, explained row by row in the ``note`` column.

Dates and months come from :mod:`evidence.dates` (partial dates, the one month rule);
hedges and bounds from :mod:`evidence.hedges`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import altair as alt
import pandas as pd

from evidence import book, charts, dates, hedges, voices
from evidence.display import Table
from evidence.ledger import Evidence
from evidence.tables import short_name


@dataclass(frozen=True)
class Proposition:
    """A contested proposition: a short label for axes and the full sentence the book codes against."""

    label: str
    sentence: str


# The seven propositions, in the order the chapter discusses them. The ids are the enum of
# positions.proposition in datapackage.json (a test keeps the two in step). Each sentence is
# the book's wording of the question, not a quotation.
PROPOSITIONS: dict[str, Proposition] = {
    "most-will-stay": Proposition(
        "Most will stay",
        "Most foreign fighters will stay in Syria and Iraq and fight, rather than flow back home.",
    ),
    "returns-will-rise": Proposition(
        "Returns will rise",
        "As ISIS loses territory, more foreign fighters will leave the conflict zone and flow back.",
    ),
    "quality-over-quantity": Proposition(
        "Quality over quantity",
        "The skills and intent of a few returnees matter more than how many return.",
    ),
    "threat-morphing": Proposition(
        "Threat is morphing",
        "The threat from ISIS is changing shape rather than easing.",
    ),
    "military-defeat-not-end": Proposition(
        "Defeat is not the end",
        "The military (territorial) defeat of ISIS will not end the terrorist threat.",
    ),
    "al-qaeda-beneficiary": Proposition(
        "Al Qaeda gains",
        "Al Qaeda will gain from the defeat of ISIS.",
    ),
    "returnees-can-help": Proposition(
        "Returnees can help",
        "Not every returnee is a threat; some may even be an asset to counter-terrorism.",
    ),
}


@dataclass(frozen=True)
class Stance:
    """How a position stands on a proposition: its label, its colour and a symbol, so colour is never the only cue."""

    label: str
    colour: str
    symbol: str
    meaning: str


# Colours are Okabe-Ito entries (charts.PALETTE): the two kinds of support are two blues,
# opposition is vermillion and an open question is reddish purple.
STANCES: dict[str, Stance] = {
    "supports": Stance("Supports", charts.PALETTE[0], "+", "asserts the proposition"),
    "qualified": Stance("Qualified", charts.PALETTE[4], "±", "accepts part of it, or only as a possibility"),
    "opposes": Stance("Opposes", charts.PALETTE[5], "−", "asserts the contrary"),
    "raises-question": Stance("Raises the question", charts.PALETTE[3], "?", "poses it as an open question"),
}

# The modes a position may rest on (the enum of positions.mode in datapackage.json): the
# ledger's modes for statements, quotations and relayed words.
MODES = ("narration", "headline", "direct-quotation", "paraphrase", "reported-speech")

CREDITED = ("voice", "mode", "speaker")  # the fields a positions row must share with its claim


class PositionsError(ValueError):
    """positions.csv disagrees with the ledger; the message names the file, the row and the field."""


# --- the coded table against the ledger ---------------------------------------------------------


def consistency_problems(evidence: Evidence, table: pd.DataFrame | None = None) -> list[str]:
    """Why rows of positions.csv disagree with their claims: one message per row and field.

    A row's ``voice`` (whose words), ``mode`` (how the source presents them) and ``speaker``
    (whose view) must be its claim's, so a coding error cannot re-attribute a quote: a
    reporter's "He says…" cannot be coded as the official's own words, nor a blogger's
    summary as the article's. The mode must also fit the voice and speaker (narration,
    headlines and quotations convey their own voice; paraphrase and reported speech someone
    else's), and the proposition must have a wording in :data:`PROPOSITIONS`.

    A claim whose ``voice`` is empty has not been credited (``make check`` reports it against
    the voices table); there is nothing to compare its rows with, so they are not compared.
    """
    table = evidence.tables["positions"] if table is None else table
    problems = []
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        where = f"data/positions.csv, row {row_number} (position_id '{row.position_id}')"
        claim = evidence.claim(row.claim_id)
        if claim["voice"]:
            for field in CREDITED:
                if getattr(row, field) != claim[field]:
                    problems.append(
                        f"{where}, field '{field}': '{getattr(row, field)}' is not the {field} of claim "
                        f"'{row.claim_id}' ('{claim[field]}'; the claim is {voices.credit(claim, evidence.sources)})"
                    )
        relayed = row.mode in voices.RELAYED
        if relayed and row.speaker == row.voice:
            problems.append(
                f"{where}, field 'speaker': a {row.mode} conveys someone other than its voice, "
                f"but speaker and voice are both '{row.voice}'"
            )
        if not relayed and row.speaker != row.voice:
            problems.append(
                f"{where}, field 'speaker': in {row.mode} the words are the speaker's own, so speaker "
                f"'{row.speaker}' must be the voice '{row.voice}' (only paraphrase and reported-speech convey someone else)"
            )
        if row.proposition not in PROPOSITIONS:
            problems.append(
                f"{where}, field 'proposition': '{row.proposition}' has no wording in evidence/positions.py PROPOSITIONS"
            )
    return problems


def _credited(claim: pd.Series, row: pd.Series) -> pd.Series:
    """The claim as credit() reads it: for a claim not yet credited (empty voice), the coded row's
    voice, mode and speaker stand in; otherwise the claim's own, which the row must equal (checked)."""
    if claim["voice"]:
        return claim
    filled = claim.copy()
    for field in CREDITED:
        filled[field] = row[field]
    return filled


def _how(credit: str, voice: str) -> str:
    """The part of a credit after the voice ('quoted by NPR', 'headline'); 'own words' for narration."""
    return credit[len(voice) + 2 :] if credit.startswith(voice + ", ") else "own words"


def positions(evidence: Evidence) -> pd.DataFrame:
    """positions.csv joined to each row's claim (quote, date, source, credit), with display columns.

    Raises :class:`PositionsError` with every problem :func:`consistency_problems` finds.
    """
    table = evidence.tables["positions"]
    problems = consistency_problems(evidence, table)
    if problems:
        raise PositionsError("\n".join(problems))

    claims = evidence.claims.loc[table["claim_id"]].reset_index(drop=True)
    out = book.provenance(evidence, claims)
    out["ledger_row"] = [evidence.claims.index.get_loc(c) for c in table["claim_id"]]
    out.insert(0, "position_id", table["position_id"].to_numpy())
    for column in ("voice", "mode", "speaker", "proposition", "stance", "note"):
        out[column] = table[column].to_numpy()
    credited = [_credited(claim, row) for (_, claim), (_, row) in zip(claims.iterrows(), table.iterrows())]
    out["credit"] = [voices.credit(claim, evidence.sources) for claim in credited]
    out["own_words"] = [voices.own_words(claim) for claim in credited]
    out["how"] = [_how(credit, voice) for credit, voice in zip(out["credit"], out["voice"])]
    out["proposition_label"] = [PROPOSITIONS[p].label for p in out["proposition"]]
    out["proposition_sentence"] = [PROPOSITIONS[p].sentence for p in out["proposition"]]
    out["stance_label"] = [STANCES[s].label for s in out["stance"]]
    out["symbol"] = [STANCES[s].symbol for s in out["stance"]]
    # Chart rows: who says the words and how (and, in the matrix, when), on separate label lines.
    out["line_label"] = out["voice"] + " | " + out["how"]
    out["row_label"] = out["line_label"] + " | " + out["stated"]
    placed = [
        dates.place_date(stated, evidence.sources.loc[source_id, "published"])
        for stated, source_id in zip(out["stated"], out["source_id"])
    ]
    out["placed"] = [p[0].isoformat() for p in placed]
    out["span_start"] = [p[1].isoformat() for p in placed]
    out["span_end"] = [p[2].isoformat() for p in placed]
    out["date_note"] = [p[3] for p in placed]
    return out


def _chronological(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows grouped by whose view they convey (speakers in order of first statement; ties: whose first
    statement comes first in the ledger), then by date, a speaker's own words before a reporter's version of them.

    Grouping by speaker keeps Rasmussen's statements at two dates, and the reporters' versions
    of them, side by side: that is where a change of view, and a change in the telling, shows.
    """
    first = frame.groupby("speaker")["placed"].min()
    at_first = frame[frame["placed"] == frame["speaker"].map(first)]
    ledger_position = at_first.groupby("speaker")["ledger_row"].min()
    return frame.assign(
        _first=frame["speaker"].map(first), _tie=frame["speaker"].map(ledger_position), _relayed=~frame["own_words"]
    ).sort_values(["_first", "_tie", "placed", "_relayed", "ledger_row"], kind="stable")


def row_order(frame: pd.DataFrame) -> list[str]:
    """Matrix rows (who says the words, how, and when), in the order of :func:`_chronological`."""
    return list(dict.fromkeys(_chronological(frame)["row_label"]))


def line_order(frame: pd.DataFrame) -> list[str]:
    """Timeline rows (who says the words, and how), in the order of :func:`_chronological`."""
    return list(dict.fromkeys(_chronological(frame)["line_label"]))


# --- charts --------------------------------------------------------------------------------------


def _stance_scale() -> alt.Scale:
    return alt.Scale(domain=[s.label for s in STANCES.values()], range=[s.colour for s in STANCES.values()])


def _tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("credit:N", title="Whose words"),
        alt.Tooltip("speaker:N", title="Whose view"),
        alt.Tooltip("stated:N", title="Date stated"),
        alt.Tooltip("proposition_sentence:N", title="Proposition"),
        alt.Tooltip("stance_label:N", title="Stance (book's coding)"),
        alt.Tooltip("quote_shown:N", title="Quote (the words in the source)"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("note:N", title="Why coded so"),
    ]


def _sources_line(frame: pd.DataFrame, evidence: Evidence) -> str:
    names = [short_name(evidence.sources.loc[s]) for s in dict.fromkeys(frame.sort_values("placed")["source_id"])]
    return "; ".join(names) + ". Stances coded by the book"


# Axis labels split on " | " into lines: who says the words, how, and (matrix) the date.
_LINES = "split(datum.label, ' | ')"


def matrix_chart(evidence: Evidence) -> charts.Figure:
    """The positions matrix: propositions across, one row per voice, mode and date, one coloured cell per position."""
    frame = positions(evidence)
    rows = row_order(frame)
    columns = [p.label for p in PROPOSITIONS.values()]
    x = alt.X(
        "proposition_label:N",
        sort=columns,
        scale=alt.Scale(domain=columns),
        title="Proposition",
        axis=alt.Axis(orient="top", labelAngle=-35, labelAlign="left", grid=True, bandPosition=0, ticks=False),
    )
    y = alt.Y(
        "row_label:N",
        sort=rows,
        scale=alt.Scale(domain=rows),
        title=None,
        axis=alt.Axis(grid=True, bandPosition=0, ticks=False, labelLimit=300, labelLineHeight=12, labelOffset=-12,
                      labelFontSize=10, labelExpr=_LINES),
    )
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=_tooltip())
    cells = base.mark_square(size=620, opacity=1).encode(
        color=alt.Color("stance_label:N", scale=_stance_scale(), title="Stance (book's coding)")
    )
    symbols = base.mark_text(fontSize=15, fontWeight="bold", color=charts.PALETTE[7]).encode(text="symbol:N")
    # Extra room on the right: the last slanted proposition label runs past the plot.
    chart = (cells + symbols).properties(
        width=len(columns) * 40, height=len(rows) * 42, padding={"left": 8, "top": 8, "bottom": 8, "right": 50}
    )
    data = matrix_frame(frame, rows)
    alt_text = (
        f"A grid of {len(rows)} rows (who says the words, how, and when) by {len(columns)} propositions, with "
        f"{len(frame)} coded cells; each cell is coloured and marked by the stance the book reads in the quote. "
        "A reporter's paraphrase of a speaker has its own row, apart from the speaker's own words. "
        "The same data is in the table under the chart."
    )
    return charts.Figure(
        charts.titled(chart, "Who takes which position, in whose words", _sources_line(frame, evidence)),
        alt_text,
        data,
        "expert-positions-matrix",
    )


def timeline_chart(evidence: Evidence) -> charts.Figure:
    """Statements on a time axis, one row per voice and mode; a partial date is a point at its midpoint plus its span."""
    frame = positions(evidence)
    lines = line_order(frame)
    shapes = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "triangle-right"]
    labels = [p.label for p in PROPOSITIONS.values()]
    y_axis = alt.Axis(grid=True, bandPosition=0, ticks=False, labelLimit=300, labelLineHeight=12, labelOffset=-6,
                      labelFontSize=10, labelExpr=_LINES)
    y = alt.Y("line_label:N", sort=lines, scale=alt.Scale(domain=lines), title=None, axis=y_axis)
    x_scale = alt.Scale(domain=[_month_before(frame["span_start"].min()), _month_after(frame["span_end"].max())])
    x = alt.X("placed:T", title="Date of statement (partial dates at their midpoint)", scale=x_scale,
              axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    spans = frame[frame["span_start"] != frame["span_end"]].drop_duplicates(["line_label", "span_start", "span_end"])
    span_rules = (
        alt.Chart(spans)
        .mark_rule(strokeWidth=3, opacity=0.25, color=charts.PALETTE[7])
        .encode(
            x=alt.X("span_start:T", scale=x_scale),
            x2="span_end:T",
            y=alt.Y("line_label:N", sort=lines, scale=alt.Scale(domain=lines), axis=y_axis),
            tooltip=[alt.Tooltip("credit:N", title="Whose words"), alt.Tooltip("stated:N", title="Date as stated"),
                     alt.Tooltip("date_note:N", title="How it is placed")],
        )
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=100, opacity=0.9, stroke=charts.PALETTE[7], strokeWidth=0.6)
        .encode(
            x=x,
            y=y,
            yOffset=alt.YOffset("proposition_label:N", sort=labels, scale=alt.Scale(domain=labels, paddingOuter=1)),
            color=alt.Color("stance_label:N", scale=_stance_scale(), title="Stance (book's coding)"),
            shape=alt.Shape("proposition_label:N", sort=labels, scale=alt.Scale(domain=labels, range=shapes),
                            title="Proposition"),
            tooltip=_tooltip()[:5] + [alt.Tooltip("date_note:N", title="Date placed")] + _tooltip()[5:],
        )
    )
    chart = (span_rules + points).properties(width=330, height=len(lines) * 48)
    data = timeline_frame(frame)
    speakers = frame["speaker"]
    rasmussen = frame[speakers == RASMUSSEN]
    alt_text = (
        f"A timeline of {len(frame)} coded statements in {len(lines)} rows (who says the words, and how) from "
        f"{frame['stated'].min()} to {frame['stated'].max()}; partial dates are drawn at the middle of the month "
        f"or year they stand for, with a faint bar across that span. Rasmussen's views appear in "
        f"{rasmussen['line_label'].nunique()} rows: his own words and the reporters' versions of them, in May and July 2017."
    )
    return charts.Figure(
        charts.titled(chart, "When each position was stated, and in whose words", _sources_line(frame, evidence)),
        alt_text,
        data,
        "expert-positions-timeline",
    )


def _month_before(iso: str) -> str:
    """The first day of the month before ``iso`` (the timeline's left edge)."""
    return dates.month_date(dates.month(iso) - 1).date().isoformat()


def _month_after(iso: str) -> str:
    """The 28th of the month after ``iso`` (the timeline's right edge)."""
    return (dates.month_date(dates.month(iso) + 1).date() + timedelta(days=27)).isoformat()


# --- tables --------------------------------------------------------------------------------------


def matrix_frame(frame: pd.DataFrame, rows: list[str] | None = None) -> pd.DataFrame:
    """The positions matrix as a long table: one line per coded cell, in matrix order, with its quote."""
    rows = rows or row_order(frame)
    ordered = frame.assign(
        _row=frame["row_label"].map({r: i for i, r in enumerate(rows)}),
        _col=frame["proposition"].map({p: i for i, p in enumerate(PROPOSITIONS)}),
    ).sort_values(["_row", "_col"])
    return pd.DataFrame(
        {
            "Whose words": ordered["credit"],
            "Whose view": ordered["speaker"],
            "Date stated": ordered["stated"],
            "Proposition": ordered["proposition_label"],
            "Stance (book's coding)": ordered["stance_label"],
            "Quote": ordered["quote_shown"],
            "Source": ordered["source"],
            "Claim": ordered["claim_id"],
        }
    ).reset_index(drop=True)


def matrix_table(evidence: Evidence) -> Table:
    """Table form of the positions matrix (whose words, proposition, stance, quote), narrow enough for the page.

    The chart's data table (:func:`matrix_frame`, also offered as CSV) adds whose view and the claim ids.
    """
    frame = matrix_frame(positions(evidence))
    compact = pd.DataFrame(
        {
            "Whose words, date": frame["Whose words"] + ", " + frame["Date stated"],
            "Proposition": frame["Proposition"],
            "Stance (book's coding)": frame["Stance (book's coding)"],
            "Quote": frame["Quote"],
            "Source": frame["Source"],
        }
    )
    return Table(compact, "Table 4.2. Positions by voice and proposition, with the quote each rests on and whose words it is")


def timeline_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The data behind the timeline: each statement's date as stated and where it is drawn."""
    ordered = frame.sort_values(["placed", "ledger_row"])
    return pd.DataFrame(
        {
            "Whose words": ordered["credit"],
            "Date as stated": ordered["stated"],
            "Drawn at": ordered["placed"],
            "How the date is placed": ordered["date_note"],
            "Proposition": ordered["proposition_label"],
            "Stance (book's coding)": ordered["stance_label"],
            "Quote": ordered["quote_shown"],
            "Source": ordered["source"],
        }
    ).reset_index(drop=True)


def propositions_table() -> Table:
    """The seven propositions and the four stances, as the book words them."""
    frame = pd.DataFrame(
        {
            "Id": list(PROPOSITIONS),
            "Short label": [p.label for p in PROPOSITIONS.values()],
            "Proposition (the book's wording)": [p.sentence for p in PROPOSITIONS.values()],
        }
    )
    return Table(frame, "Table 4.1. The contested propositions the positions are coded against")


def stances_text() -> str:
    """The stance categories in one sentence, for the coding section."""
    return "; ".join(f"{s.symbol} {s.label.lower()}: {s.meaning}" for s in STANCES.values())


def stance_counts(evidence: Evidence) -> pd.DataFrame:
    """Coded positions per proposition (rows) and stance (columns), propositions in chapter order.

    ``speakers`` counts whose views are coded on the proposition (a speaker's own words and a
    reporter's version of them count once); ``own_words`` counts the positions in the words of
    the one whose view they are.
    """
    frame = positions(evidence)
    table = pd.crosstab(frame["proposition"], frame["stance"])
    table = table.reindex(index=list(PROPOSITIONS), columns=list(STANCES), fill_value=0)
    table["speakers"] = frame.groupby("proposition")["speaker"].nunique().reindex(list(PROPOSITIONS), fill_value=0)
    table["own_words"] = frame[frame["own_words"]].groupby("proposition").size().reindex(list(PROPOSITIONS), fill_value=0)
    return table


def change_of_view(evidence: Evidence) -> pd.DataFrame:
    """Each speaker coded at more than one date: the positions date by date, with how each stance moved.

    One row per position of such a speaker, so a speaker's own words and a reporter's version of
    them at the same date are two rows, each credited. "Change" compares a row's stance with the
    stances coded for the same speaker and proposition at the speaker's previous date: it
    compares stances, not wording.
    """
    frame = positions(evidence)
    dates_per_speaker = frame.groupby("speaker")["placed"].nunique()
    several = _chronological(frame[frame["speaker"].map(dates_per_speaker) > 1])
    rows = []
    for speaker in dict.fromkeys(several["speaker"]):
        group = several[several["speaker"] == speaker]
        when = sorted(group["placed"].unique())
        for proposition, wording in PROPOSITIONS.items():
            previous: list[str] = []  # stances coded at the speaker's previous date, if any
            for index, placed in enumerate(when):
                matches = group[(group["placed"] == placed) & (group["proposition"] == proposition)]
                for _, row in matches.iterrows():
                    rows.append(
                        {
                            "Speaker": speaker,
                            "Proposition": wording.label,
                            "Date": row["stated"],
                            "Whose words": row["credit"],
                            "Stance (book's coding)": row["stance_label"],
                            "Quote": row["quote_shown"],
                            "Change": _change(previous, row["stance_label"], index == 0),
                        }
                    )
                previous = list(dict.fromkeys(matches["stance_label"]))
    return pd.DataFrame(
        rows, columns=["Speaker", "Proposition", "Date", "Whose words", "Stance (book's coding)", "Quote", "Change"]
    )


def _change(previous: list[str], stance: str, first_date: bool) -> str:
    """How a stance compares with the stances coded for the same speaker and proposition at the previous date."""
    if first_date:
        return "first statement"
    if not previous:
        return "new: no statement coded at the earlier date"
    if previous == [stance]:
        return f"unchanged ({stance.lower()})"
    return f"changed: {' / '.join(s.lower() for s in previous)} → {stance.lower()}"


def change_table(evidence: Evidence) -> Table:
    """The change-of-view table, captioned with the speaker(s) and dates it covers."""
    frame = change_of_view(evidence)
    who = " and ".join(dict.fromkeys(frame["Speaker"]))
    when = " and ".join(sorted(dict.fromkeys(frame["Date"])))
    shown = frame.drop(columns=["Speaker"]) if frame["Speaker"].nunique() == 1 else frame
    return Table(shown, f"Table 4.3. One speaker at two dates, in his own words and in the reporters': {who}, {when}")


# --- disagreements in words ----------------------------------------------------------------------


@dataclass(frozen=True)
class Contrast:
    """Two ledger quotes that disagree in what they say, or in how firmly; the reading is the book's."""

    question: str
    kind: str
    claim_a: str
    claim_b: str
    reading: str


# Words in quotation marks in a reading are verbatim from the two claims' quotes (a test checks).
CONTRASTS: list[Contrast] = [
    Contrast(
        "Will ISIS fighters join al Qaeda?",
        "between sources",
        "pp-forecast-merger-possible",
        "tl-atlantic-some-may-join-al-qaida",
        "The policy paper keeps a merger open despite a “violently strained relationship”; TalkLeft's summary of "
        "The Atlantic expects only some to join, slowly, because “the rift between them is very deep”.",
    ),
    Contrast(
        "Will most foreign fighters stay and die?",
        "headline against the speaker's words",
        "dc-headline-fight-to-death",
        "dc-rasmussen-fight-to-death",
        "The headline credits its words to the NCTC head but drops his hedge: “Will Fight To The Death” where he "
        "says “potentially dying”.",
    ),
    Contrast(
        "Will most foreign fighters stay and die?",
        "reporter's words against the speaker's",
        "dc-rasmussen-stay-in-iraq-syria",
        "dc-rasmussen-fight-to-death",
        "The reporter's lede has “fight to the death” where Rasmussen's own words have “potentially dying”, and "
        "credits the view to “the intelligence community”.",
    ),
    Contrast(
        "How much did the view change?",
        "reporter's words against the speaker's",
        "dc-rasmussen-ic-changed-view-paraphrase",
        "dc-rasmussen-view-changed",
        "The reporter says the view “has changed”; Rasmussen says it “has changed a little bit”.",
    ),
    Contrast(
        "Is the worry about returning fighters new?",
        "headline against the report",
        "npr-headline-new-worry",
        "npr-position-initial-flood-concern",
        "The headline calls returning fighters “A New Worry”; the report says officials were “initially concerned” "
        "about a flood. The headline does not say what is new.",
    ),
    Contrast(
        "How far did arrivals fall?",
        "headline against the report",
        "intel-flow-headline-near-zero",
        "intel-flow-50-since-2016",
        "The headline says “near zero”; the report gives “a total of just 50 since the beginning of 2016”, "
        "which can be read as a total or as a monthly rate (see the figures below).",
    ),
]


def _said(evidence: Evidence, claim_id: str) -> str:
    """A quote with whose words it is and when, for a table cell."""
    claim = evidence.claim(claim_id)
    return f"“{claim['quote']}” ({voices.credit(claim, evidence.sources)}, {claim['stated']})"


def contrasts(evidence: Evidence) -> pd.DataFrame:
    """The disagreements in words: both sides quoted from the ledger, each credited, with the book's reading."""
    return pd.DataFrame(
        {
            "Question (kind of disagreement)": [f"{c.question} ({c.kind})" for c in CONTRASTS],
            "One side": [_said(evidence, c.claim_a) for c in CONTRASTS],
            "The other side": [_said(evidence, c.claim_b) for c in CONTRASTS],
            "What differs (the book's reading)": [c.reading for c in CONTRASTS],
            "Claims": [f"{c.claim_a}, {c.claim_b}" for c in CONTRASTS],
        }
    )


def contrasts_table(evidence: Evidence) -> Table:
    """The disagreements in words, captioned, without the claim ids (they are in the chart-free CSV of the ledger)."""
    return Table(
        contrasts(evidence).drop(columns=["Claims"]),
        "Table 4.4. Where the words disagree: two sources, or a headline or a reporter's words against the speaker's own",
    )


# --- numeric disagreements ---------------------------------------------------------------------

# The pairs the chapter compares: (what, claim A, claim B, chapter that discusses it). Claim ids only;
# the figures come from the ledger.
DISAGREEMENTS: list[tuple[str, str, str, str]] = [
    ("Foreign fighters who had gone to Syria and Iraq", "intel-stock-30000-people", "npr-stock-total", "flow-of-recruits"),
    ("Countries they came from", "intel-stock-90-countries", "npr-stock-countries", "flow-of-recruits"),
    ("Arrivals in 2016", "pp-flow-mid-2016", "intel-flow-50-since-2016", "decline-in-arrivals"),
]

# Totals whose words also allow a reading as a monthly rate: claim id -> why (verbatim words in quotes).
RATE_READINGS: dict[str, str] = {
    "intel-flow-50-since-2016": (
        "a garbled monthly rate: the inflow has “trickled down to” it, in a post that counts earlier arrivals "
        "“each month”"
    ),
}


# Totals that may count only what was known, so that they are a floor: claim id -> the reading.
FLOOR_READINGS: dict[str, str] = {
    "intel-flow-50-since-2016": "a count of only the recruits the assessments could identify",
}


def readings_of_total(claim: pd.Series) -> list[tuple[str, float]]:
    """The plausible readings of a total over a period, as (reading, monthly figure).

    Always the total spread over the period's months under the month rule (the book's
    arithmetic); for a claim in :data:`RATE_READINGS`, also the figure itself as a monthly rate.
    """
    if claim["unit"] != "people" or not claim["period_start"] or not claim["period_end"]:
        raise ValueError(f"claim '{claim['claim_id']}' is not a total over a stated period")
    months = dates.months_between(claim["period_start"], claim["period_end"])
    per_month = dates.per_month(claim["value"], claim["period_start"], claim["period_end"])
    out = [(f"a total over the {months} months from {claim['period_start']} to the report in {claim['period_end']}", per_month)]
    if claim["claim_id"] in RATE_READINGS:
        out.append((RATE_READINGS[claim["claim_id"]], float(claim["value"])))
    return out


def _total_against_rate(total: pd.Series, rate: pd.Series) -> str:
    readings = readings_of_total(total)
    text = f"Not the same measure as stated: {hedges.describe(total)} against a monthly rate of {hedges.describe(rate)}. "
    worded = [f"{how} (about {hedges.number(round(monthly))} a month)" for how, monthly in readings]
    if len(readings) > 1:
        text += f"The {hedges.describe(total)} can be read {_COUNT_WORDS.get(len(readings), len(readings))} ways: "
        text += "; or ".join(worded) + ". "
    else:
        text += f"Read as {worded[0]}. "
    ceiling = hedges.figure(rate)
    if hedges.QUALIFIERS[rate["qualifier"]].bound == "upper" and all(m < ceiling for _, m in readings):
        either = "Under either reading" if len(readings) > 1 else "Either way"
        text += f"{either}, the monthly figure is below the ceiling the other figure sets ({hedges.describe(rate)}). "
    if total["claim_id"] in FLOOR_READINGS:
        text += (f"A further, less likely reading, {FLOOR_READINGS[total['claim_id']]}, makes it a floor, "
                 "which no ceiling can be compared with. ")
    return text + "Monthly figures are the book's arithmetic; no difference or ratio is computed."


_COUNT_WORDS = {2: "two", 3: "three"}


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def reading(a: pd.Series, b: pd.Series) -> str:
    """How far apart two figures are, in words that respect their hedges, units and reference dates.

    Which way a hedge moves the true gap is :func:`evidence.hedges.direction`, the book's one bound rule.
    """
    if a["unit"] != b["unit"]:
        if {a["unit"], b["unit"]} == {"people", "people-per-month"}:
            total, rate = (a, b) if a["unit"] == "people" else (b, a)
            if total["period_start"] and total["period_end"]:
                return _total_against_rate(total, rate)
        return "Not the same measure; no difference or ratio is computed."
    gap = hedges.figure(b) - hedges.figure(a)
    text = f"{hedges.describe(b)} against {hedges.describe(a)}: B is {hedges.number(abs(gap))} {'higher' if gap > 0 else 'lower'}"
    bounded = [
        f"{name} is {_a(hedges.QUALIFIERS[c['qualifier']].kind)}"
        for c, name in ((a, "A"), (b, "B"))
        if hedges.QUALIFIERS[c["qualifier"]].bound in ("lower", "upper")
    ]
    if bounded and gap:
        way = hedges.direction([b["qualifier"]], [a["qualifier"]])  # where the true B - A lies
        if way == "not bounded":
            text += f"; {' and '.join(bounded)}, so the true gap could be larger or smaller"
        else:
            wider = way.startswith("at least") == (gap > 0)
            about = " about" if way.endswith("about") else ""
            text += f"; {' and '.join(bounded)}, so the true gap is {'at least' if wider else 'at most'}{about} that"
    dates_a = a["period_end"] or a["stated"]
    dates_b = b["period_end"] or b["stated"]
    if dates_a != dates_b:
        text += f"; the figures refer to different dates ({dates_a} and {dates_b})"
    return text + "."


def disagreements(evidence: Evidence) -> pd.DataFrame:
    """The numeric disagreements: book.comparison's side-by-side table, plus a reading of each gap.

    (book.comparison leaves difference and ratio blank where the units differ.)
    """
    frame = book.comparison(evidence, [(what, a, b) for what, a, b, _ in DISAGREEMENTS])
    frame["Book's reading"] = [reading(evidence.claim(a), evidence.claim(b)) for _, a, b, _ in DISAGREEMENTS]
    frame["Discussed in"] = [chapter for *_, chapter in DISAGREEMENTS]
    return frame


def disagreements_table(evidence: Evidence) -> Table:
    """The numeric disagreements table, captioned; figure and source merged so it fits the page.

    The chapter that discusses each pair (``Discussed in`` of :func:`disagreements`) is linked
    from the prose, where a cross-reference can resolve.
    """
    frame = disagreements(evidence)
    gaps = [
        f"B − A: {d}; B/A: {r}" if d else "not computed"
        for d, r in zip(frame["B minus A"], frame["Ratio B/A"])
    ]
    compact = pd.DataFrame(
        {
            "Quantity": frame["Quantity"],
            "Figure A (whose words, when, where reported)": frame["Figure A"] + ": " + frame["Source A"],
            "Figure B (whose words, when, where reported)": frame["Figure B"] + ": " + frame["Source B"],
            "Gap": gaps,
            "Book's reading": frame["Book's reading"],
        }
    )
    return Table(compact, "Table 4.5. Where the sources' figures differ: side by side, with the gap")


# --- numbers for the prose ---------------------------------------------------------------------

RASMUSSEN = "Nicholas Rasmussen (NCTC)"

# The two statements whose dates the prose compares: Rasmussen in May (NPR) and July 2017 (Daily Caller).
RASMUSSEN_PAIR = ("npr-rasmussen-leaving-will-increase", "dc-rasmussen-fight-to-death")


def figures(evidence: Evidence) -> dict[str, object]:
    """Counts and computed numbers the chapter's prose quotes (each glued under its key)."""
    frame = positions(evidence)
    counts = stance_counts(evidence)
    relayed = frame[~frame["own_words"]]
    in_own_voice = frame["mode"].isin(["narration", "headline"])
    defeat = frame[frame["proposition"] == "military-defeat-not-end"]
    fifty = evidence.claim("intel-flow-50-since-2016")
    readings = readings_of_total(fifty)
    out: dict[str, object] = {
        "n_positions": len(frame),
        "n_speakers": frame["speaker"].nunique(),
        "n_voices": frame["voice"].nunique(),
        "n_propositions": len(PROPOSITIONS),
        "n_sources": frame["source_id"].nunique(),
        "n_rows": len(row_order(frame)),
        "n_in_own_voice": int(in_own_voice.sum()),
        "n_quoted": int((frame["mode"] == "direct-quotation").sum()),
        "n_relayed": len(relayed),
        "n_relaying_voices": relayed["voice"].nunique(),
        "n_multi_date_speakers": int(change_of_view(evidence)["Speaker"].nunique()),
        "n_defeat_supports": int(counts.loc["military-defeat-not-end", "supports"]),
        "n_defeat_speakers": int(counts.loc["military-defeat-not-end", "speakers"]),
        "n_defeat_own_words": int(counts.loc["military-defeat-not-end", "own_words"]),
        "n_defeat_opposes": int(counts.loc["military-defeat-not-end", "opposes"]),
        "n_defeat_sources": defeat["source_id"].nunique(),
        "n_defeat_silent": len(set(evidence.sources.index) - set(defeat["source_id"])),
        "n_stay_speakers": int(counts.loc["most-will-stay", "speakers"]),
        "n_stay_stances": int((counts.loc["most-will-stay", list(STANCES)] > 0).sum()),
        "n_qualified": int(counts["qualified"].sum()),
        "n_opposes": int(counts["opposes"].sum()),
        "n_aq_speakers": int(counts.loc["al-qaeda-beneficiary", "speakers"]),
        "n_help_speakers": int(counts.loc["returnees-can-help", "speakers"]),
        "months_50": dates.months_between(fifty["period_start"], fifty["period_end"]),
        "avg_50": hedges.number(round(readings[0][1])),
        "rate_50": hedges.number(readings[-1][1]),
        "n_readings_50": len(readings),
        "stance_legend": stances_text(),
    }
    stock_a, stock_b = evidence.claim("intel-stock-30000-people"), evidence.claim("npr-stock-total")
    out["stock_gap"] = hedges.number(hedges.figure(stock_b) - hedges.figure(stock_a))
    remaining = evidence.claim("pp-remaining-10000-30000")
    out["remaining_ratio"] = hedges.number(remaining["upper"] / remaining["lower"])
    may, july = (date.fromisoformat(evidence.claim(c)["stated"]) for c in RASMUSSEN_PAIR)
    out["weeks_apart"] = (july - may).days // 7
    per_speaker = frame.groupby("speaker")["proposition"].nunique()
    out["n_speakers_under_half"] = int((per_speaker < len(PROPOSITIONS) / 2).sum())
    qualified = frame[frame["stance"] == "qualified"].groupby("speaker").size().sort_values(ascending=False, kind="stable")
    out["n_qualified_top2"] = int(qualified.iloc[:2].sum())  # the prose names the two speakers; a test checks them
    return out


def glue_figures(evidence: Evidence) -> None:
    """Glue :func:`figures` for ``{glue:text}`` in the prose."""
    from myst_nb import glue

    for name, value in figures(evidence).items():
        glue(name, value, display=False)
