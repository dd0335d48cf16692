"""``{claim}`claim-id``` in prose: a ledger figure in its source's own hedge, one click (or one hover) from its source.

The role writes the figure as :func:`evidence.hedges.describe` words it ("about 40,000", "less than
200 a month") and links it to the claim's entry on the claims page. On the web, hovering or
focusing it (a tap on a phone focuses it) shows the verbatim quote, whose words it is
(:func:`evidence.voices.credit`) and the source: a small CSS tooltip served by the book, no
script and no network. In the PDF it is the figure in words; in a downloaded notebook, too.

Use it for every figure a source states; a number the book computes is glued instead, next to
the cell that computes it.
"""

from __future__ import annotations

import html

from docutils import nodes
from sphinx.util.docutils import SphinxRole

from evidence import hedges, voices

CLAIMS_PAGE = "chapters/claims"  # the page that lists every claim, each at the anchor #<claim_id>


def figure_text(evidence, claim_id: str) -> str:
    """What the prose shows for a claim: its figure in words, or its quote when it states no figure."""
    claim = evidence.claim(claim_id)
    return hedges.describe(claim) or claim["quote"]


def tooltip(evidence, claim_id: str) -> str:
    """The words a reader sees on hover: the quote, whose words they are, the source and its date."""
    claim = evidence.claim(claim_id)
    source = evidence.sources.loc[claim["source_id"]]
    return f"“{claim['quote']}” — {voices.credit(claim, evidence.sources)}; {voices.outlet(source)}, {claim['stated']}"


class ClaimRole(SphinxRole):
    """The ``claim`` role (see the module docstring)."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        from evidence.sphinxext.extension import DATA_DIR, _evidence

        claim_id = self.text.strip()
        evidence = _evidence()
        try:
            text = figure_text(evidence, claim_id)
        except KeyError as error:
            return [], [self.inliner.reporter.error(str(error), line=self.lineno)]
        self.env.note_dependency(str(DATA_DIR / "claims.csv"))
        page = self.env.app.builder.get_relative_uri(self.env.docname, CLAIMS_PAGE) if self.env.app.builder.format == "html" else ""
        markup = (
            f'<a class="claim-figure" href="{html.escape(page)}#{html.escape(claim_id)}" data-claim="{html.escape(claim_id)}">'
            f"{html.escape(text)}<span class=\"claim-tip\" role=\"tooltip\">{html.escape(tooltip(evidence, claim_id))}"
            f"<span class=\"claim-tip-id\">ledger: {html.escape(claim_id)}</span></span></a>"
        )
        return [nodes.raw("", markup, format="html"), nodes.raw("", _latex(text), format="latex")], []


def _latex(text: str) -> str:
    from sphinx.util.texescape import escape

    return escape(text)

