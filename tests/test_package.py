"""The package holds what is generic: no module carries the claim ids of a chapter (those live in the notebooks)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DATA, ROOT
from evidence import load


def test_no_package_module_names_a_claim():
    claim_ids = set(load(DATA).claims["claim_id"])
    named = {}
    for module in sorted((ROOT / "evidence").rglob("*.py")):
        words = set(re.findall(r"\b[a-z]+(?:-[a-z0-9]+)+\b", module.read_text(encoding="utf-8")))
        if words & claim_ids:
            named[str(module.relative_to(ROOT))] = sorted(words & claim_ids)
    assert named == {}, named


def test_the_chapters_hold_their_claim_ids():
    chapters = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.md"))
    assert len(set(re.findall(r"\b(?:dc|npr|intel|tl|pp)-[a-z0-9-]+", chapters))) >= 40
