# Two commands for a new user: `make book` (set up and build) and `make test` (check everything).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)

.PHONY: book html check test clean

book: html

# A fresh virtual environment with the pinned requirements and the project's own package.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -e .
	mkdir -p $(VENV)/etc/ipython
	echo 'c.IPKernelApp.log_level = "ERROR"' > $(VENV)/etc/ipython/ipython_kernel_config.py
	rm -f $(VENV)/.installed-*
	touch $@

# Check the evidence base before anything is built: bad data stops here, nothing is written.
check: $(STAMP)
	$(BIN)/python -m evidence

html: check
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going
	@echo "The book is in _build/html/index.html"

test: html
	scripts/system-deps
	$(BIN)/python -m pytest

clean:
	rm -rf _build
