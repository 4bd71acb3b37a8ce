# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
# `make mutate PHASES=core` runs one phase: core, formulas, values (tests/mutate.py)
PHASES ?=
# `make render` puts the demo's summary and one team workbook, as LibreOffice prints them, here
DEMO_DIR ?= okr-demo
RENDER_DIR ?= $(DEMO_DIR)/render

.PHONY: demo test bench render mutate clean help

help:
	@echo "make demo   - set up $(VENV), run the nightly job on the example config and show the result"
	@echo "make test   - set up $(VENV) and run the test suite"
	@echo "make bench  - run the benchmarks in benchmarks/"
	@echo "make render - run the demo, then print its summary and the sales team's workbook to PDF and PNG with LibreOffice"
	@echo "make mutate - mutation testing of scoring, value reading, rollup and sheet formulas (docs/testing.md)"

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "okrsheets needs Python >= 3.11; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(STAMP)
	$(BIN)/okrsheets demo

test: $(STAMP)
	$(BIN)/ruff check okrsheets
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/rollup_excel.py
	$(BIN)/python benchmarks/provision_excel.py

render: $(STAMP)
	@command -v soffice >/dev/null && command -v pdftoppm >/dev/null || \
	  { echo "make render needs LibreOffice and poppler: sudo apt install libreoffice-calc poppler-utils"; exit 1; }
	$(BIN)/okrsheets demo $(DEMO_DIR)
	rm -rf $(RENDER_DIR) && mkdir -p $(RENDER_DIR)
	soffice --headless -env:UserInstallation=file://$(abspath $(RENDER_DIR))/.libreoffice --convert-to pdf \
	  --outdir $(RENDER_DIR) $(DEMO_DIR)/okr-data/*/company-summary.xlsx $(DEMO_DIR)/okr-data/*/sales.xlsx >/dev/null
	for pdf in $(RENDER_DIR)/*.pdf; do pdftoppm -png -r 60 "$$pdf" "$${pdf%.pdf}"; done
	rm -rf $(RENDER_DIR)/.libreoffice
	@echo "pages: $(RENDER_DIR)/"; ls $(RENDER_DIR)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

mutate: $(DEV_STAMP)
	nice -n 10 $(BIN)/python tests/mutate.py $(PHASES)

clean:
	rm -rf $(VENV) okr-demo build dist *.egg-info mutants mutation-results
