"""The returnee typology's crosswalk: checked against the ledger, joined with it, and the generic helpers on it.

``data/typology.csv`` holds one row per type of fighter in each framework the sources give, in the
words of the passage that names it, with whose words those are (``label_voice``: in TalkLeft, the
blogger's linking lines are the blogger's, the excerpts The Atlantic's) and the book's mapping onto
its common paths. The paths and the frameworks are named in their own label tables
(``typology_paths.csv``, ``typology_frameworks.csv``). The mapping is the book's inference; the words
are the sources'. :func:`verbatim_problems` checks both the words and the voice against the claims
ledger (``make check`` runs it); :func:`crosswalk` gives the checked table, joined with the ledger.

No claim is chosen here: the chapter's notebook (``chapters/returnee-typology.md``) selects its
claims, shapes its tables and charts, and shows its own inferences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from evidence import hedges, quotes
from evidence.ledger import Evidence
from evidence.tables import short_name
from evidence.voices import credit

# A ledger id cited in brackets in a mapping note: a source tag (dc, npr, intel, tl or pp), a hyphen, then words.
CITED_CLAIM = re.compile(r"\(((?:dc|npr|intel|tl|pp)-[a-z0-9-]+)\)")


class TypologyError(ValueError):
    """A row of data/typology.csv does not quote its ledger row; the message names the row and field."""


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
        for cited in CITED_CLAIM.findall(row.mapping_note):
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
    """Raise :class:`TypologyError` listing every problem of :func:`verbatim_problems`."""
    problems = verbatim_problems(evidence)
    if problems:
        raise TypologyError("data/typology.csv does not match the ledger:\n  - " + "\n  - ".join(problems))


def crosswalk(evidence: Evidence) -> pd.DataFrame:
    """The typology table in reading order, with each row's quotes, whose words they are, date and source.

    Reading order: frameworks in their ``framework_order`` (typology_frameworks.csv), types in
    ``type_order``, a sub-group after the type it shares its number with. Raises
    :class:`TypologyError` if a label or threat is not verbatim or not credited to the voice the
    ledger gives (see :func:`verbatim_problems`), so a chapter never shows words a source did not
    use, or credits them to the wrong voice.
    """
    check(evidence)
    frameworks = evidence.tables["typology_frameworks"].set_index("framework_id")
    table = evidence.tables["typology"].copy()
    table["framework_order"] = table["framework"].map(frameworks["framework_order"])
    table["level_order"] = (table["level"] != "type").astype(int)
    table = table.sort_values(["framework_order", "type_order", "level_order"]).reset_index(drop=True)
    claims = evidence.claims

    def credits(ids: pd.Series) -> list[str]:
        return [credit(claims.loc[c], evidence.sources) if c else "" for c in ids]

    table["quote"] = [claims.loc[c, "quote"] for c in table["claim_id"]]
    table["detail_quote"] = [claims.loc[c, "quote"] if c else "" for c in table["detail_claim_id"]]
    table["label_credit"] = credits(table["claim_id"])
    table["threat_credit"] = credits(table["threat_claim_id"])
    table["stated"] = [claims.loc[c, "stated"] for c in table["claim_id"]]
    table["source_id"] = [claims.loc[c, "source_id"] for c in table["claim_id"]]
    table["source"] = [short_name(evidence.sources.loc[s]) for s in table["source_id"]]
    return table.drop(columns=["framework_order", "level_order"])


def returnee_type_counts(evidence: Evidence) -> dict[str, int]:
    """How many returnee types each framework names: main types (not sub-groups) on a path of returning home.

    Which paths are ways of returning home is the ``return_home`` column of typology_paths.csv.
    Why: the two summaries of one Atlantic article disagree on this count.
    """
    table = crosswalk(evidence)
    paths = evidence.tables["typology_paths"]
    returning = set(paths.loc[paths["return_home"] == "yes", "path_id"])
    named = table[(table["level"] == "type") & table["common_path"].isin(returning)]
    frameworks = evidence.tables["typology_frameworks"].sort_values("framework_order")["framework_id"]
    return {f: int((named["framework"] == f).sum()) for f in frameworks}


# --------------------------------------------------------------------------- labels as tables show them


def curly(text: str) -> str:
    """Text in curly double quotes; straight double quotes inside become curly single ones (‘…’)."""
    inner = re.sub(r'"([^"]*)"', "\u2018\\1\u2019", text)
    return f"\u201c{inner}\u201d"


def label(row: pd.Series) -> str:
    """A type's label in quote marks (the source's words), marked when it is a sub-group."""
    return curly(row["type_label"]) + (" (sub-group)" if row["level"] == "sub-group" else "")


def credited_label(row: pd.Series) -> str:
    """The label in quote marks, then whose words it is in brackets (:func:`evidence.voices.credit`)."""
    return label(row) + (f" [{row['label_credit']}]" if row["label_credit"] else "")


# --------------------------------------------------------------------------- a share of two hedged figures


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
