"""Every chapter's prose against the ledger: quotations verbatim, and credited to the voice that says them."""

from __future__ import annotations

import pytest

from conftest import DATA
from evidence import load
from prose import CHAPTERS, VOICE_NAMES, inline_quotations, not_in_ledger, paragraphs, prose, uncredited

ANALYTICAL = ["introduction", "flow-of-recruits", "decline-in-arrivals", "returnee-typology", "expert-disagreement"]


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


@pytest.fixture(scope="module")
def claims(evidence):
    return evidence.claims


def chapter_prose(name: str) -> str:
    return prose((CHAPTERS / f"{name}.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ANALYTICAL)
def test_every_inline_quotation_is_a_piece_of_a_ledger_quote(name, claims):
    text = chapter_prose(name)
    assert inline_quotations(text) or name == "introduction"
    assert not_in_ledger(text, claims) == []


@pytest.mark.parametrize("name", ANALYTICAL)
def test_every_inline_quotation_is_credited_to_its_voice_in_its_sentence(name, evidence):
    """Words that only one voice says in the sources stand in a sentence that names that voice
    (or follow one of the two sentences before it that does)."""
    assert uncredited(paragraphs(chapter_prose(name)), evidence) == []


def test_every_voice_of_the_sources_has_a_name_the_prose_check_knows(evidence):
    assert set(evidence.tables["voices"]["voice"]) <= set(VOICE_NAMES)


def test_the_voice_check_can_fail(evidence):
    wrong = "The Atlantic counts the groups. It calls the disillusioned “not a physical threat”."
    assert uncredited(paragraphs(wrong), evidence) == [("not a physical threat", "TalkLeft blogger")]
    right = "The Atlantic does not; the blogger calls the disillusioned\n“not a physical threat”."
    assert uncredited(paragraphs(right), evidence) == []
    # Reported speech is the reporter's: naming only the one reported is not enough.
    reported = "Rasmussen said that “the greatest risk is now expected from a relatively small number”."
    assert uncredited(paragraphs(reported), evidence) == [
        ("the greatest risk is now expected from a relatively small number", "NPR (Greg Myre)")]
