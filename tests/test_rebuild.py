"""Fresh and deterministic builds, on a private copy of the project (the working build is untouched).

- No stale numbers: after a data edit the new value is on the page, and exactly the chapters that
  read the edited file are re-executed; a prose-only edit or no change re-executes nothing.
- Each chapter is executed once: a clean build runs every chapter in the parallel kernels (none again
  while Sphinx reads), and the LaTeX build reuses the HTML build's executed notebooks.
- No stale checks: the record of a passed evidence check is trusted only for the exact bytes it records.
- Determinism: two clean builds give identical chart specs, CSV downloads, glued numbers and data zip.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DATA, JUPYTER_BOOK
from conftest import build_copy as build
from conftest import copy_project

EXECUTING = r"chapters/([\w-]+)\.md: Executing notebook"


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


def build_log(project: Path, builder: str = "html") -> tuple[int, str]:
    """Build a copy with its own package and data; the return code and the whole log."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("EVIDENCE_DATA_DIR", None)
    result = subprocess.run([str(JUPYTER_BOOK), "build", str(project), "--builder", builder, "-n", "-W", "--keep-going"],
                            capture_output=True, text=True, env=env)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> tuple[Path, str]:
    project = copy_project(tmp_path_factory.mktemp("edits") / "project")
    returncode, log = build_log(project)
    assert returncode == 0, log[-4000:]
    return project, log


@pytest.fixture(scope="module")
def project(clean_build) -> Path:
    project, log = clean_build
    assert sorted(set(re.findall(EXECUTING, log))) == notebook_chapters(project)
    return project


def test_a_clean_build_executes_each_chapter_once_in_the_parallel_kernels(clean_build):
    project, log = clean_build
    executions = re.findall(EXECUTING, log)
    assert sorted(executions) == notebook_chapters(project)  # each once
    assert "Executing notebook in a parallel kernel" in log
    assert "Executing notebook using" not in log  # MyST-NB found every notebook in the cache


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
        handle.write('npr-test-added-row,npr-2017-05-04,context,NPR (Greg Myre),NPR (Greg Myre),narration,2017-05-04,'
                     '"New recruits are way down.",,,,,,,,,Added by the rebuild test.\n')
    readers = readers_of(project, "data/claims.csv")
    assert readers == notebook_chapters(project)
    assert build(project) == readers
    assert f"claims ledger of {count + 1} entries" in page_text(project, "introduction")


def test_table_edit_reexecutes_only_the_chapters_that_read_it(project):
    readers = readers_of(project, "data/typology.csv")
    assert "returnee-typology" in readers and set(readers) < set(notebook_chapters(project))
    edit(project / "data" / "typology.csv", "the next-theatre path.", "the next-theatre path (edited by the rebuild test).")
    assert build(project) == readers
    assert "the next-theatre path (edited by the rebuild test)." in page_text(project, "returnee-typology")


def test_glossary_edit_reaches_the_page_and_reexecutes_only_its_readers(project):
    """The glossary page itself is generated by Sphinx; only notebooks that read the table re-run."""
    readers = readers_of(project, "data/glossary.csv")
    edit(project / "data" / "glossary.csv", "A group the sources set beside ISIS.", "A group set beside ISIS.")
    assert build(project) == readers
    assert "A group set beside ISIS. The policy paper names" in page_text(project, "glossary")


def test_a_data_edit_that_breaks_the_evidence_stops_the_rebuild(project):
    """The record of the last passed check does not vouch for changed bytes: the check runs and fails."""
    claims = project / "data" / "claims.csv"
    original = claims.read_bytes()
    quote = ",New recruits are way down.,"
    assert original.decode("utf-8").count(quote) == 1
    claims.write_text(original.decode("utf-8").replace(quote, ",New recruits are way way down.,"), encoding="utf-8")
    try:
        returncode, log = build_log(project)
        assert returncode != 0
        assert "quote not found in source" in log
        assert not re.findall(EXECUTING, log)
    finally:
        claims.write_bytes(original)
    assert build(project) == []  # back to the checked bytes: nothing to re-run


def test_the_latex_build_reuses_the_executed_notebooks_and_renders_each_chart_to_pdf(project):
    assert build(project) == []
    charts = sum(page.read_text(encoding="utf-8").count('<figure class="evidence-chart"')
                 for page in (project / "_build" / "html" / "chapters").glob("*.html"))
    assert charts > 0
    returncode, log = build_log(project, "latex")
    assert returncode == 0, log[-4000:]
    assert not re.findall(EXECUTING, log)
    tex = next((project / "_build" / "latex").glob("*.tex")).read_text(encoding="utf-8")
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([0-9a-f]{64})\}\.pdf\}", tex)
    assert len(graphics) == charts
    for name in graphics:
        assert (project / "_build" / "latex" / f"{name}.pdf").read_bytes().startswith(b"%PDF")


def test_the_record_of_a_passed_check_vouches_only_for_its_exact_bytes(tmp_path, monkeypatch):
    from evidence import EvidenceError, load
    from evidence.sphinxext import inputs

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    record = tmp_path / "evidence-checked.json"
    inputs.record_passed_check(record, data)
    monkeypatch.setenv(inputs.CHECKED_ENV, str(record))
    inputs._recorded_files.cache_clear()
    claims = data / "claims.csv"
    assert inputs.recorded_check_holds(record, data)
    assert inputs.passed_check({claims: claims.read_bytes()})
    assert not inputs.passed_check({claims: claims.read_bytes() + b"\n"})
    claims.write_text(claims.read_text(encoding="utf-8").replace(",New recruits are way down.,",
                                                              ",New recruits are way way down.,", 1), encoding="utf-8")
    assert not inputs.recorded_check_holds(record, data)
    with pytest.raises(EvidenceError, match="quote not found in source"):
        load(data)
    monkeypatch.delenv(inputs.CHECKED_ENV)
    assert not inputs.passed_check({(data / "sources.csv"): (data / "sources.csv").read_bytes()})


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
