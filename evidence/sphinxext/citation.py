"""'Cite this chapter': an APA-style line and a BibTeX entry, both made from CITATION.cff.

One metadata source (CITATION.cff at the project root) feeds every chapter's citation, so
the book's title, authors and version are written once. The build date honours
SOURCE_DATE_EPOCH (the reproducible-builds convention), so a rebuild of one commit can
carry the same date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

CITATION_FILE = Path(__file__).resolve().parents[2] / "CITATION.cff"


@dataclass(frozen=True)
class ChapterCitation:
    chapter_title: str
    page: str  # the chapter's path in the book, e.g. chapters/flow-of-recruits.html
    book_title: str
    authors: list[str]
    version: str
    built: dt.date
    url: str | None

    def apa(self) -> str:
        """APA 7 style for a chapter in an edited work: Authors. (Year). Chapter. In Book (Version x)."""
        location = f" {self.url.rstrip('/')}/{self.page}" if self.url else f" Page: {self.page}."
        return (
            f"{_apa_authors(self.authors)} ({self.built.year}). {self.chapter_title}. In {self.book_title} "
            f"(Version {self.version}, built {self.built.isoformat()}).{location}"
        )

    def bibtex(self) -> str:
        key = "fftc-" + re.sub(r"[^a-z0-9]+", "-", Path(self.page).stem.lower()).strip("-")
        fields = {
            "title": self.chapter_title,
            "booktitle": self.book_title,
            "author": " and ".join("{" + a + "}" for a in self.authors),
            "year": str(self.built.year),
            "edition": f"Version {self.version}",
            "note": f"Built {self.built.isoformat()}; page {self.page}",
        }
        if self.url:
            fields["url"] = f"{self.url.rstrip('/')}/{self.page}"
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        return f"@incollection{{{key},\n{body}\n}}"


def build_date() -> dt.date:
    """Today (UTC), or the date given by SOURCE_DATE_EPOCH."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.date()


def chapter_citation(chapter_title: str, page: str, citation_file: Path = CITATION_FILE) -> ChapterCitation:
    meta = yaml.safe_load(citation_file.read_text(encoding="utf-8"))
    authors = [a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in meta["authors"]]
    return ChapterCitation(
        chapter_title=chapter_title,
        page=page,
        book_title=meta["title"],
        authors=authors,
        version=str(meta["version"]),
        built=build_date(),
        url=meta.get("url"),
    )


def _apa_authors(authors: list[str]) -> str:
    if len(authors) == 1:
        return authors[0] + ("" if authors[0].endswith(".") else ".")
    return ", ".join(authors[:-1]) + ", & " + authors[-1] + "."
