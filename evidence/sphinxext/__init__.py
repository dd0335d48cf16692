"""The book's Sphinx plumbing: what ``jupyter-book build`` needs and a reader re-running a notebook does not.

- :mod:`.extension`: the Sphinx extension (``_config.yml`` loads this package): evidence check before
  the build, ``{claim-quote}`` and the glossary, numbered tables, chart scripts, downloads;
- :mod:`.inputs`: which files a chapter read, so the build re-runs exactly what changed;
- :mod:`.citation`: the book's and each chapter's citation (APA, BibTeX, RIS, CSL-JSON, meta tags) and the
  licence statement, from CITATION.cff; :mod:`.citing` puts them on the pages and writes the files;
- :mod:`.datazip`: the reader's data-and-code zip;
- :mod:`.notebook_export`: the downloadable notebook, rewritten to read well outside the book.

Importing this package imports nothing of Sphinx: a kernel imports :mod:`.inputs` through it.
"""


def setup(app):
    """Sphinx's entry point; the extension itself is imported only by Sphinx."""
    from evidence.sphinxext.extension import setup as extension_setup

    return extension_setup(app)
