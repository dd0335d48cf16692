"""Shared code of the book "Foreign Fighters After the Caliphate".

- :mod:`evidence.quotes`: the one normalisation used to anchor quotes in their sources;
- :mod:`evidence.ledger`: loading and checking the evidence base (``load``);
- :mod:`evidence.tables`: tables derived from the ledger, and their display in the book;
- :mod:`evidence.inputs`: which files a chapter read, so the build re-runs exactly what changed.
"""

from evidence import inputs

inputs.start_recording()  # no-op unless the book build asks for it (see evidence.inputs)

from evidence.ledger import Evidence, EvidenceError, Problem, check_all, load

__all__ = ["Evidence", "EvidenceError", "Problem", "check_all", "load"]
