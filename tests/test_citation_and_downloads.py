"""What readers take away: a valid CITATION.cff, 'Cite this chapter' with its citation files and meta tags on every
chapter, the changelog, the licence on every page, and the downloads."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
import zipfile

import jsonschema
import pytest
import yaml
from pybtex.database import parse_string

from conftest import HTML, ROOT
from evidence.sphinxext.citation import LICENCES, book_citation, chapter_citation

SCHEMA = ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.json"  # the CFF 1.2.0 schema, as published
CHAPTERS = sorted((HTML / "chapters").glob("*.html"))
built = pytest.mark.skipif(not CHAPTERS, reason="build the book first: make html")


def parse_bibtex(text: str):
    return parse_string(text, "bibtex")


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
    page_url = f"{metadata['url'].rstrip('/')}/v{metadata['version']}/chapters/flow-of-recruits.html"
    assert citation.url == page_url
    apa = citation.apa(accessed=dt.date(2027, 3, 4))
    assert apa.startswith(f"{metadata['authors'][0]['name']}. ({metadata['date-released'][:4]}). The flow of recruits. In ")
    assert f"(Version {metadata['version']}). Retrieved March 4, 2027, from {page_url}" in apa
    assert citation.bibtex().startswith("@incollection{fftc-flow-of-recruits,")
    assert citation.bibtex().count("{") == citation.bibtex().count("}")


def test_bibtex_has_no_edition_and_the_fields_a_versioned_web_chapter_needs():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    chapter = chapter_citation("The flow of recruits", "chapters/flow-of-recruits.html", built=dt.date(2027, 3, 4))
    entry = parse_bibtex(chapter.bibtex()).entries["fftc-flow-of-recruits"]
    assert entry.type == "incollection"
    assert "edition" not in entry.fields
    assert entry.fields["booktitle"].strip("{}") == metadata["title"]
    assert entry.fields["version"] == metadata["version"]
    assert entry.fields["url"] == chapter.url and entry.fields["urldate"] == "2027-03-04"
    assert entry.fields["publisher"] and entry.fields["year"] == metadata["date-released"][:4]
    assert [str(p) for p in entry.persons["author"]] == ["{" + metadata["authors"][0]["name"] + "}"]
    book = parse_bibtex(book_citation().bibtex()).entries["fftc-book"]
    assert book.type == "book" and "edition" not in book.fields and book.fields["url"].endswith(f"/v{metadata['version']}/")


def test_bibtex_escapes_what_latex_would_read_as_commands():
    chapter = chapter_citation("Costs & 50% of #1_a $", "chapters/x.html")
    title = parse_bibtex(chapter.bibtex()).entries["fftc-x"].fields["title"]
    assert title == r"{Costs \& 50\% of \#1\_a \$}"


# --- a small RIS reader: the tag format of the RIS specification --------------------------------

RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """Records of a RIS file as {tag: [values]}; an unknown line, or a record not opened by TY and
    closed by ER, is an error."""
    records, current = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = RIS_LINE.match(line)
        if not match:
            raise ValueError(f"line {number} is not 'XX  - value': {line!r}")
        tag, value = match.groups()
        if tag == "TY":
            if current is not None:
                raise ValueError(f"line {number}: TY inside an open record")
            current = {}
        elif current is None:
            raise ValueError(f"line {number}: {tag} outside a record (no TY before it)")
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value.strip())
    if current is not None:
        raise ValueError("the last record has no ER")
    return records


def test_ris_reader_rejects_broken_records():
    good = chapter_citation("The flow of recruits", "chapters/flow-of-recruits.html").ris()
    assert len(parse_ris(good)) == 1
    for broken in (good.replace("ER  - ", ""), good.replace("TY  - CHAP", ""), good.replace("TI  - ", "TI - ")):
        with pytest.raises(ValueError):
            parse_ris(broken)


def check_ris(text: str, citation) -> None:
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert text.endswith("\r\n") and "\r\n" in text  # CR LF, as the format asks
    (record,) = parse_ris(text)
    assert record["TY"] == ["CHAP" if citation.is_chapter else "BOOK"]
    assert record["AU"] == [metadata["authors"][0]["name"]]  # no comma: one name, not "last, first"
    if citation.is_chapter:
        assert record["TI"] == [citation.chapter_title] and record["T2"] == [metadata["title"]]
    else:
        assert record["TI"] == [metadata["title"]]
    assert record["PY"] == [metadata["date-released"][:4]]
    assert record["UR"] == [citation.url]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", record["Y2"][0])  # the access date
    assert record["N1"] == [f"Version {metadata['version']}"]


# --- CSL-JSON: the fields a citeproc processor needs, checked by a schema -------------------------

DATE = {"type": "object", "required": ["date-parts"], "additionalProperties": False,
        "properties": {"date-parts": {"type": "array", "minItems": 1, "maxItems": 2, "items": {
            "type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "integer"}}}}}
NAME = {"oneOf": [
    {"type": "object", "required": ["literal"], "additionalProperties": False, "properties": {"literal": {"type": "string"}}},
    {"type": "object", "required": ["family", "given"], "additionalProperties": False,
     "properties": {"family": {"type": "string"}, "given": {"type": "string"}}},
]}
CSL_ITEM = {
    "type": "object",
    "required": ["id", "type", "title", "author", "publisher", "issued", "accessed", "version", "URL"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^fftc-[a-z0-9-]+$"},
        "type": {"enum": ["chapter", "book"]},
        "title": {"type": "string", "minLength": 1},
        "container-title": {"type": "string", "minLength": 1},
        "author": {"type": "array", "minItems": 1, "items": NAME},
        "publisher": {"type": "string"},
        "issued": DATE,
        "accessed": DATE,
        "version": {"type": "string"},
        "language": {"type": "string"},
        "URL": {"type": "string", "pattern": "^https://"},
    },
    "if": {"properties": {"type": {"const": "chapter"}}},
    "then": {"required": ["container-title"]},
}
CSL_FILE = {"type": "array", "minItems": 1, "maxItems": 1, "items": CSL_ITEM}


def check_csl(text: str, citation) -> None:
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    items = json.loads(text)
    jsonschema.validate(items, CSL_FILE)
    (item,) = items
    assert item["id"] == citation.key and item["URL"] == citation.url
    assert item["issued"]["date-parts"][0] == [int(n) for n in metadata["date-released"].split("-")]
    assert item["version"] == metadata["version"]
    assert item.get("container-title", metadata["title"]) == metadata["title"]


def test_csl_schema_rejects_an_item_without_what_citeproc_needs():
    item = chapter_citation("The flow of recruits", "chapters/flow-of-recruits.html").csl()
    jsonschema.validate([item], CSL_FILE)
    for field in ("container-title", "issued", "URL"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([{k: v for k, v in item.items() if k != field}], CSL_FILE)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([item | {"issued": {"date-parts": [["2026", 11]]}}], CSL_FILE)


# --- the built pages -----------------------------------------------------------------------------

class _Head(html.parser.HTMLParser):
    """A page's <meta name=… content=…> tags (in order) and its canonical link."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs.get("content", "")))
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]


def head(page) -> _Head:
    parser = _Head()
    parser.feed(page.read_text(encoding="utf-8").split("</head>")[0])
    return parser


def page_title(page) -> str:
    source = (ROOT / "chapters" / f"{page.stem}.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", source, flags=re.MULTILINE).group(1).strip()
    return "Introduction" if page.stem == "introduction" else title  # the root page is the book's introduction


def cite_block(page) -> str:
    html_text = page.read_text(encoding="utf-8")
    return re.search(r'<div class="cite-this-chapter" id="cite-this-chapter">(.*?)</pre>', html_text, re.S).group(1)


@built
@pytest.mark.parametrize("page", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_page_offers_a_citation_and_its_notebook(page):
    html_text = page.read_text(encoding="utf-8")
    source = (ROOT / "chapters" / f"{page.stem}.md").read_text(encoding="utf-8")
    assert "Cite this chapter" in html_text
    assert f"{page_title(page)}. In <em>Foreign Fighters After the Caliphate" in html_text.replace("&#8217;", "’")
    text = re.sub(r"<[^>]+>", "", html_text)
    assert f"@incollection{{fftc-{page.stem}," in text
    assert "edition" not in text.split(f"@incollection{{fftc-{page.stem},")[1]
    assert f'href="../_sources/chapters/{page.stem}.md"' in html_text
    if "code-cell" in source:
        assert f'href="../_sources/chapters/{page.stem}.ipynb"' in html_text
        assert (HTML / "_sources" / "chapters" / f"{page.stem}.ipynb").exists()


@built
@pytest.mark.parametrize("page", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_meta_tags_agree_with_citation_cff(page):
    """Highwire tags as Zotero's Embedded Metadata translator reads them: a book section with its
    authors, title, book title, date, URL and PDF; the canonical link is the same versioned URL."""
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    parsed = head(page)
    tags: dict[str, list[str]] = {}
    for name, content in parsed.meta:
        tags.setdefault(name, []).append(content)
    base = f"{metadata['url'].rstrip('/')}/v{metadata['version']}/"
    url = f"{base}chapters/{page.name}"
    date = metadata["date-released"].replace("-", "/")
    assert tags["citation_title"] == [page_title(page)]
    assert tags["citation_author"] == [a["name"] + "," for a in metadata["authors"]]  # "Name,": a last name alone
    assert tags["citation_book_title"] == tags["citation_inbook_title"] == [metadata["title"]]
    assert tags["citation_publication_date"] == tags["citation_date"] == [date]
    assert tags["citation_public_url"] == [url] and parsed.canonical == url
    assert tags["citation_pdf_url"] == [f"{base}pdf/{page.stem}.pdf"]  # the chapter's own PDF
    assert f'href="../pdf/{page.stem}.pdf"' in page.read_text(encoding="utf-8")  # the PDF the tag names is linked
    # Zotero takes the item type from the last of these it meets: only the book section's may be there.
    others = {"citation_journal_title", "citation_conference_title", "citation_conference",
              "citation_technical_report_institution", "citation_dissertation_institution"}
    assert not others & set(tags)


@built
@pytest.mark.parametrize("page", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_citation_files_of_every_chapter_and_the_book_parse(page):
    block = cite_block(page)
    chapter = chapter_citation(page_title(page), f"chapters/{page.name}")
    for citation in (chapter, book_citation()):
        for ext in ("bib", "ris", "json"):
            href = f"../cite/{citation.key}.{ext}"
            assert f'href="{href}" download' in block, (page.name, href)
            text = (page.parent / href).resolve().read_text(encoding="utf-8")
            if ext == "bib":
                entry = parse_bibtex(text).entries[citation.key]
                assert entry.type == ("incollection" if citation.is_chapter else "book")
                assert {"url", "urldate", "version", "publisher"} <= set(entry.fields) and "edition" not in entry.fields
                assert entry.fields["url"] == citation.url
            elif ext == "ris":
                check_ris((page.parent / href).resolve().read_bytes().decode("utf-8"), citation)
            else:
                check_csl(text, citation)
    assert chapter.url == head(page).canonical


@built
@pytest.mark.browser
def test_the_reader_s_browser_writes_in_the_day_they_read_the_page(browser):
    """APA 7's retrieval date is the reader's: in Chromium (network blocked) the citation shows the browser's today."""
    page = browser.new_page()
    page.clock.set_fixed_time(dt.datetime(2027, 3, 4, 12, 0))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto((HTML / "chapters" / "flow-of-recruits.html").as_uri())
    page.wait_for_load_state("load")
    assert "Retrieved March 4, 2027, from https://" in page.locator(".evidence-cite-apa").inner_text()
    assert "urldate   = {2027-03-04}" in page.locator("#cite-this-chapter pre").inner_text()
    page.close()


def test_citation_urls_point_at_this_version():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert book_citation().url == f"{metadata['url'].rstrip('/')}/v{metadata['version']}/"


@built
@pytest.mark.parametrize("page", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_changelog_is_linked_from_every_citation_block(page):
    links = re.findall(r'<a href="([^"]+)">the changelog</a>', cite_block(page))
    assert links and (page.parent / links[0]).resolve() == (HTML / "chapters" / "changelog.html").resolve()


@built
def test_changelog_page_shows_every_version_of_changelog_md():
    versions = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), flags=re.MULTILINE)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (HTML / "chapters" / "changelog.html").read_text(encoding="utf-8")))
    assert versions and all(v in text.replace("&#8211;", "–") for v in versions), versions


def test_changelog_has_the_version_of_citation_cff():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert f"{metadata['version']} – {metadata['date-released']}" in headings


PAGES = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts and p.name != "index.html")


@built
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(HTML)) for p in PAGES])
def test_licence_statement_on_every_page(page):
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    name, short, deed, _ = LICENCES[metadata["license"]]
    footer = page.read_text(encoding="utf-8").split('<footer class="bd-footer-content">')[1]
    statement = re.search(r'<p class="evidence-licence">(.*?)</p>', footer, re.S).group(1)
    assert f'<a href="{deed}" rel="license">{name} ({short})</a>' in statement
    assert "the five source texts (data/sources/)" in statement and "belong to their publishers" in statement


def test_licence_file_names_the_licence_and_what_it_excludes():
    metadata = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    name, _, deed, legal_code = LICENCES[metadata["license"]]
    text = " ".join((ROOT / "LICENSE").read_text(encoding="utf-8").split())
    assert f"SPDX-License-Identifier: {metadata['license']}" in text
    assert name in text and deed in text and legal_code in text
    assert "data/sources/ are not licensed by this project" in text
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert [licence["name"] for licence in package["licenses"]] == [metadata["license"]]


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
    assert {"evidence/__init__.py", "requirements.txt", "CITATION.cff", "LICENSE"} <= names
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
