"""Shared code of the book "Foreign Fighters After the Caliphate": what a chapter notebook imports.

- :mod:`evidence.ledger`: loading and checking the evidence base (``load``, ``check_all``);
- :mod:`evidence.quotes` and :mod:`evidence.voices`: quotes anchored in their sources, and who says them;
- :mod:`evidence.hedges` and :mod:`evidence.dates`: hedged figures and months, each rule written once;
- :mod:`evidence.book`, :mod:`evidence.display`, :mod:`evidence.charts`: figures in words, tables and charts;
- :mod:`evidence.sphinxext`: the book's Sphinx plumbing, which a reader re-running a notebook does not need.
"""

from evidence.sphinxext import inputs

inputs.start_recording()  # no-op unless the book build asks for it (see evidence.sphinxext.inputs)

from evidence.ledger import Evidence, EvidenceError, Problem, check_all, load

__all__ = ["Evidence", "EvidenceError", "Problem", "check_all", "load"]
