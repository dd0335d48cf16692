"""Reading a chapter's prose as a reader does: its sentences, its inline quotations and whose words they are.

Shared by the chapter tests: one definition of what counts as prose (code cells, directives and
roles removed), of a sentence, and of the voice check, so every chapter is held to the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from evidence import Evidence, quotes, voices

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"

# How prose may name each ledger voice: the sentence around a quotation must contain one of these words.
# An outlet's name stands for its own reporter (NPR for Myre), never for the people it quotes.
VOICE_NAMES = {
    "TalkLeft blogger": ("blogger", "TalkLeft"),
    "The Atlantic (Clarke and Amarasingam)": ("Atlantic", "Clarke", "Amarasingam"),
    "Daily Caller (Jonah Bennett)": ("Daily Caller", "Bennett"),
    "NPR (Greg Myre)": ("Myre", "NPR"),
    "NPR anchor (unnamed)": ("NPR",),
    "Nicholas Rasmussen (NCTC)": ("Rasmussen",),
    "Policy paper author(s)": ("paper", "authors"),
    "Aymenn J. Al-Tamimi": ("Al-Tamimi",),
    "Unnamed returnee (quoted by The Atlantic)": ("returnee",),
    "intelNews (Joseph Fitsanakis)": ("intelNews", "Fitsanakis"),
    "Philip Seib": ("Seib",),
    "Barack Obama": ("Obama",),
    "CAT (Center for the Analysis of Terrorism)": ("CAT", "Center for the Analysis of Terrorism"),
    "The Washington Post": ("Post",),
    "Unnamed experts": ("experts",),
    "Unnamed source (quoted by the policy paper)": ("paper",),
    "Daily Caller (site)": ("Daily Caller",),
    "NPR (site)": ("NPR",),
    "intelNews (site)": ("intelNews",),
    "TalkLeft (site)": ("TalkLeft",),
    "TalkLeft reader comments (anonymous)": ("comment",),
    "Unnamed news report (quoted by a reader)": ("comment",),
}


def prose(text: str) -> str:
    """The chapter's prose: front matter, code cells, directives and roles removed."""
    body = text.split("---", 2)[2]
    body = re.sub(r"```.*?```", " ", body, flags=re.S)
    return re.sub(r"\{[a-z:-]+\}`[^`]*`", " ", body)


# A quoted word or two ("half", "the top five") is a term under discussion; from three words on, a quotation.
MIN_WORDS = 3


def paragraphs(text: str) -> list[list[str]]:
    """The prose as paragraphs (list items apart), each a list of sentences with line breaks folded.

    A sentence ends at . ! or ? before a capital or an opening quote; an initial ("Aymenn J.") does not end one.
    """
    blocks = [b for part in re.split(r"\n\s*\n", text) for b in re.split(r"\n(?=\s*- )", part) if b.strip()]
    return [re.split(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+(?=[A-Z“])", " ".join(b.split())) for b in blocks]


def inline_quotations(text: str) -> list[str]:
    """Every span the prose puts in quotation marks, curly or straight."""
    # A straight-quoted span may run over a line break, never over a blank line.
    return re.findall(r"“([^”]+)”", text) + re.findall(r'"((?:[^"\n]|\n(?!\s*\n))+)"', text)


def not_in_ledger(text: str, claims: pd.DataFrame) -> list[str]:
    """Inline quotations that are not a piece of any ledger quote."""
    ledger = [quotes.normalise(q) for q in claims["quote"]]
    return [s for s in inline_quotations(text) if not any(quotes.normalise(s) in q for q in ledger)]


def voices_saying(span: str, evidence: Evidence, passages: list[voices.Passage]) -> set[str]:
    """The voices in whose words ``span`` stands anywhere in the sources (the innermost passage of each occurrence)."""
    words = quotes.normalise(span)
    found = set()
    for source_id, text in evidence.texts.items():
        position = text.find(words)
        while position >= 0:
            passage = voices.innermost(passages, source_id, position, position + len(words))
            if passage:
                found.add(passage.voice)
            position = text.find(words, position + 1)
    return found


def uncredited(paragraph_list: list[list[str]], evidence: Evidence, context: int = 2) -> list[tuple[str, str]]:
    """Quotations (of :data:`MIN_WORDS` words or more) that only one voice says in the sources, where neither
    the sentence nor one of the ``context`` sentences before it in the paragraph names that voice (a pronoun
    may carry the name on)."""
    passages, _ = voices.resolve(evidence.tables["voices"], evidence.texts)
    found = []
    for sentence_list in paragraph_list:
        for index, sentence in enumerate(sentence_list):
            window = " ".join(sentence_list[max(0, index - context) : index + 1])
            for span in re.findall(r"“([^”]+)”", sentence):
                if len(span.split()) < MIN_WORDS:
                    continue
                said_by = voices_saying(span, evidence, passages)
                if len(said_by) == 1 and not any(name in window for name in VOICE_NAMES[next(iter(said_by))]):
                    found.append((span, next(iter(said_by))))
    return found
