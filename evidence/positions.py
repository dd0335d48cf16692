"""Coded positions: ``data/positions.csv`` checked against the ledger and joined to it.

Each row of ``positions.csv`` says which contested proposition (``data/propositions.csv``) one
ledger quote bears on and which stance (``data/stances.csv``) it takes. That coding is the
book's inference, explained row by row in the ``note`` column. This module holds the part
that is not one chapter's own:

- :func:`consistency_problems`, the check ``make check`` runs: a row's ``voice`` (whose words),
  ``mode`` (how the source presents them) and ``speaker`` (whose view) must be its claim's,
  so a coding error cannot re-attribute a quote;
- :func:`positions`, the coded table joined to the ledger (quote, date, source, credit) and to
  the label tables, with each date placed on a time axis. It raises :class:`PositionsError`
  rather than return a table that disagrees with the ledger.

Which claims the expert-disagreement chapter compares, its matrix, timeline and tables, and
its counts and readings are in the chapter's notebook. Every label that says who said a quote
is :func:`evidence.voices.credit`; dates are placed by :func:`evidence.dates.place_date`.
"""

from __future__ import annotations

import pandas as pd

from evidence import book, dates, voices
from evidence.ledger import Evidence

CREDITED = ("voice", "mode", "speaker")  # the fields a positions row must share with its claim


class PositionsError(ValueError):
    """positions.csv disagrees with the ledger; the message names the file, the row and the field."""


def consistency_problems(evidence: Evidence, table: pd.DataFrame | None = None) -> list[str]:
    """Why rows of positions.csv disagree with their claims: one message per row and field.

    A row's ``voice``, ``mode`` and ``speaker`` must be its claim's: a reporter's "He says…"
    cannot be coded as the official's own words, nor a blogger's summary as the article's.
    The mode must also fit the voice and speaker (narration, headlines and quotations convey
    their own voice; paraphrase and reported speech someone else's). Unknown propositions and
    stances are refused earlier, by the foreign keys of ``datapackage.json``.

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
    """positions.csv joined to each row's claim and to the label tables, one row per position, in file order.

    Columns: the claim's (quote, stated, source_id…) and :func:`evidence.book.provenance`'s
    (``quote_shown``, ``source``, ``credit``); the row's coding (``proposition``, ``stance``,
    ``note``); ``own_words`` (False for paraphrase and reported speech), ``how`` (the credit after
    the voice, e.g. "quoted by NPR"), ``ledger_row``; the labels ``proposition_label``,
    ``proposition_sentence``, ``stance_label`` and ``symbol``; and the date placed on a time axis
    (``placed``, ``span_start``, ``span_end``, ``date_note``; see :func:`evidence.dates.place_date`).

    Raises :class:`PositionsError` with every problem :func:`consistency_problems` finds.
    """
    table = evidence.tables["positions"]
    problems = consistency_problems(evidence, table)
    if problems:
        raise PositionsError("\n".join(problems))
    propositions = evidence.tables["propositions"].set_index("proposition_id")
    stances = evidence.tables["stances"].set_index("stance_id")

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
    out["proposition_label"] = out["proposition"].map(propositions["label"])
    out["proposition_sentence"] = out["proposition"].map(propositions["sentence"])
    out["stance_label"] = out["stance"].map(stances["label"])
    out["symbol"] = out["stance"].map(stances["symbol"])
    placed = [
        dates.place_date(stated, evidence.sources.loc[source_id, "published"])
        for stated, source_id in zip(out["stated"], out["source_id"])
    ]
    out["placed"] = [p[0].isoformat() for p in placed]
    out["span_start"] = [p[1].isoformat() for p in placed]
    out["span_end"] = [p[2].isoformat() for p in placed]
    out["date_note"] = [p[3] for p in placed]
    return out
