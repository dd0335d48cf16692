"""Fresh and deterministic builds, on a private copy of the project (the working build is untouched).

- No stale numbers: after a data edit the new value is on the page, and exactly the chapters that
  read the edited file are re-executed; a prose-only edit or no change re-executes nothing.
- Determinism: two clean builds give identical chart specs, CSV downloads, glued numbers and data zip.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info")


def copy_project(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=IGNORE)
    return target


def build(project: Path) -> list[str]:
    """Build the copy's HTML (its own `evidence` package and data); return the chapters executed."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("EVIDENCE_DATA_DIR", None)
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(project), "--builder", "html", "-n", "-W", "--keep-going"],
        capture_output=True, text=True, env=env,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return sorted(set(re.findall(r"chapters/([\w-]+)\.md: Executing notebook", log)))


def notebook_chapters(project: Path) -> list[str]:
    return sorted(p.stem for p in (project / "chapters").glob("*.md") if "```{code-cell}" in p.read_text(encoding="utf-8"))


def page_text(project: Path, chapter: str) -> str:
    raw = (project / "_build" / "html" / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def readers_of(project: Path, data_file: str) -> list[str]:
    """Chapters whose last execution read ``data_file`` (recorded by evidence.inputs)."""
    folder = project / "_build" / "evidence-inputs"
    target = (project / data_file).as_posix()
    return sorted(
        m.stem.split("--", 1)[1]
        for m in folder.glob("chapters--*.txt")
        if target in m.read_text(encoding="utf-8").split()
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("edits") / "project")
    executed = build(project)
    assert executed == notebook_chapters(project)
    return project


def test_no_change_rebuild_executes_nothing(project):
    assert build(project) == []


def test_prose_only_edit_executes_nothing_and_shows_the_edit(project):
    chapter = project / "chapters" / "sources-and-evidence.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence added by the rebuild test.\n", encoding="utf-8")
    assert build(project) == []
    assert "A sentence added by the rebuild test." in page_text(project, "sources-and-evidence")


def test_ledger_edit_reaches_the_page_and_reexecutes_its_readers(project):
    claims = project / "data" / "claims.csv"
    before = page_text(project, "introduction")
    count = len(claims.read_text(encoding="utf-8").strip().splitlines()) - 1
    assert f"claims ledger of {count} entries" in before
    with open(claims, "a", encoding="utf-8") as handle:
        handle.write('npr-test-added-row,npr-2017-05-04,context,NPR (Greg Myre),2017-05-04,'
                     '"New recruits are way down.",,,,,,,,,Added by the rebuild test.\n')
    readers = readers_of(project, "data/claims.csv")
    assert readers == notebook_chapters(project)
    assert build(project) == readers
    assert f"claims ledger of {count + 1} entries" in page_text(project, "introduction")


def test_table_edit_reexecutes_only_the_chapters_that_read_it(project):
    readers = readers_of(project, "data/glossary.csv")
    edit(project / "data" / "glossary.csv", "The transnational jihadist organisation", "The transnational organisation")
    assert build(project) == readers
    glossary = page_text(project, "glossary")
    assert "The transnational organisation from which ISIS split" in glossary


def build_outputs(project: Path) -> dict[str, str]:
    """Digests of what must not change between two clean builds of one commit."""
    html = project / "_build" / "html"
    outputs = {}
    for page in sorted((html / "chapters").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for name, pattern in (("spec", r'<script type="application/json" id="(chart-[0-9a-f]+)-spec">(.*?)</script>'),
                              ("csv", r'download="([^"]+)" href="(data:text/csv[^"]+)"')):
            for key, body in re.findall(pattern, text, flags=re.DOTALL):
                outputs[f"{page.stem}/{name}/{key}"] = hashlib.sha256(body.encode()).hexdigest()
    for glue in sorted((project / "_build" / "jupyter_execute").rglob("*.glue.json")):
        outputs[f"glue/{glue.name}"] = hashlib.sha256(json.dumps(json.loads(glue.read_text()), sort_keys=True).encode()).hexdigest()
    outputs["data zip"] = hashlib.sha256((html / "foreign-fighters-data.zip").read_bytes()).hexdigest()
    return outputs


def test_two_clean_builds_are_identical(tmp_path_factory):
    first = copy_project(tmp_path_factory.mktemp("clean-a") / "project")
    second = copy_project(tmp_path_factory.mktemp("clean-b") / "project")
    build(first)
    build(second)
    a, b = build_outputs(first), build_outputs(second)
    assert any("/spec/" in key for key in a) and any(key.startswith("glue/") for key in a)
    assert a.keys() == b.keys()
    assert {k for k in a if a[k] != b[k]} == set()
