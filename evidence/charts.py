"""Charts: one shared theme, and one output object that works on the web, offline and in the PDF.

Altair's own HTML output loads vega from a CDN, so a reader offline sees a blank
chart. :class:`Figure` instead emits

- ``text/html``: a ``<figure>`` whose script calls ``vegaEmbed`` on its own div;
  the vega libraries are served by the book itself (see :mod:`evidence.sphinxext`,
  which adds them only to pages with charts). Under the chart: the data table
  (keyboard- and screen-reader-reachable) and a CSV download as a ``data:`` link;
- ``application/pdf``: a vector rendering by vl-convert (:meth:`Figure.pdf`), e.g. for
  ``nbconvert --to pdf`` — except in the book's build (``$EVIDENCE_BOOK_BUILD``), whose
  kernels leave it out: there the LaTeX build renders it from the chart's spec in the HTML
  output, and the reader's downloaded notebook gets it too (:mod:`evidence.sphinxext.extension`),
  so an HTML build never pays for it;
- ``text/plain``: the alt text.

No vega-lite MIME type is emitted: nbformat rejects Altair 6's and MyST-NB
warns on unknown ones, which fails a ``-W`` build.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import textwrap
import urllib.parse

import altair as alt
import pandas as pd

from evidence.display import Table
from evidence.sphinxext.inputs import BOOK_BUILD

# Okabe & Ito (2008): distinguishable with the common forms of colour-blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDTH = 560


@alt.theme.register("evidence", enable=True)
def theme() -> alt.theme.ThemeConfig:
    """The book's chart theme: white card, readable type, Okabe-Ito colours."""
    return {
        "config": {
            "background": "#ffffff",
            "padding": 8,
            "font": FONT,
            "view": {"continuousWidth": WIDTH, "continuousHeight": 300, "stroke": None},
            "range": {"category": PALETTE},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 11, "subtitleColor": "#444444", "offset": 10},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelColor": "#222222", "titleColor": "#222222",
                     "gridColor": "#e6e6e6", "labelLimit": 260},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 320, "orient": "bottom", "direction": "vertical"},
            "header": {"labelFontSize": 11, "titleFontSize": 12},
            "mark": {"color": PALETTE[0]},
        }
    }


def titled(chart: alt.TopLevelMixin, title: str, source: str, width: int = 90) -> alt.TopLevelMixin:
    """Give a chart its title and a source line (the subtitle), so both travel with the image.

    The source line is wrapped at ``width`` characters: a long one would otherwise widen
    the chart past the page.
    """
    return chart.properties(title=alt.TitleParams(title, subtitle=textwrap.wrap(f"Source: {source}", width)))


class Figure:
    """A chart with its alt text and the table behind it; renders for HTML and for LaTeX."""

    def __init__(self, chart: alt.TopLevelMixin, alt_text: str, data: pd.DataFrame, name: str):
        self.spec = {**chart.to_dict(), "description": alt_text}  # vega also exposes it to assistive technology
        self.alt_text = alt_text
        self.data = data
        self.name = name
        # A stable id: the same chart gives the same page on every build.
        self.id = "chart-" + hashlib.sha256(json.dumps(self.spec, sort_keys=True).encode()).hexdigest()[:12]

    def csv(self) -> str:
        """The chart's data as a spreadsheet opens it: UTF-8 with a byte-order mark (so Excel reads the
        encoding), whole numbers without ".0", and empty cells empty."""
        frame = self.data.copy()

        def cell(value):  # 15.0 -> 15, 25.86 stays, NaN -> empty; text as it is
            if isinstance(value, float):
                return None if pd.isna(value) else int(value) if value.is_integer() else value
            return value

        for column in frame.columns:
            if pd.api.types.is_float_dtype(frame[column]) or frame[column].dtype == object:
                frame[column] = pd.Series([cell(v) for v in frame[column]], index=frame.index, dtype=object)
        return "\ufeff" + frame.to_csv(index=False, lineterminator="\n")

    def html(self) -> str:
        # Inside <script>, "<!--" or "</script" in a data string could end the element early: escape <, >, &.
        spec_json = json.dumps(self.spec, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        table = Table(self.data, f"Data behind the chart: {self.alt_text}")._repr_html_()
        download = "data:text/csv;charset=utf-8," + urllib.parse.quote(self.csv())
        return (
            f'<figure class="evidence-chart" id="{self.id}-figure">'
            # The alt text sits on a wrapper: vega-embed gives its own target div the role graphics-document.
            # role figure, not img: the chart's "…" menu inside it is interactive (axe: nested-interactive).
            f'<div class="evidence-chart-canvas" role="figure" aria-label="{html.escape(self.alt_text)}">'
            f'<div id="{self.id}" data-name="{html.escape(self.name)}"></div></div>'
            f'<script type="application/json" id="{self.id}-spec">{spec_json}</script>'
            f"<script>(window.evidenceCharts = window.evidenceCharts || []).push('{self.id}');</script>"
            '<figcaption class="evidence-chart-tools">'
            f'<a class="evidence-chart-download" download="{html.escape(self.name)}.csv" href="{download}">'
            f"Download the data (CSV)</a>"
            f"<details><summary>Show the data table</summary>{table}</details>"
            "</figcaption></figure>"
        )

    def pdf(self) -> bytes:
        import vl_convert  # only where a PDF is wanted

        return vl_convert.vegalite_to_pdf(self.spec)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        if os.environ.get(BOOK_BUILD):  # the book renders the PDF where it is used (LaTeX, the downloads)
            return {"text/html": self.html(), "text/plain": self.alt_text}
        return {"text/html": self.html(), "application/pdf": self.pdf(), "text/plain": self.alt_text}
