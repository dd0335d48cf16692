"""Shared fixtures: a private copy of the evidence base that a test may break."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
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


# --- a private copy of the project, built with its own package and data ---------------------------

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info",
                                     "node_modules")


def copy_project(target: Path) -> Path:
    """Copy the project (sources, data, package) to ``target``; the working build is left alone."""
    shutil.copytree(ROOT, target, ignore=COPY_IGNORE)
    return target


def build_copy(project: Path) -> list[str]:
    """Build a copy's HTML with its own `evidence` package and data; return the chapters executed."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("EVIDENCE_DATA_DIR", None)
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(project), "--builder", "html", "-n", "-W", "--keep-going"],
        capture_output=True, text=True, env=env,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return sorted(set(re.findall(r"chapters/([\w-]+)\.md: Executing notebook", log)))


# --- the built pages in Debian's Chromium, with the network blocked ------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (scripts/system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


class PageVisit:
    """A page opened with every non-file request blocked and recorded, its console errors and dialogs collected.

    It returns once every chart has drawn its SVG (with ``interactive_charts``; a notebook exported
    outside the book has only the static images).
    """

    def __init__(self, browser, path: Path, color_scheme: str = "light", interactive_charts: bool = True):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        charts = self.page.locator(".evidence-chart-canvas")
        for index in range(charts.count() if interactive_charts else 0):
            charts.nth(index).locator("svg").first.wait_for(timeout=15000)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.page.close()


# --- test tiers ------------------------------------------------------------------------------------

# What each file needs beyond the evidence base and the package. `make test-fast` runs what needs
# none of these (evidence, units, chapter prose); `make test` runs everything.
NEEDS = {
    "test_book_html.py": ("book",),
    "test_citation_and_downloads.py": ("book",),
    "test_browser.py": ("book", "browser"),
    "test_accessibility.py": ("book", "browser"),
    "test_reader_notebook.py": ("book", "browser"),
    "test_phone.py": ("book", "browser"),
    "test_chart_export.py": ("book", "browser"),
    "test_claim_figures.py": ("book", "browser"),
    "test_downloaded_notebook.py": ("book", "slow"),
    "test_hostile_input.py": ("build", "browser"),
    "test_evidence_pages.py": ("book", "browser"),
    "test_rebuild.py": ("build",),
    "test_pdf.py": ("pdf",),
}


def pytest_collection_modifyitems(items):
    for item in items:
        for marker in NEEDS.get(item.path.name, ()):
            item.add_marker(marker)
