"""Benchmark the book's builds (`make bench`). Prints a table; the last line is machine-readable.

Measures, each into its own output folder under /tmp so the working build is untouched:
- a clean HTML build, and its floor: the chapters' code run in one plain Python process plus
  a Sphinx build with execution off (what the book costs without Jupyter's per-chapter kernels);
- a rebuild with no change; after one data value changes; after a prose-only edit of one chapter
  (each edit is undone afterwards, whatever happens);
- the PDF build;
- page weight per chapter (HTML bytes, bytes loaded on a first visit) and whether the vega
  bundle loads only on pages with charts;
- validation of a synthetic 10,000-row ledger.
This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = Path(tempfile.gettempdir()) / "fftc-bench"
# Two data edits: one value of the ledger (which every chapter reads), and one cell of a table
# that only some chapters read (the typology crosswalk).
DATA_EDIT = (ROOT / "data" / "claims.csv", lambda text: text.replace(",3000,,,exact,people", ",3001,,,exact,people", 1))
TABLE_EDIT = (ROOT / "data" / "typology.csv", lambda text: text.replace("the next-theatre path.", "the next-theatre path (bench).", 1))


def timed(command: list[str], **kwargs) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds, result.stdout + result.stderr


def build(builder: str = "html", out: Path = OUT / "book", extra: list[str] = ()) -> tuple[float, list[str]]:
    """Build the book into ``out``; returns the time and the chapters that were executed."""
    seconds, log = timed([str(BIN / "jupyter-book"), "build", ".", "--builder", builder, "--path-output", str(out),
                          "-n", "-W", "--keep-going", *extra])
    executed = sorted(set(re.findall(r"chapters/([\w-]+)\.md: Executing notebook", log)))
    return seconds, executed


@contextmanager
def edited(path: Path, change):
    """Apply ``change`` (text -> text) to a file and restore the original afterwards."""
    original = path.read_bytes()
    changed = change(original.decode("utf-8"))
    if changed == original.decode("utf-8"):
        sys.exit(f"bench: the edit of {path.name} changed nothing; update the benchmark's edit")
    try:
        path.write_text(changed, encoding="utf-8")
        yield
    finally:
        path.write_bytes(original)


def chapter_files() -> list[str]:
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]


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


def floor() -> float:
    """The chapters' code in one plain process (outputs rendered), plus a Sphinx build with execution off."""
    chapters = []
    for file in chapter_files():
        text = (ROOT / f"{file}.md").read_text(encoding="utf-8")
        cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.DOTALL)
        chapters.append((file, ["\n".join(l for l in c.splitlines() if not l.startswith(":")) for c in cells]))
    script = OUT / "floor.py"
    script.write_text(f"ROOT = {str(ROOT)!r}\nCHAPTERS = {chapters!r}\n" + FLOOR_RUNNER, encoding="utf-8")
    code_s, _ = timed([sys.executable, str(script)])
    config = OUT / "config-noexec.yml"
    config.write_text(
        (ROOT / "_config.yml").read_text(encoding="utf-8").replace("execute_notebooks: cache", 'execute_notebooks: "off"'),
        encoding="utf-8",
    )
    start = time.perf_counter()
    subprocess.run([str(BIN / "jupyter-book"), "build", ".", "--builder", "html", "--path-output", str(OUT / "noexec"),
                    "--config", str(config)], cwd=ROOT, capture_output=True)
    return code_s + (time.perf_counter() - start)


def page_weights(html: Path) -> list[tuple[str, int, int, bool, bool]]:
    """Per chapter: HTML bytes, bytes of everything a first visit loads, has charts, loads vega."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
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


def synthetic_ledger_seconds(rows: int = 10_000) -> float:
    """Validate a ledger of ``rows`` claims made by repeating the real ones under new ids."""
    from evidence import load

    data = OUT / "synthetic" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    shutil.copytree(ROOT / "data", data)
    with open(ROOT / "data" / "claims.csv", newline="", encoding="utf-8") as handle:
        real = list(csv.DictReader(handle))
    with open(data / "claims.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(real[0]), lineterminator="\n")
        writer.writeheader()
        for index in range(rows):
            writer.writerow({**real[index % len(real)], "claim_id": f"synthetic-{index}"})
    start = time.perf_counter()
    evidence = load(data)
    seconds = time.perf_counter() - start
    assert len(evidence.claims) == rows
    return seconds


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    clean_s, clean_executed = build()
    noop_s, noop_executed = build()
    with edited(*DATA_EDIT):
        data_s, data_executed = build()
    build()  # back to the committed data
    with edited(*TABLE_EDIT):
        table_s, table_executed = build()
    build()
    chapter = ROOT / "chapters" / "sources-and-evidence.md"
    with edited(chapter, lambda text: text + "\nA sentence added for the benchmark.\n"):
        prose_s, prose_executed = build()
    build()
    pdf_s, _ = build("pdflatex", OUT / "pdf")
    floor_s = floor()
    weights = page_weights(OUT / "book" / "_build" / "html")
    ledger_s = synthetic_ledger_seconds()

    print(f"{'measure':44} {'value':>12}  note")
    print(f"{'clean HTML build (s)':44} {clean_s:12.1f}  executed {len(clean_executed)} chapters")
    print(f"{'floor: code in one process + Sphinx no-exec (s)':44} {floor_s:12.1f}")
    print(f"{'ratio clean / floor':44} {clean_s / floor_s:12.2f}  target <= 1.5")
    print(f"{'no-change rebuild (s)':44} {noop_s:12.1f}  executed: {', '.join(noop_executed) or 'none'}; target <= 2 s")
    print(f"{'rebuild after one data value (s)':44} {data_s:12.1f}  executed: {', '.join(data_executed) or 'none'}")
    print(f"{'rebuild after one typology.csv cell (s)':44} {table_s:12.1f}  executed: {', '.join(table_executed) or 'none'}")
    print(f"{'rebuild after a prose-only edit (s)':44} {prose_s:12.1f}  executed: {', '.join(prose_executed) or 'none'}")
    print(f"{'PDF build (s)':44} {pdf_s:12.1f}")
    print(f"{'validate a 10,000-row ledger (s)':44} {ledger_s:12.2f}  target < 2 s")
    print()
    print(f"{'page':28} {'HTML KB':>8} {'first visit KB':>15} {'charts':>7} {'vega':>5}")
    for name, html_bytes, visit_bytes, charts, vega in weights:
        print(f"{name:28} {html_bytes / 1024:8.0f} {visit_bytes / 1024:15.0f} {str(charts):>7} {str(vega):>5}")
    max_kb = max(w[1] for w in weights) / 1024
    print(
        f"bench: clean_s={clean_s:.1f} floor_s={floor_s:.1f} ratio={clean_s / floor_s:.2f} noop_s={noop_s:.1f} "
        f"data_edit_s={data_s:.1f} prose_edit_s={prose_s:.1f} pdf_s={pdf_s:.1f} max_chapter_html_kb={max_kb:.0f}"
    )


if __name__ == "__main__":
    main()
