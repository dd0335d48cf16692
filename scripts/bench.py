"""Benchmark the book's builds (`make bench`; `make bench ARGS=--setup` for a fresh set-up). Prints tables;
the last line is machine-readable. This is a measurement, not a test: it asserts nothing.

Everything is built in a copy of the project under /tmp (fftc-bench-*): the working tree (its data, chapters and
_build) is never written, so an interrupted bench leaves nothing to undo.

Measures:
- a clean HTML build and its floor, in interleaved rounds (clean then floor, floor then clean, ...).
  The floor is the same work without Jupyter's per-chapter kernels, in one process at a time: the
  chapters' code run in one plain Python process (each cell's output rendered as a kernel would),
  plus a clean Sphinx build that finds every notebook already executed in its cache (so it does all
  of the build's Sphinx work: reading, checking the evidence, writing pages and downloads);
- a rebuild with no change; after one ledger value changes; after one typology.csv cell changes;
  after a prose-only edit of one chapter (which chapters each re-executes);
- the PDF build right after the HTML build (the chapters it executes, which should be none: it
  reuses the HTML build's executed notebooks) and how much of it is LaTeX;
- page weight per chapter and whether the vega bundle loads only on pages with charts (needs
  Chromium; skipped without it), and the validation of a synthetic 10,000-row ledger.
Each timed run also records how busy the machine's cores were with other processes.

With --setup: a fresh clone of the committed HEAD in /tmp, set up and built by phase as a new user
would (`make book`): environment (a fresh venv, with the Makefile's installer and, to compare, with
pip; empty download caches), system packages, HTML, PDF.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# One folder per working tree, so that benches of two checkouts do not meet.
OUT = Path(tempfile.gettempdir()) / f"fftc-bench-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]}"
COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info",
                                     "node_modules")
# Two data edits: one cell of the ledger (which every chapter reads; a note, so the evidence check
# still passes), and one cell of a table that only some chapters read (the typology crosswalk).
DATA_EDIT = ("data/claims.csv", lambda text: text.replace("Round figure, no hedge word.", "Round figure, no hedge word (bench).", 1))
TABLE_EDIT = ("data/typology.csv", lambda text: text.replace("the next-theatre path.", "the next-theatre path (bench).", 1))
PROSE_EDIT = ("chapters/sources-and-evidence.md", lambda text: text + "\nA sentence added for the benchmark.\n")
EXECUTED = re.compile(r"chapters/([\w-]+)\.md: Executing notebook")
LATEX_START = "Finished generating latex"
QUIET = 0.5  # a round is quiet when other processes kept fewer cores than this busy in each of its runs


# --- measuring one command ------------------------------------------------------------------------

def _busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


@dataclass
class Run:
    seconds: float
    log: str
    marks: dict[str, float] = field(default_factory=dict)  # seconds from the start to a marker line
    other_cores: float = 0.0  # cores busy with other processes during the run, on average

    @property
    def executed(self) -> list[str]:
        return sorted(set(EXECUTED.findall(self.log)))

    @property
    def executed_by_mystnb(self) -> list[str]:
        """Chapters MyST-NB executed itself while reading (none expected when parallel execution is on)."""
        return sorted(set(re.findall(r"chapters/([\w-]+)\.md: Executing notebook using", self.log)))


LOADS: list[float] = []
OTHER: list[float] = []


def run(command: list[str], cwd: Path, env: dict[str, str], markers: tuple[str, ...] = ()) -> Run:
    """Run a command to completion, streaming its output to note when marker lines appear."""
    ticks = os.sysconf("SC_CLK_TCK")
    busy0, _ = _busy_jiffies()
    ours0 = _children_cpu()
    LOADS.append(os.getloadavg()[0])
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace")
    lines, marks = [], {}
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        for marker in markers:
            if marker in line and marker not in marks:
                marks[marker] = time.perf_counter() - start
    process.wait()
    seconds = time.perf_counter() - start
    busy1, _ = _busy_jiffies()
    other = max(0.0, (busy1 - busy0) / ticks - (_children_cpu() - ours0)) / seconds
    OTHER.append(other)
    LOADS.append(os.getloadavg()[0])
    log = "".join(lines)
    if process.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{log[-4000:]}")
    return Run(seconds, log, marks, other)


def project_env(project: Path, **extra: str) -> dict[str, str]:
    """The environment of a build of ``project``: its own package and data, no state from this shell."""
    env = {**os.environ, "PYTHONPATH": str(project), **extra}
    for name in ("EVIDENCE_DATA_DIR", "EVIDENCE_INPUTS_FILE", "EVIDENCE_CHECKED", "EVIDENCE_BOOK_BUILD"):
        if name not in extra:
            env.pop(name, None)
    return env


def build(project: Path, builder: str = "html", out: Path | None = None) -> Run:
    command = [str(BIN / "jupyter-book"), "build", ".", "--builder", builder, "-n", "-W", "--keep-going"]
    if out is not None:
        command += ["--path-output", str(out)]
    return run(command, project, project_env(project), markers=(LATEX_START,))


def copy_project(target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT, target, ignore=COPY_IGNORE)
    return target


@contextmanager
def edited(path: Path, change):
    """Apply ``change`` (text -> text) to a file of the copy, and restore it afterwards."""
    original = path.read_bytes()
    changed = change(original.decode("utf-8"))
    if changed == original.decode("utf-8"):
        sys.exit(f"bench: the edit of {path.name} changed nothing; update the benchmark's edit")
    try:
        path.write_text(changed, encoding="utf-8")
        yield
    finally:
        path.write_bytes(original)


# --- the floor --------------------------------------------------------------------------------------

def chapter_files(project: Path) -> list[str]:
    import yaml

    toc = yaml.safe_load((project / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"] if "file" in c]  # not globs (generated source pages, no code)


FLOOR_RUNNER = """
import ast, os, sys, myst_nb
myst_nb.glue = lambda *args, **kwargs: None  # glue only records values for the page

def render(value):
    # What the kernel does with a cell's last value: ask it for every representation.
    for method in ("_repr_mimebundle_", "_repr_html_", "_repr_markdown_"):
        if hasattr(value, method):
            getattr(value, method)()

for chapter, cells in CHAPTERS:
    namespace = {"__name__": "__main__"}
    os.chdir(os.path.join(ROOT, os.path.dirname(chapter)))
    for cell in cells:
        tree = ast.parse(cell)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, chapter, "exec"), namespace)
        if last is not None:
            render(eval(compile(ast.Expression(last.value), chapter, "eval"), namespace))
"""


def floor(project: Path) -> tuple[float, float]:
    """(the chapters' code in one process, a clean Sphinx build with every notebook in its cache).

    Uses the jupyter-cache of the project's last clean build.
    """
    out = OUT / "floor"
    shutil.rmtree(out, ignore_errors=True)
    (out / "_build").mkdir(parents=True)
    shutil.copytree(project / "_build" / ".jupyter_cache", out / "_build" / ".jupyter_cache")
    sphinx = build(project, out=out)
    if sphinx.executed:
        sys.exit(f"bench: the floor's Sphinx build executed {sphinx.executed}: its notebooks were not all in the cache")
    chapters = []
    for file in chapter_files(project):
        text = (project / f"{file}.md").read_text(encoding="utf-8")
        cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.DOTALL)
        # A cell's options: ":tags: …" lines, or a YAML block between "---" lines (e.g. mystnb figure metadata).
        cells = [re.sub(r"\A---\n.*?\n---\n", "", c, flags=re.DOTALL) for c in cells]
        chapters.append((file, ["\n".join(l for l in c.splitlines() if not l.startswith(":")) for c in cells]))
    script = OUT / "floor.py"
    script.write_text(f"ROOT = {str(project)!r}\nCHAPTERS = {chapters!r}\n" + FLOOR_RUNNER, encoding="utf-8")
    # The kernels of a build find the record of the build's passed evidence check, and know they run in the
    # book's build (which renders chart PDFs only for LaTeX): so does the floor's process.
    record = out / "_build" / "evidence-checked.json"
    code = run([sys.executable, str(script)], project,
               project_env(project, EVIDENCE_CHECKED=str(record), EVIDENCE_BOOK_BUILD="1"))
    return code.seconds, sphinx.seconds


# --- page weights and the synthetic ledger (as before) ------------------------------------------

def page_weights(html: Path) -> list[tuple[str, int, int, bool, bool]] | None:
    """Per chapter: HTML bytes, bytes of everything a first visit loads, has charts, loads vega."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        return None
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for page_path in sorted((html / "chapters").glob("*.html")):
            page = browser.new_page()
            loaded: set[str] = set()
            page.on("request", lambda request: loaded.add(request.url))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            total = 0
            for url in loaded:
                if url.startswith("file://"):
                    local = Path(re.sub(r"[?#].*$", "", url[len("file://"):]))
                    total += local.stat().st_size if local.exists() else 0
            text = page_path.read_text(encoding="utf-8")
            rows.append((page_path.stem, page_path.stat().st_size, total, 'class="evidence-chart"' in text,
                         any("vega-bundle" in u for u in loaded)))
            page.close()
        browser.close()
    return rows


def synthetic_ledger_seconds(project: Path, rows: int = 10_000) -> float:
    """Validate a ledger of ``rows`` claims made by repeating the real ones under new ids."""
    data = OUT / "synthetic" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    shutil.copytree(project / "data", data)
    with open(project / "data" / "claims.csv", newline="", encoding="utf-8") as handle:
        real = list(csv.DictReader(handle))
    with open(data / "claims.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(real[0]), lineterminator="\n")
        writer.writeheader()
        for index in range(rows):
            writer.writerow({**real[index % len(real)], "claim_id": f"synthetic-{index}"})
    code = (f"import time; from evidence import load; start = time.perf_counter(); e = load({str(data)!r}); "
            f"print(time.perf_counter() - start); assert len(e.claims) == {rows}")
    result = subprocess.run([sys.executable, "-c", code], cwd=project, env=project_env(project),
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


# --- the report -----------------------------------------------------------------------------------

def spread(values: list[float], digits: int = 1) -> str:
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}" if len(values) > 1 else ""


def row(name: str, values: list[float], note: str = "", digits: int = 1) -> None:
    print(f"{name:46} {statistics.median(values):8.{digits}f}  {spread(values, digits):>11}  {len(values):>4}  {note}")


def machine_note() -> str:
    cores = os.cpu_count() or 1
    return (f"machine: {cores} cores; during the timed runs other processes kept {statistics.median(OTHER):.1f} "
            f"cores busy (median; {min(OTHER):.1f}–{max(OTHER):.1f}); 1-minute load average "
            f"{min(LOADS):.1f}–{max(LOADS):.1f}")


def bench(rounds: int, pages: bool) -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    project = copy_project(OUT / "project")
    cleans: list[Run] = []
    codes, sphinxes, floors, ratios, busy = [], [], [], [], []
    for index in range(rounds):  # interleaved: clean then floor, then floor then clean, ...
        order = ("clean", "floor") if index % 2 == 0 or not cleans else ("floor", "clean")
        first = len(OTHER)
        for what in order:
            if what == "clean":
                shutil.rmtree(project / "_build", ignore_errors=True)
                cleans.append(build(project))
            else:
                code_s, sphinx_s = floor(project)
                codes.append(code_s)
                sphinxes.append(sphinx_s)
                floors.append(code_s + sphinx_s)
        ratios.append(cleans[-1].seconds / floors[-1])
        busy.append(max(OTHER[first:]))
        print(f"bench: round {index + 1}/{rounds}: clean {cleans[-1].seconds:.1f} s, floor {floors[-1]:.1f} s, "
              f"ratio {ratios[-1]:.2f} (other processes kept up to {busy[-1]:.1f} cores busy)", file=sys.stderr)
    noops = [build(project) for _ in range(rounds)]
    with edited(project / DATA_EDIT[0], DATA_EDIT[1]):
        data_edit = build(project)
    build(project)  # back to the committed data
    with edited(project / TABLE_EDIT[0], TABLE_EDIT[1]):
        table_edit = build(project)
    build(project)
    with edited(project / PROSE_EDIT[0], PROSE_EDIT[1]):
        prose_edit = build(project)
    build(project)
    pdfs = [build(project, "pdflatex") for _ in range(2)]  # the first right after the HTML build, as in `make book`
    weights = page_weights(project / "_build" / "html") if pages else None
    ledger_s = synthetic_ledger_seconds(project)

    def executed(result: Run) -> str:
        names = ", ".join(result.executed) or "none"
        late = result.executed_by_mystnb
        return names + (f" (MyST-NB executed while reading: {', '.join(late)})" if late and late != result.executed else "")

    latex = [p.seconds - p.marks[LATEX_START] for p in pdfs if LATEX_START in p.marks]
    print()
    print(f"{'measure':46} {'median':>8}  {'spread':>11}  {'runs':>4}  note")
    row("clean HTML build (s)", [c.seconds for c in cleans], f"executed {len(cleans[0].executed)} chapters")
    row("floor: code in one process + Sphinx (s)", floors)
    row("  the chapters' code in one process (s)", codes)
    row("  Sphinx, every notebook from the cache (s)", sphinxes)
    row("ratio clean / floor (per round)", ratios, "target <= 1.5", digits=2)
    quiet = [r for r, b in zip(ratios, busy) if b < QUIET]
    if quiet and len(quiet) < len(ratios):
        row(f"  in the rounds other processes kept < {QUIET} cores busy", quiet, "", digits=2)
    row("no-change rebuild (s)", [n.seconds for n in noops],
        f"executed: {', '.join(sorted({c for n in noops for c in n.executed})) or 'none'}; target <= 2 s")
    row("rebuild after one ledger cell (s)", [data_edit.seconds], f"executed: {executed(data_edit)}")
    row("rebuild after one typology.csv cell (s)", [table_edit.seconds], f"executed: {executed(table_edit)}")
    row("rebuild after a prose-only edit (s)", [prose_edit.seconds], f"executed: {executed(prose_edit)}")
    row("PDF build after the HTML build (s)", [p.seconds for p in pdfs],
        f"executed: {', '.join(sorted({c for p in pdfs for c in p.executed})) or 'none'}")
    if latex:
        row("  of which LaTeX (latexmk, xelatex) (s)", latex,
            f"{statistics.median(latex) / statistics.median([p.seconds for p in pdfs]):.0%} of the PDF build")
    row("validate a 10,000-row ledger (s)", [ledger_s], "target < 2 s", digits=2)
    print(machine_note())
    if weights:
        print()
        print(f"{'page':28} {'HTML KB':>8} {'first visit KB':>15} {'charts':>7} {'vega':>5}")
        for name, html_bytes, visit_bytes, charts, vega in weights:
            print(f"{name:28} {html_bytes / 1024:8.0f} {visit_bytes / 1024:15.0f} {str(charts):>7} {str(vega):>5}")
    med = statistics.median
    print(
        f"bench: clean_s={med([c.seconds for c in cleans]):.1f} floor_s={med(floors):.1f} ratio={med(ratios):.2f} "
        f"noop_s={med([n.seconds for n in noops]):.1f} data_edit_s={data_edit.seconds:.1f} "
        f"prose_edit_s={prose_edit.seconds:.1f} pdf_s={med([p.seconds for p in pdfs]):.1f} "
        f"latex_s={med(latex) if latex else float('nan'):.1f} other_cores={med(OTHER):.1f} rounds={rounds}"
    )


# --- set-up on a fresh machine, by phase ---------------------------------------------------------

def fresh_clone(target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)], check=True)
    subprocess.run(["git", "checkout", "--quiet", head], cwd=target, check=True)
    return target


def clean_env(**extra: str) -> dict[str, str]:
    """A new user's shell: no venv, no PYTHONPATH, empty download caches for pip and uv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "EVIDENCE_DATA_DIR", "EVIDENCE_INPUTS_FILE", "EVIDENCE_CHECKED",
                        "EVIDENCE_BOOK_BUILD", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(BIN)))
    caches = OUT / "setup" / "caches" / str(time.time_ns())
    env.update(PIP_CACHE_DIR=str(caches / "pip"), UV_CACHE_DIR=str(caches / "uv"), **extra)
    return env


def freeze(clone: Path) -> set[str]:
    result = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-m", "pip", "freeze", "--all"],
                            capture_output=True, text=True, check=True)
    skip = ("uv==", "pip==", "setuptools==", "evidence", "-e ")
    return {line.lower().replace("_", "-") for line in result.stdout.splitlines() if not line.lower().startswith(skip)}


def apt_download_note(clone: Path) -> str:
    """How much apt would download for the TeX packages themselves (not their dependencies), if it can say."""
    group = re.search(r'\[pdf\]="([^"]+)"', (clone / "scripts" / "system-deps").read_text(encoding="utf-8"))
    if not group or not shutil.which("apt-cache"):
        return ""
    result = subprocess.run(["apt-cache", "show", "--no-all-versions", *group[1].split()], capture_output=True, text=True)
    sizes = [int(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("Size:")]
    return f"; on a fresh machine apt downloads at least {sum(sizes) / 1e6:.0f} MB of .debs for them" if sizes else ""


def setup() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    phases: list[tuple[str, float, str]] = []
    clone = fresh_clone(OUT / "setup" / "clone")
    env = run(["make", "env"], clone, clean_env())
    phases.append(("environment: venv, `make env` (the Makefile's installer)", env.seconds, ""))
    pip_clone = fresh_clone(OUT / "setup" / "clone-pip")
    pip_env = run(["make", "env", "INSTALLER=pip"], pip_clone, clean_env())
    same = freeze(clone) == freeze(pip_clone)
    difference = sorted(freeze(clone) ^ freeze(pip_clone))
    phases.append(("  the same with pip, for comparison", pip_env.seconds,
                   "same packages and versions: " + ("yes" if same else f"NO: {', '.join(difference)}")))
    shutil.rmtree(pip_clone, ignore_errors=True)
    deps = run(["scripts/system-deps", "pdf"], clone, clean_env())
    missing = "installing" in deps.log
    phases.append(("system packages: scripts/system-deps pdf", deps.seconds,
                   "installed TeX" if missing else "already installed on this machine: only the check was timed"
                   + apt_download_note(clone)))
    html = run(["make", "html"], clone, clean_env())
    phases.append(("HTML: make html (evidence check + build)", html.seconds, f"executed {len(html.executed)} chapters"))
    pdf = run(["make", "pdf"], clone, clean_env(), markers=(LATEX_START,))
    latex = pdf.seconds - pdf.marks[LATEX_START] if LATEX_START in pdf.marks else float("nan")
    phases.append(("PDF: make pdf", pdf.seconds,
                   f"executed {len(pdf.executed)} chapters; LaTeX {latex:.1f} s ({latex / pdf.seconds:.0%})"))
    print()
    print(f"{'set-up phase (fresh clone of HEAD in ' + str(clone) + ')':70} {'seconds':>8}  note")
    for name, seconds, note in phases:
        print(f"{name:70} {seconds:8.1f}  {note}")
    total = sum(s for n, s, _ in phases if not n.startswith("  "))
    print(f"{'total (make book from a fresh clone)':70} {total:8.1f}")
    print(machine_note())
    print(f"bench-setup: env_s={env.seconds:.1f} env_pip_s={pip_env.seconds:.1f} system_s={deps.seconds:.1f} "
          f"html_s={html.seconds:.1f} pdf_s={pdf.seconds:.1f} latex_s={latex:.1f} total_s={total:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved clean/floor rounds, and no-change rebuilds")
    parser.add_argument("--no-pages", action="store_true", help="skip the page weights (Chromium)")
    parser.add_argument("--setup", action="store_true", help="time a fresh clone's set-up and `make book` by phase")
    args = parser.parse_args()
    if args.setup:
        setup()
    else:
        bench(args.rounds, not args.no_pages)


if __name__ == "__main__":
    main()
