"""Reading a chapter's prose as a reader does: its sentences, its inline quotations and whose words they are.

Shared by the chapter tests: one definition of what counts as prose (code cells, directives and
roles removed), of a sentence, and of the voice check, so every chapter is held to the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from evidence import quotes

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"

# How prose names each ledger voice: a word the sentence around a quotation must contain.
VOICE_NAMES = {
    "TalkLeft blogger": "blogger",
    "The Atlantic (Clarke and Amarasingam)": "Atlantic",
    "Daily Caller (Jonah Bennett)": "Daily Caller",
    "NPR (Greg Myre)": "Myre",
    "NPR anchor (unnamed)": "NPR",
    "Nicholas Rasmussen (NCTC)": "Rasmussen",
    "Policy paper author(s)": "paper",
    "Aymenn J. Al-Tamimi": "Al-Tamimi",
    "Unnamed returnee (quoted by The Atlantic)": "returnee",
    "intelNews (Joseph Fitsanakis)": "intelNews",
    "Philip Seib": "Seib",
    "Barack Obama": "Obama",
    "CAT (Center for the Analysis of Terrorism)": "CAT",
}


def prose(text: str) -> str:
    """The chapter's prose: front matter, code cells, directives and roles removed."""
    body = text.split("---", 2)[2]
    body = re.sub(r"```.*?```", " ", body, flags=re.S)
    return re.sub(r"\{[a-z:-]+\}`[^`]*`", " ", body)


def sentences(text: str) -> list[str]:
    """Sentences of the prose with their line breaks folded; list items apart; an initial does not end one."""
    blocks = [b for part in re.split(r"\n\s*\n", text) for b in re.split(r"\n(?=\s*- )", part) if b.strip()]
    folded = [" ".join(b.split()) for b in blocks]
    return [s for b in folded for s in re.split(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+(?=[A-Z“])", b)]


def inline_quotations(text: str) -> list[str]:
    """Every span the prose puts in quotation marks, curly or straight."""
    return re.findall(r"“([^”]+)”", text) + re.findall(r'"([^"\n]+)"', text)


def not_in_ledger(text: str, claims: pd.DataFrame) -> list[str]:
    """Inline quotations that are not a piece of any ledger quote."""
    ledger = [quotes.normalise(q) for q in claims["quote"]]
    return [s for s in inline_quotations(text) if not any(quotes.normalise(s) in q for q in ledger)]


def uncredited(sentence_list: list[str], claims: pd.DataFrame) -> list[tuple[str, str]]:
    """Quoted spans found only in claims of one voice, in a sentence that does not name that voice."""
    voiced = claims[claims["voice"] != ""]
    normalised = [(quotes.normalise(q), v) for q, v in zip(voiced["quote"], voiced["voice"])]
    found = []
    for sentence in sentence_list:
        for span in re.findall(r"“([^”]+)”", sentence):
            voices = {v for q, v in normalised if quotes.normalise(span) in q}
            if len(voices) == 1 and VOICE_NAMES[next(iter(voices))] not in sentence:
                found.append((span, next(iter(voices))))
    return found
