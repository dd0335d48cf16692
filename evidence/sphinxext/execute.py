"""Run the chapters that need executing two at a time, into the jupyter-cache, as Sphinx reads the book.

MyST-NB executes a notebook while Sphinx reads its page, one page after another: seven
kernels in a row, each mostly starting up and importing. Here, when Sphinx has listed the
pages it will read (``env-before-read-docs``), each page's notebook is made exactly as
MyST-NB will make it (the same source, with the same inputs stamp: :mod:`.inputs`) and
looked up in MyST-NB's jupyter-cache. The notebooks not found there start executing, in
Sphinx's reading order, in :data:`JOBS` kernels at once (each kernel its own process; a
thread here only waits for it). When Sphinx comes to read such a page (``source-read``),
it waits for that notebook, stores it in the cache as MyST-NB would, and moves the
kernel's record of what it read into place. MyST-NB then finds the notebook in the cache.

So Sphinx itself still reads every page in its usual order, and everything it derives
(numbering of figures and tables, warnings, the pages) is made as before. A notebook that
fails here is not stored: MyST-NB executes it again while reading and reports the error
in its usual way. ``EVIDENCE_BUILD_JOBS=1`` leaves all execution to MyST-NB.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from evidence.sphinxext import inputs

LOGGER = logging.getLogger(__name__)
JOBS = int(os.environ.get("EVIDENCE_BUILD_JOBS", "2"))


@dataclass
class _Run:
    """One notebook executing in the background for a page Sphinx will read."""

    path: Path
    read_fmt: dict | None
    stamp: str
    future: Future = field(repr=False)


_RUNS: dict[str, _Run] = {}  # docname -> its run, until Sphinx reads the page
_POOL: ThreadPoolExecutor | None = None


def inputs_folder(app: Sphinx) -> Path:
    """Where each page's record of its inputs is kept (see :mod:`.inputs`)."""
    folder = Path(app.doctreedir).parent / "evidence-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_name(docname: str) -> str:
    return docname.replace("/", "--")


def _notebook(app: Sphinx, env: BuildEnvironment, docname: str, stamp: str):
    """The notebook MyST-NB will make of the page (None if the page is not one MyST-NB executes as such)."""
    from myst_nb.core.read import create_nb_reader

    path = Path(env.doc2path(docname))
    text = path.read_text(encoding=app.config.source_encoding)  # as Sphinx reads it
    if stamp:
        text = inputs.stamp_first_code_cell(text, stamp)  # as the source-read handler stamps it
    nb_config = env.mystnb_config
    reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
    if reader is None:
        return None, None, path
    notebook = reader.read(text)
    if nb_config.metadata_key in notebook.metadata or not any(c.cell_type == "code" for c in notebook.cells):
        return None, None, path  # per-notebook settings, or nothing to run: left to MyST-NB
    if any(PurePosixPath(path.as_posix()).match(p) for p in nb_config.execution_excludepatterns):
        return None, None, path
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    for pattern, alias in nb_config.kernel_rgx_aliases.items():
        if kernel is not None and re.fullmatch(pattern, kernel):
            notebook.metadata["kernelspec"]["name"] = alias
            break
    return notebook, reader.read_fmt, path


def _execute(notebook, cwd: str, inputs_file: Path, timeout: int | None, allow_errors: bool):
    """Execute as jupyter-cache's ``single_nb_execution`` does for MyST-NB, the kernel recording its inputs.

    Returns (executed notebook or None, seconds, error text or None).
    """
    from nbclient import NotebookClient

    if "execution" in notebook.metadata:  # MyST-NB passes meta_override=True
        timeout = notebook.metadata.execution.get("timeout", timeout)
        allow_errors = notebook.metadata.execution.get("allow_errors", allow_errors)
    start = time.perf_counter()
    try:
        client = NotebookClient(nb=notebook, resources={"metadata": {"path": cwd}}, timeout=timeout,
                                allow_errors=allow_errors, record_timing=False)
        client.execute(env={**os.environ, inputs.ENV_VAR: str(inputs_file)})
    except Exception:  # noqa: BLE001 - any failure: MyST-NB runs the notebook again and reports it
        return None, time.perf_counter() - start, traceback.format_exc()
    return notebook, time.perf_counter() - start, None


def start(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: start executing, in the background, every page's notebook the cache lacks."""
    global _POOL
    config = getattr(env, "mystnb_config", None)
    if JOBS < 2 or config is None or config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache

    cache = get_cache(config.execution_cache_path)
    folder = inputs_folder(app)
    os.environ.pop(inputs.ENV_VAR, None)  # a kernel records only into the file it is given
    for docname in sorted(docnames):  # the order Sphinx reads them in
        stamp = inputs.stamp_for(folder, record_name(docname))
        notebook, read_fmt, path = _notebook(app, env, docname, stamp)
        if notebook is None:
            continue
        try:
            cache.match_cache_notebook(notebook)
            continue  # MyST-NB will find it
        except KeyError:
            pass
        fresh = folder / f"{record_name(docname)}.new"
        fresh.unlink(missing_ok=True)
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="evidence-execute")
        future = _POOL.submit(_execute, notebook, str(path.parent), fresh, config.execution_timeout,
                              config.execution_allow_errors)
        _RUNS[docname] = _Run(path, read_fmt, stamp, future)
        LOGGER.info("Executing notebook in a parallel kernel [evidence]", location=docname)


def finish(app: Sphinx, docname: str) -> None:
    """Before Sphinx reads a page: wait for its notebook, put it in MyST-NB's cache with the record of its inputs."""
    run = _RUNS.pop(docname, None)
    if run is None:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    notebook, seconds, error = run.future.result()
    folder, name = inputs_folder(app), record_name(docname)
    if error is not None:
        (folder / f"{name}.new").unlink(missing_ok=True)
        LOGGER.info("Parallel execution failed; MyST-NB executes the notebook again to report the error [evidence]",
                    location=docname)
        return
    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    stage = cache.add_nb_to_project(str(run.path), read_data=run.read_fmt) if run.read_fmt else \
        cache.add_nb_to_project(str(run.path))
    NbProjectRecord.remove_tracebacks([stage.pk], cache.db)
    cache.cache_notebook_bundle(CacheBundleIn(notebook, stage.uri, data={"execution_seconds": seconds}),
                                check_validity=False, overwrite=True)
    inputs.keep_fresh_record(folder, name, run.stamp)
    LOGGER.info(f"Executed notebook in {seconds:.2f} seconds (parallel kernel) [evidence]", location=docname)


def stop(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: no kernel outlives the build (after an error, those not yet started are cancelled)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None
    _RUNS.clear()
