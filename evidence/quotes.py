"""Quote anchoring: is a ledger quote a verbatim passage of its source?

The source files are kept exactly as received, so the comparison has to look
past differences that carry no meaning: typography and the line breaks of a
PDF extraction. Both the source and the quote go through the same
normalisation, written once here: :func:`normalise` applies the rules in
:data:`RULES`, in order (the book's appendix prints that list).

Case, punctuation and spelling are *not* folded: a quote must reproduce the
source's words, typos included. A quote may elide text with ``[…]`` (or
``[...]``); each piece must then occur in the source, in order.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

RULES = (
    "Unicode NFKC: compatibility characters are folded (a non-breaking space becomes a space, "
    "the one-character ellipsis becomes three full stops).",
    "Curly single quotes become ' and curly double quotes become \".",
    "Hyphens, dashes and the minus sign (\u2010 to \u2015, \u2212) become a hyphen-minus (-).",
    "A line break after a hyphen is removed, joining the two lines; the hyphen is kept, because text "
    "extracted from a PDF cannot tell a soft hyphen from a compound word (pre-existing).",
    "Every run of whitespace, line breaks included, becomes one space; leading and trailing space is dropped.",
)

ELISION = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*")

_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
        "\u2014": "-", "\u2015": "-", "\u2212": "-",
    }
)
_HYPHEN_BREAK = re.compile(r"-[ \t]*\r?\n\s*")
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return ``text`` in the comparison form described in the module docstring."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP)
    text = _HYPHEN_BREAK.sub("-", text)
    return _WHITESPACE.sub(" ", text).strip()


def quote_pieces(quote: str) -> list[str]:
    """Split a quote at its elisions and normalise each piece (empty pieces dropped)."""
    return [p for p in (normalise(part) for part in ELISION.split(quote)) if p]


def find_quote(quote: str, normalised_source: str) -> bool:
    """True when every piece of ``quote`` occurs in ``normalised_source``, in order."""
    pieces = quote_pieces(quote)
    if not pieces:
        return False
    position = 0
    for piece in pieces:
        found = normalised_source.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def first_missing_piece(quote: str, normalised_source: str) -> str:
    """The first piece of ``quote`` that cannot be found in order (the whole quote if none)."""
    position = 0
    for piece in quote_pieces(quote):
        found = normalised_source.find(piece, position)
        if found < 0:
            return piece
        position = found + len(piece)
    return normalise(quote)


def closest_passage(piece: str, normalised_source: str) -> tuple[str, float]:
    """The passage of the source most like ``piece``, and its similarity (0-1).

    Compares ``piece`` with every run of the same number of words in the source
    (difflib ratio), so a typo or a changed word points straight at the passage
    that was meant. Only used to explain a failure, so speed does not matter.
    """
    words = normalised_source.split(" ")
    width = max(1, len(piece.split(" ")))
    best, best_ratio = "", 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(piece)
    for start in range(max(1, len(words) - width + 1)):
        candidate = " ".join(words[start : start + width])
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best, best_ratio
