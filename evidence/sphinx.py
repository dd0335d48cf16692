"""Sphinx extension: check the evidence base before Sphinx writes anything.

A direct ``jupyter-book build`` (without ``make``) would otherwise meet bad data
inside a notebook cell and stop with a traceback; here it stops at once with
the list of problems, each naming file, row and field.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import SphinxError

from evidence.ledger import EvidenceError, load


class EvidenceCheckFailed(SphinxError):
    category = "Evidence check failed"


def _check_evidence(app: Sphinx, config: Config) -> None:
    try:
        load()
    except EvidenceError as error:
        raise EvidenceCheckFailed(str(error)) from None


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _check_evidence)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
