"""What readers take away: a valid CITATION.cff, 'Cite this chapter' on every chapter, and the downloads."""

from __future__ import annotations

import json
import re
import zipfile

import jsonschema
import pytest
import yaml

from conftest import HTML, ROOT
from evidence.sphinxext.citation import chapter_citation

SCHEMA = ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.json"  # the CFF 1.2.0 schema, as published
CHAPTERS = sorted((HTML / "chapters").glob("*.html"))
built = pytest.mark.skipif(not CHAPTERS, reason="build the book first: make html")


def test_citation_cff_is_valid_against_its_schema():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    jsonschema.validate(metadata, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_citation_cff_rejects_what_the_schema_forbids():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    del metadata["authors"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(metadata, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_chapter_citation_comes_from_citation_cff():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    citation = chapter_citation("The flow of recruits", "chapters/flow-of-recruits.html")
    assert metadata["title"] in citation.apa() and f"Version {metadata['version']}" in citation.apa()
    assert citation.bibtex().startswith("@incollection{fftc-flow-of-recruits,")
    assert citation.bibtex().count("{") == citation.bibtex().count("}")


@built
@pytest.mark.parametrize("page", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_page_offers_a_citation_and_its_notebook(page):
    html = page.read_text(encoding="utf-8")
    source = (ROOT / "chapters" / f"{page.stem}.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", source, flags=re.MULTILINE).group(1).strip()
    assert "Cite this chapter" in html
    assert f"{title}. In Foreign Fighters After the Caliphate" in html.replace("&#8217;", "’")
    text = re.sub(r"<[^>]+>", "", html)  # the BibTeX block is syntax-highlighted into spans
    assert f"@incollection{{fftc-{page.stem}," in text
    assert f'href="../_sources/chapters/{page.stem}.md"' in html
    if "code-cell" in source:
        assert f'href="../_sources/chapters/{page.stem}.ipynb"' in html
        assert (HTML / "_sources" / "chapters" / f"{page.stem}.ipynb").exists()


@built
def test_no_button_points_nowhere():
    for page in CHAPTERS:
        html = page.read_text(encoding="utf-8")
        for marker in ("launch-buttons", "binder", "colab", "repository-button", "btn-edit", "btn-issues"):
            assert marker not in html.lower(), (page.name, marker)


@built
def test_data_zip_holds_the_data_package_and_the_code_to_rerun():
    with zipfile.ZipFile(HTML / "foreign-fighters-data.zip") as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read("data/datapackage.json"))
    for resource in package["resources"]:
        assert f"data/{resource['path']}" in names
    assert {"evidence/__init__.py", "requirements.txt", "CITATION.cff"} <= names
    assert any(name.startswith("data/sources/") for name in names)


@built
def test_every_chart_offers_its_data_as_csv():
    for page in CHAPTERS:
        html = page.read_text(encoding="utf-8")
        assert html.count('class="evidence-chart"') == html.count('class="evidence-chart-download"'), page.name


@built
def test_chart_csvs_open_cleanly_in_a_spreadsheet():
    """UTF-8 with a byte-order mark, whole numbers without '.0', blanks as blanks; as many rows as the chart's table."""
    import csv
    import io
    import urllib.parse

    checked = 0
    for page in CHAPTERS:
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'class="evidence-chart-download" download="[^"]*" href="data:text/csv;charset=utf-8,([^"]*)"', html):
            text = urllib.parse.unquote(href)
            assert text.startswith("\ufeff"), page.name
            rows = list(csv.reader(io.StringIO(text[1:])))
            assert len(rows) > 1
            for row in rows[1:]:
                for cell in row:
                    assert not re.fullmatch(r"-?\d+\.0", cell), (page.name, cell)
                    assert cell not in ("nan", "NaN", "None", "<NA>"), (page.name, cell)
            checked += 1
    assert checked >= 8
