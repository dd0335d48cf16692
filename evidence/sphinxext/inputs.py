"""Which files a chapter's code read, so the build can re-execute exactly the chapters whose inputs changed.

Jupyter Book's execution cache keys on a notebook's code cells only: edit a CSV and a
cached chapter would keep its old numbers. The book closes that gap in two halves:

- in the kernel (this module, when the build sets ``EVIDENCE_INPUTS_FILE``): an audit
  hook records every file of ``data/`` and every module of ``evidence/`` that the
  chapter's code opens, appending each path to that file;
- in Sphinx (:mod:`evidence.sphinxext`): those files become the page's dependencies (so a
  change makes Sphinx re-read the page), and the page's first code cell carries a stamp
  (a comment) that changes exactly when they changed (so the cell misses the cache and
  the chapter re-executes). A chapter whose inputs did not change keeps its stamp, and
  with it its cache entry, even when its prose was edited (:func:`choose_stamp`).

It also keeps the record of the build's passed evidence check (:func:`record_passed_check`), which
lets a kernel skip checking again the data files it reads (see :mod:`evidence.ledger`): plumbing
that must not import pandas, so that a rebuild with nothing to do stays quick.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The package's code, and the data folder it reads (EVIDENCE_DATA_DIR may move that elsewhere).
PACKAGE_DIR = ROOT / "evidence"
DATA_DIR = Path(os.environ.get("EVIDENCE_DATA_DIR", ROOT / "data")).resolve()
TRACKED = (PACKAGE_DIR, DATA_DIR)
ENV_VAR = "EVIDENCE_INPUTS_FILE"
BOOK_BUILD = "EVIDENCE_BOOK_BUILD"  # set for the kernels of the book's build (see evidence.charts.Figure)
MARKER = "# evidence inputs sha256:"


def _tracked(path: Path) -> Path | None:
    """The project file behind an opened path (a module's .pyc stands for its .py), or None."""
    if path.suffix == ".pyc" and path.parent.name == "__pycache__":
        path = path.parent.parent / (path.name.split(".")[0] + ".py")
    if any(path.is_relative_to(folder) for folder in TRACKED) and path.suffix in {".csv", ".json", ".txt", ".py"}:
        return path
    return None


def start_recording() -> None:
    """Record the project files this process opens into the file named by $EVIDENCE_INPUTS_FILE."""
    target = os.environ.get(ENV_VAR)
    if not target:
        return
    seen: set[Path] = set()

    def record(path: Path) -> None:
        tracked = _tracked(path)
        if tracked is not None and tracked not in seen:
            seen.add(tracked)
            with open(target, "a", encoding="utf-8") as manifest:
                manifest.write(f"{tracked.as_posix()}\n")

    def hook(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], (str, Path)):
            record(Path(os.path.abspath(args[0])))

    for module in list(sys.modules.values()):  # modules loaded before the hook
        if getattr(module, "__file__", None):
            record(Path(module.__file__).resolve())
    sys.addaudithook(hook)


def read_manifest(manifest: Path) -> list[Path]:
    """The recorded inputs (absolute paths) that still exist, sorted."""
    if not manifest.exists():
        return []
    names = {line.strip() for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()}
    return sorted(Path(name) for name in names if Path(name).exists())


def digest(paths: list[Path]) -> str:
    """One SHA-256 over the names and contents of the given files."""
    total = hashlib.sha256()
    for path in sorted(paths):
        total.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return total.hexdigest()


def stamp_first_code_cell(source: str, inputs_digest: str) -> str:
    """Add the inputs' digest as a comment at the end of the first code cell of a MyST notebook."""
    lines = source.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("```{code-cell}")), None)
    if start is None:
        return source
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("```")), None)
    if end is None:
        return source
    return "\n".join([*lines[:end], f"{MARKER} {inputs_digest}", *lines[end:]])


@dataclass(frozen=True)
class LastRun:
    """What a page's last execution used: the stamp its first cell carried, and its inputs' digest then."""

    stamp: str
    digest: str

    @classmethod
    def load(cls, path: Path) -> LastRun | None:
        return cls(**json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")


def choose_stamp(last: LastRun | None, current_digest: str | None) -> str:
    """The stamp for a page about to be read: unchanged while its inputs are, new when they changed.

    Keeping the last stamp (even the empty one of a first run, before any inputs were known)
    is what lets an unchanged chapter hit the cache; a new stamp forces its re-execution.
    """
    if last is None or current_digest is None or current_digest == last.digest:
        return last.stamp if last else ""
    return current_digest


def stamp_for(folder: Path, name: str) -> str:
    """The stamp for page ``name``'s first code cell in this build, from its records in ``folder``."""
    recorded = read_manifest(folder / f"{name}.txt")
    return choose_stamp(LastRun.load(folder / f"{name}.json"), digest(recorded) if recorded else None)


def keep_fresh_record(folder: Path, name: str, stamp: str) -> None:
    """After page ``name``'s kernel ran under ``stamp``: what it recorded becomes the page's inputs."""
    fresh, manifest = folder / f"{name}.new", folder / f"{name}.txt"
    if fresh.exists():
        fresh.replace(manifest)
        LastRun(stamp, digest(read_manifest(manifest))).save(folder / f"{name}.json")


# --- the record of a passed evidence check ----------------------------------------------------------

CHECKED_ENV = "EVIDENCE_CHECKED"  # names the record for the kernels of a build
CHECK_LIBRARIES = ("frictionless", "pandas")  # a new version of either may judge the same files differently


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _check_record(data_dir: Path) -> dict:
    """Library versions, and the digest of every data file and every module of the package."""
    files = [p for p in data_dir.rglob("*") if p.is_file()] + sorted(PACKAGE_DIR.rglob("*.py"))
    return {"libraries": {name: metadata.version(name) for name in CHECK_LIBRARIES},
            "files": {str(p.resolve()): _sha256(p.read_bytes()) for p in files}}


def record_passed_check(record: Path, data_dir: Path = DATA_DIR) -> None:
    """Record that the full check (:func:`evidence.ledger.check_all`) passed; call it right after it did."""
    record.parent.mkdir(parents=True, exist_ok=True)
    partial = record.with_suffix(".partial")
    partial.write_text(json.dumps(_check_record(data_dir), indent=0, sort_keys=True), encoding="utf-8")
    partial.replace(record)


def recorded_check_holds(record: Path, data_dir: Path = DATA_DIR) -> bool:
    """True when ``record`` exists and every data and package file (no more, no fewer) is as recorded."""
    try:
        return json.loads(record.read_text(encoding="utf-8")) == _check_record(data_dir)
    except (OSError, ValueError):
        return False


@lru_cache(maxsize=4)
def _recorded_files(path: str) -> dict[str, str] | None:
    """The record's file digests, if it exists and was made with the libraries installed now."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    versions = {name: metadata.version(name) for name in CHECK_LIBRARIES}
    return record["files"] if record.get("libraries") == versions else None


def passed_check(files: dict[Path, bytes]) -> bool:
    """True when the build's record (``$EVIDENCE_CHECKED``) holds these exact file contents and the
    package's code as loaded in this process: then the full check passed on exactly them."""
    path = os.environ.get(CHECKED_ENV)
    recorded = _recorded_files(path) if path else None
    if recorded is None:
        return False
    if any(recorded.get(str(Path(name).resolve())) != _sha256(content) for name, content in files.items()):
        return False
    package = PACKAGE_DIR.name
    for name, module in list(sys.modules.items()):  # the checking code (already the chapter's inputs)
        file = getattr(module, "__file__", None)
        if file and (name == package or name.startswith(package + ".")):
            if recorded.get(str(Path(file).resolve())) != _sha256(Path(file).read_bytes()):
                return False
    return True
