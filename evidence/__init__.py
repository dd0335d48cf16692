"""Shared code of the book "Foreign Fighters After the Caliphate".

- :mod:`evidence.quotes`: the one normalisation used to anchor quotes in their sources;
- :mod:`evidence.ledger`: loading and checking the evidence base (``load``);
- :mod:`evidence.tables`: tables derived from the ledger, and their display in the book.
"""

from evidence.ledger import Evidence, EvidenceError, Problem, load

__all__ = ["Evidence", "EvidenceError", "Problem", "load"]
