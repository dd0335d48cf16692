"""How tables and generated text appear in the book, on the web and in the PDF.

A notebook output can carry several representations; MyST-NB picks ``text/html``
for the HTML book and ``text/markdown`` for LaTeX (a pandas Styler would print as
``<Styler at 0x…>`` in the PDF). Every string that comes from data is escaped for
the representation it goes into, so a quote containing ``<script>`` or Markdown
syntax is shown as the characters it is, never interpreted.
"""

from __future__ import annotations

import html
import re

import pandas as pd

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$:-])")


def escape_markdown(text: object) -> str:
    """Text safe to place in a Markdown (GFM) table cell or paragraph: every special character escaped."""
    flat = re.sub(r"\s+", " ", str(text)).strip()
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class Table:
    """A captioned table: accessible HTML in a notebook, a GFM table that Sphinx typesets and numbers in the book.

    With a ``name`` (e.g. ``"tbl-decline-readings"``) the book numbers the table ("Table 2.3") and
    ``{numref}`` can point to it: :mod:`evidence.sphinxext` turns the output into a real table
    node with the caption as its title. Never type a number into ``caption``. Without a name
    (a chart's data table) the table is not numbered.
    """

    def __init__(self, frame: pd.DataFrame, caption: str, numeric: tuple[str, ...] = (), name: str | None = None):
        self.frame = frame
        self.caption = caption
        self.name = name
        self.numeric = set(numeric) or {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in self.frame.columns)
        body = []
        for row in self.frame.itertuples(index=False):
            cells = []
            for column, value in zip(self.frame.columns, row):
                align = ' class="numeric"' if column in self.numeric else ""
                cells.append(f"<td{align}>{html.escape(_cell(value))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        named = f' data-table-name="{html.escape(self.name)}"' if self.name else ""
        return (
            f'<div class="evidence-table" role="region" tabindex="0"{named} '
            f'aria-label="{html.escape(self.caption)}"><table class="table">'
            f"<caption>{html.escape(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    def _repr_markdown_(self) -> str:
        header = "| " + " | ".join(escape_markdown(c) for c in self.frame.columns) + " |"
        rule = "|" + "|".join("---:" if c in self.numeric else "---" for c in self.frame.columns) + "|"
        rows = [
            "| " + " | ".join(escape_markdown(_cell(v)) for v in row) + " |"
            for row in self.frame.itertuples(index=False)
        ]
        return "\n".join([f"*{escape_markdown(self.caption)}*", "", header, rule, *rows])

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


class Prose:
    """Paragraphs generated from data (e.g. a note per source), escaped for HTML and Markdown."""

    def __init__(self, items: list[tuple[str, str]]):
        self.items = items  # (bold lead-in, text)

    def _repr_html_(self) -> str:
        return "".join(
            f"<p><strong>{html.escape(lead)}</strong> {html.escape(text)}</p>" for lead, text in self.items
        )

    def _repr_markdown_(self) -> str:
        return "\n\n".join(f"**{escape_markdown(lead)}** {escape_markdown(text)}" for lead, text in self.items)

    def __repr__(self) -> str:
        return "\n\n".join(f"{lead} {text}" for lead, text in self.items)
