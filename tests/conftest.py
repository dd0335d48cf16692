"""Shared fixtures: a private copy of the evidence base that a test may break."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
HTML = ROOT / "_build" / "html"


class DataCopy:
    """A copy of data/ in a temporary folder, with helpers to edit its CSVs."""

    def __init__(self, path: Path):
        self.path = path

    def rows(self, name: str) -> list[dict[str, str]]:
        with open(self.path / name, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def write(self, name: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
        columns = columns or list(rows[0])
        with open(self.path / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    def edit_claim(self, claim_id: str, **changes: str) -> int:
        """Change fields of one claim; returns its row number as messages give it (header = row 1)."""
        rows = self.rows("claims.csv")
        index = next(i for i, row in enumerate(rows) if row["claim_id"] == claim_id)
        rows[index].update(changes)
        self.write("claims.csv", rows)
        return index + 2


@pytest.fixture
def data_copy(tmp_path: Path) -> DataCopy:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return DataCopy(target)
