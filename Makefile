# Two commands for a new user: `make book` (set up, build HTML and PDF) and `make test` (check everything).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-notebooks.txt pyproject.toml | sha256sum | cut -c1-12)
BUILD  := $(BIN)/jupyter-book build . -n -W --keep-going
PDF    := _build/latex/book.pdf

# The installer of the venv's packages: uv (from PyPI, pinned; several times faster than pip on a
# fresh machine, same pinned packages, byte-compiled at install as pip does), or INSTALLER=pip.
INSTALLER ?= uv
UV     := uv==0.13.9

.PHONY: book html pdf check env test test-fast bench clean

book: html pdf

# A fresh virtual environment with the pinned requirements and the project's own package.
env: $(STAMP)

$(STAMP): requirements.txt requirements-notebooks.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
ifeq ($(INSTALLER),pip)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -e .
else
	($(BIN)/pip install -q --disable-pip-version-check $(UV) && \
	  $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.txt -e .) || \
	  (echo "uv could not install the requirements (it does not read pip's configuration): using pip" && \
	   $(BIN)/pip install -q -r requirements.txt -e .)
endif
	mkdir -p $(VENV)/etc/ipython
	echo 'c.IPKernelApp.log_level = "ERROR"' > $(VENV)/etc/ipython/ipython_kernel_config.py
	rm -f $(VENV)/.installed-*
	touch $@

# Check the evidence base before anything is built: bad data stops here, nothing is written.
check: $(STAMP)
	$(BIN)/python -m evidence

html: check
	$(BUILD) --builder html
	@echo "The book is in _build/html/index.html"

pdf: check
	scripts/system-deps pdf
	$(BUILD) --builder pdflatex
	mkdir -p _build/html && cp $(PDF) _build/html/book.pdf  # linked from every page's download menu
	scripts/system-deps browser
	$(BIN)/python -m evidence.sphinxext.chapter_pdf  # each chapter as its own PDF, printed from its page
	@echo "The PDF is $(PDF); the chapter PDFs are in _build/html/pdf/"

# axe-core for the accessibility test, pinned in package.json / package-lock.json.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	command -v npm >/dev/null || scripts/system-deps node
	npm ci --no-audit --no-fund --silent

test: book node_modules/axe-core/axe.min.js
	scripts/system-deps browser
	$(BIN)/python -m pytest

# The fast tier: evidence checks, units and chapter prose; no book build, TeX or browser.
test-fast: check
	$(BIN)/python -m pytest -m "not book and not browser and not build and not pdf and not slow"

# Build times on a copy of the project in /tmp (the working tree is never written):
# `make bench`, `make bench ARGS="--rounds 7"`, or `make bench ARGS=--setup` (a fresh clone set up by phase).
bench: check
	$(BIN)/python scripts/bench.py $(ARGS)

clean:
	rm -rf _build
