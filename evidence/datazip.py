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

ROOT = Path(__file__).resolve().parent.parent
ZIP_NAME = "foreign-fighters-data.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def members(root: Path = ROOT) -> list[Path]:
    """Files that go into the zip, relative to ``root``, sorted."""
    patterns = [
        "data/datapackage.json", "data/*.csv", "data/sources/*.txt",
        "evidence/*.py", "evidence/static/*", "requirements.txt", "CITATION.cff", "references.bib",
    ]
    found = {p.relative_to(root) for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    return sorted(found)


def write_zip(target: Path, root: Path = ROOT) -> Path:
    """Write the zip to ``target`` atomically (a partial file is never left under the final name)."""
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in members(root):
            info = zipfile.ZipInfo(relative.as_posix(), date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / relative).read_bytes())
    partial.replace(target)
    return target
