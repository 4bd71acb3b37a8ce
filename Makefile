# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
# `make mutate PHASES=core` runs one phase: core, formulas, values (tests/mutate.py)
PHASES ?=

.PHONY: demo test bench mutate clean help

help:
	@echo "make demo   - set up $(VENV), run the nightly job on the example config and show the result"
	@echo "make test   - set up $(VENV) and run the test suite"
	@echo "make bench  - run the benchmarks in benchmarks/"
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

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

mutate: $(DEV_STAMP)
	nice -n 10 $(BIN)/python tests/mutate.py $(PHASES)

clean:
	rm -rf $(VENV) okr-demo build dist *.egg-info mutants mutation-results
