"""The reader's download: the data package, its sources and the code to re-run the notebooks, as one zip.

Unzipped next to a chapter's downloaded .ipynb, it gives the notebook what it imports
(``evidence/``) and what that reads (``data/``), so ``jupyter nbconvert --execute`` works
outside the book with only ``pip install -r requirements.txt``.

The archive is deterministic: entries sorted, fixed timestamps and permissions, so two
builds of one commit give byte-identical zips.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ZIP_NAME = "foreign-fighters-data.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


# Repository path -> path in the zip. The reader's requirements.txt is the re-run set, not the book's toolchain.
RENAMED = {"requirements-notebooks.txt": "requirements.txt"}

README = """# Foreign Fighters After the Caliphate: data and code

This folder holds the book's evidence base (data/: the source texts, the source register, the voices in
each source, the claims ledger and the coded tables, described by data/datapackage.json) and the code the
chapter notebooks import (evidence/).

To re-run a chapter:

1. Save the chapter's notebook (.ipynb, from the book's download menu) into this folder.
2. Create an environment and install what re-running needs (Python 3.11 or later):

       python -m venv .venv
       .venv/bin/pip install -r requirements.txt

3. Open the notebook in Jupyter, or run it from the command line:

       .venv/bin/jupyter nbconvert --to notebook --execute chapter.ipynb

The notebook reads data/ through evidence/ and checks it first: an edited figure or quotation that no
longer matches its source stops the run with a message naming the file, row and field. pyproject.toml
declares the package's own dependencies (`pip install .` installs them); requirements.txt pins the
versions the book was built with. CITATION.cff says how to cite the book; references.bib lists its sources.
LICENSE says what you may reuse (CC BY 4.0) and what the licence does not cover (the source texts in data/sources/).
"""


def members(root: Path = ROOT) -> list[Path]:
    """Files that go into the zip, relative to ``root``, sorted (see :data:`RENAMED` for their names there)."""
    patterns = [
        "data/datapackage.json", "data/*.csv", "data/sources/*.txt", "evidence/*.py", "evidence/sphinxext/*.py",
        "requirements-notebooks.txt", "pyproject.toml", "CITATION.cff", "references.bib", "LICENSE",
    ]
    found = {p.relative_to(root) for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    return sorted(found)


def _info(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed time and permissions, so two builds give the same bytes."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(target: Path, root: Path = ROOT) -> Path:
    """Write the zip to ``target`` atomically (a partial file is never left under the final name)."""
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in members(root):
            archive.writestr(_info(RENAMED.get(relative.as_posix(), relative.as_posix())), (root / relative).read_bytes())
        archive.writestr(_info("README.md"), README.encode("utf-8"))
    partial.replace(target)
    return target
