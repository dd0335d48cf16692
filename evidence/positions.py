"""Expert disagreement: who takes which position, when, on which contested question.

The sources answer a handful of recurring questions in different ways: will most
foreign fighters stay in Syria and Iraq or flow back; does the quality of returnees
matter more than their number; is the threat easing or changing shape; does the
military defeat of ISIS end it; does al Qaeda gain; can returnees help. This module
turns the hand-coded table ``data/positions.csv`` (one row per voice, proposition and
date, each resting on one ledger quote) into the positions matrix, the timeline of
statements, the change-of-view table and the numeric disagreements table.

Two things are kept apart throughout, because a reader has to weigh them differently:

- what a source says: the quote, the speaker and the date all come from the ledger
  (``data/claims.csv``), never from ``positions.csv``;
- what the book infers: the proposition a quote bears on, the stance it takes and how
  the source carries the voice (its own words, a quotation, a summary) are the book's
  coding, explained row by row in the ``note`` column.

The date of a position is the ``stated`` date of its claim. Many are partial (a month
or only a year); :func:`place_date` decides where such a date is drawn on a time axis,
and every chart's data table says when a date was placed rather than given.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd

from evidence import book, charts
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
    """How a voice stands on a proposition: its label, its colour and a symbol, so colour is never the only cue."""

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

RELATIONS: dict[str, str] = {
    "own-voice": "the source's own words",
    "quoted": "quoted by",
    "summarised": "summarised by",
}

PLACED_NOTE = {
    "day": "full date given",
    "month": "month only: placed at mid-month",
    "year": "year only: placed at mid-year",
}


class PositionsError(ValueError):
    """positions.csv disagrees with the ledger; the message names the row and the field."""


# --- dates --------------------------------------------------------------------------------------


def date_span(stated: str) -> tuple[date, date, str]:
    """First and last day an ISO date (possibly partial: 'YYYY' or 'YYYY-MM') can stand for, and its precision."""
    parts = [int(p) for p in stated.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day, "day"
    if len(parts) == 2:
        year, month = parts
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month"
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


# --- the coded table, joined to the ledger ------------------------------------------------------


def positions(evidence: Evidence) -> pd.DataFrame:
    """positions.csv joined to each row's claim (quote, speaker, date, source), with display columns.

    Raises :class:`PositionsError` when a row's voice is not its claim's speaker: the voice
    must be who the *ledger* says is speaking, so a coding error cannot re-attribute a quote.
    """
    table = evidence.tables["positions"]
    problems = []
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        speaker = evidence.claim(row.claim_id)["speaker"]
        if row.voice != speaker:
            problems.append(
                f"data/positions.csv, row {row_number} (position_id '{row.position_id}'), field 'voice': "
                f"'{row.voice}' is not the speaker of claim '{row.claim_id}' ('{speaker}')"
            )
        if row.proposition not in PROPOSITIONS:
            problems.append(
                f"data/positions.csv, row {row_number} (position_id '{row.position_id}'), field 'proposition': "
                f"'{row.proposition}' has no wording in evidence/positions.py PROPOSITIONS"
            )
    if problems:
        raise PositionsError("\n".join(problems))

    claims = evidence.claims.loc[table["claim_id"]].reset_index(drop=True)
    out = book.provenance(evidence, claims)
    out["ledger_row"] = [evidence.claims.index.get_loc(c) for c in table["claim_id"]]
    out.insert(0, "position_id", table["position_id"].to_numpy())
    for column in ("voice", "proposition", "stance", "relation", "note"):
        out[column] = table[column].to_numpy()
    out["proposition_label"] = [PROPOSITIONS[p].label for p in out["proposition"]]
    out["proposition_sentence"] = [PROPOSITIONS[p].sentence for p in out["proposition"]]
    out["stance_label"] = [STANCES[s].label for s in out["stance"]]
    out["symbol"] = [STANCES[s].symbol for s in out["stance"]]
    out["carried"] = [
        _carried(relation, source) for relation, source in zip(out["relation"], out["source"])
    ]
    out["row_label"] = out["voice"] + ", " + out["stated"]
    placed = [
        place_date(stated, evidence.sources.loc[source_id, "published"])
        for stated, source_id in zip(out["stated"], out["source_id"])
    ]
    out["placed"] = [p[0].isoformat() for p in placed]
    out["span_start"] = [p[1].isoformat() for p in placed]
    out["span_end"] = [p[2].isoformat() for p in placed]
    out["date_note"] = [p[3] for p in placed]
    return out


def _carried(relation: str, source: str) -> str:
    """How the source carries the voice, in words: e.g. 'quoted by NPR (2017-05-04)'."""
    if relation == "own-voice":
        return f"{source}, in its own words"
    return f"{RELATIONS[relation]} {source}"


def _chronological(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by their voice's first statement (ties: the voice's first claim in the ledger), then by date.

    Grouping by voice keeps a voice's statements at two dates side by side, which is
    where a change of view shows.
    """
    first = frame.groupby("voice")["placed"].min()
    ledger_position = frame.groupby("voice")["ledger_row"].min()
    return frame.assign(
        _first=frame["voice"].map(first), _tie=frame["voice"].map(ledger_position)
    ).sort_values(["_first", "_tie", "placed"], kind="stable")


def row_order(frame: pd.DataFrame) -> list[str]:
    """Matrix rows (a voice at one date), voices in order of first statement, each voice's dates together."""
    return list(dict.fromkeys(_chronological(frame)["row_label"]))


def voice_order(frame: pd.DataFrame) -> list[str]:
    """Voices in order of first statement."""
    return list(dict.fromkeys(_chronological(frame)["voice"]))


# --- charts --------------------------------------------------------------------------------------


def _stance_scale() -> alt.Scale:
    return alt.Scale(domain=[s.label for s in STANCES.values()], range=[s.colour for s in STANCES.values()])


def _tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("voice:N", title="Voice"),
        alt.Tooltip("stated:N", title="Date stated"),
        alt.Tooltip("proposition_sentence:N", title="Proposition"),
        alt.Tooltip("stance_label:N", title="Stance (book's coding)"),
        alt.Tooltip("quote_shown:N", title="Quote"),
        alt.Tooltip("carried:N", title="Source"),
        alt.Tooltip("note:N", title="Why coded so"),
    ]


def _sources_line(frame: pd.DataFrame, evidence: Evidence) -> str:
    names = [short_name(evidence.sources.loc[s]) for s in dict.fromkeys(frame.sort_values("placed")["source_id"])]
    return "; ".join(names) + ". Stances coded by the book"



def matrix_chart(evidence: Evidence) -> charts.Figure:
    """The positions matrix: voices (by date) across, propositions down, one coloured cell per coded position."""
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
    # Axis labels on two lines (voice, then date) keep the chart within the page width.
    y = alt.Y(
        "row_label:N",
        sort=rows,
        scale=alt.Scale(domain=rows),
        title=None,
        axis=alt.Axis(
            grid=True, bandPosition=0, ticks=False, labelLimit=300, labelLineHeight=13, labelOffset=-6,
            labelExpr="[slice(datum.label, 0, lastindexof(datum.label, ', ')), slice(datum.label, lastindexof(datum.label, ', ') + 2)]",
        ),
    )
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=_tooltip())
    cells = base.mark_square(size=620, opacity=1).encode(
        color=alt.Color("stance_label:N", scale=_stance_scale(), title="Stance (book's coding)")
    )
    symbols = base.mark_text(fontSize=15, fontWeight="bold", color=charts.PALETTE[7]).encode(text="symbol:N")
    # Extra room on the right: the last slanted proposition label runs past the plot.
    chart = (cells + symbols).properties(
        width=len(columns) * 44, height=len(rows) * 36, padding={"left": 8, "top": 8, "bottom": 8, "right": 50}
    )
    data = matrix_frame(frame, rows)
    alt_text = (
        f"A grid of {len(rows)} rows (a voice at one date) by {len(columns)} propositions, with "
        f"{len(frame)} coded cells; each cell is coloured and marked by the stance the book reads in the quote. "
        "The same data is in the table under the chart."
    )
    return charts.Figure(
        charts.titled(chart, "Who takes which position", _sources_line(frame, evidence)),
        alt_text,
        data,
        "expert-positions-matrix",
    )


def timeline_chart(evidence: Evidence) -> charts.Figure:
    """Statements on a time axis, one row per voice; a partial date is a point at its midpoint plus its span."""
    frame = positions(evidence)
    voices = voice_order(frame)
    shapes = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "triangle-right"]
    labels = [p.label for p in PROPOSITIONS.values()]
    y = alt.Y("voice:N", sort=voices, scale=alt.Scale(domain=voices), title=None,
              axis=alt.Axis(grid=True, bandPosition=0, ticks=False))
    x_scale = alt.Scale(domain=[_month_before(frame["span_start"].min()), _month_after(frame["span_end"].max())])
    x = alt.X("placed:T", title="Date of statement (partial dates at their midpoint)", scale=x_scale,
              axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    spans = frame[frame["span_start"] != frame["span_end"]].drop_duplicates(["voice", "span_start", "span_end"])
    span_rules = (
        alt.Chart(spans)
        .mark_rule(strokeWidth=3, opacity=0.25, color=charts.PALETTE[7])
        .encode(
            x=alt.X("span_start:T", scale=x_scale),
            x2="span_end:T",
            y=alt.Y("voice:N", sort=voices, scale=alt.Scale(domain=voices)),
            tooltip=[alt.Tooltip("voice:N", title="Voice"), alt.Tooltip("stated:N", title="Date as stated"),
                     alt.Tooltip("date_note:N", title="How it is placed")],
        )
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=110, opacity=0.9, stroke=charts.PALETTE[7], strokeWidth=0.6)
        .encode(
            x=x,
            y=y,
            yOffset=alt.YOffset("proposition_label:N", sort=labels, scale=alt.Scale(domain=labels, paddingOuter=0.6)),
            color=alt.Color("stance_label:N", scale=_stance_scale(), title="Stance (book's coding)"),
            shape=alt.Shape("proposition_label:N", sort=labels, scale=alt.Scale(domain=labels, range=shapes),
                            title="Proposition"),
            tooltip=_tooltip()[:4] + [alt.Tooltip("date_note:N", title="Date placed")] + _tooltip()[4:],
        )
    )
    chart = (span_rules + points).properties(width=400, height=len(voices) * 58)
    data = timeline_frame(frame)
    alt_text = (
        f"A timeline of {len(frame)} coded statements by {len(voices)} voices from "
        f"{frame['stated'].min()} to {frame['stated'].max()}; partial dates are drawn at the middle of the month "
        "or year they stand for, with a faint bar across that span. Rasmussen's row has statements in May and July 2017."
    )
    return charts.Figure(
        charts.titled(chart, "When each position was stated", _sources_line(frame, evidence)),
        alt_text,
        data,
        "expert-positions-timeline",
    )


def _month_before(iso: str) -> str:
    day = date.fromisoformat(iso)
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1).isoformat()


def _month_after(iso: str) -> str:
    day = date.fromisoformat(iso)
    return date(day.year + (day.month == 12), day.month % 12 + 1, 28).isoformat()


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
            "Voice": ordered["voice"],
            "Date stated": ordered["stated"],
            "Proposition": ordered["proposition_label"],
            "Stance (book's coding)": ordered["stance_label"],
            "Quote": ordered["quote_shown"],
            "Source": ordered["carried"],
            "Claim": ordered["claim_id"],
        }
    ).reset_index(drop=True)


def matrix_table(evidence: Evidence) -> Table:
    """Table form of the positions matrix (voice, proposition, stance, quote), narrow enough for the page.

    The chart's data table (:func:`matrix_frame`, also offered as CSV) adds the claim ids.
    """
    frame = matrix_frame(positions(evidence))
    compact = pd.DataFrame(
        {
            "Voice, date": frame["Voice"] + ", " + frame["Date stated"],
            "Proposition": frame["Proposition"],
            "Stance (book's coding)": frame["Stance (book's coding)"],
            "Quote": frame["Quote"],
            "Source": frame["Source"],
        }
    )
    return Table(compact, "Table 4.2. Positions by voice and proposition, with the quote each rests on")


def timeline_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The data behind the timeline: each statement's date as stated and where it is drawn."""
    ordered = frame.sort_values(["placed", "voice"])
    return pd.DataFrame(
        {
            "Voice": ordered["voice"],
            "Date as stated": ordered["stated"],
            "Drawn at": ordered["placed"],
            "How the date is placed": ordered["date_note"],
            "Proposition": ordered["proposition_label"],
            "Stance (book's coding)": ordered["stance_label"],
            "Quote": ordered["quote_shown"],
            "Source": ordered["carried"],
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
    """Coded positions per proposition (rows) and stance (columns), propositions in chapter order."""
    frame = positions(evidence)
    table = pd.crosstab(frame["proposition"], frame["stance"])
    table = table.reindex(index=list(PROPOSITIONS), columns=list(STANCES), fill_value=0)
    table["voices"] = frame.groupby("proposition")["voice"].nunique().reindex(list(PROPOSITIONS), fill_value=0)
    return table


def change_of_view(evidence: Evidence) -> pd.DataFrame:
    """Each voice coded at more than one date: its positions date by date, with how each stance moved.

    One row per (voice, proposition, date). "Change" compares a row with the same voice's
    position on the same proposition at its previous date: it compares stances, not wording.
    """
    frame = positions(evidence)
    dates_per_voice = frame.groupby("voice")["placed"].nunique()
    several = frame[frame["voice"].map(dates_per_voice) > 1]
    rows = []
    for voice in voice_order(several):
        group = several[several["voice"] == voice]
        dates = sorted(group["placed"].unique())
        for proposition, wording in PROPOSITIONS.items():
            previous = None  # this proposition's row at the voice's previous date, if coded there
            for placed in dates:
                match = group[(group["placed"] == placed) & (group["proposition"] == proposition)]
                if match.empty:
                    previous = None
                    continue
                row = match.iloc[0]
                rows.append(
                    {
                        "Voice": voice,
                        "Proposition": wording.label,
                        "Date": row["stated"],
                        "Source": row["carried"],
                        "Stance (book's coding)": row["stance_label"],
                        "Quote": row["quote_shown"],
                        "Change": _change(previous, row, placed == dates[0]),
                    }
                )
                previous = row
    return pd.DataFrame(
        rows, columns=["Voice", "Proposition", "Date", "Source", "Stance (book's coding)", "Quote", "Change"]
    )


def _change(previous: pd.Series | None, row: pd.Series, first_date: bool) -> str:
    """How a stance compares with the same voice's stance on the same proposition at an earlier date."""
    if first_date:
        return "first statement"
    if previous is None:
        return "new: no statement coded at the earlier date"
    a, b = previous["stance_label"].lower(), row["stance_label"].lower()
    return f"unchanged ({a})" if a == b else f"changed: {a} → {b}"


def change_table(evidence: Evidence) -> Table:
    """The change-of-view table, captioned with the voice(s) and dates it covers."""
    frame = change_of_view(evidence)
    who = " and ".join(dict.fromkeys(frame["Voice"]))
    dates = " and ".join(sorted(dict.fromkeys(frame["Date"])))
    shown = frame.drop(columns=["Voice"]) if frame["Voice"].nunique() == 1 else frame
    return Table(shown, f"Table 4.3. One voice at two dates: {who}, {dates}")


# --- numeric disagreements ---------------------------------------------------------------------

# The pairs the chapter compares: (what, claim A, claim B, chapter that discusses it). Claim ids only;
# the figures come from the ledger.
DISAGREEMENTS: list[tuple[str, str, str, str]] = [
    ("Foreign fighters who had gone to Syria and Iraq", "intel-stock-30000-people", "npr-stock-total", "flow-of-recruits"),
    ("Countries they came from", "intel-stock-90-countries", "npr-stock-countries", "flow-of-recruits"),
    ("Arrivals in 2016", "pp-flow-mid-2016", "intel-flow-50-since-2016", "decline-in-arrivals"),
]


def months_in(period_start: str, period_end: str) -> int:
    """Calendar months from the start month to the end month, both counted (2016-01 to 2016-09 is 9)."""
    start, _, _ = date_span(period_start)
    end, _, _ = date_span(period_end)
    return (end.year - start.year) * 12 + end.month - start.month + 1


def monthly_average(claim: pd.Series) -> float:
    """A total over a period as an average per month (the book's arithmetic, not a source's figure)."""
    if claim["unit"] != "people" or not claim["period_start"] or not claim["period_end"]:
        raise ValueError(f"claim '{claim['claim_id']}' is not a total over a stated period")
    return claim["value"] / months_in(claim["period_start"], claim["period_end"])


# How a hedge bounds the true value: "more than" is a lower bound; "fewer than", "nearly" and
# "up to" put the true value at or below the figure.
BOUND_WORDS = {"more-than": "a lower bound", "fewer-than": "an upper bound", "nearly": "an upper bound ('nearly')",
               "up-to": "an upper bound"}


def _hedge_effect(claim: pd.Series, name: str, gap: float) -> str | None:
    """Whether claim's hedge makes the true gap |B - A| larger or smaller than the printed one (None: no bound)."""
    if claim["qualifier"] not in BOUND_WORDS or gap == 0:
        return None
    true_is_higher = claim["qualifier"] == "more-than"
    # B above A: a higher true B, or a lower true A, widens the gap.
    widens = true_is_higher if (name == "B") == (gap > 0) else not true_is_higher
    return "larger" if widens else "smaller"


def reading(a: pd.Series, b: pd.Series) -> str:
    """How far apart two figures are, in words that respect their hedges, units and reference dates."""
    if a["unit"] != b["unit"]:
        total, rate = (a, b) if a["unit"] == "people" else (b, a)
        if {a["unit"], b["unit"]} == {"people", "people-per-month"} and total["period_start"] and total["period_end"]:
            months = months_in(total["period_start"], total["period_end"])
            return (
                f"Not the same measure: a total of {book.describe(total)} over {months} months "
                f"({total['period_start']} to {total['period_end']}) against a monthly rate of {book.describe(rate)}. "
                f"The total averages about {monthly_average(total):.0f} a month (the book's arithmetic); "
                "no difference or ratio is computed."
            )
        return "Not the same measure; no difference or ratio is computed."
    gap = b["value"] - a["value"]
    text = f"{book.describe(b)} against {book.describe(a)}: B is {book.number(abs(gap))} {'higher' if gap > 0 else 'lower'}"
    effects = {_hedge_effect(a, "A", gap), _hedge_effect(b, "B", gap)} - {None}
    hedged = [f"{name} is {BOUND_WORDS[c['qualifier']]}" for c, name in ((a, "A"), (b, "B")) if c["qualifier"] in BOUND_WORDS]
    if effects == {"larger"}:
        text += f"; {' and '.join(hedged)}, so the true gap is larger than that"
    elif effects == {"smaller"}:
        text += f"; {' and '.join(hedged)}, so the true gap is smaller than that"
    elif effects:
        text += f"; {' and '.join(hedged)}, so the true gap could be larger or smaller"
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
    readings, chapters = [], []
    for _, id_a, id_b, chapter in DISAGREEMENTS:
        a, b = evidence.claim(id_a), evidence.claim(id_b)
        readings.append(reading(a, b))
        chapters.append(chapter)
    frame["Book's reading"] = readings
    frame["Discussed in"] = chapters
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
            "Figure A (who, when, where reported)": frame["Figure A"] + ": " + frame["Source A"],
            "Figure B (who, when, where reported)": frame["Figure B"] + ": " + frame["Source B"],
            "Gap": gaps,
            "Book's reading": frame["Book's reading"],
        }
    )
    return Table(compact, "Table 4.4. Where the sources' figures differ: side by side, with the gap")


# --- numbers for the prose ---------------------------------------------------------------------


def figures(evidence: Evidence) -> dict[str, object]:
    """Counts and computed numbers the chapter's prose quotes (each glued under its key)."""
    frame = positions(evidence)
    counts = stance_counts(evidence)
    relayed = frame[frame["relation"] != "own-voice"]
    monthly = evidence.claim("intel-flow-50-since-2016")
    out: dict[str, object] = {
        "n_positions": len(frame),
        "n_voices": frame["voice"].nunique(),
        "n_propositions": len(PROPOSITIONS),
        "n_sources": frame["source_id"].nunique(),
        "n_rows": len(row_order(frame)),
        "n_relayed": len(relayed),
        "n_own": int((frame["relation"] == "own-voice").sum()),
        "n_relayed_voices": relayed["voice"].nunique(),
        "n_multi_date_voices": int(change_of_view(evidence)["Voice"].nunique()),
        "n_defeat_supports": int(counts.loc["military-defeat-not-end", "supports"]),
        "n_defeat_opposes": int(counts.loc["military-defeat-not-end", "opposes"]),
        "n_stay_voices": int(counts.loc["most-will-stay", "voices"]),
        "n_qualified": int(counts["qualified"].sum()),
        "n_opposes": int(counts["opposes"].sum()),
        "months_50": months_in(monthly["period_start"], monthly["period_end"]),
        "avg_50": round(monthly_average(monthly)),
    }
    stock_a, stock_b = evidence.claim("intel-stock-30000-people"), evidence.claim("npr-stock-total")
    out["stock_gap"] = book.number(stock_b["value"] - stock_a["value"])
    remaining = evidence.claim("pp-remaining-10000-30000")
    out["remaining_ratio"] = book.number(remaining["upper"] / remaining["lower"])
    may, july = (date.fromisoformat(evidence.claim(c)["stated"]) for c in RASMUSSEN_PAIR)
    out["weeks_apart"] = (july - may).days // 7
    out["stance_legend"] = stances_text()
    out["n_aq_voices"] = int(counts.loc["al-qaeda-beneficiary", "voices"])
    out["n_stay_stances"] = int((counts.loc["most-will-stay", list(STANCES)] > 0).sum())
    per_voice = frame.groupby("voice")["proposition"].nunique()
    out["n_voices_under_half"] = int((per_voice < len(PROPOSITIONS) / 2).sum())
    qualified = frame[frame["stance"] == "qualified"].groupby("voice").size().sort_values(ascending=False, kind="stable")
    out["n_qualified_top2"] = int(qualified.iloc[:2].sum())  # the prose names the two voices; a test checks them
    return out


# The two statements whose dates the prose compares: Rasmussen in May (NPR) and July 2017 (Daily Caller).
RASMUSSEN_PAIR = ("npr-rasmussen-leaving-will-increase", "dc-rasmussen-fight-to-death")


def glue_figures(evidence: Evidence) -> None:
    """Glue :func:`figures` for ``{glue:text}`` in the prose."""
    from myst_nb import glue

    for name, value in figures(evidence).items():
        glue(name, value, display=False)
