"""How to cite the book and each chapter, in every form a reader needs, all made from CITATION.cff.

CITATION.cff (at the project root) is the one place where the book's title, authors, version, date,
licence and address are written. The book's address there (``url``) is its home; each version is
published under ``<url>v<version>/`` (:attr:`Book.base_url`), so a citation points at the text it cites.
From these, this module writes:

- the APA 7 reference of a chapter (a chapter of an authored book) or of the whole book;
- a BibTeX entry (``@incollection`` / ``@book``), a RIS record and a CSL-JSON item, for reference managers;
- the Highwire Press ``citation_*`` meta tags that Zotero and Google Scholar read from a page;
- the licence and reuse statement shown on every page.

Retrieval date: APA 7 gives one ("Retrieved Month Day, Year, from URL") for a work that is designed to
change over time and is not archived, and this book's pages change between builds and versions. The
retrieval date is the day the reader read the page, which a built file cannot know: the files carry the
day the page was built (:func:`build_date`), the page replaces it with the reader's date when it is
shown (``evidence-cite.js``), and the citation block says so.

The build date honours SOURCE_DATE_EPOCH (the reproducible-builds convention), so a rebuild of one
commit carries the same date. Nothing here imports Sphinx.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from evidence.sphinxext.chapter_pdf import PDF_FOLDER

ROOT = Path(__file__).resolve().parents[2]
CITATION_FILE = ROOT / "CITATION.cff"
SOURCES_FILE = ROOT / "data" / "sources.csv"

KEY_PREFIX = "fftc-"  # BibTeX keys and download names: fftc-book, fftc-flow-of-recruits
BOOK_KEY = KEY_PREFIX + "book"
BOOK_PDF = "book.pdf"  # the whole book, at the root of each version of the site
LANGUAGE = "en"

# Licences the book may name in CITATION.cff: SPDX id -> (official name, short name, deed, legal code).
LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org/licenses/by/4.0/legalcode",
    ),
}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Author:
    """A person (family and given names) or an organisation (``given`` is None)."""

    family: str
    given: str | None = None

    @property
    def is_organisation(self) -> bool:
        return self.given is None

    def apa(self) -> str:
        if self.is_organisation:
            return self.family
        initials = " ".join(f"{part[0]}." for part in re.split(r"[\s-]+", self.given) if part)
        return f"{self.family}, {initials}"

    def inverted(self) -> str:
        """'Family, Given'; an organisation's name as it is."""
        return self.family if self.is_organisation else f"{self.family}, {self.given}"


@dataclass(frozen=True)
class Book:
    title: str
    authors: tuple[Author, ...]
    version: str
    released: dt.date
    url: str  # the book's home (CITATION.cff's url)
    licence: str  # an SPDX id

    @property
    def base_url(self) -> str:
        """Where this version is published: the book's home, then v<version>/ (Sphinx's html_baseurl)."""
        return f"{self.url.rstrip('/')}/v{self.version}/"

    @property
    def publisher(self) -> str:
        """The book publishes itself: its authors are its publisher."""
        return "; ".join(a.family if a.is_organisation else f"{a.given} {a.family}" for a in self.authors)


def read_book(citation_file: Path = CITATION_FILE) -> Book:
    meta = yaml.safe_load(citation_file.read_text(encoding="utf-8"))
    authors = tuple(Author(a["name"]) if "name" in a else Author(a["family-names"], a.get("given-names", ""))
                    for a in meta["authors"])
    released = meta["date-released"]
    if not isinstance(released, dt.date):
        released = dt.date.fromisoformat(str(released))
    if not meta.get("url"):
        raise ValueError(f"{citation_file.name}: 'url' (the book's published address) is missing")
    return Book(title=meta["title"], authors=authors, version=str(meta["version"]), released=released,
                url=meta["url"], licence=meta["license"])


def build_date() -> dt.date:
    """Today (UTC), or the date given by SOURCE_DATE_EPOCH."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.date()


def apa_date(day: dt.date) -> str:
    """'November 22, 2026', as APA 7 writes a retrieval date."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


@dataclass(frozen=True)
class Citation:
    """The whole book (``chapter_title`` None) or one of its pages (title and path in the book)."""

    book: Book
    built: dt.date  # stands for the access date in the files; the page shows the reader's date instead
    chapter_title: str | None = None
    page: str | None = None  # e.g. chapters/flow-of-recruits.html

    @property
    def is_chapter(self) -> bool:
        return self.chapter_title is not None

    @property
    def key(self) -> str:
        if not self.is_chapter:
            return BOOK_KEY
        return KEY_PREFIX + re.sub(r"[^a-z0-9]+", "-", Path(self.page).stem.lower()).strip("-")

    @property
    def url(self) -> str:
        return self.book.base_url + (self.page or "")

    @property
    def pdf_url(self) -> str:
        """The chapter's own PDF (printed from its page, :mod:`.chapter_pdf`); for the book, the whole book's."""
        if self.is_chapter:
            return f"{self.book.base_url}{PDF_FOLDER}/{Path(self.page).stem}.pdf"
        return self.book.base_url + BOOK_PDF

    # --- APA 7 -------------------------------------------------------------------------------------

    def apa_parts(self, accessed: dt.date | None = None) -> list[tuple[str, str]]:
        """The APA reference as (kind, text) pieces: 'text', 'italic' (the book's title), 'accessed', 'url'.

        A chapter of an authored book: Author. (Year). Chapter. In *Book* (Version x). Retrieved …, from URL.
        The publisher is left out because it is the author (APA 7, 9.25).
        """
        year = f"({self.book.released.year})."
        authors = _apa_authors(self.book.authors)
        title = _capitalise_subtitle(self.book.title)
        if self.is_chapter:
            parts = [("text", f"{authors} {year} {self.chapter_title}. In "), ("italic", title)]
        else:
            parts = [("text", f"{authors} {year} "), ("italic", title)]
        return parts + [
            ("text", f" (Version {self.book.version}). Retrieved "),
            ("accessed", apa_date(accessed or self.built)),
            ("text", ", from "),
            ("url", self.url),
        ]

    def apa(self, accessed: dt.date | None = None) -> str:
        return "".join(text for _, text in self.apa_parts(accessed))

    # --- BibTeX ------------------------------------------------------------------------------------

    def bibtex_fields(self) -> dict[str, str]:
        """Field -> value, in the order written. ``version`` is biblatex's field for it; ``note`` says it in
        words for the styles that do not print ``version`` (classic BibTeX and biblatex's own for these types)."""
        fields = {"author": " and ".join(_bibtex_name(a) for a in self.book.authors)}
        if self.is_chapter:
            fields["title"] = "{" + _bibtex_text(self.chapter_title) + "}"
            fields["booktitle"] = "{" + _bibtex_text(self.book.title) + "}"
        else:
            fields["title"] = "{" + _bibtex_text(self.book.title) + "}"
        fields |= {
            "publisher": _bibtex_text(self.book.publisher),
            "year": str(self.book.released.year),
            "version": self.book.version,
            "note": f"Version {self.book.version}",
            "url": self.url,
            "urldate": self.built.isoformat(),
        }
        return fields

    def bibtex(self) -> str:
        kind = "incollection" if self.is_chapter else "book"
        fields = self.bibtex_fields()
        width = max(map(len, fields))
        body = ",\n".join(f"  {name:<{width}} = {{{value}}}" for name, value in fields.items())
        return f"@{kind}{{{self.key},\n{body}\n}}\n"

    # --- RIS ---------------------------------------------------------------------------------------

    def ris_fields(self) -> list[tuple[str, str]]:
        """RIS tags in order. Y2 is the access date; an organisation goes in AU without a comma (one name)."""
        fields = [("TY", "CHAP" if self.is_chapter else "BOOK")]
        fields += [("AU", a.inverted()) for a in self.book.authors]
        if self.is_chapter:
            fields += [("TI", self.chapter_title), ("T2", self.book.title)]
        else:
            fields += [("TI", self.book.title)]
        return fields + [
            ("PY", str(self.book.released.year)),
            ("DA", self.book.released.strftime("%Y/%m/%d")),
            ("PB", self.book.publisher),
            ("LA", LANGUAGE),
            ("UR", self.url),
            ("Y2", self.built.strftime("%Y/%m/%d")),
            ("N1", f"Version {self.book.version}"),
            ("ID", self.key),
        ]

    def ris(self) -> str:
        """A RIS record: 'TY  - ' first, 'ER  - ' last, lines ending in CR LF as the format asks."""
        lines = [f"{tag}  - {value}" for tag, value in self.ris_fields()] + ["ER  - "]
        return "\r\n".join(lines) + "\r\n"

    # --- CSL-JSON ----------------------------------------------------------------------------------

    def csl(self) -> dict:
        """A CSL-JSON item (the input format of citeproc, Zotero, Pandoc)."""
        item = {"id": self.key, "type": "chapter" if self.is_chapter else "book"}
        if self.is_chapter:
            item |= {"title": self.chapter_title, "container-title": self.book.title}
        else:
            item["title"] = self.book.title
        return item | {
            "author": [{"literal": a.family} if a.is_organisation else {"family": a.family, "given": a.given}
                       for a in self.book.authors],
            "publisher": self.book.publisher,
            "issued": {"date-parts": [_date_parts(self.book.released)]},
            "accessed": {"date-parts": [_date_parts(self.built)]},
            "version": self.book.version,
            "language": LANGUAGE,
            "URL": self.url,
        }

    def csl_json(self) -> str:
        return json.dumps([self.csl()], ensure_ascii=False, indent=2) + "\n"

    # --- Highwire Press meta tags (Zotero, Google Scholar) -----------------------------------------

    def highwire(self) -> list[tuple[str, str]]:
        """(name, content) of the page's citation_* meta tags.

        Zotero's Embedded Metadata translator saves a page as a book section when it has
        citation_book_title (citation_inbook_title, Google Scholar's name for it, is given too), and attaches
        the PDF that citation_pdf_url names: the chapter's own, printed from its page. It splits
        a citation_author without a comma into first and last names; an organisation's name is therefore
        written with a trailing comma ("Name,"), which Zotero reads as a last name alone.
        """
        if not self.is_chapter:
            raise ValueError("meta tags describe a chapter page")
        date = self.book.released.strftime("%Y/%m/%d")
        return (
            [("citation_title", self.chapter_title)]
            + [("citation_author", a.inverted() + ("," if a.is_organisation else "")) for a in self.book.authors]
            + [
                ("citation_book_title", self.book.title),
                ("citation_inbook_title", self.book.title),
                ("citation_publisher", self.book.publisher),
                ("citation_publication_date", date),
                ("citation_date", date),
                ("citation_language", LANGUAGE),
                ("citation_public_url", self.url),
                ("citation_pdf_url", self.pdf_url),
            ]
        )

    def meta_tags(self) -> str:
        return "\n".join(f'<meta name="{name}" content="{html.escape(value)}" />' for name, value in self.highwire())


def chapter_citation(chapter_title: str, page: str, citation_file: Path = CITATION_FILE,
                     built: dt.date | None = None) -> Citation:
    return Citation(read_book(citation_file), built or build_date(), chapter_title, page)


def book_citation(citation_file: Path = CITATION_FILE, built: dt.date | None = None) -> Citation:
    return Citation(read_book(citation_file), built or build_date())


# --- Licence ---------------------------------------------------------------------------------------

def publishers(sources_file: Path = SOURCES_FILE) -> list[str]:
    """Who owns each source text: its outlet, or what is known where the register names none."""
    with open(sources_file, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["outlet"] or f"the unnamed author or publisher of the {row['kind'].replace('-', ' ')}" for row in rows]


def licence_html(book: Book, sources_file: Path = SOURCES_FILE) -> str:
    """The licence and reuse statement of every page's footer (HTML)."""
    name, short, deed, _ = LICENCES[book.licence]  # a KeyError names a licence this module does not know
    owners = publishers(sources_file)
    owners_text = ", ".join(owners[:-1]) + " and " + owners[-1] if len(owners) > 1 else owners[0]
    return (
        '<p class="evidence-licence">Licence: the text, code and claims ledger of this book are licensed under '
        f'<a href="{deed}" rel="license">{name} ({short})</a>: you may copy, share '
        "and adapt them for any purpose if you credit the book, link to the licence and say what you changed. "
        f"Not licensed: the {_number_word(len(owners))} source texts (data/sources/) and the words quoted from "
        f"them, here and in the ledger, belong to their publishers ({html.escape(owners_text)}); they are "
        "included so that every quotation can be checked against its source.</p>"
    )


# --- helpers ---------------------------------------------------------------------------------------

def _apa_authors(authors: tuple[Author, ...]) -> str:
    names = [a.apa() for a in authors]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    return text if text.endswith(".") else text + "."


def _capitalise_subtitle(title: str) -> str:
    """APA capitalises the first word after a colon."""
    return re.sub(r":\s+(\w)", lambda m: ": " + m.group(1).upper(), title)


def _bibtex_text(text: str) -> str:
    """Characters LaTeX would read as commands, escaped."""
    return re.sub(r"([&%$#_])", r"\\\1", text)


def _bibtex_name(author: Author) -> str:
    """An organisation in braces, so BibTeX does not split it into first and last names."""
    return "{" + _bibtex_text(author.family) + "}" if author.is_organisation else _bibtex_text(author.inverted())


def _date_parts(day: dt.date) -> list[int]:
    return [day.year, day.month, day.day]


def _number_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if n < len(words) else str(n)
