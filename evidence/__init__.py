"""Shared code of the book "Foreign Fighters After the Caliphate": what a chapter notebook imports.

- :mod:`evidence.ledger`: loading and checking the evidence base (``load``, ``check_all``);
- :mod:`evidence.quotes` and :mod:`evidence.voices`: quotes anchored in their sources, and who says them;
- :mod:`evidence.hedges` and :mod:`evidence.dates`: hedged figures and months, each rule written once;
- :mod:`evidence.book`, :mod:`evidence.display`, :mod:`evidence.charts`: figures in words, tables and charts;
- :mod:`evidence.sphinxext`: the book's Sphinx plumbing, which a reader re-running a notebook does not need.
"""

from evidence.sphinxext import inputs

inputs.start_recording()  # no-op unless the book build asks for it (see evidence.sphinxext.inputs)

__all__ = ["Evidence", "EvidenceError", "Problem", "check_all", "load"]


def __getattr__(name: str):
    """``from evidence import load`` and the rest of :data:`__all__`, imported on first use.

    Importing the package (as Sphinx does for :mod:`evidence.sphinxext`) then costs no pandas.
    """
    if name in __all__:
        from evidence import ledger

        return getattr(ledger, name)
    raise AttributeError(f"module 'evidence' has no attribute '{name}'")
