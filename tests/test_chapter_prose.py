"""Every chapter's prose against the ledger: quotations verbatim, and credited to the voice that says them."""

from __future__ import annotations

import pytest

from conftest import DATA
from evidence import load
from prose import CHAPTERS, VOICE_NAMES, inline_quotations, not_in_ledger, prose, sentences, uncredited

ANALYTICAL = ["introduction", "flow-of-recruits", "decline-in-arrivals", "returnee-typology", "expert-disagreement"]


@pytest.fixture(scope="module")
def claims():
    return load(DATA).claims


def chapter_prose(name: str) -> str:
    return prose((CHAPTERS / f"{name}.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ANALYTICAL)
def test_every_inline_quotation_is_a_piece_of_a_ledger_quote(name, claims):
    text = chapter_prose(name)
    assert inline_quotations(text) or name == "introduction"
    assert not_in_ledger(text, claims) == []


@pytest.mark.parametrize("name", ANALYTICAL)
def test_every_inline_quotation_is_credited_to_its_voice_in_its_sentence(name, claims):
    """Words that only one voice says in the sources stand in a sentence that names that voice."""
    assert uncredited(sentences(chapter_prose(name)), claims) == []


def test_every_voice_of_the_ledger_has_a_name_the_prose_check_knows(claims):
    assert set(claims["voice"]) <= set(VOICE_NAMES)


def test_the_voice_check_can_fail(claims):
    wrong = "TalkLeft's blogger counts the groups. The Atlantic calls the disillusioned “not a physical threat”."
    assert uncredited(sentences(wrong), claims) == [("not a physical threat", "TalkLeft blogger")]
    right = "The Atlantic does not; the blogger calls the disillusioned\n“not a physical threat”."
    assert uncredited(sentences(right), claims) == []
