"""A chapter's downloaded .ipynb re-runs outside the book, as a reader would run it.

The reader's steps, exactly: a fresh virtual environment, ``pip install -r requirements.txt``
taken from the data zip, the zip unzipped into a folder, the chapter's notebook (as the HTML
book offers it) saved into that same folder, then
``jupyter nbconvert --to notebook --execute``. Nothing of the test process leaks in
(no PYTHONPATH, EVIDENCE_DATA_DIR, EVIDENCE_INPUTS_FILE or VIRTUAL_ENV), so the notebook
must import ``evidence`` from the unzipped folder and read its ``data/``.

Asserts that each chapter runs without error and gives the same kinds of outputs as the book
(its tables and charts, and every output type the book's notebook holds).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import HTML

DATA_ZIP = HTML / "foreign-fighters-data.zip"
DOWNLOADS = HTML / "_sources" / "chapters"
# Variables of the test process a reader's shell would not have.
NOT_THE_READERS = ("PYTHONPATH", "EVIDENCE_DATA_DIR", "EVIDENCE_INPUTS_FILE", "VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH")
# Class names the book's HTML gives its charts and tables; a chapter showing one must show it re-run too.
BOOK_MARKERS = ("evidence-chart", "evidence-table")


def _has_class(html: str, name: str) -> bool:
    return re.search(rf'class="(?:[^"]*\s)?{re.escape(name)}(?:\s[^"]*)?"', html) is not None


def _has_code(path: Path) -> bool:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return any(cell["cell_type"] == "code" and "".join(cell["source"]).strip() for cell in cells)


NOTEBOOKS = sorted(p for p in DOWNLOADS.glob("*.ipynb") if _has_code(p))

pytestmark = [
    pytest.mark.skipif(not DATA_ZIP.exists() or not NOTEBOOKS, reason="build the book first: make html"),
]


def _reader_env(venv: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_THE_READERS}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    return env


def _tail(text: str, lines: int = 40) -> str:
    kept = [line for line in text.splitlines() if not line.startswith("WARNING: Location")]
    return "\n".join(kept[-lines:])


class Reader:
    """A reader's machine: a fresh venv with the zip's requirements, and the unzipped folder."""

    def __init__(self, root: Path):
        self.venv = root / "venv"
        self.folder = root / "foreign-fighters"
        self.env = _reader_env(self.venv)
        self.nbconvert_problem: str | None = None
        self.pages: dict[str, str] = {}  # the book's page of each chapter, read once (a rebuild may be under way)

    def run(self, *args: str | Path, timeout: int = 900) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(a) for a in args], cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=timeout
        )


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> Reader:
    reader = Reader(tmp_path_factory.mktemp("downloaded-notebook"))
    reader.folder.mkdir()
    with zipfile.ZipFile(DATA_ZIP) as archive:
        archive.extractall(reader.folder)
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(reader.venv)], check=True, env=reader.env)
    install = reader.run(reader.venv / "bin" / "python", "-m", "pip", "install", "-q", "-r", "requirements.txt")
    assert install.returncode == 0, f"pip install -r requirements.txt (from the zip) failed:\n{_tail(install.stderr)}"
    probe = reader.run(reader.venv / "bin" / "jupyter", "nbconvert", "--version")
    if probe.returncode != 0:
        reader.nbconvert_problem = (
            "`jupyter nbconvert` is not available after `pip install -r requirements.txt` from the data zip: "
            "requirements.txt needs nbconvert, which a reader uses to re-run a downloaded notebook "
            f"({_tail(probe.stderr, 1).strip()})"
        )
    for notebook in NOTEBOOKS:
        shutil.copyfile(notebook, reader.folder / notebook.name)
        reader.pages[notebook.stem] = (HTML / "chapters" / f"{notebook.stem}.html").read_text(encoding="utf-8")
    yield reader
    shutil.rmtree(reader.venv, ignore_errors=True)  # ~700 MB; the reader's folder stays for inspection


def _outputs(notebook: dict) -> list[dict]:
    return [output for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell.get("outputs", [])]


def _kinds(notebook: dict) -> set[str]:
    """Output types, and each MIME type of rich outputs, e.g. 'execute_result', 'text/html'."""
    kinds = set()
    for output in _outputs(notebook):
        kinds.add(output["output_type"])
        kinds.update(output.get("data", {}))
    return kinds


def test_requirements_provide_jupyter_nbconvert(reader):
    assert reader.nbconvert_problem is None, reader.nbconvert_problem


def test_evidence_is_imported_from_the_unzipped_folder(reader):
    result = reader.run(reader.venv / "bin" / "python", "-c", "import evidence; print(evidence.__file__)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == (reader.folder / "evidence" / "__init__.py").resolve()


def test_the_notebooks_kernel_is_the_venvs_python(reader):
    """The notebooks ask for kernel 'python3'; in the venv it must be ipykernel's own, run by the venv's python."""
    names = {json.loads(p.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"] for p in NOTEBOOKS}
    assert names == {"python3"}
    listed = reader.run(reader.venv / "bin" / "jupyter", "kernelspec", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    spec = json.loads(listed.stdout)["kernelspecs"]["python3"]
    assert Path(spec["resource_dir"]).resolve().is_relative_to(reader.venv.resolve()), spec["resource_dir"]
    # jupyter_client runs an argv of plain "python" with the interpreter of the jupyter command itself.
    assert spec["spec"]["argv"][0] in {"python", "python3", str(reader.venv / "bin" / "python")}, spec["spec"]["argv"]


@pytest.mark.parametrize("book_notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_downloaded_notebook_reruns(reader, book_notebook: Path):
    if reader.nbconvert_problem:
        pytest.fail(reader.nbconvert_problem)
    name = book_notebook.stem
    result = reader.run(
        reader.venv / "bin" / "jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--output", f"{name}.executed.ipynb", f"{name}.ipynb",
    )
    assert result.returncode == 0, f"{name}.ipynb failed to re-run:\n{_tail(result.stderr)}"

    executed = json.loads((reader.folder / f"{name}.executed.ipynb").read_text(encoding="utf-8"))
    outputs = _outputs(executed)
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert errors == [], f"{name}: {[e['ename'] + ': ' + e['evalue'] for e in errors]}"
    # The book treats anything on stderr as an error (execute.stderr_output in _config.yml).
    stderr = ["".join(o["text"]) for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr"]
    assert stderr == [], f"{name} wrote to stderr"

    book = json.loads((reader.folder / f"{name}.ipynb").read_text(encoding="utf-8"))  # as downloaded
    missing = _kinds(book) - _kinds(executed)
    assert not missing, f"{name}: the book's notebook has outputs of kinds the re-run lacks: {sorted(missing)}"
    html_outputs = " ".join(
        "".join(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {})
    )
    page = reader.pages[name]
    for marker in BOOK_MARKERS:
        if _has_class(page, marker):
            assert _has_class(html_outputs, marker), f"{name}: the book's page shows {marker}, the re-run notebook has none"
