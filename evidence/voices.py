"""Who speaks in each passage of a source, and whether the ledger credits each quote to that voice.

A quote that exists in its source can still be credited to the wrong voice: a blog's
linking sentence is the blogger's, not the article it quotes; a journalist's "He says…"
is the journalist's words reporting the speaker, not the speaker's own. ``voices.csv``
marks, for every source, who speaks in each passage and how; each passage is anchored by
the exact text it starts and ends with (W3C TextQuoteSelector style, after the same
normalisation as quotes), never by character offsets.

Rules, each checked by :func:`check`:

- every anchor is found, once (a ``prefix`` tells apart text that occurs twice);
- passages nest or are disjoint, never partly overlap; the innermost passage holding a
  quote decides its voice;
- every non-space character of every source lies in some passage;
- for narration, headlines, quotations and the like, ``attributed_to`` is the voice itself;
- every claim's quote lies inside a passage (each piece of an elided quote too) whose voice,
  mode and ``attributed_to`` are the claim's ``voice``, ``mode`` and ``speaker``.

:func:`credit` is how the book names the voice of a claim, everywhere it shows one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evidence import quotes

OWN_WORDS = ("narration", "headline", "direct-quotation", "pull-quote", "caption", "reference", "comment", "furniture")
RELAYED = ("paraphrase", "reported-speech")  # the voice's words conveying what someone else said or holds
MODE_WORDS = {"paraphrase": "paraphrasing", "reported-speech": "reporting what {speaker} said"}


@dataclass(frozen=True)
class Passage:
    """One passage of a source as resolved in its normalised text: characters ``begin`` to ``end``."""

    passage_id: str
    source_id: str
    voice: str
    mode: str
    attributed_to: str
    begin: int
    end: int
    row: int

    def holds(self, begin: int, end: int) -> bool:
        return self.begin <= begin and end <= self.end

    def describe(self, text: str) -> str:
        """The passage as a message shows it: its id, voice, mode and (shortened) words."""
        words = text[self.begin : self.end]
        if len(words) > 90:
            words = words[:60] + " … " + words[-25:]
        speaking_for = "" if self.attributed_to == self.voice else f", conveying {self.attributed_to}"
        return f"passage '{self.passage_id}' ({self.voice}, {self.mode}{speaking_for}): \"{words}\""


def _occurrences(needle: str, text: str, start: int = 0) -> list[int]:
    found, position = [], text.find(needle, start)
    while position >= 0 and needle:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def resolve(voices: pd.DataFrame, texts: dict[str, str]) -> tuple[list[Passage], list[tuple[int, str, str]]]:
    """Anchor every row of ``voices`` in its normalised source text.

    Returns the passages found and the problems as (row, field, message); rows are numbered
    as in a spreadsheet (header = 1).
    """
    passages, problems = [], []
    for row, record in enumerate(voices.itertuples(index=False), start=2):
        text = texts.get(record.source_id, "")
        start, end, prefix = (quotes.normalise(getattr(record, f)) for f in ("start", "end", "prefix"))
        hits = _occurrences(start, text)
        if prefix:
            hits = [h for h in hits if text[:h].rstrip().endswith(prefix)]
        if not hits:
            what = f"start text \"{start}\"" + (f" after prefix \"{prefix}\"" if prefix else "")
            problems.append((row, "start", f"{what} is not in source '{record.source_id}'"))
            continue
        if len(hits) > 1:
            problems.append(
                (row, "prefix" if prefix else "start",
                 f"start text \"{start}\" occurs {len(hits)} times in source '{record.source_id}'; "
                 "give a prefix (the text just before it) that picks one")
            )
            continue
        begin = hits[0]
        if end:
            stop = text.find(end, max(begin, begin + len(start) - len(end)))  # the end lies at or after the start's end
            if stop < 0:
                problems.append((row, "end", f"end text \"{end}\" is not found after the start text"))
                continue
            finish = stop + len(end)
        else:
            finish = begin + len(start)
        if record.mode not in RELAYED and record.attributed_to != record.voice:
            problems.append(
                (row, "attributed_to",
                 f"a {record.mode} passage conveys its own voice: attributed_to must be '{record.voice}', "
                 f"not '{record.attributed_to}' (only paraphrase and reported-speech convey someone else)")
            )
        if record.mode in RELAYED and record.attributed_to == record.voice:
            problems.append((row, "attributed_to", f"a {record.mode} passage conveys someone other than its voice"))
        passages.append(Passage(record.passage_id, record.source_id, record.voice, record.mode,
                                record.attributed_to, begin, finish, row))
    return passages, problems


def structure_problems(passages: list[Passage], texts: dict[str, str]) -> list[tuple[int, str, str]]:
    """Partial overlaps between passages, and text of a source that no passage covers."""
    problems = []
    for source_id, text in texts.items():
        own = sorted((p for p in passages if p.source_id == source_id), key=lambda p: (p.begin, -p.end))
        for i, first in enumerate(own):
            for second in own[i + 1 :]:
                if second.begin >= first.end:
                    break
                if second.end > first.end:  # starts inside ``first`` but ends after it
                    problems.append(
                        (second.row, "start",
                         f"passage '{second.passage_id}' partly overlaps passage '{first.passage_id}' "
                         "(passages may nest or be disjoint, not partly overlap)")
                    )
        covered = [False] * len(text)
        for passage in own:
            covered[passage.begin : passage.end] = [True] * (passage.end - passage.begin)
        position = 0
        while position < len(text):
            if covered[position] or text[position].isspace():
                position += 1
                continue
            stop = position
            while stop < len(text) and not covered[stop]:
                stop += 1
            gap = text[position:stop].strip()
            shown = gap if len(gap) <= 80 else gap[:55] + " … " + gap[-20:]
            problems.append((None, "start", f"text of source '{source_id}' is in no passage: \"{shown}\""))
            position = stop
    return problems


def innermost(passages: list[Passage], source_id: str, begin: int, end: int) -> Passage | None:
    """The smallest passage of ``source_id`` that holds characters ``begin`` to ``end``."""
    holding = [p for p in passages if p.source_id == source_id and p.holds(begin, end)]
    return min(holding, key=lambda p: p.end - p.begin, default=None)


def claim_problem(claim: pd.Series, passages: list[Passage], text: str) -> tuple[str, str] | None:
    """Why ``claim`` is not credited to the voice that says its quote, as (field, message); None if it is."""
    wanted = (claim["voice"], claim["mode"], claim["speaker"])
    position, first_found = 0, None
    for piece in quotes.quote_pieces(claim["quote"]):
        match = None
        for begin in _occurrences(piece, text, position):
            passage = innermost(passages, claim["source_id"], begin, begin + len(piece))
            first_found = first_found or (passage, begin)
            if passage and (passage.voice, passage.mode, passage.attributed_to) == wanted:
                match = begin + len(piece)
                break
        if match is None:
            return _mismatch(claim, piece, first_found, passages, text)
        position, first_found = match, None
    return None


def _mismatch(claim: pd.Series, piece: str, first_found, passages: list[Passage], text: str) -> tuple[str, str]:
    """The message for a claim whose quote is not in a passage of its voice, mode and speaker."""
    named = f"voice '{claim['voice']}', mode '{claim['mode']}', speaker '{claim['speaker']}'"
    if first_found is None:
        return "quote", f"quote piece \"{piece}\" is not found in its source"
    passage, begin = first_found
    if passage is None:
        crossed = [p.passage_id for p in passages if p.source_id == claim["source_id"]
                   and p.begin < begin + len(piece) and begin < p.end and not p.holds(begin, begin + len(piece))]
        return "quote", (
            f"the quote piece \"{piece}\" runs across passages ({', '.join(crossed)}); "
            "trim it, or split it with […] so that each piece lies in one passage"
        )
    found = passage.describe(text)
    if claim["mode"] == "direct-quotation" and passage.mode in RELAYED and passage.attributed_to == claim["voice"]:
        return "mode", (
            f"the claim presents as {claim['voice']}'s own words (direct-quotation) what the source gives as "
            f"{passage.voice}'s {passage.mode}: {found}"
        )
    for field, have, want in (("voice", passage.voice, claim["voice"]), ("mode", passage.mode, claim["mode"]),
                              ("speaker", passage.attributed_to, claim["speaker"])):
        if have != want:
            return field, f"the claim names {named}, but its quote stands in {found}"
    return "quote", f"the quote is not in a passage of {named}"  # unreachable: the passage would have matched


def outlet(source: pd.Series) -> str:
    """A source's publisher as prose names it."""
    return source["outlet"] or "the unnamed policy paper"


def credit(claim: pd.Series, sources: pd.DataFrame) -> str:
    """Whose words a claim's quote is, and how the source presents them, e.g.

    - 'Nicholas Rasmussen (NCTC), quoted by NPR' (his own words),
    - 'NPR (Greg Myre), reporting what Nicholas Rasmussen (NCTC) said' (the reporter's words),
    - 'Daily Caller (Jonah Bennett), paraphrasing The Atlantic (Clarke and Amarasingam)',
    - 'NPR (Greg Myre)' (narration).

    The voice always comes first, so a paraphrase is never credited to the one paraphrased.
    """
    voice, mode, speaker = claim["voice"], claim["mode"], claim["speaker"]
    source = sources.loc[claim["source_id"]]
    if mode == "direct-quotation":
        return f"{voice}, quoted by {outlet(source)}"
    if mode == "paraphrase":
        return f"{voice}, paraphrasing {speaker}"
    if mode == "reported-speech":
        return f"{voice}, reporting what {speaker} said"
    if mode == "headline":
        return f"{voice}, headline"
    if mode == "caption":
        return f"{voice}, figure caption"
    return voice


def own_words(claim: pd.Series) -> bool:
    """True when the quote is in the words of the one it is credited to (quote marks belong to them)."""
    return claim["mode"] not in RELAYED
